"""People named in an article, in nominative case, and who a role or pronoun means.

Quotes often name their speaker by role ("глава государства") or pronoun ("он",
"по его словам"); `speaker_canonical` is then the full name the article gives that
person, or None when the article does not say. Only people the article names are
ever used: a guess from outside the article would be worse than None.

Everything goes through pymorphy3 (cached per word), so a page costs a few dozen
dictionary look-ups, not a model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import pymorphy3

_UPPER = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "а-яёәғқңөұүһі"
_PATRONYMIC_SUFFIX = "кызы|қызы|улы|ұлы"  # "Маржан Кенжебаева-кызы": written lower case after the hyphen
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+|-(?:{_PATRONYMIC_SUFFIX})(?![\w-]))?"
# The same as (?<![\w-]){_WORD}(?![\w-]), with the capital first: a pattern that opens
# with a lookbehind is tried at every position, one that opens with a character
# class lets the regex engine skip ahead to the next capital (2.5x faster on a body).
_CAP_WORD = re.compile(rf"[{_UPPER}](?<![\w-].)[{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+|-(?:{_PATRONYMIC_SUFFIX}))?(?![\w-])")
_SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая|енко|ук|юк|улы|ұлы|уулу|кызы|қызы|бек|бай|ич)"
    r"(?:а|у|ым|ом|ой|е|ых|ым|ого|ому)?$"
)
# Pronouns as subject ("сказал он") and as possessive ("по его словам").
MALE_PRONOUNS = {"он", "его", "него", "ему", "он сам"}
FEMALE_PRONOUNS = {"она", "ее", "её", "нее", "неё", "ей", "она сама"}
PLURAL_PRONOUNS = {"они", "их", "них"}
PRONOUNS = MALE_PRONOUNS | FEMALE_PRONOUNS | PLURAL_PRONOUNS
_GENDERED_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ск|цк)(?:а|ая|ий|ой|ую|ого|ому|ым|им|ом|у|е)?$|(?:улы|ұлы|уулу|кызы|қызы)$")
_FEMALE_SURNAME_NOMINATIVE = re.compile(r"(?:ов|ев|ёв|ин|ын)а$")
_CLAUSE_BREAK = re.compile(r"[.!?;:,«»\"“”()—–]")
_GENITIVE_MARKERS = {"словам", "мнению", "слов", "оценке", "данным", "информации", "версии", "подсчетам", "словах",
                     # "Комментарий Нурлана Абенова:": the words of someone, who is in genitive
                     "комментарий", "мнение", "заявление", "выступление", "позиция", "реплика"}
_FEMALE_SURNAME = re.compile(r"(?:ова|ева|ёва|ина|ына|ская|цкая|кызы|қызы)$")
_MALE_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ский|цкий|улы|ұлы|уулу)$")
# Compiled once: the `re` module's own cache is shared with the whole parse (dateparser
# alone fills it), and recompiling per call was a third of this module's time.
_HAS_CYRILLIC = re.compile(f"[{_LOWER}{_UPPER}]")
_FEMALE_OBLIQUE = re.compile(r"(?:ой|ую)$")
_MALE_NOMINATIVE = re.compile(r"(?:ов|ев|ёв|ин|ын|ский|цкий|улы|ұлы|кызы|қызы)$")
_FEM_OV_OBLIQUE = re.compile(r"(?:ов|ев|ёв|ин|ын)(ой|ую)$")
_FEM_OV_ACCUSATIVE = re.compile(r"(?:ов|ев|ёв|ин|ын)(у)$")  # a woman's only: the gender is known here
_FEM_SK_OBLIQUE = re.compile(r"(?:ск|цк)(ой|ую)$")
_MASC_OV_OBLIQUE = re.compile(r"(?:ов|ев|ёв|ин|ын)(ым|ом|у|е)$")
_MASC_OV_GENITIVE = re.compile(r"(?:ов|ев|ёв|ин|ын)(а)$")
_MASC_SK_OBLIQUE = re.compile(r"(?:ск|цк)(ого|ому|им|ом)$")
_OBLIQUE_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын)(?:ой|ым|ому|ого|ым|ых)$|(?:ск|цк)(?:ой|ого|ому|им)$")
_CASE_ENDING = re.compile(r"(?:ым|ом|ой|ую|а|у|е|ы)$")
_WORDS = re.compile(r"[\w-]+")
_SENTENCE_MARKS = re.compile(r"[.!?:;«»\"“”]")
_TITLE = re.compile(r"«[^«»]{1,40}»")  # "«Тобола»", "«Казгидромета»"
_ROLE_WINDOW = 60  # characters between a role word and the name it introduces


@lru_cache(maxsize=1)
def morph():
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=50000)
def _parses(word: str):
    return morph().parse(word)


# "Зернового (союза)", "Сосновому": adjective endings on an -ов/-ин stem, never a surname's
_ADJECTIVE_ON_SURNAME_STEM = re.compile(r"(?:ов|ев|ёв|ин|ын)(?:ого|ому)$")


@lru_cache(maxsize=20000)
def is_name_token(word: str) -> bool:
    last = word.split("-")[-1]
    if _SURNAME.search(last) and not _ADJECTIVE_ON_SURNAME_STEM.search(last):
        return True
    return any(({"Name", "Surn", "Patr"} & set(p.tag.grammemes)) and p.score > 0.1 for p in _parses(word)[:3])


@lru_cache(maxsize=20000)
def is_nominative_capable(word: str) -> bool:
    """True when the word can be the grammatical subject (nominative)."""
    if not _HAS_CYRILLIC.search(word):
        return False
    for p in _parses(word.lower())[:4]:
        tag = p.tag
        # PRTF: a participle used as a noun ("пострадавшая", "задержанный")
        if "nomn" in tag and ({"NOUN", "NPRO", "ADJF", "PRTF"} & set(tag.grammemes)) and "Apro" not in tag:
            return True
    return False


@lru_cache(maxsize=20000)
def is_oblique_name(word: str) -> bool:
    """A name that cannot be the subject: "Мадине", "Ержановой", "Токаеву"."""
    if _MALE_NOMINATIVE.search(word):
        return False
    if _OBLIQUE_SURNAME.search(word):
        return True
    names = [p for p in _parses(word)[:4] if {"Name", "Surn", "Patr"} & set(p.tag.grammemes) and p.is_known]
    return bool(names) and not any("nomn" in p.tag for p in names)


@lru_cache(maxsize=20000)
def is_instrumental(word: str) -> bool:
    """"Абеновым", "Нурланом", "министром": the agent of a passive ("отмечено Х")."""
    return bool(_MASC_OV_INSTRUMENTAL.search(word)) or any("ablt" in p.tag for p in _parses(word)[:3])


_MASC_OV_INSTRUMENTAL = re.compile(r"(?:ов|ев|ёв|ин|ын)ым$|(?:ск|цк)им$")


@lru_cache(maxsize=20000)
def lemma(word: str) -> str:
    """Dictionary form, ё as е. Verb forms, participles and gerunds give the
    infinitive ("убежден" -> "убедить", "заявила" -> "заявить"); a word that is only
    an adjective or noun gives its own normal form ("уверен" -> "уверить" too, as
    pymorphy lists it as a participle of "уверить")."""
    parses = _parses(word.lower())
    if not parses:
        return word.lower().replace("ё", "е")
    verbal = [p for p in parses if {"VERB", "INFN", "PRTS", "PRTF", "GRND"} & set(p.tag.grammemes)]
    return (verbal or parses)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=20000)
def is_gerund_or_infinitive(word: str) -> bool:
    """"Говоря о субсидиях, министр заявил": the gerund is not the speech verb."""
    return bool({"GRND", "INFN", "PRTF"} & set(_parses(word.lower())[0].tag.grammemes))


@lru_cache(maxsize=20000)
def is_finite_verb(word: str) -> bool:
    """A finite verb or short participle: what an attribution clause turns on."""
    for p in _parses(word.lower())[:2]:
        if ("VERB" in p.tag and "indc" in p.tag) or "PRTS" in p.tag:
            return True
    return False


@lru_cache(maxsize=20000)
def is_preposition_or_verb(word: str) -> bool:
    """Words that end a speaker phrase: "Бейсембаев | в своем Telegram-канале"."""
    p = _parses(word.lower())[0]
    return bool({"PREP", "CONJ", "VERB", "GRND", "INFN", "ADVB"} & set(p.tag.grammemes))


@lru_cache(maxsize=20000)
def is_preposition(word: str) -> bool:
    """"На вопрос …": the noun after a preposition is no subject."""
    return "PREP" in _parses(word.lower())[0].tag


@lru_cache(maxsize=20000)
def is_person_noun(word: str) -> bool:
    """An animate noun ("министр", "жительница", "эколог"): a role that can speak."""
    return any("NOUN" in p.tag and "anim" in p.tag and "nomn" in p.tag for p in _parses(word.lower())[:3])


@lru_cache(maxsize=20000)
def _first_name_parses(word: str) -> tuple:
    """Singular first-name readings (of the last part of "Касым-Жомарта"); dictionary
    ones if any, else pymorphy's guesses."""
    readings = [p for p in _parses(word.split("-")[-1])[:6] if "Name" in p.tag and "sing" in p.tag]
    return tuple([p for p in readings if p.is_known] or readings)


