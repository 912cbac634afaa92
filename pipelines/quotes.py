"""Direct speech in normalized body paragraphs: who said what.

Styles (issue 4):
  A  dialogue dash:        — Текст, — сказал Х.   (split: — Часть 1, — сказал он. — Часть 2.)
  B  guillemets, then who: «Текст», — заявил Х.
  C  double quotes:        "Текст", – сказал Х.   “Текст” — отметил Х.
  D  who first:            Х заявил: «Текст».  По словам Х, «…».  Как отметил Х, "…"
  E  a speaker line, then a dash paragraph:  Асель Нурланова, глава управления: / — Текст.
  F  any of the above whose speaker is a pronoun or a role ("он", "глава государства")

A quote in marks may run over several paragraphs (no closing mark at the end of the
first); it is one quote, recorded at its first paragraph, and its offsets cover its
part of that paragraph (end = the paragraph's end). A split quote's offsets run from
its first part's start to its last part's end.

Everything here needs an attribution: a speech verb next to the quote ("— сказал",
"заявил:", "по словам") or a speaker line. So «» around a law, a party or a
newspaper, indirect speech ("отметил, что …") and dash-started lists never become
quotes. B and C quotes must also open a sentence: "закон «О бюджете», — сказал"
is a title inside someone's words, not their words.

Speech verbs: a list of stems, and, right after the attribution dash, any finite verb
(pymorphy), because reporters use whatever verb they like ("— улыбается она",
"— задается вопросом эколог"). `verb_lemma` is the infinitive (see names.lemma).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

from core.items import Quote
from core.names import (
    PRONOUNS,
    find_people,
    is_finite_verb,
    is_gerund_or_infinitive,
    is_instrumental,
    is_unknown_capitalized,
    is_name_token,
    is_oblique_name,
    is_nominative_capable,
    is_person_noun,
    is_preposition,
    is_preposition_or_verb,
    lemma,
    name_in,
    resolve_speaker,
    source_name,
    speech_gender,
    word_key,
)

DASH = "—–-"
# A paragraph of dialogue starts with a dash; "-25 градусов" is a number, not a dash.
_LEAD_DASH = re.compile(r"^(?:[—–]\s*|-\s+)")
# The point where the quote stops and the author's words start: ", — " (also "! —", "? —", "… —").
_ATTR_SPLIT = re.compile(rf"(?<=[,!?…])\s*[{DASH}]\s+")
# Right after a closing mark: "», — сказал", "!» — сказал", "», сказал".
_AFTER_CLOSE = re.compile(rf"\s*(?:[,!?…]\s*)?[{DASH}]\s+|\s*,\s+")
# Past and present forms of speech verbs, by stem.
_VERB = re.compile(
    r"(?<![\w-])(?:сказа|заяв[ил]|отмет|отмеча|подчеркн|подчёркив|подчеркив|добав|поясн|рассказ|сообщ|уточн|"
    r"призна|счита|указа|указыв|напомн|напомина|резюмирова|ответ[ии]|отвеча|заключ|продолж|поделил|делит|"
    r"констатирова|объясн|предупред|предупрежда|прокомментирова|комментиру|завер[ия]|убежд[её]н|уверен|"
    r"замет|замеча|акцентирова|высказа|подытож|призва|призыва|пообеща|обеща|говор|пиш|написа|увер[яи]|"
    r"возмут|возмущ|посетова|сету|пожаловал|жалу|вспомина|вспомн|рассужда|цитиру|процитирова|уверя|убежда|"
    r"парир|возраз|признава|отрезал|пошутил|разъясн|совету|посовет|спрос|спраши|улыба|смее|вздыха|"
    r"утвержда|настаива|уточня|добавля|поясня|сообща|рассказыва)\w*",
    re.I,
)
# Verbs that quote a document, not a person ("«…», — говорится в сообщении").
_IMPERSONAL = re.compile(r"^(?:говорится|сообщается|отмечается|подчеркивается|подчёркивается|указывается|"
                         r"поясняется|уточняется|сказано|отмечено|указано|заявлено|написано)$", re.I)
# "— говорится в сообщении ДЧС", "— отмечается в докладе": the organisation, else the document.
_SOURCE = re.compile(r"в\s+(сообщении|заявлении|пресс-релизе|докладе|документе|отчете|отчёте|релизе|письме|ответе)"
                     r"(?:\s+(.+?))?[.!]?$", re.I)


def _source_phrase(match: re.Match) -> str:
    return (match.group(2) or match.group(1)).strip(" .,")


# Author's words run to a sentence end, or to a dash that resumes the quote.
# An initial's period ("сказал А. Шыныбеков") ends no sentence.
_CLAUSE_END = re.compile(rf"[.:]\s+[{DASH}]\s+|,\s*[{DASH}]\s+|[.:!?]\s*$|\.(?<!\b[А-ЯЁӘҒҚҢӨҰҮҺІA-Z]\.)\s+(?=[А-ЯЁA-Z«\"“])")
_CLOSE = {"«": "»", '"': '"', "“": "”", "„": "“"}
_MARKS = re.compile(r"[«“„\"]")  # a plain class: a lookbehind here cost more than the rest
_PO_SLOVAM = re.compile(r"(?:^|[,;]\s*)по\s+(?:(его|ее|её|их)\s+)?(?:словам|мнению)\s*(.*?),\s*$", re.I)
_KAK = re.compile(r"(?:^|[,;]\s*)как\s+([\w-]+)\s+(.+?),\s*$", re.I)
_SENTENCES = re.compile(r"(?<=[.!?…])(?<!\b[А-ЯЁӘҒҚҢӨҰҮҺІA-Z]\.)\s+(?=[«\"“]?[А-ЯЁA-Z])")  # "По словам А. Сапаровой": no break
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[А-ЯЁA-Z]")  # "зам. председателя" is an abbreviation, not a break
_DOMAIN = re.compile(r"\w\.(?:kz|ru|com|kg|uz|org|net)\b", re.I)
_NAME_AT = re.compile(r"(?<![\w-])[А-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+(?:\s+[А-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)+")
# Stop a speaker phrase at the next clause: ", добавив, что …", " и добавил …".
_NEXT_CLAUSE = re.compile(r",|;|\s+и\s+(?=\w+л[аи]?\b)")
_TOKEN = re.compile(r"\w+")
_MAX_CLAUSE_WORDS = 20
_MIN_QUOTE_WORDS = 3
_MIN_ATTRIBUTED_WORDS = 2  # «Всё нормально», — ответил он: two words with a speech verb next to them
_INITIALS_ONLY = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?[А-ЯЁӘҒҚҢӨҰҮҺІ]\.")
# Interview transcripts: "М. К.: Ответ." — the interviewee's initials, then the answer.
_INITIALS = re.compile(r"^([А-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?[А-ЯЁӘҒҚҢӨҰҮҺІ]\.)\s*:\s+(?=\S)")
_MAX_PARAGRAPHS = 4  # a quote that stays open longer is a stray mark, not a quote


@dataclass
class _Found:
    text: str
    speaker_phrase: str | None
    verb: str | None
    style: str
    paragraph: int
    start: int
    end: int
    genitive: bool = False  # "По словам Руслана Гайсина": the speaker as written is in genitive


# -- attribution clauses ----------------------------------------------------


def _speech_verb(word: str) -> bool:
    return bool(_VERB.fullmatch(word)) and not is_gerund_or_infinitive(word)


def _subject_part(before: str) -> str:
    """The comma part of "Министр Берик Оспанов, представляя документ," that names the speaker."""
    parts = [p.strip() for p in before.split(",") if p.strip()]
    for part in reversed(parts):
        first = part.split()[0]
        if not (first[:1].islower() and is_gerund_or_infinitive(first)) and first.lower() not in ("что", "который", "которая"):
            return part
    return parts[-1] if parts else ""


_POSSESSIVE = {"его", "ее", "её", "их"}
_LINKING = {"и", "а", "также", "еще", "ещё", "затем", "потом"}  # "И добавил: «…»": the same speaker
_NOT_SPEAKERS = {"что", "это", "вот", "кто", "все", "всё", "то"}


@lru_cache(maxsize=20000)
def _word_class(word: str) -> tuple[bool, bool, bool]:
    """(preposition, a person: pronoun / person noun / name in nominative, can be a subject) —
    one cached look-up per word for `_speaker_phrase`."""
    bare = word.strip("«»\"")
    lowered = bare.lower()
    person = lowered in PRONOUNS or is_person_noun(bare) or (
        bare[:1].isupper() and is_name_token(bare) and not is_oblique_name(bare)) or (
        is_unknown_capitalized(bare) and not is_name_token(bare))  # "— сказал Клопп"; not "Ержановой"
    return is_preposition(word), person, person or is_nominative_capable(bare)


def _first_nominative(words: list[str]) -> list[str] | None:
    """The words from the first one that can be a subject ("пресс-служба", "Министерство")."""
    for i, word in enumerate(words):
        if (i and is_preposition(words[i - 1])) or word.lower() in _NOT_SPEAKERS:
            continue  # "На вопрос о сроках аким ответил": "вопрос" is no subject; "Вот что сказал"
        if word.lower() in PRONOUNS or is_nominative_capable(word.strip("«»\"")) or (
            word[:1].isupper() and is_name_token(word) and not is_oblique_name(word)
        ):
            return words[i:]
    return None


def _speaker_phrase(text: str) -> str | None:
    """The speaker as written, from the words around a speech verb.

    Skips leading circumstances ("после матча главный тренер …", "вопросом эколог"),
    stops at the next clause (", выступая …") or a preposition after the name
    ("Бейсембаев в своем Telegram-канале").
    """
    text = _NEXT_CLAUSE.split(text)[0]
    words = [w.strip(".:!?") for w in text.split()]
    words = [w for w in words if w]
    # A person first: a pronoun, a name, a person noun ("аким"), or the adjective or
    # participle right before one ("главный тренер", "пострадавшая пенсионерка") —
    # "На вопрос о сроках ремонта улицы Гоголя аким ответил": the subject is "аким".
    after_preposition = False
    for i, word in enumerate(words):
        preposition, person, subject = _word_class(word)
        if after_preposition or (word.lower() in _POSSESSIVE and i + 1 < len(words)):
            after_preposition = preposition
            continue  # "На вопрос …", "Его коллега Мария Ли возражает": no subject here
        after_preposition = preposition
        if person or (subject and not preposition and i + 1 < len(words) and _word_class(words[i + 1])[1]
                      and is_person_noun(words[i + 1].strip("«»\""))):
            words = words[i:]
            break
    else:
        words = _first_nominative(words)
        if words is None:
            return None
    if len(words) > 1 and words[0].lower() in _LINKING and _word_class(words[1])[1]:
        words = words[1:]  # "согласен и Нурлан Абенов": "и" is no part of the name
    if words[0].lower() in PRONOUNS:
        return words[0]
    kept = [words[0]]
    for word in words[1:10]:
        if word[:1].islower() and (is_preposition_or_verb(word) or (
                kept[-1][:1].isupper() and len(kept) > 1 and name_in(" ".join(kept)))):
            break  # "аким Алматы Ерболат Досаев | журналистам", "Мади Такиев | не скрывает"
        kept.append(word)
    phrase = " ".join(kept)
    if name_in(phrase) is None:
        # "жительница дома на улице Машхур Жусупа Динара Ахметова": the name comes after the place.
        full = " ".join(words[:14])
        runs = [m for m in _NAME_AT.finditer(full) if name_in(m.group(0))]
        if runs:
            phrase = full[: runs[-1].end()]
    return phrase.strip(" .,") or None


def _attribution_after(clause: str) -> tuple[str | None, str] | None:
    """(speaker, verb) of the author's words after a quote, or None if they are no attribution."""
    words = clause.split()
    if not words or len(words) > _MAX_CLAUSE_WORDS:
        return None
    for i, word in enumerate(words[:6]):
        bare = word.strip(".,:;!?")
        if _speech_verb(bare) or (i == 0 and is_finite_verb(bare)) or (
            i == 1 and words[0].lower() in PRONOUNS and is_finite_verb(bare)
        ):
            break
    else:
        return None
    if _IMPERSONAL.match(bare):
        source = _SOURCE.match(" ".join(words[i + 1:]))
        if source:
            return _source_phrase(source), bare
        agent = _agent(words[i + 1:])
        return (agent, bare) if agent else None
    if i == 0:
        speaker = _speaker_phrase(" ".join(words[1:]))
    else:
        speaker = _speaker_phrase(" ".join(words[:i])) or _speaker_phrase(" ".join(words[i + 1:]))
    if speaker and _DOMAIN.search(speaker):  # "— передает Caravan.kz": the outlet, not a speaker
        return None
    if not speaker and not _speech_verb(bare):
        return None
    return speaker, bare


