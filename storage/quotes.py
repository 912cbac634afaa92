"""Who said what: stored quotes with their article, filtered for `newsdb quotes`.

`find_quotes(session, speaker="Токаев")` finds the quotes whose written or
canonical speaker is any case form of that name ("Токаева", "Токаеву", "Касым-Жомарт
Токаев"). Nothing extra is stored for it: SQL narrows the rows with a LIKE on the
name's stem in the few spellings a stem can take (lower, Capitalized, UPPER, е/ё),
which works alike on SQLite (whose LIKE and lower() fold ASCII only) and PostgreSQL
(whose LIKE is case-sensitive); Python then compares word keys up to inflection
(`core.names.word_key`, pymorphy3 lemmas as a second chance).
`contains` is matched the same way: SQL narrows, `fold_for_search` decides.
Both are bounded (MAX_SPEAKER_LENGTH, MAX_CONTAINS_LENGTH): past SQLite's LIKE
pattern limit the query would fail with "LIKE or GLOB pattern too complex", and
a longer name or fragment is a mistake; storage.search.QueryError says so in one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.names import lemma, word_key
from core.when import parse_when
from core.normalize import fold_for_search, normalize_text
from storage import models as m
from core.normalize import clip
from storage.search import MAX_LIMIT, QueryError, check_site, checked_text, item_stems, parse_query, stem, words

MAX_SPEAKER_LENGTH = 200  # characters: "Касым-Жомарт Кемелевич Токаев" is 29
MAX_CONTAINS_LENGTH = 1000  # a quote fragment; quotes are rarely longer
# A word of a name or of a quote fragment. Public because every matcher of a
# speaker must split names alike: find_quotes here and the Datasette plugin's
# newsdb_speaker_matches, which must find the same quotes `newsdb quotes` finds.
NAME_WORD = re.compile(r"\w+")
_BATCH = 500


@dataclass
class QuoteRow:
    """One quote and where it was published."""

    text: str
    speaker: str | None
    speaker_canonical: str | None
    verb: str | None
    style: str
    title: str | None
    url: str
    site: str
    published_at: datetime | None
    paragraph: int


def _spellings(fragment: str) -> set[str]:
    """The ways a lower-case fragment can stand in stored text."""
    variants = {fragment, fragment.capitalize(), fragment.upper()}
    if "е" in fragment:  # "Семенов" is also written "Семёнов"
        variants |= {v.replace("е", "ё").replace("Е", "Ё") for v in variants}
    return variants


def _like_any(columns, fragment: str):
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(c.like(f"%{v}%", escape="\\") for c in columns for v in _spellings(escaped)))


def _same_word(query: str, word: str) -> bool:
    return word_key(query) == word_key(word) or lemma(query) == lemma(word)


def speaker_matches(query: str, *speakers: str | None) -> bool:
    """Every word of `query` is, up to case and inflection, a word of one of `speakers`."""
    wanted = NAME_WORD.findall(query)
    for speaker in speakers:
        names = NAME_WORD.findall(speaker or "")
        if wanted and all(any(_same_word(q, w) for w in names) for q in wanted):
            return True
    return False


def narrowing_key(speaker: str) -> str:
    """The fragment every spelling of `speaker` holds, which SQL narrows by before
    Python decides: the stem of its longest word less one letter (inflection
    changes at most that: "Токаев" -> "тока" is in "Токаева", "Токаеву"); "" when
    the name has no word. Shared by find_quotes and the Datasette plugin, where
    without it every distinct speaker would cost a full comparison (~90 µs)."""
    found = NAME_WORD.findall(speaker)
    key = word_key(max(found, key=len)) if found else ""
    return key[: max(3, len(key) - 1)]


def _item_found(item, stems: list[str]) -> bool:  # type: ignore[no-untyped-def]
    options = item_stems(item)  # per word of the item, the stems that may stand there

    def fits(position: int, index: int) -> bool:
        if item.prefix and index == len(options) - 1:
            return stems[position].startswith(options[index][0])
        return stems[position] in options[index]

    return any(
        all(fits(start + index, index) for index in range(len(options)))
        for start in range(len(stems) - len(options) + 1)
    )


def text_matches(query: str | list, text: str | None) -> bool:
    """Whether `text` (a quote, any text) answers `query` in newsdb's search
    language (words in any form, "phrase", OR, NOT/-word, prefix*), as
    `newsdb search` would answer it for an article; `query` is the text or what
    storage.search.parse_query made of it. Raises QueryError when the query has
    nothing to look for."""
    groups = parse_query(query) if isinstance(query, str) else query
    if not text:
        return False
    stems = [stem(word) for word in words(text)]
    for group in groups:
        if group[0].negated:
            if _item_found(group[0], stems):
                return False
        elif not any(_item_found(item, stems) for item in group):
            return False
    return True


def _bound(value: date | datetime | str, *, end: bool) -> datetime:
    """core.when's reading (a date, a datetime, "2025-12-01", "7d", …) as UTC."""
    return parse_when(value, end_of_day=end).astimezone(UTC)