@lru_cache(maxsize=20000)
def is_female(name: str) -> bool:
    """The gender of a full name (any case).

    A woman's surname decides unless both words agree on a man in genitive or
    accusative ("Жанибека Турлыбаева", but "Сауле Ахметжанова", "Гульнар Есенова"
    are women in nominative); otherwise a first name in nominative decides.
    """
    words = name.split()
    surname = words[-1].lower()
    if _MALE_SURNAME.search(surname):
        return False
    if _FEM_OV_OBLIQUE.search(surname) or _FEM_SK_OBLIQUE.search(surname):
        return True  # "Ляззат Омаровой", "Полянской": only a woman's surname ends so
    first = _first_name_parses(words[0]) if len(words) > 1 else []
    nominative = [p for p in first if "nomn" in p.tag]
    if _FEMALE_SURNAME.search(surname):
        # A dictionary first name in nominative puts the surname in nominative too
        # ("Акмарал Альназарова", whatever gender the dictionary gives the Kazakh
        # name); a man's name in genitive, known or guessed ("Касым-Жомарта"), does not.
        if any(p.is_known for p in nominative):
            return True
        # An indeclinable first name ("Назерке") is in every case at once: it says nothing.
        return not any("masc" in p.tag and "Fixd" not in p.tag and ({"gent", "accs"} & set(p.tag.grammemes))
                       for p in first)
    if nominative:
        return "femn" in nominative[0].tag
    if _FEMALE_OBLIQUE.search(surname):
        return True
    if first:
        return "femn" in first[0].tag
    return len(words) > 1 and words[0].lower().endswith(("а", "я"))


@lru_cache(maxsize=20000)
def to_nominative(word: str, female: bool | None = None) -> str:
    """One name token in nominative case (`female`: the person's gender, if known).

    Only dictionary names are inflected: pymorphy's guesses on Kazakh names
    ("Жомарт" -> "Жомарты") are worse than leaving the word as written.
    """
    parts = word.split("-")
    if len(parts) > 1:
        if len(parts) == 2 and all(_GENDERED_SURNAME.search(x.lower()) for x in parts) \
                and not _PATRONYMIC.search(parts[1].lower()):
            # a double surname: both parts decline ("Петровой-Сулейменовой", "Омарову-Бекову")
            return "-".join(to_nominative(x, female) for x in parts)
        return "-".join(parts[:-1] + [to_nominative(parts[-1], female)])
    if _MALE_NOMINATIVE.search(word):
        return word  # a man's surname (or a Kazakh patronymic) in nominative already
    if female and _FEMALE_SURNAME.search(word.lower()):
        return word  # Есенова, Бекова: a woman's surname in nominative
    for p in _parses(word)[:4]:
        if "Name" in p.tag and "sing" in p.tag and p.is_known and (female is None or ("femn" in p.tag) == female):
            if "nomn" in p.tag:
                return word
            form = p.inflect({"nomn", "sing"})
            if form:
                return form.word.capitalize()
    if female is False:  # a guessed man's name in an oblique case: "Жомарта" -> "Жомарт"
        for p in _parses(word)[:6]:
            if "Name" in p.tag and "masc" in p.tag and "sing" in p.tag and "nomn" not in p.tag:
                form = p.inflect({"nomn", "sing"})
                if form:
                    return form.word.capitalize()
    if female and word.endswith("ии") and not _SURNAME.search(word):
        return word[:-1] + "я"  # a first name pymorphy does not know: "Алии" -> "Алия"
    if female:
        # Ержановой -> Ержанова, Ержанову -> Ержанова, Полянской -> Полянская.
        match = _FEM_OV_OBLIQUE.search(word) or _FEM_OV_ACCUSATIVE.search(word)
        if match:
            return word[: match.start(1)] + "а"  # Ержановой, Иванову -> Ержанова, Иванова
        match = _FEM_SK_OBLIQUE.search(word)
        if match:
            return word[: match.start(1)] + "ая"
        return word
    for p in _parses(word)[:4]:
        if "Surn" in p.tag and p.is_known and "masc" in p.tag:
            form = p.inflect({"nomn", "sing"})
            if form:
                return form.word.capitalize()
    # Surnames pymorphy does not know: Токаева/Токаеву/Токаевым/Токаеве -> Токаев.
    # (With no gender known, -ова/-ева stay: as likely a woman's name in nominative.)
    match = _MASC_OV_OBLIQUE.search(word) or (
        female is False and _MASC_OV_GENITIVE.search(word))
    if match:
        return word[: match.start(1)]
    match = _MASC_SK_OBLIQUE.search(word)
    if match:
        return word[: match.start(1)] + "ий"
    return word