def _agent(words: list[str]) -> str | None:
    """"— отмечено Нурланом Абеновым в докладе": the passive's agent, a name in
    instrumental right after the verb, is the speaker."""
    names = []
    for word in words[:4]:
        bare = word.strip(".,:;!?")
        if not (bare[:1].isupper() and is_name_token(bare) and is_instrumental(bare)):
            break
        names.append(bare)
    return " ".join(names) if names else None


def _attribution_before(clause: str) -> tuple[str | None, str] | None:
    """(speaker, verb) of "Х заявил журналистам" before a colon and a quote."""
    words = clause.split()
    if not words or len(words) > _MAX_CLAUSE_WORDS + 10:
        return None
    bare_words = [w.strip(".,:;!?«»\"") for w in words]
    index = next((i for i, w in enumerate(bare_words) if _speech_verb(w)), None)
    generic = index is None
    if generic:
        index = next((i for i, w in enumerate(bare_words) if w[:1].islower() and is_finite_verb(w)), None)
    if index is None or len(words) - index - 1 > 5:  # "заявил журналистам на брифинге:" at most
        return None
    verb = bare_words[index]
    if _IMPERSONAL.match(verb):
        # "Нурланом Абеновым было заявлено: «…»": the agent speaks; a document alone does not
        agent = _agent(words[:index]) or _agent(words[index + 1:])
        return (agent, verb) if agent else None
    before = " ".join(words[:index])
    speaker = (_speaker_phrase(_subject_part(before)) if before else None) or _speaker_phrase(" ".join(words[index + 1:]))
    if generic and not (speaker and _is_person(speaker)):
        return None  # "Закон называется: «…»" is no one speaking
    return speaker, verb


