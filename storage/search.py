"""Full-text search over article title, lead and body, with Russian stemming.

    hits = search(session, "выборы акимов", site="demo", limit=10)
    hits[0].snippet   # "… проведут [выборы] сельских [акимов] …"
    count(session, "выборы акимов", site="demo")   # how many in all

One search language (see `parse_query`) means the same on both backends,
because both index the same stems by the same rule (see "text folding" below):
SQLite's `articles_fts` (FTS5) holds a stemmed shadow of each article computed
here in Python; PostgreSQL's `article_search.search_vector` (a tsvector) is
built by the SQL twin of that rule (migration 0007: a trigger, the Snowball
russian dictionary without stop words, no text search parser), and queries
reach it as a tsquery literal, so no dictionary or parser touches them. Query
words are expanded in Python over their lexeme (pymorphy3), once for both.
Order, on both: title matches first (how many of the query's required parts the
title holds), then newest first, then the higher id. On SQLite the shadow is
written whenever a session flushes an inserted or changed article by the
sessions of a storage.db.Database (see `sync_after_flush`); bulk writes that
bypass the ORM call `rebuild_search_index` or `index_articles` themselves.

Everything in a query that is not a word or an operator (FTS5 or tsquery
syntax, brackets, backslashes) separates words: the index query is built from
the query's words and passed as a bound parameter.

The values a search or filter is given are checked first (`checked_text`): a
NUL, a lone surrogate or more than the bound for its kind raises QueryError
(a ValueError) with one line, never a driver error. A site name the database
does not know raises storage.runs.NoSuchSite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from itertools import combinations
from math import comb
from typing import Any

import pymorphy3
import snowballstemmer
from sqlalchemy import Boolean, Connection, Integer, String, bindparam, cast, func, inspect, literal_column, select, table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from core.normalize import clip
from core.when import parse_when
from storage import models as m
from storage.runs import NoSuchSite, site_id

FTS_TABLE = "articles_fts"
FTS_TITLE_TABLE = "articles_fts_title"  # the title stems again, alone (migration 0008)
FTS_COLUMNS = ("title_stems", "text_stems", "word_forms")
PG_TABLE = "article_search"
DEFAULT_HIGHLIGHT = ("[", "]")
SNIPPET_WORDS = 24

# Bounds on a query: past them PostgreSQL's tsquery parser runs out of stack
# (`stack depth limit exceeded`) and FTS5 spends seconds; no one types more.
MAX_QUERY_LENGTH = 1000  # characters
MAX_QUERY_TERMS = 100  # words, counting those of phrases and OR alternatives
MAX_LIMIT = 2**31 - 1  # a LIMIT both backends take (SQLite overflows past 2**63)

# Schema objects that migration 0002 creates outside storage.models.


# Indexes of the search order (migration 0008), read only by this module.
SQLITE_ORDER_INDEX = "ix_articles_search_order"
PG_TITLE_INDEX = "ix_article_search_title_vector"
PG_ORDER_INDEX = "ix_article_search_order"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic `include_object` hook: hide the search index from model comparison
    (the FTS5 table and its shadow tables; PostgreSQL's article_search; the
    search order index on articles)."""
    if type_ == "index":
        return name != SQLITE_ORDER_INDEX
    return not (type_ == "table" and name and (name.startswith(FTS_TABLE) or name == PG_TABLE))


# -- the values a search or filter is given ----------------------------------------


class QueryError(ValueError):
    """A search query or filter value newsdb refuses; the message is one line."""