@lru_cache(maxsize=20000)
def nominative_name(tokens: tuple[str, ...], genitive: bool = False, male: bool = False) -> str:
    """`genitive`: the context puts the name in genitive ("По словам Евгения Карабанова",
    "главного тренера Руслана Гайсина"): then -ова/-ина is a man's genitive, not a
    woman's nominative (hers would be -овой)."""
    if male:  # the case of the role noun before says so ("министру Ерлану Карину")
        female = False
    elif genitive and len(tokens) > 1 and not _FEM_OV_OBLIQUE.search(tokens[-1]) and not _FEM_SK_OBLIQUE.search(tokens[-1]):
        # a woman's name in genitive shows it in the first name ("Анны", "Назерке"); "Дмитрия",
        # "Александра", "Евгения" in genitive are men
        female = any("femn" in p.tag and "gent" in p.tag for p in _first_name_parses(tokens[0]))
    else:
        female = is_female(" ".join(tokens)) if len(tokens) > 1 else None
    words = [to_nominative(t, female) for t in tokens]
    if len(tokens) > 1:
        words = _agree(tokens, words, female)
    name = " ".join(words)
    if "ё" in name and not any("ё" in t for t in tokens):
        name = name.replace("ё", "е")  # the dictionary's "Семёнов" for the article's "Семенова"
    return name


# A man's surname's case ending, as `to_nominative` took it off -> the endings a man's
# first name (consonant stem) has in that case: "Калиакпарову" is dative, so "Жандосу"
# is "Жандос"; "Абеновым" instrumental, "Нурланом" -> "Нурлан".
_MASC_CASE = {"а": "gent", "у": "datv", "ым": "ablt", "ом": "ablt", "е": "loct",
              "ого": "gent", "ому": "datv", "им": "ablt"}
_MASC_FIRST_ENDING = {"gent": ("а", ""), "datv": ("у", ""), "ablt": ("ом", ""), "loct": ("е", "")}
_MASC_PATRONYMIC = re.compile(r"(?:ович|евич)(а|у|ем|е)$")
_FEM_PATRONYMIC = re.compile(r"(?:овн|евн|ичн)(ы|е|у|ой)$")
_VOWELS = set("аеёиоуыэюяәөұүі")
_MASC_CASE_ENDING = re.compile(r"(?:ом|ем|ым)$")  # "Жандосом": instrumental, not a nominative


def _agree(tokens: tuple[str, ...], words: list[str], female: bool | None) -> list[str]:
    """The words of a name share a case: what the surname's ending says of it puts a
    first name the dictionary does not know ("Жандосу", "Жандосе") and a patronymic
    ("Жумабековичу", "Кайратовне") in nominative too."""
    words = list(words)
    for i, (token, word) in enumerate(zip(tokens[:-1], words[:-1])):
        if word != token:
            continue  # the dictionary put it in nominative already
        if (match := _MASC_PATRONYMIC.search(token)) and not female:
            words[i] = token[: match.start(1)]
        elif (match := _FEM_PATRONYMIC.search(token)) and female is not False:
            words[i] = token[: match.start(1)] + "а"
    written = tokens[0]
    surname, nominative = tokens[-1], words[-1]
    first = words[0]
    if female is not True and surname == nominative and first != written and written.startswith(first) \
            and written[len(first):] in ("ом", "ем", "у", "е", "а") and surname.endswith(written[len(first):]) \
            and surname[-len(written) + len(first) - 1].lower() not in _VOWELS:
        # "С Ербатыром Шалкаром": the same case ending on both words comes off both
        words[-1] = surname[: len(surname) - len(written) + len(first)]
    elif female is not True and surname == nominative and _known_name(written.split("-")[-1]):
        # the other way round: a dictionary first name's case takes the ending off a
        # surname the rules do not know ("Жан-Полем Леклерком" -> Леклерк)
        cases = {p.tag.case for p in _first_name_parses(written) if p.is_known and "masc" in p.tag}
        ending = _MASC_FIRST_ENDING.get(cases.pop(), ("", ""))[0] if len(cases) == 1 else ""
        if ending == "ом" and surname.endswith("ем"):
            ending = "ем"
        if ending and surname.endswith(ending) and len(surname) > len(ending) + 2 \
                and surname[-len(ending) - 1].lower() not in _VOWELS:
            words[-1] = surname[: -len(ending)]
    if female is False and words[0] == written and written[-1].lower() not in _VOWELS \
            and not _MASC_CASE_ENDING.search(written) and not _SURNAME.search(surname) and words[-1] != surname:
        # "Дархан Сатыбалды": a man's first name in nominative, so the surname no rule knows is
        # nominative too (not a guessed genitive of "Сатыбалда")
        words[-1] = surname
    if female and surname != nominative and written.endswith("ие"):
        words[0] = written[:-1] + "я"  # "Алие Молдабековой": the dative of Алия, not the name Алие
    if written.endswith("ии") and not _known_name(written) and len(written) > 4:
        words[0] = written[:-1] + "я"  # "Лусии Фернандес": an -ия name in an oblique case, whoever's
    if "-" in written or _PATRONYMIC.search(written) or _known_name(written):
        return words  # a dictionary name: `to_nominative` knew it; a guess ("Жандося") does not count
    if female is False and surname != nominative and surname.startswith(nominative):
        case = _MASC_CASE.get(surname[len(nominative):])
        ending = _MASC_FIRST_ENDING.get(case, ("", ""))[0]
        if ending and written.endswith(ending) and len(written) > len(ending) + 2 \
                and written[-len(ending) - 1].lower() not in _VOWELS:
            words[0] = written[: -len(ending)]
    elif female and surname != nominative and not _FEMALE_SURNAME_NOMINATIVE.search(surname):
        # "Кьярой Ломбарди" is no help (the surname does not decline); "Айданой Есимовой":
        # an -а name in instrumental or genitive
        for ending in ("ой", "ы"):
            if written.endswith(ending) and written[-len(ending) - 1].lower() not in _VOWELS | set("кгхжшщч"):
                words[0] = written[: -len(ending)] + "а"
                break
    return words