def _is_person(phrase: str) -> bool:
    first = phrase.split()[0].lower()
    return first in PRONOUNS or name_in(phrase) is not None or is_person_noun(first.strip("«»"))


def _clause(rest: str) -> tuple[str, re.Match | None]:
    end = _CLAUSE_END.search(rest)
    return (rest[: end.start()] if end else rest), end


# -- style A: dialogue dash ---------------------------------------------------


def _quote_text(text: str) -> str:
    return text.strip().rstrip(",").strip()


def _dash_paragraph(paragraph: str, index: int) -> _Found | None:
    """Style A: — Текст, — сказал Х. [— Продолжение.]"""
    lead = _LEAD_DASH.match(paragraph)
    if not lead:
        return None
    body_start = lead.end()
    for split in _ATTR_SPLIT.finditer(paragraph, body_start):
        rest = paragraph[split.end():]
        clause, end = _clause(rest)
        who = _attribution_after(clause)
        if not who:
            continue
        parts = [paragraph[body_start: split.start()]]
        last_end = split.start()
        if end and end.end() < len(rest) and any(ch in DASH for ch in end.group(0)):
            parts.append(rest[end.end():])
            last_end = len(paragraph)
        text = " ".join(_quote_text(p) for p in parts if _quote_text(p))
        if text:
            return _Found(text, who[0], who[1], "A", index, body_start, max(body_start, last_end))
    return None


