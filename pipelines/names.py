"""People named in an article, in nominative case, and who a role or pronoun means.

Quotes often name their speaker by role ("глава государства") or pronoun ("он");
`speaker_canonical` is then the full name the article gives that person, or None
when the article does not say. Only people the article names are ever used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_UPPER = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "а-яёәғқңөұүһі"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_NAME_RUN = re.compile(rf"(?<![\w-])({_WORD}(?:\s+{_WORD}){{1,2}})(?![\w-])")
_SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая|енко|ук|юк|улы|ұлы|уулу|кызы|қызы|бек|бай|ич)"
    r"(?:а|у|ым|ом|ой|е|ых|ым|ого|ому)?$"
)
PRONOUNS = {"он", "она", "они", "он сам", "она сама"}
_FEMALE_ENDINGS = ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "кызы", "қызы")


@lru_cache(maxsize=1)
def morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=20000)
def _parses(word: str):
    return morph().parse(word)


def is_name_token(word: str) -> bool:
    if _SURNAME.search(word.split("-")[-1]):
        return True
    return any(({"Name", "Surn", "Patr"} & set(p.tag.grammemes)) and p.score > 0.1 for p in _parses(word)[:3])


def is_nominative_capable(word: str) -> bool:
    """True when the word can be the grammatical subject (nominative)."""
    if not re.search(f"[{_LOWER}{_UPPER}]", word):
        return False
    for p in _parses(word.lower())[:4]:
        tag = p.tag
        if "nomn" in tag and ({"NOUN", "NPRO", "ADJF"} & set(tag.grammemes)):
            return True
    return False


def lemma(word: str) -> str:
    parses = _parses(word.lower())
    return parses[0].normal_form if parses else word.lower()


def to_nominative(word: str) -> str:
    """One name token in nominative case.

    Only dictionary names are inflected: pymorphy's guesses on Kazakh names
    ("Жомарт" -> "Жомарты") are worse than leaving the word as written.
    """
    parts = word.split("-")
    if len(parts) > 1:
        return "-".join(parts[:-1] + [to_nominative(parts[-1])])
    if re.search(r"(?:ов|ев|ёв|ин|ын|ский|цкий|улы|ұлы|кызы|қызы)$", word):
        return word  # a man's surname (or a Kazakh patronymic) in nominative already
    parses = _parses(word)[:4]
    for p in parses:
        if {"Name", "Surn", "Patr"} & set(p.tag.grammemes) and p.is_known:
            if "nomn" in p.tag:
                return word
            form = p.inflect({"nomn"})
            if form:
                return form.word.capitalize()
    # Surnames pymorphy does not know: Токаеву/Токаевым/Токаеве -> Токаев.
    # (-ова/-ева stay: it is as likely a woman's name in nominative.)
    match = re.search(r"(?:ов|ев|ин|ын)(ым|ом|у|е)$", word)
    if match:
        return word[: match.start(1)]
    return word


@dataclass(frozen=True)
class Person:
    name: str  # full name, nominative
    start: int  # position of the first mention in the article text
    female: bool


def _key(name: str) -> str:
    """Mentions of one person share the surname stem: Токаев/Токаева/Токаеву."""
    surname = name.split()[-1].lower()
    return re.sub(r"(?:ым|ом|ой|ую|а|у|е|ы)$", "", surname)


def find_people(paragraphs: list[str]) -> list[tuple[int, Person]]:
    """Every person mention as (paragraph index, Person), in order."""
    found = []
    offset = 0
    nominative_forms: dict[str, str] = {}
    mentions = []
    for index, paragraph in enumerate(paragraphs):
        for match in _NAME_RUN.finditer(paragraph):
            tokens = match.group(1).split()
            # A run that starts a sentence may begin with an ordinary capitalized word.
            while tokens and not is_name_token(tokens[0]) and not is_name_token(tokens[-1]):
                tokens = tokens[1:]
            if len(tokens) < 2 or not any(is_name_token(t) for t in tokens):
                continue
            if not is_name_token(tokens[-1]) and not is_name_token(tokens[0]):
                continue
            # Drop a leading common noun that happens to be capitalized ("Президент Касым-Жомарт Токаев").
            while len(tokens) > 2 and not is_name_token(tokens[0]) and _is_common_noun(tokens[0]):
                tokens = tokens[1:]
            surface = " ".join(tokens)
            nominative = " ".join(to_nominative(t) for t in tokens)
            key = _key(nominative)
            if surface == nominative:
                nominative_forms.setdefault(key, surface)
            mentions.append((index, offset + match.start(), key, nominative))
        offset += len(paragraph) + 1
    for index, start, key, nominative in mentions:
        name = nominative_forms.get(key, nominative)
        found.append((index, Person(name=name, start=start, female=name.split()[-1].endswith(_FEMALE_ENDINGS))))
    return found


def _is_common_noun(word: str) -> bool:
    return any("NOUN" in p.tag and not ({"Name", "Surn", "Geox"} & set(p.tag.grammemes)) for p in _parses(word.lower())[:2])


def name_in(text: str) -> str | None:
    """The full name inside a speaker phrase ("министр здравоохранения Ажар Гиният")."""
    for match in _NAME_RUN.finditer(text):
        tokens = match.group(1).split()
        if any(is_name_token(t) for t in tokens):
            while len(tokens) > 2 and _is_common_noun(tokens[0]) and not is_name_token(tokens[0]):
                tokens = tokens[1:]
            return " ".join(to_nominative(t) for t in tokens)
    return None


def resolve_speaker(
    speaker: str | None,
    people: list[tuple[int, Person]],
    paragraph: int,
    text_of_paragraphs: list[str],
) -> str | None:
    """The full name behind `speaker`, from the people the article names."""
    if not speaker:
        return None
    named = name_in(speaker)
    if named:
        # "Токаев" alone, or a name in another case: prefer the article's full form.
        key = _key(named)
        for _, person in people:
            if _key(person.name) == key and len(person.name.split()) >= len(named.split()):
                return person.name
        return named if " " in named else None
    lowered = speaker.lower()
    distinct = list(dict.fromkeys(p.name for _, p in people))
    if lowered in PRONOUNS:
        female = lowered.startswith("она")
        before = [p for idx, p in people if idx <= paragraph and p.female == female]
        if before:
            return before[-1].name
        return None
    # A role: a person named right after the same role word ("министр … Ажар Гиният").
    role = lemma(lowered.split()[0])
    for idx, person in people:
        context = text_of_paragraphs[idx].lower()
        surname = person.name.split()[-1].lower()[:5]
        for role_match in re.finditer(r"[\w-]+", context):
            if lemma(role_match.group(0)) == role:
                window = context[role_match.end(): role_match.end() + 60]
                if surname in window:
                    return person.name
    if len(distinct) == 1:
        return distinct[0]
    return None