@lru_cache(maxsize=20000)
def _known_name(word: str) -> bool:
    return any("Name" in p.tag and p.is_known for p in _parses(word)[:4])


class Person(NamedTuple):  # a tuple: an article makes dozens, on every page
    name: str  # full name, nominative
    start: int  # position of the mention in its paragraph
    female: bool
    end: int = 0


@lru_cache(maxsize=20000)
def _key(name: str) -> str:
    """Mentions of one person share the surname stem: Токаев/Токаева/Токаеву."""
    return word_key(name.split()[-1])


@lru_cache(maxsize=20000)
def word_key(word: str) -> str:
    """One name word without its case ending, lower case, ё as е: the forms of a
    name share it (Токаев, Токаева, Токаеву, Токаевым -> "токаев"; Ольга, Ольгу ->
    "ольг"), different names do not (Токарев -> "токарев")."""
    word = word.lower().replace("ё", "е")
    if "-" in word:  # a double surname declines in both parts: Петровой-Сулейменовой
        return "-".join(_CASE_ENDING.sub("", part) for part in word.split("-"))
    return _CASE_ENDING.sub("", word)


_CAP_RUN = re.compile(rf"(?<![\w-])({_WORD}(?:\s+{_WORD})+)(?![\w-])")  # in a speaker phrase
_PATRONYMIC = re.compile(r"(?:ович|евич|ичн|овн|евн|улы|ұлы|кызы|қызы)\w*$")


@lru_cache(maxsize=20000)
def _plain_word(word: str) -> bool:
    """A capitalized function word that opens a sentence ("Сам Билялов", "Ещё
    Токаев"). Nouns stay: "Канат", "Улан", "Дархан" are dictionary nouns and names."""
    p = _parses(word)[0]
    return p.is_known and bool({"Apro", "ADVB", "CONJ", "PRCL", "PREP", "NPRO"} & set(p.tag.grammemes))


@lru_cache(maxsize=20000)
def _name_tokens(run: str) -> tuple[str, ...] | None:
    """The name at the end of a run of capitalized words, or None when it is no name.

    "Президент Касым-Жомарт Токаев" -> Касым-Жомарт Токаев; "Машхур Жусупа Динара
    Ахметова" (a street, then a woman) -> Динара Ахметова: names close the run, and
    take three words only with a patronymic in the middle.
    """
    tokens = run.split()
    if len(tokens) > 2:
        tokens = tokens[-3:] if _PATRONYMIC.search(tokens[-2]) else tokens[-2:]
    while tokens and _plain_word(tokens[0]) and not is_name_token(tokens[0]):
        tokens = tokens[1:]
    if len(tokens) < 2 or not (is_name_token(tokens[-1]) or is_name_token(tokens[0])):
        return None
    if not is_name_token(tokens[-1]) and "ADJF" in _parses(tokens[-1])[0].tag:
        if not _same_oblique_case(tokens[0], tokens[-1]):
            return None  # "Аким Целиноградского (района)": a place, not a surname
    return tuple(tokens)


@lru_cache(maxsize=20000)
def _same_oblique_case(first: str, last: str) -> bool:
    """"Алексея Шпилевского": a dictionary first name and an -ский surname in the same
    oblique case; "Аким Целиноградского" (a nominative, then a genitive) is a place."""
    forms = {(c, g) for p in _parses(first)[:6] if "Name" in p.tag and "sing" in p.tag and p.is_known
             for c in ("gent", "datv", "ablt", "loct") if c in p.tag for g in ("masc", "femn") if g in p.tag}
    return any(c in p.tag and g in p.tag and "sing" in p.tag
               for p in _parses(last)[:6] if "ADJF" in p.tag for c, g in forms)