def _looks_like_list_item(text: str, short_reply: bool = False) -> bool:
    """"— на первого ребенка — 164 350 тенге;": a list, not a reply. `short_reply`: a
    short full sentence may be one ("Директор Айгуль Нурова:" / "— Школа готова.")."""
    text = text.strip()
    if text[:1].islower() or text.endswith((";", ",")):
        return True
    short = short_reply and text[:1].isupper() and text.endswith((".", "!", "?", "…"))
    return len(text.split()) < (2 if short else 4)


# -- styles B, C, D: quote marks ----------------------------------------------


_GUILLEMETS = {"«": re.compile("[«»]"), "“": re.compile("[“”]"), "„": re.compile("[„“]")}


def _closing(paragraph: str, start: int, opener: str) -> int:
    """Index of the mark that closes `opener` from `start` on, honouring nesting; -1 if none."""
    if opener == '"':
        i = paragraph.find('"', start)
        while 0 <= i < len(paragraph) - 1 and paragraph[i + 1].isalnum():
            i = paragraph.find('"', i + 1)  # an opening straight quote of a nested title
        return i
    closer = _CLOSE[opener]
    depth = 0
    for mark in _GUILLEMETS[opener].finditer(paragraph, start):
        if mark.group() == closer:
            if depth == 0:
                return mark.start()
            depth -= 1
        else:
            depth += 1
    return -1