def _checked(speaker, contains, limit, offset) -> None:  # type: ignore[no-untyped-def]
    if speaker is not None:
        checked_text(speaker, "speaker name", MAX_SPEAKER_LENGTH)
    if contains is not None:
        checked_text(contains, "quote text", MAX_CONTAINS_LENGTH)
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT):
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {clip(str(limit))}")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_LIMIT:
        raise QueryError(f"offset must be a whole number from 0 to {MAX_LIMIT}, not {clip(str(offset))}")


def _candidates(session: Session, *, speaker, site, since, until, contains):  # type: ignore[no-untyped-def]
    """The SQL query that narrows the quotes (None when a speaker has no words),
    and whether Python still has to decide on each row."""
    if site is not None:
        check_site(session, site)
    query = (
        select(m.Quote, m.Article.title, m.Article.url, m.Article.published_at, m.Site.name)
        .join(m.Article, m.Quote.article_id == m.Article.id)
        .join(m.Site, m.Article.site_id == m.Site.id)
        .order_by(m.Article.published_at.desc().nulls_last(), m.Article.id.desc(), m.Quote.position)
    )
    if site is not None:
        query = query.where(m.Site.name == site)
    if since is not None:
        query = query.where(m.Article.published_at >= _bound(since, end=False))
    if until is not None:
        query = query.where(m.Article.published_at <= _bound(until, end=True))
    if speaker:
        key = narrowing_key(speaker)
        if not key:
            return None, False
        query = query.where(_like_any((m.Quote.speaker, m.Quote.speaker_canonical), key))
    if contains:
        found = NAME_WORD.findall(normalize_text(contains))  # "Сaravan" typed mixed -> "Caravan"
        if found:
            query = query.where(_like_any((m.Quote.text,), max(found, key=len).lower()))
    return query, bool(speaker or contains)


def _rows(session: Session, query, speaker, contains) -> Iterator[QuoteRow]:  # type: ignore[no-untyped-def]
    folded = fold_for_search(contains) if contains else None
    for quote, title, url, published_at, site_name in session.execute(query.execution_options(yield_per=_BATCH)):
        if speaker and not speaker_matches(speaker, quote.speaker, quote.speaker_canonical):
            continue
        if folded and folded not in fold_for_search(quote.text):
            continue
        yield QuoteRow(
            text=quote.text, speaker=quote.speaker, speaker_canonical=quote.speaker_canonical,
            verb=quote.verb, style=quote.style, title=title, url=url, site=site_name,
            published_at=published_at, paragraph=quote.paragraph,
        )


def find_quotes(
    session: Session,
    *,
    speaker: str | None = None,
    site: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    contains: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[QuoteRow]:
    """Stored quotes, newest article first (then in article order).

    `speaker`: any case form of the written or canonical speaker, every word of it
    ("Токаев", "Касым-Жомарт Токаева", "министр"). `site`: the site name.
    `since`/`until`: the article's publication time, inclusive (a date covers its
    whole UTC day; articles without a date are left out). `contains`: text in the
    quote, compared case-, ё- and script-insensitively. `limit`: at most N rows
    (None: all), after skipping `offset`; `count_quotes` says how many in all.
    A value that is not text, too long or a site the database does not know
    raises QueryError or NoSuchSite (storage.search).
    """
    _checked(speaker, contains, limit, offset)
    query, in_python = _candidates(session, speaker=speaker, site=site, since=since, until=until, contains=contains)
    if query is None:
        return []
    if not in_python:  # SQL alone decides: let it page
        if limit is not None:
            query = query.limit(limit)
        return list(_rows(session, query.offset(offset) if offset else query, None, None))
    stop = None if limit is None else offset + limit
    return list(islice(_rows(session, query, speaker, contains), offset, stop))


def count_quotes(
    session: Session,
    *,
    speaker: str | None = None,
    site: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    contains: str | None = None,
) -> int:
    """How many quotes `find_quotes` would list with no limit."""
    _checked(speaker, contains, None, 0)
    query, in_python = _candidates(session, speaker=speaker, site=site, since=since, until=until, contains=contains)
    if query is None:
        return 0
    if not in_python:
        return int(session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())
    return sum(1 for _ in _rows(session, query, speaker, contains))