def find_people(paragraphs: list[str]) -> list[tuple[int, Person]]:
    """Every person mention as (paragraph index, Person), in order.

    Full names ("Касым-Жомарт Токаев") make a person; a lone surname elsewhere
    ("— сказал Токаев") counts as a mention of the person who has that surname.
    One regex pass per paragraph finds the capitalized words; runs of them are
    grouped here (this runs on most pages, so it is kept to a single scan).
    """
    full: list[tuple[int, int, int, str]] = []
    singles: list[tuple[int, re.Match]] = []
    nominative_forms: dict[str, str] = {}
    gender_of: dict[str, bool] = {}  # from the first name's ending ("с Кьярой Ломбарди")
    for index, paragraph in enumerate(paragraphs):
        run: list[re.Match] = []
        for match in [*_CAP_WORD.finditer(paragraph), None]:
            if match is not None and run and paragraph[run[-1].end():match.start()].isspace():
                run.append(match)
                continue
            tokens = _name_tokens(" ".join(m.group(0) for m in run)) if len(run) > 1 else None
            role = hinted = None
            if tokens:
                if _case_matters(tokens[-1]):  # most surnames show their case themselves
                    before = run[-len(tokens) - 1].group(0) if len(run) > len(tokens) else None
                    role = _apposition(paragraph, run[-len(tokens)].start(), before)
                    if not role and len(tokens) == 2 and len(run) == 2 and _ungendered(tokens[-1]) \
                            and not _known_name(tokens[0]):
                        role = hinted = _with_someone(paragraph, run[0].start(), tokens[0])
            elif len(run) in (2, 3) and _unknown_words(run[-2].group(0), run[-1].group(0)):
                # "архитектор Кэндзи Мацумото", "Тренер Юрген Клопп": a foreign name after a role
                role = _apposition(paragraph, run[-2].start(), run[0].group(0) if len(run) == 3 else None)
                if not role and len(run) == 2:
                    role = _with_someone(paragraph, run[0].start(), run[0].group(0))
                    hinted = role  # the first name's ending gives the gender too
                if role:
                    tokens = (run[-2].group(0), run[-1].group(0))
            if tokens:
                first = run[-len(tokens)].start()
                # "министру Ерлану Карину": a woman's dative would be "Кариной", so a man
                male = bool(role) and role[0] in _MALE_BY_CASE and bool(_MALE_BY_CASE[role[0]].search(tokens[-1]))
                nominative = nominative_name(tokens, _may_be_genitive(tokens)
                                             and genitive_before(paragraph[max(0, first - 60): first]), male)
                if role and len(tokens) == 2 and nominative.split()[-1] == tokens[-1] and _ungendered(tokens[-1]):
                    nominative = _first_in_case(tokens, nominative, *role)
                key = _key(nominative)
                if hinted:
                    gender_of.setdefault(nominative, hinted[1])
                written = "~" if " ".join(tokens) != nominative else ""
                nominative_forms.setdefault(written + key, nominative)
                full.append((index, run[-len(tokens)].start(), run[-1].end(), key))
            else:
                singles.extend((index, m) for m in run)
            run = [match] if match is not None else []
    names = {key: nominative_forms.get(key) or nominative_forms["~" + key] for *_, key in full}
    found = [(index, start, end, names[key]) for index, start, end, key in full]
    # A surname that does not tell the gender ("Ажар Гиният", "Алия Ким"): the past verb
    # next to a mention does ("Ажар Гиният посетила", "— сказала Алия Ким").
    verb_gender: dict[str, bool] = dict(gender_of)
    looked: dict[str, int] = {}
    for index, start, end, name in found:
        if name not in verb_gender and _ungendered(name) and looked.get(name, 0) < 3:
            looked[name] = looked.get(name, 0) + 1  # the first mentions say it if any does
            text = paragraphs[index]
            before = _WORDS.findall(text[max(0, start - 16):start])[-1:]
            if before and is_preposition(before[0]):
                continue  # "Встреча с Марком Тиаго прошла": the verb is the subject's, not theirs
            for word in _WORDS.findall(text[end:end + 24])[:1] + before:
                gender = _word_gender(word)
                if gender in ("f", "m"):
                    verb_gender[name] = gender == "f"
                    break
    for index, match in singles:
        word = match.group(0)
        if names and _SURNAME.search(word) and (key := _key(to_nominative(word))) in names:
            found.append((index, match.start(), match.end(), names[key]))
    found.sort()
    return [(index, Person(name, start, verb_gender.get(name, is_female(name)) if verb_gender else is_female(name), end))
            for index, start, end, name in found]


@lru_cache(maxsize=20000)
def is_unknown_capitalized(word: str) -> bool:
    """A capitalized Cyrillic word no dictionary knows ("Клопп", "Мацумото"): after a
    speech verb, a name."""
    return word[:1].isupper() and bool(_HAS_CYRILLIC.search(word)) and not any(
        p.is_known for p in _parses(word)[:3])


@lru_cache(maxsize=20000)
def _unknown_words(first: str, last: str) -> bool:
    """Two words no dictionary knows, or knows as names: a foreign name ("Кэндзи
    Мацумото"), not "Нового Орлеана"."""
    return all(all(not p.is_known or {"Name", "Surn", "Geox"} & set(p.tag.grammemes) for p in _parses(w)[:3])
               for w in (first, last))  # "Дархан" is a town in the dictionary, and a name


@lru_cache(maxsize=20000)
def _case_matters(surname: str) -> bool:
    """Only an -ову/-ину surname (a man's dative or a woman's accusative) or one that
    does not decline needs the role noun's case."""
    return bool(_MALE_BY_CASE["datv"].search(surname)) or _ungendered(surname)


def _apposition(text: str, start: int, before: str | None = None) -> tuple[str, bool] | None:
    """(case, female) of the role noun right before a name ("актрису Кьяру Ломбарди",
    "Министру Ерлану Карину"; `before`: a capitalized word of the same run): the name is
    in the same case."""
    if before is None:
        words = _WORDS.findall(text[max(0, start - 24):start])[-1:]
        if not words or not words[0][:1].islower() or text[start - 1: start] != " ":
            return None
        before = words[0]
    return _noun_case_gender(before.lower())


def _with_someone(text: str, start: int, first: str) -> tuple[str, bool] | None:
    """"с Кьярой Ломбарди", "с Томасом Беккером": after "с" a first name that shows the
    instrumental (-ой hers, -ом/-ем his) is a name no dictionary knows, of that gender."""
    if text[max(0, start - 2): start].lower() != "с " or (start > 2 and text[start - 3].isalpha()):
        return None
    if first.endswith("ией"):
        return "ablt", True  # "с Лусией"
    if first[-3:-2].lower() in _VOWELS:
        return None
    if first.endswith("ой"):
        return "ablt", True
    return ("ablt", False) if first.endswith(("ом", "ем")) else None


# A man's surname in the role noun's case, that a woman's would not have: dative
# "Карину" (hers: "Кариной"). (A genitive noun before a name need not be its role:
# "жена министра Айгуль Сапарова" is a woman in nominative.)
_MALE_BY_CASE = {"datv": re.compile(r"(?:ов|ев|ёв|ин|ын)у$")}


@lru_cache(maxsize=20000)
def _noun_case_gender(word: str) -> tuple[str, bool] | None:
    parses = [p for p in _parses(word)[:4] if "NOUN" in p.tag and "anim" in p.tag and "sing" in p.tag]
    cases = {p.tag.case for p in parses}
    genders = {p.tag.gender for p in parses}
    if len(cases) != 1 or len(genders) != 1 or not genders <= {"masc", "femn"}:
        return None
    return cases.pop(), genders.pop() == "femn"


# A first name's ending in a case -> its nominative ending, when the surname does not
# decline and pymorphy does not know the name: "актрису Кьяру" -> Кьяра.
_FEM_FIRST_ENDING = {"accs": (("у", "а"), ("ю", "я")), "gent": (("ы", "а"),), "datv": (("е", "а"),),
                     "loct": (("е", "а"),), "ablt": (("ой", "а"), ("ией", "ия"), ("ей", "я"))}


def _first_in_case(tokens: tuple[str, ...], nominative: str, case: str, female: bool) -> str:
    first = tokens[0]
    if _known_name(first) or "-" in first:
        return nominative
    if female:
        for ending, replacement in _FEM_FIRST_ENDING.get(case, ()):
            if first.endswith(ending) and len(first) > len(ending) + 2:
                return " ".join([first[: -len(ending)] + replacement] + nominative.split()[1:])
        return nominative
    ending = _MASC_FIRST_ENDING.get(case, ("", ""))[0]
    if ending and first.endswith(ending) and len(first) > len(ending) + 2 and first[-len(ending) - 1] not in _VOWELS:
        return " ".join([first[: -len(ending)]] + nominative.split()[1:])
    return " ".join([first] + nominative.split()[1:])  # a man's name in nominative, or a case it shows no ending in