def _close_across(paragraphs: list[str], index: int, opener: str) -> tuple[int, int] | None:
    """(paragraph, offset) of the closing mark of a quote left open at the end of `index`.

    Russian typesetting either repeats the opening mark at the start of each
    continued paragraph or not at all; both are accepted.
    """
    for j in range(index + 1, min(index + _MAX_PARAGRAPHS, len(paragraphs))):
        paragraph = paragraphs[j]
        if _LEAD_DASH.match(paragraph):
            return None
        start = 1 if paragraph.startswith(opener) and opener != '"' else 0
        close = _closing(paragraph, start, opener)
        if close >= 0:
            return j, close
    return None


def _split_inside(paragraph: str, start: int, close: int) -> tuple[str, tuple[str | None, str]] | None:
    """«Часть, — сказал Х. — Часть» / «Часть, — сказал он, — часть»: the attribution
    inside the marks, between two dashes. Returns (joined text, (speaker, verb))."""
    for split in _ATTR_SPLIT.finditer(paragraph, start, close):
        rest = paragraph[split.end(): close]
        end = _CLAUSE_END.search(rest)
        if not end or end.end() >= len(rest) or not any(ch in DASH for ch in end.group(0)):
            continue
        who = _attribution_after(rest[: end.start()])
        if not who:
            continue
        parts = [_quote_text(paragraph[start: split.start()]), _quote_text(rest[end.end():])]
        if all(parts):
            return " ".join(parts), who
    return None


_ABOUT_THIS = re.compile(r"\.\s+(?:Об этом|Так|Эти слова|Такое мнение)\s+(.+)$", re.S)


def _attribution_next_sentence(tail: str) -> tuple[str | None, str] | None:
    """«…». Об этом на брифинге заявил министр Х. — the attribution in the next sentence."""
    match = _ABOUT_THIS.match(tail)
    if not match:
        return None
    clause, _ = _clause(match.group(1))
    who = _attribution_after(clause)
    return who if who and who[0] and _speech_verb(who[1]) else None


def _sentence_start(before: str) -> bool:
    before = before.rstrip().rstrip("»”\")")
    return not before or before[-1] in ".!?…"


_AND_THEN = re.compile(rf"[»”\"][,!?…]?\s*[{DASH}]\s+([^«»“”\"]+?)\s+и\s+(\w+)\s*:$")


def _who_first(before: str) -> tuple[str | None, str | None] | None:
    """Attribution before the quote: "Х заявил:" / "По словам Х," / "Как отметил Х,"."""
    sentence = _SENTENCES.split(before)[-1].rstrip()
    match = _PO_SLOVAM.search(sentence)
    if match:
        speaker = match.group(1) or match.group(2).strip()  # "фермеров": as written, genitive
        return (speaker, None, True) if speaker else None
    match = _KAK.search(sentence)
    if match and (_speech_verb(match.group(1)) or is_finite_verb(match.group(1))):
        return _speaker_phrase(match.group(2)), match.group(1)
    if sentence.endswith(":") and (also := _AND_THEN.search(sentence)):
        # "«…», — сказал Х и добавил: «…»": the speaker of the attribution before
        who = _attribution_after(also.group(1))
        if who and who[0] and _speech_verb(also.group(2)):
            return who[0], also.group(2)
    if sentence.endswith(":"):
        # "Х заявил: «…»", or only who: "Председатель Нацбанка Тимур Сулейменов: «…»"
        return _attribution_before(sentence[:-1]) or _speaker_line(sentence)
    return None