def checked_text(value: str, what: str, limit: int | None = None) -> str:
    """`value` if a database can compare it: QueryError for a NUL (PostgreSQL
    refuses it in any string), a lone surrogate (not encodable as UTF-8: what
    Python makes of undecodable bytes in argv, too) or more than `limit` characters."""
    if not isinstance(value, str):
        raise QueryError(f"the {what} must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise QueryError(f"the {what} holds a NUL character (at position {value.index(chr(0))})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QueryError(
            f"the {what} is not valid text: {value[error.start]!a} at position {error.start} "
            "is a lone surrogate (bytes that are not UTF-8?)"
        ) from None
    if limit is not None and len(value) > limit:
        raise QueryError(f"the {what} is too long ({len(value)} characters, at most {limit})")
    return value


def check_site(session: Session, name: str) -> None:
    """NoSuchSite unless the database holds a site of that name: a mistyped --site
    is an error, not an empty result."""
    site_id(session, checked_text(name, "site name"))


# -- text folding and stemming ------------------------------------------------------
#
# One rule, written twice: here in Python (SQLite's FTS5 shadow, and every query)
# and in SQL (PostgreSQL's trigger; see migration 0007, which builds its SQL from
# the constants below). Both must give the same stems for the same text, so the
# rule uses nothing either side does differently (no locale, no parser):
#
# 1. NFC; soft hyphens, zero-width characters and combining stress marks removed.
# 2. A word is a run of WORD_CHARS: ASCII digits and letters, Latin-1 and
#    Latin Extended-A letters, Cyrillic (Russian, Kazakh, ...). Everything else
#    separates words: "Caravan.kz" is caravan + kz, "пресс-служба" two words.
#    A word longer than MAX_WORD characters (base64, a glued URL) is not indexed.
# 3. A word mixing Latin [A-Za-z] and Cyrillic [А-Яа-яЁё] letters is written in
#    the script most of its letters use (a tie goes to Cyrillic): its look-alike
#    letters change script ("aкимов" -> акимов, "Сaravan" -> Caravan).
# 4. Lower case by an explicit table (LOWER_FROM -> LOWER_TO), ё -> е.
# 5. The Snowball (russian) stem: Latin words and numbers come back unchanged.

_RANGES = (("0", "9"), ("A", "Z"), ("a", "z"), ("\u00c0", "\u00d6"), ("\u00d8", "\u00f6"),
           ("\u00f8", "\u00ff"), ("\u0100", "\u017f"), ("\u0400", "\u0481"), ("\u048a", "\u052f"))
WORD_CHARS = "".join(chr(c) for low, high in _RANGES for c in range(ord(low), ord(high) + 1))
WORD_CLASS = "[" + "".join(f"{low}-{high}" for low, high in _RANGES) + "]"
MAX_WORD = 100  # characters
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u0300\u0301"


def _lower_table() -> dict[str, str]:
    table = {c: c.lower() for c in WORD_CHARS if c.lower() != c and len(c.lower()) == 1}
    # İ lowers to two characters in Unicode; FTS5 folds ſ to s: one letter each, alike everywhere
    table.update({"İ": "i", "ſ": "s", "ё": "е", "Ё": "е"})
    return table


LOWER_FROM, LOWER_TO = (
    "".join(side) for side in zip(*sorted(_lower_table().items()))
)
LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES = "AaBCcEeHKMOoPpTXxyiI", "АаВСсЕеНКМОоРрТХхуіІ"
LATIN_LETTERS, CYRILLIC_LETTERS = "[A-Za-z]", "[А-Яа-яЁё]"

_WORD_RE = re.compile(WORD_CLASS + "+")
_LATIN_RE = re.compile(LATIN_LETTERS)
_CYRILLIC = re.compile(CYRILLIC_LETTERS)
_TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(CYRILLIC_LOOKALIKES, LATIN_LOOKALIKES)
_LOWER = str.maketrans(LOWER_FROM, LOWER_TO)
_REMOVE = str.maketrans(dict.fromkeys(INVISIBLE))

# Words too common to narrow a search (a subset of PostgreSQL's russian.stop):
# dropped from a query's bare words, kept in the index so phrases still work.
STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
    только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если
    уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей
    может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз
    тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом
    один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец
    два об другой хоть после над больше тот через эти нас про всего них какая много
    разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой
    им более всегда конечно всю между""".split()
)


def fold_word(word: str) -> str:
    """One word (a run of WORD_CHARS) as the index holds it before stemming."""
    latin = len(_LATIN_RE.findall(word))
    if latin:
        cyrillic = len(_CYRILLIC.findall(word))
        if cyrillic:
            word = word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)
    return word.translate(_LOWER)


def _prepared(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_REMOVE)


def words(text: str | None) -> list[str]:
    """The folded words of `text`, in order (steps 1-4 of the rule above)."""
    if not text:
        return []
    return [fold_word(w) for w in _WORD_RE.findall(_prepared(text)) if len(w) <= MAX_WORD]


def fold(text: str) -> str:
    """`text`'s folded words joined by spaces."""
    return " ".join(words(text))


_stemmer = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball (russian) stem of one folded word; Latin words and numbers pass."""
    return _stemmer.stemWord(word)


@lru_cache(maxsize=4096)
def query_stems_of(word: str) -> tuple[str, ...]:
    """The stems to look for when a query says `word`: the stems of every form
    of its most likely lemma. Snowball alone cuts "аким" to "ак" but "акимов"
    to "аким"; expanding the query over the lexeme makes either find both."""
    own = stem(word)
    found = {own}
    if _CYRILLIC.search(word) and word not in STOP_WORDS:
        parses = _morph().parse(word)
        if parses:
            # Suppletive forms (год -> лет) and abbreviations (гг) widen the
            # search to other words and cost time: keep forms that begin alike.
            for form in parses[0].lexeme:
                for option in words(form.word):
                    if stem(option)[:2] == own[:2]:
                        found.add(stem(option))
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    return pymorphy3.MorphAnalyzer(lang="ru")


def search_shadow(title: str | None, lead: str | None, body: str | None) -> tuple[str, str, str]:
    """The three FTS columns of one article: title stems, lead+body stems, and the
    folded word forms that differ from their stems (so Datasette's search box
    finds words as written)."""
    title_words = words(title)
    text_words = words(lead) + words(body)
    title_stems = [stem(w) for w in title_words]
    text_stems = [stem(w) for w in text_words]
    forms = {w for w, s in zip(title_words + text_words, title_stems + text_stems) if w != s}
    return " ".join(title_stems), " ".join(text_stems), " ".join(sorted(forms))


# -- query parsing ------------------------------------------------------------------
#
# The language, the same on both backends:
#   words          all required, in any grammatical form (AND between them is optional)
#   "a phrase"     these words next to each other, in this order (each in its own form)
#   x OR y         either; OR binds closer than AND: `a OR b c` is (a or b) and c
#   -x, NOT x      without x (a word or a "phrase"); not alone: something must be asked for
#   pre*           any word whose stem begins with pre's stem
# OR, AND and NOT are operators in capitals only; in lower case they are words.
# Other punctuation (brackets, FTS5 or tsquery syntax) separates words.

_QUOTES = str.maketrans(dict.fromkeys("«»„“”‟″\u201a\u2039\u203a", '"'))
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_TOKEN = re.compile(rf'([{_DASHES}]?)"([^"]*)"?|(\S+)')
OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class _Item:
    words: tuple[str, ...]  # folded; more than one word means a phrase
    negated: bool = False
    prefix: bool = False  # the last word is a prefix


def parse_query(query: str) -> list[list[_Item]]:
    """The query as AND-ed groups of OR-ed items (a negated item is a group of
    its own); QueryError when it is empty, not text, or past MAX_QUERY_LENGTH /
    MAX_QUERY_TERMS."""
    checked_text(query, "search query", MAX_QUERY_LENGTH)
    groups: list[list[_Item]] = []
    pending_or = pending_not = False
    for match in _TOKEN.finditer(_prepared(query).translate(_QUOTES)):
        negated, phrase, bare = bool(match.group(1)), match.group(2), match.group(3)
        prefix = False
        if bare is not None:
            if bare in OPERATORS:
                if bare == "OR":
                    pending_or = bool(groups) and not groups[-1][0].negated  # a leading OR joins nothing
                elif bare == "NOT":
                    pending_not = True
                continue
            if bare[0] in _DASHES and len(bare) > 1:
                negated, bare = True, bare.lstrip(_DASHES)
            prefix = bare.endswith("*")
            found = tuple(words(bare))
            if not found:
                continue
            if not prefix and not negated and not pending_not and len(found) == 1 \
                    and found[0] in STOP_WORDS and not pending_or:
                continue
        else:
            found = tuple(words(phrase))
            if not found:
                continue
        item = _Item(found, negated or pending_not, prefix)
        if pending_or and not item.negated:
            groups[-1].append(item)
        else:
            groups.append([item])
        pending_or = pending_not = False
    if not any(not item.negated for group in groups for item in group):
        raise QueryError(f"nothing to search for in {clip(query)!r}")
    terms = sum(len(item.words) for group in groups for item in group)
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"the search query has too many words ({terms}, at most {MAX_QUERY_TERMS})")
    return groups


def item_stems(item: _Item) -> list[tuple[str, ...]]:
    """Per word of the item, the stems any of which may stand there.

    Public because every matcher of the search language needs the same answer:
    the FTS5 and tsquery builders here, and storage.quotes.text_matches, which
    decides one text in Python (the Datasette plugin's newsdb_text_matches);
    one definition keeps them finding the same words."""
    if len(item.words) == 1 and not item.prefix:
        return [query_stems_of(item.words[0])]
    return [(stem(word),) for word in item.words]


def _fts5_phrase(item: _Item) -> str:
    options = item_stems(item)
    if len(options) == 1 and len(options[0]) > 1:
        return "(" + " OR ".join(f'"{option}"' for option in options[0]) + ")"
    return '"' + " ".join(option[0] for option in options) + '"' + (" *" if item.prefix else "")


def fts5_query(groups: list[list[_Item]], columns: str = "title_stems text_stems") -> str:
    """The FTS5 MATCH expression for parsed query `groups` over the stem `columns`.

    Public because SQLite's search is not only `search()`: the Datasette plugin
    replaces Datasette's escape_fts with it, so that the search box there speaks
    the same language (words in any form, "phrase", OR, NOT, prefix*) as
    `newsdb search`."""
    phrase = _fts5_phrase
    positive = []
    negative = []
    for group in groups:
        if group[0].negated:
            negative.append(phrase(group[0]))
        else:
            positive.append("(" + " OR ".join(phrase(item) for item in group) + ")")
    expression = " AND ".join(positive)
    for item in negative:
        expression += f" NOT {item}"
    return "{" + columns + "} : (" + expression + ")"


def _tsquery(groups: list[list[_Item]]) -> str:
    """A tsquery in its input syntax (cast, not parsed: no dictionary touches it)."""

    def phrase(item: _Item) -> str:
        options = item_stems(item)
        parts = ["(" + " | ".join(f"'{option}'" for option in alternatives) + ")" for alternatives in options]
        if item.prefix:
            parts[-1] = parts[-1][:-1] + ":*)"
        return "(" + " <-> ".join(parts) + ")"

    parts = []
    for group in groups:
        if group[0].negated:
            parts.append("!" + phrase(group[0]))
        else:
            parts.append("(" + " | ".join(phrase(item) for item in group) + ")")
    return " & ".join(parts)


def query_stems(groups: list[list[_Item]]) -> set[str]:
    """The stems a snippet highlights: every word the query looks for (prefixes apart)."""
    found: set[str] = set()
    for group in groups:
        for item in group:
            if not item.negated:
                for options in item_stems(item)[: -1 if item.prefix else None]:
                    found.update(options)
    return found


def query_prefixes(groups: list[list[_Item]]) -> tuple[str, ...]:
    return tuple(stem(item.words[-1]) for group in groups for item in group if item.prefix and not item.negated)


# -- search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One article found by a search, best first."""

    id: int
    site: str
    url: str
    title: str | None
    published_at: datetime | None
    rank: float  # how many of the query's required parts the title holds; higher is better
    snippet: str


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT):
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {clip(str(limit))}")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_LIMIT:
        raise QueryError(f"offset must be a whole number from 0 to {MAX_LIMIT}, not {clip(str(offset))}")


@dataclass(frozen=True)
class _Filters:
    """A search's filters, checked: the site's id, the date bounds, the tag name."""

    site_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    tag: str | None = None


def _filters(session: Session, *, site, since, until, tag) -> _Filters:  # type: ignore[no-untyped-def]
    if tag is not None:
        checked_text(tag, "tag")
    return _Filters(
        None if site is None else site_id(session, checked_text(site, "site name")),
        None if since is None else parse_when(since),
        None if until is None else parse_when(until, end_of_day=True),
        tag,
    )


# The order, on both backends: title_rank (how many of the query's required
# parts the title holds) descending, then published_at descending (undated
# last), then id descending. Ranking and dating every match costs in proportion
# to the matches (30,000 for "Токаев" on 200,000 articles), so the matches are
# read one title rank at a time, best first, each rank newest first through
# the indexes of migration 0008, and only until the page is full: in a typical
# search the top rank (every part in the title) fills it, found from the titles'
# index alone. A rank is the matches whose title holds at least that many of
# the parts and not one more; past MAX_LEVEL_TERMS combinations of parts the
# remaining ranks are read together, each match ranked.

MAX_LEVEL_TERMS = 10
# A rank is first looked for among the newest articles only, and when they hold
# too few for the page, in the rank's whole set. A common word fills a page
# within a few hundred articles; a rare one's whole set is small.
# SQLite reads the newest WINDOW articles (WINDOW_BELOW below the top rank) from
# published_at's index and checks each against the rank's set of ids.
# PostgreSQL adds `published_at >= the date of the PG_WINDOW-th newest article`
# to the top rank's conditions, so the title GIN index and the date index meet in
# a bitmap: no article outside the window is read. Below the top rank the full
# vector must match too: its GIN lists cover the whole table (hundreds of
# milliseconds for a common word on a million articles), so the window's
# articles that pass the title conditions are checked one by one instead,
# newest first, among the newest PG_WINDOW_BELOW (each check reads and
# decompresses a TOASTed vector, hence the smaller window).
WINDOW = 5000
WINDOW_BELOW = 5000
PG_WINDOW = 5000
PG_WINDOW_BELOW = 2000


def _ranked(session: Session, groups, filters: _Filters, limit: int | None, offset: int):  # type: ignore[no-untyped-def]
    """[(article id, title rank)] of the page, best first."""
    pg = session.get_bind().dialect.name == "postgresql"
    if pg:  # every statement of the search without sequential scans (see _without_seqscan)
        previous = session.execute(text("SELECT current_setting('enable_seqscan'), "
                                        "set_config('enable_seqscan', 'off', true)")).one()[0]
        found = _ranked_here(session, groups, filters, limit, offset)
        session.execute(text("SELECT set_config('enable_seqscan', :value, true)"), {"value": previous})
        return found
    return _ranked_here(session, groups, filters, limit, offset)


def _ranked_here(session: Session, groups, filters: _Filters, limit: int | None, offset: int):  # type: ignore[no-untyped-def]
    positive = [group for group in groups if not group[0].negated]
    want = None if limit is None else offset + limit
    pg = session.get_bind().dialect.name == "postgresql"
    ranks = _pg_ranks if pg else _sqlite_ranks
    found: list[tuple[int, float]] = []
    boundary: Any = None
    below: Any = None
    if pg and want is not None:
        boundary = _pg_window_start(session, PG_WINDOW)
    for rank in range(len(positive), -1, -1):
        together = rank > 0 and comb(len(positive), rank) > MAX_LEVEL_TERMS
        need = None if want is None else want - len(found)
        rows: list[Any] = []
        windowed = need is not None and not together and (
            boundary is not None if pg else filters.site_id is None and filters.tag is None)
        if pg and windowed and rank < len(positive):
            if below is None:
                below = _pg_window_start(session, PG_WINDOW_BELOW)
            windowed = below is not None
        if windowed:
            if pg:
                window = boundary if rank == len(positive) else below
            else:
                window = WINDOW if rank == len(positive) else WINDOW_BELOW
            rows = _run(session, _paged(session, ranks(groups, positive, rank, filters, together, window), need))
        if not windowed or len(rows) < need:  # type: ignore[operator]
            rows = _run(session, _paged(session, ranks(groups, positive, rank, filters, together, None), need))
        found.extend((row[0], float(row[1])) for row in rows)
        if together or (want is not None and len(found) >= want):
            break
    return found[offset:want]


def _at_least(titles: list[str], rank: int, both: str, join: str) -> str:
    """A query for: at least `rank` of the `titles` queries match (`both`/`join`: AND/OR)."""
    return join.join(f"({both.join(chosen)})" for chosen in combinations(titles, rank))


def _run(session: Session, statement: tuple[Any, dict[str, Any]]) -> list[Any]:
    stmt, params = statement
    return list(session.execute(stmt, params))


def _paged(session: Session, statement, limit: int | None):  # type: ignore[no-untyped-def]
    stmt, params = statement
    if limit is None:
        return stmt, params
    if session.get_bind().dialect.name == "postgresql":
        return stmt.limit(limit), params
    return text(f"{stmt.text} LIMIT {int(limit)}"), params


# -- SQLite: FTS5 finds the ids, the covering index (id, published_at, site_id) dates them


def _sqlite_date(value: datetime) -> Any:
    """`value` as articles.published_at stores it in SQLite (UTC text), for a text() statement."""
    dialect = sqlite.dialect()
    return m.Article.__table__.c.published_at.type.dialect_impl(dialect).bind_processor(dialect)(value)


def _sqlite_where(filters: _Filters) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    if filters.site_id is not None:
        clauses.append("a.site_id = :site_id")
        params["site_id"] = filters.site_id
    if filters.since is not None:
        clauses.append("a.published_at >= :since")
        params["since"] = _sqlite_date(filters.since)
    if filters.until is not None:
        clauses.append("a.published_at <= :until")
        params["until"] = _sqlite_date(filters.until)
    if filters.tag is not None:
        clauses.append(
            f"a.id IN (SELECT t.article_id FROM {m.ArticleTag.__tablename__} AS t "
            f"JOIN {m.Tag.__tablename__} AS g ON g.id = t.tag_id WHERE g.name = :tag)"
        )
        params["tag"] = filters.tag
    return "".join(f" AND {clause}" for clause in clauses), params


def _in_fts(table_name: str, param: str, negated: bool = False) -> str:
    return f"a.id {'NOT IN' if negated else 'IN'} (SELECT rowid FROM {table_name} WHERE {table_name} MATCH :{param})"


def _sqlite_matching(
    conditions: list[str], columns: str, filters: _Filters, window: int | None = None
) -> tuple[str, dict[str, Any]]:
    where, params = _sqlite_where(filters)
    source = f"articles AS a INDEXED BY {SQLITE_ORDER_INDEX}"
    if window is not None:
        # the newest articles, read backwards from published_at's index (ties: the
        # higher rowid first, undated last); the dates filter them there
        source = (
            f"(SELECT a.id AS id, a.published_at AS published_at FROM articles AS a "
            f"INDEXED BY ix_articles_published_at WHERE 1 = 1{where} "
            f"ORDER BY a.published_at DESC, a.id DESC LIMIT {int(window)}) AS a"
        )
        where = ""
    return f"SELECT {columns} FROM {source} WHERE {' AND '.join(conditions)}{where}", params


def _sqlite_parts(groups, positive, rank: int, together: bool):  # type: ignore[no-untyped-def]
    """(the rank's main set as a rowid subquery, the other conditions, params, score).

    Title conditions read the titles' own index (articles_fts_title): its lists
    are a small part of the articles' (the title column of articles_fts is
    stored among the text's positions)."""
    titles = [fts5_query([group], "title_stems") for group in positive]
    params: dict[str, Any] = {}
    conditions = []
    if rank == len(positive):
        # every part is in the title, so the whole query matches unless an excluded part does
        params["top"] = " AND ".join(titles)
        main = f"SELECT rowid FROM {FTS_TITLE_TABLE} WHERE {FTS_TITLE_TABLE} MATCH :top"
        excluded = [_fts5_phrase(group[0]) for group in groups if group[0].negated]
        if excluded:
            params["excluded"] = "{title_stems text_stems} : (" + " OR ".join(excluded) + ")"
            conditions.append(_in_fts(FTS_TABLE, "excluded", negated=True))
    else:
        params["match"] = fts5_query(groups)
        main = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"
        if rank and not together:
            params["at_least"] = _at_least(titles, rank, " AND ", " OR ")
            conditions.append(_in_fts(FTS_TITLE_TABLE, "at_least"))
        if comb(len(positive), rank + 1) <= MAX_LEVEL_TERMS:
            params["more"] = _at_least(titles, rank + 1, " AND ", " OR ")
            conditions.append(_in_fts(FTS_TITLE_TABLE, "more", negated=True))
    score = str(rank)
    if together:
        score = "0"
        for number, title in enumerate(titles):
            params[f"title{number}"] = title
            score += f" + ({_in_fts(FTS_TITLE_TABLE, f'title{number}')})"
    return main, conditions, params, score


def _sqlite_ranks(groups, positive, rank: int, filters: _Filters, together: bool, window: int | None):  # type: ignore[no-untyped-def]
    """The matches of one title rank (all ranks up to it when `together`), in order."""
    main, conditions, params, score = _sqlite_parts(groups, positive, rank, together)
    sql, where_params = _sqlite_matching([f"a.id IN ({main})", *conditions], f"a.id, {score} AS title_rank",
                                         filters, window)
    # DESC puts NULL last in SQLite
    sql += " ORDER BY title_rank DESC, a.published_at DESC, a.id DESC" if together \
        else " ORDER BY a.published_at DESC, a.id DESC"
    return text(sql), {**params, **where_params}


# -- PostgreSQL: article_search's GIN indexes find the ids, ix_article_search_order dates them


def _ts(column: str, param: str) -> Any:
    return literal_column(f"{PG_TABLE}.{column}").op("@@", return_type=Boolean)(
        cast(bindparam(param, type_=String), TSQUERY))


def _pg_matching(stmt, filters: _Filters):  # type: ignore[no-untyped-def]
    article_id = literal_column(f"{PG_TABLE}.article_id")
    published = literal_column(f"{PG_TABLE}.published_at", type_=m.Article.__table__.c.published_at.type)
    if filters.site_id is not None:
        stmt = stmt.join(m.Article, m.Article.id == article_id).where(m.Article.site_id == filters.site_id)
    if filters.since is not None:
        stmt = stmt.where(published >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(published <= filters.until)
    if filters.tag is not None:
        stmt = stmt.where(article_id.in_(
            select(m.ArticleTag.article_id).join(m.Tag, m.Tag.id == m.ArticleTag.tag_id).where(m.Tag.name == filters.tag)
        ))
    return stmt


def _pg_window_start(session: Session, size: int) -> datetime | None:
    """The date of the size-th newest article (None when fewer are dated)."""
    return session.execute(
        text(f"SELECT published_at FROM {PG_TABLE} ORDER BY published_at DESC NULLS LAST, article_id DESC "
             f"OFFSET {int(size)} LIMIT 1")
    ).scalar()


def _pg_ranks(groups, positive, rank: int, filters: _Filters, together: bool, window: datetime | None):  # type: ignore[no-untyped-def]
    """The matches of one title rank (all ranks up to it when `together`), in order;
    with `window`, only those published since then."""
    titles = [_tsquery([group]) for group in positive]
    params: dict[str, Any] = {}
    score: Any = literal_column(str(rank))
    order = [literal_column(f"{PG_TABLE}.published_at").desc().nulls_last(),
             literal_column(f"{PG_TABLE}.article_id").desc()]
    stmt = select(literal_column(f"{PG_TABLE}.article_id").label("article_id")).select_from(table(PG_TABLE))
    if window is not None:
        stmt = stmt.where(literal_column(f"{PG_TABLE}.published_at", type_=m.Article.__table__.c.published_at.type)
                          >= bindparam("window_start", window, type_=m.Article.__table__.c.published_at.type))
    if rank == len(positive):
        # every part is in the title, so the whole query matches unless an excluded part does
        params["top"] = " & ".join(titles)
        stmt = stmt.where(_ts("title_vector", "top"))
        excluded = [replace(group[0], negated=False) for group in groups if group[0].negated]
        if excluded:
            params["excluded"] = " | ".join(_tsquery([[item]]) for item in excluded)
            stmt = stmt.where(~_ts("search_vector", "excluded"))
    else:
        # the title's conditions first: the title vector is in the row, the full one
        # is TOASTed and costs a read and a decompression per article checked
        if rank and not together:
            params["at_least"] = _at_least(titles, rank, " & ", " | ")
            stmt = stmt.where(_ts("title_vector", "at_least"))
        if comb(len(positive), rank + 1) <= MAX_LEVEL_TERMS:
            params["more"] = _at_least(titles, rank + 1, " & ", " | ")
            stmt = stmt.where(~_ts("title_vector", "more"))
        params["tsq"] = _tsquery(groups)
        if window is None:
            stmt = stmt.where(_ts("search_vector", "tsq"))
        else:
            # the function, not the operator: no index serves it, so the full vectors
            # are checked only for the window's articles that pass the rest, newest
            # first, not read from the GIN index's lists for the whole table
            stmt = stmt.where(func.ts_match_vq(literal_column(f"{PG_TABLE}.search_vector"),
                                               cast(bindparam("tsq", type_=String), TSQUERY)))
    if together:
        score = literal_column("0")
        for number, title in enumerate(titles):
            params[f"title{number}"] = title
            score = score + cast(_ts("title_vector", f"title{number}"), Integer)
    stmt = _pg_matching(stmt.add_columns(score.label("title_rank"), literal_column(f"{PG_TABLE}.published_at").label("published_at")), filters)
    if together:
        order.insert(0, literal_column("title_rank").desc())
    if window is None:
        # the whole set, found through the GIN indexes: the fence (OFFSET 0) keeps the
        # planner from reading ix_article_search_order to its end for a rank that is rare
        fenced = stmt.offset(0).subquery(PG_TABLE)
        return select(fenced.c.article_id, fenced.c.title_rank).order_by(*order), params
    return stmt.order_by(*order), params


def count(
    session: Session,
    query: str,
    *,
    site: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    tag: str | None = None,
) -> int:
    """How many articles `search` would find with no limit (exactly)."""
    groups = parse_query(query)
    filters = _filters(session, site=site, since=since, until=until, tag=tag)
    if session.get_bind().dialect.name == "postgresql":
        stmt = select(func.count()).select_from(table(PG_TABLE)).where(_ts("search_vector", "tsq"))
        return int(_without_seqscan(session, _pg_matching(stmt, filters), {"tsq": _tsquery(groups)})[0][0])
    params = {"fts": fts5_query(groups)}
    if filters == _Filters():
        # every FTS row is an article's (0002's trigger deletes it with the article)
        sql = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts"
        return int(session.execute(text(sql), params).scalar_one())
    sql, where_params = _sqlite_matching([_in_fts(FTS_TABLE, "fts")], "count(*)", filters)
    return int(session.execute(text(sql), {**params, **where_params}).scalar_one())


def search(
    session: Session,
    query: str,
    *,
    site: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    tag: str | None = None,
    limit: int | None = 20,
    offset: int = 0,
    highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
) -> list[SearchHit]:
    """Articles matching `query`, best first, each with a highlighted snippet.

    Best first means: the articles whose title holds more of the query's
    required parts first, then newest first (undated last), then the higher id;
    the same order on both backends. `since`/`until` bound `published_at`
    (inclusive); `tag` is a tag name; `limit` None means all, `offset` skips
    that many. Raises QueryError (a ValueError) for a query with no words to
    look for; `count` says how many there are in all.
    """
    groups = parse_query(query)
    _check_page(limit, offset)
    filters = _filters(session, site=site, since=since, until=until, tag=tag)
    ranked = _ranked(session, groups, filters, limit, offset)
    if not ranked:
        return []
    rows = {}
    for start in range(0, len(ranked), 500):
        rows.update(
            (row.id, row)
            for row in session.execute(
                select(
                    m.Article.id,
                    m.Site.name.label("site"),
                    m.Article.url,
                    m.Article.title,
                    m.Article.lead,
                    m.Article.body,
                    m.Article.published_at,
                )
                .join(m.Site, m.Site.id == m.Article.site_id)
                .where(m.Article.id.in_([article_id for article_id, _ in ranked[start:start + 500]]))
            )
        )
    stems = query_stems(groups)
    prefixes = query_prefixes(groups)
    matched: dict[str, bool] = {}
    return [
        SearchHit(
            id=article_id,
            site=rows[article_id].site,
            url=rows[article_id].url,
            title=rows[article_id].title,
            published_at=rows[article_id].published_at,
            rank=rank_value,
            snippet=make_snippet(
                [rows[article_id].lead or "", *rows[article_id].body.split("\n")],
                stems,
                highlight=highlight,
                prefixes=prefixes,
                matched=matched,
            )
            or make_snippet([rows[article_id].title or ""], stems, highlight=highlight, prefixes=prefixes,
                            matched=matched),
        )
        for article_id, rank_value in ranked
    ]


def _without_seqscan(session: Session, stmt: Any, params: dict[str, Any]) -> list[Any]:
    # The planner prices `search_vector @@ q` as cheap, so on a small heap it may
    # prefer a sequential scan that de-TOASTs every article's vector (seconds on
    # 200,000 articles) to the GIN index. Switch that off for this one statement.
    previous = session.execute(text("SELECT current_setting('enable_seqscan')")).scalar_one()
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    # No `finally`: after an error the transaction is aborted, the setting dies
    # with it, and a reset would raise InFailedSqlTransaction over the real error.
    rows = list(session.execute(stmt, params))
    session.execute(text("SELECT set_config('enable_seqscan', :value, true)"), {"value": previous})
    return rows


def make_snippet(
    paragraphs: Sequence[str],
    stems: set[str],
    *,
    highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
    size: int = SNIPPET_WORDS,
    prefixes: tuple[str, ...] = (),
    matched: dict[str, bool] | None = None,
) -> str:
    """About `size` words around the densest match, matching words highlighted
    (a word matches when one of its stems is in `stems` or begins with one of `prefixes`).
    `matched` caches which tokens match, for the snippets of one search.

    Returns "" when no paragraph contains a matching word."""
    if matched is None:
        matched = {}
    best: tuple[int, int, list[str], list[int]] | None = None
    for paragraph in paragraphs:
        tokens = paragraph.split()
        hits = []
        for i, token in enumerate(tokens):
            hit = matched.get(token)
            if hit is None:
                hit = matched[token] = _token_matches(token, stems, prefixes)
            if hit:
                hits.append(i)
        if not hits:
            continue
        # the window of `size` tokens that holds the most distinct matches
        for start_hit in hits:
            start = max(0, start_hit - 3)
            inside = [i for i in hits if start <= i < start + size]
            score = len({_token_stem(tokens[i]) for i in inside}) * 100 + len(inside)
            if best is None or score > best[0]:
                best = (score, start, tokens, inside)
    if best is None:
        return ""
    _, start, tokens, inside = best
    start = max(0, min(start, len(tokens) - size))
    marked = set(inside)
    out = []
    for i in range(start, min(len(tokens), start + size)):
        token = tokens[i]
        out.append(_mark(token, highlight) if i in marked else token)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + size < len(tokens) else ""
    return prefix + " ".join(out) + suffix


@lru_cache(maxsize=100_000)
def _token_stems(token: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(token))


def _token_stem(token: str) -> str:
    found = _token_stems(token)
    return found[0] if found else ""


def _token_matches(token: str, stems: set[str], prefixes: tuple[str, ...] = ()) -> bool:
    return any(s in stems or s.startswith(prefixes) for s in _token_stems(token)) if prefixes \
        else any(s in stems for s in _token_stems(token))


_MARKED = re.compile(f"[{WORD_CLASS[1:-1]}{INVISIBLE}]+(?:[-‐][{WORD_CLASS[1:-1]}{INVISIBLE}]+)*")


def _mark(token: str, highlight: tuple[str, str]) -> str:
    # keep punctuation outside the marks: «акимов», -> «[акимов]»,
    match = _MARKED.search(token)
    if match is None:
        return token
    return token[: match.start()] + highlight[0] + match.group() + highlight[1] + token[match.end() :]


# -- keeping the SQLite index in sync -----------------------------------------------


def _has_fts(connection: Connection, name: str = FTS_TABLE) -> bool:
    return (
        connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).first()
        is not None
    )


def index_articles(
    connection: Connection, rows: Iterable[tuple[int, str | None, str | None, str | None]]
) -> int:
    """Write the FTS rows of (id, title, lead, body) tuples, replacing old ones (SQLite)."""
    count = 0
    batch: list[tuple[int, str, str, str]] = []
    for article_id, title, lead, body in rows:
        batch.append((article_id, *search_shadow(title, lead, body)))
        if len(batch) >= 1000:
            count += _write(connection, batch)
            batch = []
    return count + _write(connection, batch)


def _write(connection: Connection, batch: list[tuple[int, str, str, str]]) -> int:
    if not batch:
        return 0
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [(row[0],) for row in batch])
    raw.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?)", batch
    )
    if _has_fts(connection, FTS_TITLE_TABLE):  # not while migrations before 0008 run
        raw.executemany(f"DELETE FROM {FTS_TITLE_TABLE} WHERE rowid = ?", [(row[0],) for row in batch])
        raw.executemany(f"INSERT INTO {FTS_TITLE_TABLE} (rowid, title_stems) VALUES (?, ?)",
                        [(row[0], row[1]) for row in batch])
    return len(batch)