@lru_cache(maxsize=20000)
def _ungendered(name: str) -> bool:
    return not _GENDERED_SURNAME.search(name.split()[-1].lower())


def _written_oblique(text: str, person: Person) -> bool:
    """The mention's surname as written cannot be a subject ("с Жанар Оспановой")."""
    written = text[person.start: person.end].split()
    return len(written) > 1 and is_oblique_name(written[-1])


def _after_oblique_noun(text: str, start: int) -> bool:
    """A mention right after a role noun in an oblique case ("американку Стивенс",
    "победила россиянку …"): the sentence's object."""
    words = _WORDS.findall(text[max(0, start - 20):start])[-1:]
    return bool(words) and words[0][:1].islower() and _oblique_noun(words[0])


@lru_cache(maxsize=20000)
def _oblique_noun(word: str) -> bool:
    parses = _parses(word)[:3]
    # accusative, dative, instrumental; a genitive belongs to a role ("председатель союза Х")
    return bool(parses) and "NOUN" in parses[0].tag and not any("nomn" in p.tag or "gent" in p.tag for p in parses)


@lru_cache(maxsize=20000)
def _genitive_word(word: str) -> bool:
    """A lowercase word in genitive that cannot be nominative ("министра", "главного")."""
    parses = _parses(word)[:4]
    return any("gent" in p.tag for p in parses) and not any("nomn" in p.tag for p in parses)


@lru_cache(maxsize=20000)
def _may_be_genitive(tokens: tuple[str, ...]) -> bool:
    """Only a name read as a woman's can change when the context is genitive (the
    look at the context is skipped for the rest)."""
    return len(tokens) > 1 and is_female(" ".join(tokens)) and not (
        _FEM_OV_OBLIQUE.search(tokens[-1]) or _FEM_SK_OBLIQUE.search(tokens[-1]))


def genitive_before(text: str) -> bool:
    """The words before a name put it in genitive: "По словам", "главного тренера
    сборной", "у министра" — the role phrase in genitive up to its start; not
    "пресс-секретарь суда", "студентка Евразийского университета" (nominative heads)."""
    clause = _CLAUSE_BREAK.split(text[-60:])[-1]
    words = _WORDS.findall(clause)
    scanned = 0
    for word in reversed(words):
        lowered = word.lower()
        if lowered in _GENITIVE_MARKERS:
            return True
        if _genitive_word(lowered):
            scanned += 1
            continue
        return scanned > 0 and (is_preposition(lowered) or "VERB" in _parses(lowered)[0].tag
                                or (_oblique_head(lowered) and _person_genitive(words[-1].lower())))
    return scanned > 0


@lru_cache(maxsize=20000)
def _person_genitive(word: str) -> bool:
    """"лесничего", "министра": a person noun in genitive singular, whose apposition the name is
    ("монополий Алия Нурпеисова" is no apposition)."""
    return any("NOUN" in p.tag and "anim" in p.tag and "gent" in p.tag and "sing" in p.tag for p in _parses(word)[:3])


@lru_cache(maxsize=20000)
def _oblique_head(word: str) -> bool:
    """"под руководством лесничего Х": a noun that cannot be nominative heads the
    genitive chain, so the name is the chain's (genitive) apposition, not a subject."""
    parses = _parses(word)[:3]
    return bool(parses) and "NOUN" in parses[0].tag and not any("nomn" in p.tag for p in parses)


@lru_cache(maxsize=20000)
def name_in(text: str, genitive: bool = False) -> str | None:
    """The full name inside a speaker phrase ("министр здравоохранения Ажар Гиният");
    `genitive`: the phrase is in genitive as a whole ("По словам Х")."""
    for match in reversed(list(_CAP_RUN.finditer(text))):
        tokens = _name_tokens(match.group(1))
        if tokens:
            # "Комментарий Нурлана Абенова": the run's first word may put the name in genitive
            opener = match.group(1).split()[0].lower() if len(match.group(1).split()) > len(tokens) else ""
            return nominative_name(tokens, _may_be_genitive(tokens) and (
                genitive or opener in _GENITIVE_MARKERS or genitive_before(text[: match.start(1)])))
    if genitive:
        # "По словам Кьяры Ломбарди", "Паоло Конти": after "по словам" two words no
        # dictionary knows are a name, in genitive
        words = _CAP_WORD.findall(text)
        if len(words) == 2 and len(text.split()) == 2 and _unknown_words(*words):
            female = words[0].endswith("ы") and words[0][-2:-1].lower() not in _VOWELS
            return _first_in_case(tuple(words), " ".join(words), "gent", female)
    for match in _CAP_WORD.finditer(text):
        word = match.group(0)
        # A lone surname speaks for a person ("— сказал Токаев"); a lone first name or
        # a role that is also a name ("Аким") does not.
        if _SURNAME.search(word) or any("Surn" in p.tag and p.score > 0.1 for p in _parses(word)[:3]):
            return to_nominative(word)
    return None


# Roles a report names one person by, in turn: "министр …" then "глава ведомства",
# "главный тренер …" then "наставник", "прокурор" then "гособвинитель". Lemmas; an entry
# of two words needs both.
_ROLE_CLASSES = [
    {("министр",), ("глава", "ведомство"), ("глава", "министерство")},
    {("аким",), ("глава", "регион"), ("глава", "область"), ("глава", "город"), ("глава", "район"),
     ("градоначальник",), ("мэр",)},
    {("президент",), ("глава", "государство")},
    {("тренер",), ("наставник",), ("главный", "тренер"), ("рулевой",), ("специалист",)},
    {("футболист",), ("игрок",), ("нападающий",), ("форвард",), ("защитник",), ("полузащитник",),
     ("хавбек",), ("вратарь",), ("голкипер",), ("капитан",), ("хоккеист",), ("легионер",)},
    {("судья",), ("председательствующий",)},
    {("прокурор",), ("гособвинитель",), ("государственный", "обвинитель"), ("обвинитель",)},
    {("адвокат",), ("защитник",), ("защита",)},
    {("депутат",), ("парламентарий",), ("мажилисмен",), ("сенатор",)},
    {("эксперт",), ("аналитик",), ("экономист",), ("главный", "экономист"), ("политолог",), ("специалист",)},
    {("врач",), ("медик",), ("доктор",), ("главврач",), ("главный", "врач"), ("хирург",), ("терапевт",),
     ("педиатр",), ("кардиолог",), ("онколог",), ("травматолог",), ("невролог",), ("реаниматолог",),
     ("анестезиолог",), ("фельдшер",)},
]