def _opens(paragraph: str, i: int) -> bool:
    """A straight quote opens after a space or bracket and before a non-space."""
    return (i == 0 or paragraph[i - 1] in " ([") and i + 1 < len(paragraph) and not paragraph[i + 1].isspace()


def _marked(paragraphs: list[str], index: int, offset: int) -> tuple[list[_Found], int, int]:
    """Quotes in marks from paragraphs[index][offset:].

    Returns the quotes and where scanning stopped: (paragraph, offset); a quote
    that runs into later paragraphs moves the scan there.
    """
    paragraph = paragraphs[index]
    found = []
    for match in _MARKS.finditer(paragraph, offset):
        i = match.start()
        opener = paragraph[i]
        if i < offset or (opener == '"' and not _opens(paragraph, i)):
            continue
        close = _closing(paragraph, i + 1, opener)
        last, last_close = index, close
        if close < 0:
            across = _close_across(paragraphs, index, opener) if opener != "„" else None
            if not across:
                continue
            last, last_close = across
        parts = [paragraph[i + 1: close if close >= 0 else len(paragraph)]]
        for j in range(index + 1, last + 1):
            part = paragraphs[j][: last_close] if j == last else paragraphs[j]
            parts.append(part[1:] if part.startswith(opener) and opener != '"' else part)
        inner = _quote_text(" ".join(p.strip() for p in parts))
        offset = i + 1
        n_words = len(_TOKEN.findall(inner))
        if n_words < _MIN_ATTRIBUTED_WORDS:
            continue
        end = close if last == index else len(paragraph)
        tail = paragraphs[last][last_close + 1:]
        if n_words < _MIN_QUOTE_WORDS and not (
                tail[:1] in ",—–-!?… " and _AFTER_CLOSE.match(tail) or paragraph[:i].rstrip().endswith(":")):
            continue  # «Нур Отан», «боем года»: two words with no attribution next to them (the common case, kept cheap)
        who = None
        style = "B" if opener == "«" else "C"
        if last == index and (" — " in inner or " – " in inner or " - " in inner) and _sentence_start(paragraph[:i]):
            split = _split_inside(paragraph, i + 1, close)
            if split:
                inner, who = split
        after = _AFTER_CLOSE.match(tail)
        if not who and after and _sentence_start(paragraph[:i]):
            clause, _ = _clause(tail[after.end():])
            who = _attribution_after(clause)
            if who and n_words < _MIN_QUOTE_WORDS and not (who[1] and (_speech_verb(who[1]) or is_finite_verb(who[1]))):
                who = None
        if not who:
            who = _who_first(paragraph[:i])
            style = "D"
            if who and n_words < _MIN_QUOTE_WORDS and tail.lstrip()[:1] not in ("", ".", "!", "?", "…"):
                who = None  # a two-word D quote must end its sentence: "ответил коротко: «Весной начнем»."
        if not who and tail[:1] == "." and _ABOUT_THIS.match(tail) and _sentence_start(paragraph[:i]):
            who = _attribution_next_sentence(tail)
            style = "B" if opener == "«" else "C"
        if who and who[0] and who[0].lower() in _LINKING:
            # "Х отметил: «…». И добавил: «…»": the speaker of the quote before, else none
            who = (found[-1].speaker_phrase if found else None, who[1])
        if who:
            found.append(_Found(inner, who[0], who[1], style, index, i + 1, end, len(who) > 2))
            if last != index:
                return found, last, last_close + 1
            offset = close + 1
    return found, index, len(paragraph)


# -- style E: a speaker line ----------------------------------------------------


