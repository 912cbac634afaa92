"""A source's base form: the attribution as a dictionary would list it.

An article credits its source inside a sentence ("… со ссылкой на пресс-службу
Акорды"), so the written form carries the case of the sentence: `Акорду`,
`пресс-службу Акорды`, `агентству Kazinform`. People group articles by source,
and need one spelling:

    source_base("Акорду")                  -> "Акорда"
    source_base("пресс-службу Акорды")     -> "пресс-служба Акорды"
    source_base("агентству Kazinform")     -> "агентство Kazinform"
    source_base("Генеральной прокуратуре") -> "Генеральная прокуратура"
    source_base("МВД"), source_base("Caravan.kz")   unchanged

Only the head goes to the nominative: the first word if it is a noun, or a run of
up to three adjectives and the noun they agree with. What depends on it (the
genitive `Акорды`, `иностранных дел`, a name in «quotes», a Latin name) stays as
written. Abbreviations in capitals, Latin words and indeclinable words stay. A
leading "со ссылкой на", "по данным", "в", … is dropped, and says which case to
expect; without one the case of "со ссылкой на" (accusative) is the likelier,
since that is how the pipeline finds a source (core.normalize.source_of).

Proper names pymorphy3 does not know get its guesses, but for a short lexicon of
Kazakhstan's institutions it does not know or takes for a person's name (Акорда,
аким, акимат, маслихат, Самрук-Казына, …), which decline by their own endings,
and people's surnames, which go through core.names.to_nominative. A guess: every parse of
the form votes for its lemma with its score, weighted by how well its case fits
(the expected case and the nominative fully, any other case half). `Акорду` is a
feminine accusative or a masculine dative, 0.5 each: the accusative wins, so
`Акорда`; `Акорде` is femn datv + femn loct against masc loct, so `Акорда` again.
The nominative always fits, so a base form stays itself: source_base(source_base(x))
== source_base(x). A singular reading is taken over a plural one (`Акорды` is the
genitive of `Акорда`, not the plural of `акорд`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.names import morph, to_nominative

# Leading words that introduce a source, and the case its head then takes.
_LEADS = (
    (r"со\s+ссылкой\s+на|ссылаясь\s+на|на", "accs"),
    (r"по\s+(?:данным|информации|сообщению|сообщениям|словам|оценке|оценкам)|со\s+слов|из|от|у", "gent"),
    (r"согласно|по|к|ко", "datv"),
    (r"в|во|о|об|при", "loct"),
)
_LEAD = [(re.compile(rf"^(?:{words})\s+(?=\S)", re.I), case) for words, case in _LEADS]

_RUSSIAN_WORD = re.compile(r"^[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*$")
_EDGE_PUNCTUATION = " \t,.;:!?"
_CASES = ("nomn", "accs", "datv", "loct", "gent", "ablt")
_OTHER_CASE = 0.5  # a case the context does not expect still counts, half
_MAX_ADJECTIVES = 3

# Nouns of Kazakhstan's news that pymorphy3 does not know, or takes for a person's
# name ("акиму" for a dative of the name Аким, "акимата" for a name in nominative),
# with the singular endings of their declension: hard masculine or feminine in -а.
_MASCULINE_ENDINGS = ("", "а", "у", "ом", "е")
_FEMININE_ENDINGS = ("а", "ы", "е", "у", "ой", "ою")
_LEXICON = (
    ("аким", _MASCULINE_ENDINGS), ("акимат", _MASCULINE_ENDINGS), ("маслихат", _MASCULINE_ENDINGS),
    ("байтерек", _MASCULINE_ENDINGS), ("казгидромет", _MASCULINE_ENDINGS),
    ("казатомпром", _MASCULINE_ENDINGS), ("казахтелеком", _MASCULINE_ENDINGS),
    ("казмунайгаз", _MASCULINE_ENDINGS), ("акорд", _FEMININE_ENDINGS), ("самрук-казын", _FEMININE_ENDINGS),
    ("казпочт", _FEMININE_ENDINGS),
)
# A capitalized word ending like a surname, with its case ending if any.
_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын)(а|у|ым|е|ой|ою)?$")
_LEXICON_FORMS = {
    stem + ending: stem + ("а" if endings is _FEMININE_ENDINGS else "")
    for stem, endings in _LEXICON
    for ending in endings
}


@lru_cache(maxsize=4096)  # a site credits the same few sources on every page
def source_base(written: str | None) -> str | None:
    """The nominative base form of a source as written (see the module docstring);
    None for None or blank text."""
    if written is None:
        return None
    text = " ".join(written.split()).strip(_EDGE_PUNCTUATION)
    if not text:
        return None
    expected = "accs"
    for lead, case in _LEAD:
        stripped = lead.sub("", text, count=1)
        if stripped != text:
            text, expected = stripped, case
            break
    words = text.split(" ")
    head = _head(tuple(words[: _MAX_ADJECTIVES + 1]), expected)
    if head is None:
        return text
    return " ".join([*head, *words[len(head):]])


def _inflectable(word: str) -> bool:
    """A Russian word pymorphy may inflect: not an abbreviation in capitals (МВД, РИА)."""
    if not _RUSSIAN_WORD.match(word):
        return False
    return not any(len(part) > 1 and part.isupper() for part in word.split("-"))


def _weight(parse, expected: str) -> float:  # type: ignore[no-untyped-def]
    case = parse.tag.case
    if case not in _CASES:
        return 0.0
    return parse.score * (1.0 if case in ("nomn", expected) else _OTHER_CASE)


@lru_cache(maxsize=20000)
def _parses(word: str) -> tuple:
    return tuple(morph().parse(word))


def _nouns(word: str, expected: str) -> list:
    """The noun parses of `word`, best first: by the summed weight of their lemma
    (normal form and gender), then by their own weight; singular over plural."""
    nouns = [p for p in _parses(word) if p.tag.POS == "NOUN" and _weight(p, expected) > 0]
    if any(p.tag.number == "sing" for p in nouns):
        nouns = [p for p in nouns if p.tag.number != "plur"]
    votes: dict[tuple, float] = {}
    for p in nouns:
        key = (p.normal_form, p.tag.gender)
        votes[key] = votes.get(key, 0.0) + _weight(p, expected)
    return sorted(nouns, key=lambda p: (-votes[(p.normal_form, p.tag.gender)], -_weight(p, expected)))


def _head(words: tuple[str, ...], expected: str) -> list[str] | None:
    """The first words of a source in the nominative: [noun] or [adjectives…, noun];
    None when the source does not begin with a Russian noun phrase to inflect."""
    if not words or not _inflectable(words[0]):
        return None
    phrase = _adjective_phrase(words, expected)
    if phrase is not None:
        return phrase
    listed = _LEXICON_FORMS.get(words[0].lower())
    if listed is not None:
        return [_spelled_like(listed, words[0])]
    surname = _SURNAME.search(words[0].lower()) if words[0][:1].isupper() else None
    if surname and surname.group(1) == "а":
        return [words[0]]  # Ахметова, Токаева: a woman in nominative or a man's accusative; as written
    if surname:
        named = to_nominative(words[0], True if surname.group(1) in ("ой", "ою") else None)
        if named != words[0]:
            return [named]  # Токаеву -> Токаев, Ахметовой -> Ахметова
        if surname.group(1) is None:
            return [words[0]]  # Токаев, Минфин: a nominative pymorphy may read as a plural genitive
    nouns = _nouns(words[0], expected)
    if not nouns:
        return None
    if words[0][:1].isupper() and {"Surn", "Name", "Patr"} & set(nouns[0].tag.grammemes):
        return [to_nominative(words[0])]  # a person: the speaker names' own rules (Токаеву -> Токаев)
    return [_nominative(words[0], nouns[0], {"nomn"})]


def _adjective_phrase(words: tuple[str, ...], expected: str) -> list[str] | None:
    """Adjectives and the noun after them, agreeing in case, number and gender."""
    for count in range(1, min(_MAX_ADJECTIVES, len(words) - 1) + 1):
        adjectives, noun = words[:count], words[count]
        if not all(_inflectable(w) for w in (*adjectives, noun)):
            return None
        for parse in _nouns(noun, expected):
            agreeing = [_agreeing(word, parse) for word in adjectives]
            if all(agreeing):
                gender = {parse.tag.gender} if parse.tag.number == "sing" and parse.tag.gender else set()
                number = {parse.tag.number} if parse.tag.number else set()
                return [
                    *(_nominative(w, a, {"nomn"} | number | gender) for w, a in zip(adjectives, agreeing, strict=True)),
                    _nominative(noun, parse, {"nomn"}),
                ]
        if not any(p.tag.POS in ("ADJF", "PRTF") for p in _parses(noun.lower())):
            return None  # the run of adjectives ended without a noun after it
    return None


def _agreeing(word: str, noun):  # type: ignore[no-untyped-def]
    """The parse of `word` as an adjective agreeing with the noun's parse, or None."""
    for p in _parses(word.lower()):
        if p.tag.POS not in ("ADJF", "PRTF"):
            continue
        if p.tag.case != noun.tag.case or p.tag.number != noun.tag.number:
            continue
        if noun.tag.number == "sing" and p.tag.gender and noun.tag.gender and str(p.tag.gender) != str(noun.tag.gender):
            continue
        return p
    return None


def _nominative(written: str, parse, grammemes: set[str]) -> str:  # type: ignore[no-untyped-def]
    """`written` in the nominative as `parse` inflects, spelled as it was written:
    its capitals, and е where it wrote е (pymorphy writes ё)."""
    if parse.tag.case == "nomn" or "Fixd" in parse.tag:
        return written
    inflected = parse.inflect(grammemes)
    if inflected is None:
        return written
    word = inflected.word
    if "ё" not in written.lower():
        word = word.replace("ё", "е")
    return _spelled_like(word, written)


def _spelled_like(word: str, written: str) -> str:
    """`word` with the capitals of `written`, letter by letter: the base form shares
    the written stem, so КазМунайГазу gives КазМунайГаз, Самрук-Казыну Самрук-Казына."""
    return "".join(c.upper() if i < len(written) and written[i].isupper() else c for i, c in enumerate(word))