@lru_cache(maxsize=20000)
def _role_entries(role: str) -> frozenset:
    """The entries of every class the role belongs to ("наставник" -> the coach class)."""
    lemmas = tuple(_role_lemma(w) for w in _WORDS.findall(role.lower())[:3])
    entries: set = set()
    for group in _ROLE_CLASSES:
        if any(lemmas[: len(entry)] == entry for entry in group):
            entries |= group
    return frozenset(entries)


@lru_cache(maxsize=20000)
def _role_lemma(word: str) -> str:
    """A role word's noun lemma ("нападающий", not the verb "нападать")."""
    for p in _parses(word.lower())[:4]:
        if "NOUN" in p.tag:
            return p.normal_form.replace("ё", "е")
    return lemma(word)


def _context_lemmas(text: str, person: Person, floor: int = 0) -> frozenset[str]:
    return _context_at(text, person.start, person.end, max(0, floor, person.start - _ROLE_WINDOW))


@lru_cache(maxsize=20000)
def _context_at(text: str, start: int, end: int, floor: int) -> frozenset[str]:
    """The words introducing a mention: before it in its sentence (after the mention
    before it, `floor`), or ", руководитель …" after it."""
    before = text[floor: start]
    if floor and before.lstrip().startswith(","):
        # "Ерлан Нысанбай, аким области, и Серик Жумабек": the role after a comma is the
        # mention's before, not this one's
        before = before.rsplit(",", 1)[-1]
    # the same sentence only; a name in «» ("тренер «Тобола» Х") stays in it
    before = _SENTENCE_MARKS.split(_TITLE.sub(" ", before))[-1]
    after = text[end: end + 40]
    after = after[2:] if after.startswith(", ") else ""
    words = _WORDS.findall(before) + _WORDS.findall(after)[:2]
    return frozenset([lemma(w) for w in words] + [_role_lemma(w) for w in words])


def _has_entry(lemmas: set[str], entries: frozenset) -> bool:
    return any(all(w in lemmas for w in entry) for entry in entries)


def _role_names(role: str, people: list[tuple[int, Person]], paragraphs: list[str]) -> list[tuple[int, Person]]:
    """Mentions introduced by the role word: "Аким Шымкента Жанибек Турлыбаев",
    "Гульмира Абенова, руководитель департамента", or by a role of the same class
    ("Министр … Айдарбек Сапаров" for "глава ведомства")."""
    role_words = _WORDS.findall(role.lower())
    head = lemma(role_words[0])
    # "глава комиссии" ~ "председатель комиссии": the head, or the body it heads
    dependents = {lemma(w) for w in role_words[1:3] if len(w) > 3}
    entries = _role_entries(role.lower())
    hits, exact = [], []
    last_index, last_end = -1, 0
    for index, person in people:
        lemmas = _context_lemmas(paragraphs[index], person, last_end if index == last_index else 0)
        last_index, last_end = index, person.end
        if head in lemmas or dependents & lemmas or (entries and _has_entry(lemmas, entries)) or _derived(head, lemmas):
            hits.append((index, person))
            if dependents and head in lemmas and dependents <= lemmas:
                exact.append((index, person))
    # "министр энергетики" when a "министр экологии" was named after him: the one whose
    # whole role matches
    return exact or hits


@lru_cache(maxsize=20000)
def _derived(head: str, lemmas: frozenset[str]) -> bool:
    """"боксер" for "чемпион мира по боксу", "хоккеист" for "лучший в хоккее": the role
    noun is made from a noun of the introduction."""
    return len(head) > 5 and any(len(w) >= 4 and head != w and head.startswith(w) for w in lemmas)


def _other_role(role: str, person: Person, text: str, floor: int = 0) -> bool:
    """The person was introduced by a role of another kind than `role` ("нападающий Х"
    is not "наставник"); only for roles of a known class."""
    entries = _role_entries(role.lower())
    lemmas = _context_lemmas(text, person, floor)
    if entries:
        return any(is_person_noun(w) for w in lemmas) and not _has_entry(lemmas, entries)
    # a role noun of no known class: another role noun before the name is another role
    # ("аким Х" is not "пресс-секретарь"); a participle ("пострадавшая") says nothing
    words = _WORDS.findall(role.lower())
    if not words or not is_person_noun(words[0]):
        return False
    own = {_role_lemma(w) for w in words[:3]} | {lemma(w) for w in words[:3]}
    return any(is_person_noun(w) and w not in own for w in lemmas)


@lru_cache(maxsize=20000)
def _noun_nominative(word: str) -> str | None:
    """"министерства" -> "министерство", "докладе" -> "доклад"; None for a word that is no noun."""
    for p in _parses(word.lower())[:2]:
        if "NOUN" in p.tag:
            return p.normal_form
    return None


@lru_cache(maxsize=20000)
def _is_genitive(word: str) -> bool:
    return any("gent" in p.tag and ({"NOUN", "ADJF"} & set(p.tag.grammemes)) for p in _parses(word.lower())[:3])


def source_name(phrase: str, paragraphs: list[str]) -> str:
    """An organisation or document a quote comes from, in nominative: "докладе" ->
    "доклад"; "министерства" -> "Министерство энергетики" when the article names it so
    ("Министерство энергетики сообщило …"). Abbreviations ("ДП Астаны") stay as written."""
    words = phrase.split()
    if not words or not words[0][:1].islower():
        return phrase
    head = _noun_nominative(words[0])
    if not head:
        return phrase
    if len(words) == 1:
        pattern = re.compile(rf"(?<![\w-]){re.escape(head.capitalize())}\s+([{_LOWER}-]+)")
        for paragraph in paragraphs:
            for match in pattern.finditer(paragraph):
                if _is_genitive(match.group(1)):
                    return match.group(0)
    return " ".join([head] + words[1:])


_INITIALS = re.compile(rf"([{_UPPER}])\.\s?([{_UPPER}])\.")