def _given_the_floor(phrase: str, verbs: list[str]) -> str | None:
    """"Слово предоставили Ерлану Жаксылыкулы:", "Микрофон передали Айгерим Сарсенбаевой:":
    someone (a plural verb, no subject named) gives the floor to the one person named, in
    an oblique case; the next dash paragraph is theirs."""
    if len(verbs) != 1 or speech_gender(verbs[0], None) != "p":
        return None
    runs = [m.group(0) for m in _NAME_AT.finditer(phrase)]
    # the one name, and in an oblique case: its nominative differs from it (as the object
    # of the verb, "Нурлана Абенова" is a man's accusative, not a woman's nominative)
    if len(runs) != 1 or name_in(runs[0], True) in (None, runs[0]):
        return None
    return runs[0]


def _speaker_line(paragraph: str) -> tuple[str | None, str | None] | None:
    """A line that only says who speaks next: "Кусайын Жанаев, зам. председателя:"
    (speaker, no verb) or "Аким ответил:" (speaker and verb)."""
    line = paragraph.strip()
    if not line.endswith(":") or len(line.split()) > 14 or "!" in line or "?" in line:
        return None
    phrase = line[:-1].strip()
    if _SENTENCE_BREAK.search(phrase) or _LEAD_DASH.match(phrase):
        return None
    who = _attribution_before(phrase)
    if who:
        return who
    verbs = [w.strip(",.") for w in phrase.split() if w[:1].islower() and (
        _speech_verb(w.strip(",.")) or is_finite_verb(w.strip(",.")))]
    if verbs:
        floor = _given_the_floor(phrase, verbs)
        if floor:
            return floor, None, True
        return None  # a sentence that announces a list ("В список вошли:")
    parts = [p.strip() for p in phrase.split(",") if p.strip()]
    named = [p for p in parts if name_in(p)]
    speaker = _speaker_phrase(named[0]) if named else parts[0] if parts else None
    if not speaker or not _is_person(speaker):
        return None
    return speaker, None


# -- the whole body ---------------------------------------------------------------


def extract_quotes(paragraphs: list[str]) -> list[Quote]:
    """All direct quotes in the normalized body, in order."""
    found: list[_Found] = []
    pending: tuple[str | None, str | None] | None = None  # from a speaker line
    previous: _Found | None = None  # a dash quote the next dash paragraph may continue
    index, offset = 0, 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        if offset == 0 and _LEAD_DASH.match(paragraph):
            item = _dash_paragraph(paragraph, index)
            # a short reply only after a speaker line with no verb or a speech verb, and alone:
            # "Аким перечислил меры:" / "— Ремонт школ." / "— Новые автобусы." is a list
            if item is None and (pending or previous) and not _looks_like_list_item(
                    paragraph[_LEAD_DASH.match(paragraph).end():],
                    bool(pending) and (pending[1] is None or _speech_verb(pending[1])) and not (
                        index + 1 < len(paragraphs) and _LEAD_DASH.match(paragraphs[index + 1]))) \
                    and not (previous and not pending and paragraph.rstrip().endswith("?")) \
                    and not (pending and len(pending) > 2 and paragraph.rstrip().endswith("?")):
                start = _LEAD_DASH.match(paragraph).end()
                if pending:
                    speaker, verb, style = pending[0], pending[1], "E" if pending[1] is None else "D"
                else:
                    speaker, verb, style = previous.speaker_phrase, previous.verb, previous.style
                item = _Found(_quote_text(paragraph[start:]), speaker, verb, style, index, start, len(paragraph),
                              bool(pending) and len(pending) > 2)  # the floor's receiver is in an oblique case
            if item:
                if pending and not item.speaker_phrase:
                    item.speaker_phrase = pending[0]
                found.append(item)
            previous, pending = item, None
            index += 1
            continue
        if offset == 0 and paragraph[1:2] == "." and (initials := _INITIALS.match(paragraph)):
            # "М. К.: Ответ." — an interview answer; the interviewer's lines ("Корр.:", "— …?") are not quotes
            found.append(_Found(paragraph[initials.end():].strip(), initials.group(1), None, "E", index,
                                initials.end(), len(paragraph)))
            pending = previous = None
            index += 1
            continue
        if offset == 0 and pending and paragraph[:1] == "«" and _closing(paragraph, 1, "«") < 0:
            # "Вице-министр на брифинге сказал:" / "«Первый абзац." / "Второй абзац»."
            across = _close_across(paragraphs, index, "«")
            if across and not paragraphs[across[0]][across[1] + 1:].strip(" .!?…"):
                last, close = across
                parts = [paragraph[1:]] + [
                    (paragraphs[j][:close] if j == last else paragraphs[j]).lstrip("«") for j in range(index + 1, last + 1)]
                found.append(_Found(_quote_text(" ".join(p.strip() for p in parts)), pending[0], pending[1],
                                    "E" if pending[1] is None else "D", index, 1, len(paragraph)))
                pending = previous = None
                index = last + 1
                continue
        if offset == 0 and pending and paragraph[:1] in "«\"“" and _closing(paragraph, 1, paragraph[0]) >= len(paragraph) - 2:
            # "Асель Нурланова:" / "«Текст»." — the whole paragraph is the quote
            close = _closing(paragraph, 1, paragraph[0])
            found.append(_Found(_quote_text(paragraph[1:close]), pending[0], pending[1],
                                "E" if pending[1] is None else "D", index, 1, close))
            pending = previous = None
            index += 1
            continue
        items: list[_Found] = []
        if "«" in paragraph or '"' in paragraph or "“" in paragraph or "„" in paragraph:
            items, last, offset = _marked(paragraphs, index, offset)
            found.extend(items)
            if last != index:
                index = last  # the quote ran on: scan the rest of its last paragraph
                continue
        pending = _speaker_line(paragraph) if paragraph.endswith(":") else None
        previous = None
        index, offset = index + 1, 0
    return _finish(found, paragraphs)


