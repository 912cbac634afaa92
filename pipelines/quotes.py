"""Direct speech in normalized body paragraphs: who said what.

Styles (issue 4):
  A  dialogue dash:        — Текст, — сказал Х.   (split: — Часть 1, — сказал он. — Часть 2.)
  B  guillemets, then who: «Текст», — заявил Х.
  C  double quotes:        "Текст", – сказал Х.   “Текст” — отметил Х.
  D  who first:            Х заявил: «Текст».  По словам Х, «…».  Как отметил Х, "…"
  E  a speaker line, then a dash paragraph:  Асель Нурланова, глава управления: / — Текст.
  F  any of the above whose speaker is a pronoun or a role ("он", "глава государства")

Everything here needs a speech verb or a speaker line: «» around a law, a party
or a newspaper, indirect speech and dash-started lists never become quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.items import Quote
from pipelines.names import PRONOUNS, find_people, is_nominative_capable, lemma, resolve_speaker

DASH = "—–-"
_DASH_START = re.compile(rf"^[{DASH}]\s*")
# The point where the quote stops and the author's words start: ", — " (also "! —", "? —", "… —").
_ATTR_SPLIT = re.compile(rf"(?<=[,!?…])\s*[{DASH}]\s+")
# Past and present forms of speech verbs, by stem.
_VERB = re.compile(
    r"(?<![\w-])(?:сказа|заяв[ил]|отмет|отмеча|подчеркн|подчёркив|подчеркив|добав|поясн|рассказ|сообщ|уточн|"
    r"призна|счита|указа|указыв|напомн|напомина|резюмирова|ответ[ии]|отвеча|заключ|продолж|поделил|делит|"
    r"констатирова|объясн|предупред|предупрежда|прокомментирова|комментиру|завер[ия]|убежд[её]н|уверен|"
    r"замет|замеча|акцентирова|высказа|подытож|призва|призыва|пообеща|обеща|говор|пиш|написа|увер[яи]|"
    r"возмут|посетова|пожаловал|вспомина|вспомн|рассужда|цитиру|процитирова|подчеркну|уверя|убежда|"
    r"парир|возраз|признава|отрезал|пошутил|поделит)\w*",
    re.I,
)
# Author's words run to a sentence end, or to a dash that resumes the quote.
_CLAUSE_END = re.compile(rf"[.:]\s+[{DASH}]\s+|,\s*[{DASH}]\s+|[.:!?]\s*$|\.\s+(?=[А-ЯA-Z«\"“])")
_OPEN = "«\"“„"
_CLOSE = {"«": "»", '"': '"', "“": "”", "„": "“"}
_MAX_CLAUSE_WORDS = 20
_MIN_QUOTE_WORDS = 3


@dataclass
class _Found:
    text: str
    speaker_phrase: str | None
    verb: str | None
    style: str
    paragraph: int
    start: int
    end: int


def _verb_in(clause: str) -> re.Match | None:
    match = _VERB.search(clause)
    if match and len(clause[: match.start()].split()) <= 6:
        return match
    return None


def _speaker_from(clause: str, verb: re.Match | None) -> str | None:
    """The speaker phrase of an attribution clause, as written."""
    if verb is None:
        words = clause.split()
    else:
        after = clause[verb.end():].strip()
        before = clause[: verb.start()].strip()
        words = after.split() if after and (not before or verb.start() == 0) else before.split()
    text = " ".join(words)
    # Stop at the next clause: ", добавив, что …", " и добавил …".
    text = re.split(r",|\s+и\s+(?=\w+л[аи]?\b)|\s+(?:после|когда|отвечая|выступая|комментируя)\b", text)[0]
    words = text.strip(" .:;!?").split()
    # Skip leading circumstances ("в беседе с корреспондентом Caravan.kz директор …").
    for i, word in enumerate(words):
        if word.lower() in PRONOUNS or is_nominative_capable(word.strip(".,")):
            words = words[i:]
            break
    return " ".join(words).strip(" .,") or None


def _quote_text(text: str) -> str:
    return text.strip().rstrip(",").strip()


def _dash_paragraph(paragraph: str, index: int) -> _Found | None:
    """Style A: — Текст, — сказал Х. [— Продолжение.]"""
    lead = _DASH_START.match(paragraph)
    if not lead:
        return None
    body_start = lead.end()
    for split in _ATTR_SPLIT.finditer(paragraph, body_start):
        rest = paragraph[split.end():]
        end = _CLAUSE_END.search(rest)
        clause = rest[: end.start()] if end else rest
        if len(clause.split()) > _MAX_CLAUSE_WORDS:
            continue
        verb = _verb_in(clause)
        if not verb:
            continue
        parts = [paragraph[body_start: split.start()]]
        last_end = split.start()
        if end and end.end() < len(rest) and any(ch in DASH for ch in end.group(0)):
            continuation = rest[end.end():]
            parts.append(continuation)
            last_end = split.end() + len(rest)
        text = " ".join(_quote_text(p) for p in parts if _quote_text(p))
        return _Found(text, _speaker_from(clause, verb), verb.group(0), "A", index, body_start, last_end)
    return None


def _closing(paragraph: str, start: int) -> int:
    """Index of the mark that closes the quote opened at `start`, honouring nesting."""
    opener = paragraph[start]
    closer = _CLOSE[opener]
    depth = 0
    for i in range(start + 1, len(paragraph)):
        ch = paragraph[i]
        if ch == closer and (opener != closer or depth == 0):
            if depth == 0:
                return i
            depth -= 1
        elif ch == opener and opener != closer:
            depth += 1
    return -1


def _marked_quotes(paragraph: str, index: int) -> list[_Found]:
    """Styles B, C (quote, then who) and D (who, then quote)."""
    found = []
    i = 0
    while i < len(paragraph):
        if paragraph[i] not in "«\"“":
            i += 1
            continue
        close = _closing(paragraph, i)
        if close < 0:
            break
        inner = paragraph[i + 1: close]
        style = "B" if paragraph[i] == "«" else "C"
        after = paragraph[close + 1:]
        after_attr = re.match(rf"\s*[,!?…]?\s*[{DASH}]\s+", after)
        before = paragraph[:i]
        if len(inner.split()) >= _MIN_QUOTE_WORDS and after_attr:
            rest = after[after_attr.end():]
            end = _CLAUSE_END.search(rest)
            clause = rest[: end.start()] if end else rest
            verb = _verb_in(clause)
            if verb and len(clause.split()) <= _MAX_CLAUSE_WORDS:
                found.append(_Found(_quote_text(inner), _speaker_from(clause, verb), verb.group(0), style, index, i + 1, close))
                i = close + 1
                continue
        if len(inner.split()) >= _MIN_QUOTE_WORDS:
            who = _who_first(before)
            if who:
                speaker, verb = who
                found.append(_Found(_quote_text(inner), speaker, verb, "D", index, i + 1, close))
        i = close + 1
    return found


_PO_SLOVAM = re.compile(r"(?:по\s+словам|как\s+(?:\w+\s+)?(?:отметил|сказал|заявил|подчеркнул|пояснил|уточнил|рассказал|добавил|говорит|считает)\w*)\s+(.+?),\s*$", re.I)


def _who_first(before: str) -> tuple[str | None, str | None] | None:
    """Attribution before the quote: "Х заявил:" / "По словам Х," / "Как отметил Х,"."""
    sentence = re.split(r"(?<=[.!?»])\s+(?=[А-ЯЁA-Z«—–-])", before)[-1]
    match = _PO_SLOVAM.search(sentence)
    if match:
        verb = _VERB.search(sentence[: match.start(1)])
        return match.group(1).strip(), verb.group(0) if verb else None
    if not sentence.rstrip().endswith(":"):
        return None
    clause = sentence.rstrip()[:-1]
    verbs = list(_VERB.finditer(clause))
    if not verbs:
        return None
    verb = verbs[-1]
    if clause[verb.end():].strip():  # "заявил журналистам:" -> speaker is before the verb
        tail_words = clause[verb.end():].split()
        if len(tail_words) > 3:
            return None
    speaker = _speaker_from(clause[: verb.start()], None)
    if speaker and len(speaker.split()) > 8:
        speaker = " ".join(speaker.split()[-8:])
    return speaker, verb.group(0)


_SPEAKER_LINE = re.compile(r"^([^!?«»]{3,120}):$")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[А-ЯЁA-Z]")  # "зам. председателя" is an abbreviation, not a break


def _speaker_line(paragraph: str) -> str | None:
    """Style E: a line that only names who speaks next ("Кусайын Жанаев, зам. председателя:")."""
    match = _SPEAKER_LINE.match(paragraph.strip())
    if not match or _VERB.search(match.group(1)) or _SENTENCE_BREAK.search(match.group(1)):
        return None
    phrase = match.group(1).strip()
    if len(phrase.split()) > 14 or not re.search(r"[А-ЯЁA-Z]", phrase):
        return None
    return phrase.split(",")[0].strip()


def _looks_like_list_item(paragraph: str) -> bool:
    return paragraph.rstrip().endswith((";", ",")) or len(paragraph.split()) < 5


def extract_quotes(paragraphs: list[str]) -> list[Quote]:
    """All direct quotes in the normalized body, in order."""
    found: list[_Found] = []
    pending_speaker: str | None = None  # from a style E speaker line
    previous: _Found | None = None  # a dash quote the next dash paragraph may continue
    for index, paragraph in enumerate(paragraphs):
        dash = _dash_paragraph(paragraph, index)
        if dash:
            if pending_speaker and not dash.speaker_phrase:
                dash.speaker_phrase = pending_speaker
            found.append(dash)
            previous, pending_speaker = dash, None
            continue
        if _DASH_START.match(paragraph) and (pending_speaker or previous) and not _looks_like_list_item(paragraph):
            text = _quote_text(paragraph[_DASH_START.match(paragraph).end():])
            speaker = pending_speaker or previous.speaker_phrase
            style = "E" if pending_speaker else previous.style
            item = _Found(text, speaker, None if pending_speaker else previous.verb, style, index,
                          _DASH_START.match(paragraph).end(), len(paragraph))
            found.append(item)
            previous = item
            continue
        pending_speaker = _speaker_line(paragraph)
        previous = None
        found.extend(_marked_quotes(paragraph, index))
    return _finish(found, paragraphs)


def _finish(found: list[_Found], paragraphs: list[str]) -> list[Quote]:
    people = find_people(paragraphs) if found else []
    quotes = []
    for item in found:
        speaker = item.speaker_phrase
        style = item.style
        if speaker and (speaker.lower() in PRONOUNS or not re.search(r"[А-ЯЁA-Z]", speaker)):
            style = "F"  # a pronoun or a role: the name comes from elsewhere in the article
        quotes.append(
            Quote(
                text=item.text,
                speaker=speaker,
                speaker_canonical=resolve_speaker(speaker, people, item.paragraph, paragraphs),
                paragraph=item.paragraph,
                start=item.start,
                end=item.end,
                style=style,
                verb=item.verb,
                verb_lemma=lemma(item.verb) if item.verb else None,
            )
        )
    return quotes