@lru_cache(maxsize=20000)
def _word_gender(word: str) -> str | None:
    """"f" for a feminine verb form or person word ("сказала", "пенсионерка",
    "пострадавшая"), "m" for a masculine past verb ("сказал"), "p" for a plural verb
    ("уточнили"); None when the form does not say ("говорит", "судья", "депутат")."""
    for p in _parses(word.lower())[:1]:
        tag = p.tag
        if "VERB" in tag or "PRTS" in tag:
            if "plur" in tag:
                return "p"
            return "f" if "femn" in tag else "m" if "masc" in tag else None
        if "femn" in tag and (("NOUN" in tag and "anim" in tag) or ("ADJF" in tag and "nomn" in tag)):
            return "f"
    return None


def speech_gender(verb: str | None, speaker: str | None) -> str | None:
    """The speaker's gender as the attribution's grammar gives it: the verb's ending
    first ("пояснила защитник" is a woman), else a feminine role ("писательница")."""
    gender = _word_gender(verb) if verb else None
    if gender:
        return gender
    for word in _WORDS.findall(speaker or "")[:3]:
        if _word_gender(word) == "f":
            return "f"
    return None


# Words for a person by sex or age, not by what they do: any title fits them.
_DESCRIPTIVE = {"девушка": "f", "женщина": "f", "девочка": "f", "бабушка": "f", "собеседница": "f",
                "мужчина": "m", "парень": "m", "юноша": "m", "мальчик": "m", "дедушка": "m", "собеседник": "m"}


def _fits(person: Person, gender: str | None) -> bool:
    return gender is None or (gender == "f") == person.female


def resolve_speaker(
    speaker: str | None,
    people: list[tuple[int, Person]],
    paragraph: int,
    text_of_paragraphs: list[str],
    *,
    position: int = 0,
    quoted: set[str] = frozenset(),
    quoted_before: set[str] = frozenset(),
    gender: str | None = None,
) -> str | None:
    """The full name behind `speaker`, from the people the article names.

    `position` is the quote's offset in its paragraph (a pronoun refers back to
    someone named before it); `quoted` holds people already quoted under their
    own name, who are not the anonymous holder of a role (`quoted_before`: those quoted so
    by the quotes before this one, who are not "мужчина"/"женщина" either). `gender` ("f", "m", "p",
    see `speech_gender`) keeps a role to people it can be: "— сказала женщина" is
    not the man named before, "— уточнили в полиции" is nobody in particular.
    """
    if not speaker:
        return None
    initials = _INITIALS.fullmatch(speaker.strip())
    if initials:
        # "М. К.:" in an interview: the person whose first and last names start so
        match = [p for _, p in people if len(p.name.split()) > 1
                 and (p.name[0], p.name.split()[-1][0]) == initials.groups()]
        return match[0].name if match else None
    named = name_in(speaker)
    if named:
        # "Токаев" alone, or a name in another case: prefer the article's full form.
        key = _key(named)
        for _, person in people:
            if _key(person.name) == key and len(person.name.split()) >= len(named.split()):
                return person.name
        return named if " " in named else None
    if " " not in speaker.strip() and speaker[:1].isupper():
        # A surname no rule knows ("— сказал Пак"): the person the article named in full with it
        key = word_key(speaker.strip())
        same = [p for _, p in people if " " in p.name and word_key(p.name.split()[-1]) == key]
        if same:
            return same[0].name
    lowered = speaker.lower()
    before = [p for idx, p in people if idx < paragraph or (idx == paragraph and p.start < position)]
    if lowered in MALE_PRONOUNS or lowered in FEMALE_PRONOUNS:
        female = lowered in FEMALE_PRONOUNS
        same = [(idx, p) for idx, p in people
                if (idx < paragraph or (idx == paragraph and p.start < position)) and p.female == female]
        if not same:
            return None
        last_index, last = same[-1]
        text = text_of_paragraphs[last_index]
        if _after_oblique_noun(text, last.start) or _written_oblique(text, last):
            # "Путинцева обыграла американку Стивенс. — …, — сказала она", "Сарсенбаева
            # встретилась с Жанар Оспановой": the subject
            subjects = [p for idx, p in same if idx == last_index and p.name != last.name
                        and not _after_oblique_noun(text, p.start) and not _written_oblique(text, p)]
            if subjects:
                return subjects[-1].name
        return last.name
    if lowered in PLURAL_PRONOUNS or gender == "p":
        return None
    # A role: the person the article introduces with the same role word, nearest before the quote.
    hits = _role_names(lowered, people, text_of_paragraphs)
    if gender and any(_fits(p, gender) for _, p in hits):
        hits = [(idx, p) for idx, p in hits if _fits(p, gender)]
    if hits:
        earlier = [p for idx, p in hits if idx <= paragraph]
        return (earlier or [hits[0][1]])[-1].name
    # The person named just before, in this or the previous paragraph, if the grammar fits:
    # "Автором голов стал нападающий Х." / "— …, — улыбнулся футболист."
    near = [(idx, p) for idx, p in people if paragraph - 1 <= idx < paragraph or (idx == paragraph and p.start < position)]
    if near:
        idx, person = near[-1]
        floor = near[-2][1].end if len(near) > 1 and near[-2][0] == idx else 0
        if _fits(person, gender) and not _other_role(lowered, person, text_of_paragraphs[idx], floor):
            return person.name
    if near and _role_lemma(lowered.split()[0]) in _DESCRIPTIVE:
        # "— рассказывает девушка" right after "Координатор … Айдана Есимова": a word for
        # any person of that sex, not a role another title rules out
        # (not someone quoted under their own name already: "мужчина" after the police chief's
        # words is a witness the article does not name)
        fitting = [p for _, p in near if _fits(p, gender or _DESCRIPTIVE[_role_lemma(lowered.split()[0])])
                   and p.name not in quoted_before]
        if fitting:
            return fitting[-1].name
    if gender == "f":
        # "— ответила писательница" in an article that names one woman before the quote
        women = {p.name for p in before if p.female and p.name not in quoted}
        if len(women) == 1:
            return women.pop()
    # One person named before the quote and not quoted under their own name: the role
    # is theirs ("глава государства" in an article that names only the President).
    # (Named only later, as in the seed: "— …, — убежден глава государства." then "Касым-Жомарт Токаев …".)
    distinct = [p for p in {p.name: p for p in before}.values() if p.name not in quoted]
    if not before:  # only when the article names no one else at all
        distinct = list({p.name: p for _, p in people}.values())
        distinct = distinct if len(distinct) == 1 and distinct[0].name not in quoted else []
    # ... and the grammar fits them ("— сказала женщина" is not the man named before)
    return distinct[0].name if len(distinct) == 1 and _fits(distinct[0], gender) else None