def _finish(found: list[_Found], paragraphs: list[str]) -> list[Quote]:
    people: list | None = None  # found on first need: most quotes name their speaker in full
    # People quoted under their own name are not the anonymous holder of a role.
    quoted = {name_in(f.speaker_phrase) for f in found if f.speaker_phrase} - {None}
    quoted_before: set[str] = set()  # quoted under their own name before the current quote
    quotes = []
    for item in found:
        if item.speaker_phrase and (own := name_in(item.speaker_phrase, item.genitive)):
            quoted_before.add(own)
        speaker = item.speaker_phrase
        style = item.style
        named = name_in(speaker, item.genitive) if speaker else None
        if speaker and named is None and not (item.style == "E" and _INITIALS_ONLY.fullmatch(speaker)):
            style = "F"  # a pronoun or a role: the name comes from elsewhere in the article
        if item.verb and _IMPERSONAL.match(item.verb) and not named:
            # an organisation or a document, not a person to resolve; in nominative
            canonical = source_name(speaker, paragraphs) if speaker else None
            style = item.style
        elif named and " " in named:
            canonical = named  # a full name as written, in nominative
        else:
            if people is None:
                people = find_people(paragraphs)
            canonical = resolve_speaker(speaker, people, item.paragraph, paragraphs,
                                        position=item.start, quoted=quoted, quoted_before=quoted_before,
                                        gender=speech_gender(item.verb, speaker))
            if canonical is None and item.style == "E" and item.verb is None and _INITIALS_ONLY.fullmatch(speaker or ""):
                continue  # initials of no one the article names: the interviewer's, or no interview
            if style == "F" and canonical and speaker and speaker[:1].isupper() and " " not in speaker \
                    and word_key(canonical.split()[-1]) == word_key(speaker):
                style = item.style  # "— сказал Дюбуа": a surname no rule knows is still a name, not a role
        quotes.append(
            Quote(
                text=item.text,
                speaker=speaker,
                speaker_canonical=canonical,
                paragraph=item.paragraph,
                start=item.start,
                end=max(item.start, item.end),
                style=style,
                verb=item.verb,
                verb_lemma=lemma(item.verb) if item.verb else None,
            )
        )
    return quotes