def rebuild_search_index(connection: Connection) -> int:
    """Rebuild the whole SQLite FTS index from `articles`; return the articles indexed.

    A no-op on PostgreSQL, where a trigger keeps article_search in step."""
    if connection.dialect.name != "sqlite" or not _has_fts(connection):
        return 0
    connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    tables = [FTS_TABLE]
    if _has_fts(connection, FTS_TITLE_TABLE):
        connection.exec_driver_sql(f"DELETE FROM {FTS_TITLE_TABLE}")
        tables.append(FTS_TITLE_TABLE)
    count, last_id = 0, 0
    while True:  # in id order, 2000 at a time: constant memory on any size
        rows = connection.exec_driver_sql(
            "SELECT id, title, lead, body FROM articles WHERE id > ? ORDER BY id LIMIT 2000",
            (last_id,),
        ).all()
        if not rows:
            break
        count += index_articles(connection, [tuple(row) for row in rows])  # type: ignore[misc]
        last_id = rows[-1][0]
    for name in tables:
        connection.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('optimize')")
    return count


_INDEXED = ("title", "lead", "body")


def sync_after_flush(session: Session, _context: Any) -> None:
    """Index the articles this flush inserted or whose text it changed (SQLite).

    An `after_flush` listener on one database's sessionmaker (storage.db.Database
    registers it on SQLite), never on the Session class: importing storage
    changes no other code's sessions."""
    changed = [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, m.Article) and (obj in session.new or _text_changed(obj))
    ]
    if not changed:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite" or not _has_fts(connection):
        return
    index_articles(connection, [(a.id, a.title, a.lead, a.body) for a in changed])


def _text_changed(article: m.Article) -> bool:
    state = inspect(article)
    return any(state.attrs[name].history.has_changes() for name in _INDEXED)


# -- the PostgreSQL twin of the folding rule ----------------------------------------


def pg_search_functions() -> list[str]:
    """The SQL that builds PostgreSQL's search vectors by the rule of "text folding"
    above, from the same constants. Migration 0007 holds a frozen copy;
    tests/test_search_parity.py checks the two agree, so a change of the rule
    needs a migration."""
    fold_word = f"""CREATE FUNCTION newsdb_fold_word(word text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT translate(
    CASE WHEN word ~ '{LATIN_LETTERS}' AND word ~ '{CYRILLIC_LETTERS}' THEN
        CASE WHEN length(regexp_replace(word, '[^{CYRILLIC_LETTERS[1:-1]}]', '', 'g'))
                  >= length(regexp_replace(word, '[^{LATIN_LETTERS[1:-1]}]', '', 'g'))
             THEN translate(word, '{LATIN_LOOKALIKES}', '{CYRILLIC_LOOKALIKES}')
             ELSE translate(word, '{CYRILLIC_LOOKALIKES}', '{LATIN_LOOKALIKES}') END
    ELSE word END,
    '{LOWER_FROM}',
    '{LOWER_TO}')
$$"""
    invisible = " || ".join(f"chr({ord(c)})" for c in INVISIBLE)
    # plpgsql, not sql: its plan is kept for the session, where a SQL function's
    # would be made again for every row a trigger indexes. Most words need no
    # folding: the regular expressions pick the few that do (translate() with a
    # table this long costs more than the rest of the work together).
    vector = f"""CREATE FUNCTION newsdb_search_vector(title text, lead text, body text) RETURNS tsvector
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
RETURN (
WITH fields (field, weight, content) AS (
    VALUES (1, 'A', title), (2, 'B', lead), (3, 'C', body)
), found AS (
    SELECT f.field, f.weight, w.ord, w.match[1] AS word
    FROM fields AS f
    CROSS JOIN LATERAL regexp_matches(
        translate(normalize(coalesce(f.content, ''), NFC), {invisible}, ''),
        '{WORD_CLASS}+', 'g') WITH ORDINALITY AS w (match, ord)
), numbered AS (
    SELECT weight,
           CASE WHEN word ~ '{LATIN_LETTERS}' AND word ~ '{CYRILLIC_LETTERS}' THEN newsdb_fold_word(word)
                WHEN word ~ '[{LOWER_FROM}]' THEN translate(word, '{LOWER_FROM}', '{LOWER_TO}')
                ELSE word END AS folded,
           least(row_number() OVER (ORDER BY field, ord) + CASE WHEN field > 1 THEN 1 ELSE 0 END, 16383) AS pos
    FROM found
    WHERE length(word) <= {MAX_WORD}
), stems AS (
    SELECT folded, (ts_lexize('newsdb_russian', folded))[1] AS stem
    FROM (SELECT DISTINCT folded FROM numbered) AS distinct_words
)
SELECT coalesce((
    SELECT string_agg('''' || stem || ''':' || positions, ' ')
    FROM (SELECT s.stem, string_agg(n.pos || n.weight, ',' ORDER BY n.pos) AS positions
          FROM numbered AS n JOIN stems AS s USING (folded)
          GROUP BY s.stem) AS per_stem
)::tsvector, ''::tsvector)
);
END
$$"""
    return [
        "CREATE TEXT SEARCH DICTIONARY newsdb_russian (TEMPLATE = snowball, Language = russian)",
        fold_word,
        vector,
    ]
