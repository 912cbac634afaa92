"""Full-text search over article title, lead and body, with Russian stemming.

    hits = search(session, "выборы акимов", site="demo", limit=10)
    hits[0].snippet   # "… проведут [выборы] сельских [акимов] …"

PostgreSQL matches `article_search.search_vector` (a tsvector, `russian`
configuration, kept by a trigger; see migration 0002) and ranks with ts_rank
on the title, then by recency. SQLite's FTS5 has no Russian stemmer, so
`articles_fts` indexes a stemmed shadow of each article computed here with
the same Snowball algorithm PostgreSQL uses; queries are stemmed the same way,
so "выборы акимов" finds "выборов акима" on both. Both indexes are created by
migration 0002. On SQLite the shadow is written whenever a session flushes an
inserted or changed article by the sessions of a storage.db.Database (see
`sync_after_flush`); bulk writes that bypass the ORM call `rebuild_search_index`
or `index_articles` themselves.

A query is words (all required), "quoted phrases", `OR` between two items
and `-word` to exclude. Quote marks, dashes and Latin/Cyrillic look-alike
letters are folded the same way in text and query. Everything else in a query
(FTS5 or tsquery operators, brackets, backslashes) is punctuation: the index
query is built from the query's words, and passed as a bound parameter.

The values a search or filter is given are checked first (`checked_text`): a
NUL, a lone surrogate or more than the bound for its kind raises QueryError
(a ValueError) with one line, never a driver error. A site name the database
does not know raises storage.runs.NoSuchSite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import pymorphy3
import snowballstemmer
from sqlalchemy import Connection, bindparam, func, inspect, literal_column, select, table, text
from sqlalchemy.orm import Session

# fold() starts from the pipeline's own normalization (NFC, spaces, soft hyphens,
# mixed-script repair). Not core.normalize.fold_for_search: it also turns pure-Latin
# words into Cyrillic look-alikes ("covid" -> "соvіd"), which PostgreSQL's tsvector,
# computed in SQL from the stored text, cannot mirror; both backends must fold alike.
from core.normalize import normalize_text
from core.normalize import clip
from storage import models as m
from storage.runs import NoSuchSite, site_id

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("title_stems", "text_stems", "word_forms")
# bm25 weights per FTS column: a title match counts four times a body match.
BM25 = f"bm25({FTS_TABLE}, 4.0, 1.0, 0.0)"
PG_TABLE = "article_search"
DEFAULT_HIGHLIGHT = ("[", "]")
SNIPPET_WORDS = 24

# Bounds on a query: past them PostgreSQL's tsquery parser runs out of stack
# (`stack depth limit exceeded`) and FTS5 spends seconds; no one types more.
MAX_QUERY_LENGTH = 1000  # characters
MAX_QUERY_TERMS = 100  # words, counting those of phrases and OR alternatives
MAX_LIMIT = 2**31 - 1  # a LIMIT both backends take (SQLite overflows past 2**63)

# Schema objects that migration 0002 creates outside storage.models.


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic `include_object` hook: hide the search index from model comparison
    (the FTS5 table and its shadow tables; PostgreSQL's article_search)."""
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

_CYR_LOOKALIKES = dict(zip("AaBCcEeHKMOoPpTXxyiI", "АаВСсЕеНКМОоРрТХхуіІ"))
_FOLD_TABLE = str.maketrans(
    {
        "ё": "е",
        "Ё": "Е",
        "«": '"',
        "»": '"',
        "„": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "\u00ad": None,
        "\u200b": None,
    }
)
_CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
_LATIN = re.compile(r"[A-Za-z]")
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

# Words too common to narrow a search (a subset of PostgreSQL's russian.stop):
# dropped from unquoted queries, kept in the index so phrases still work.
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


def _fold_word(word: str) -> str:
    # A word mixing scripts is written in the script most of its letters use.
    if _CYRILLIC.search(word) and _LATIN.search(word):
        cyr = len(_CYRILLIC.findall(word))
        if cyr >= len(_LATIN.findall(word)):
            return "".join(_CYR_LOOKALIKES.get(ch, ch) for ch in word)
    return word


def fold(text: str) -> str:
    """Text as search compares it: NFC, lower case, ё→е, plain quotes and dashes,
    look-alike Latin letters inside Cyrillic words made Cyrillic."""
    text = normalize_text(text)
    text = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)
    text = WORD.sub(lambda match: _fold_word(match.group()), text)
    return text.lower().translate(_FOLD_TABLE)


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
            found.update(
                option
                for option in (stem(fold(form.word)) for form in parses[0].lexeme)
                if option[:2] == own[:2]
            )
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    return pymorphy3.MorphAnalyzer(lang="ru")


def words(text: str | None) -> list[str]:
    """The folded words of `text`; hyphenated words count as their parts."""
    if not text:
        return []
    return WORD.findall(fold(text).replace("-", " "))


def search_shadow(title: str | None, lead: str | None, body: str | None) -> tuple[str, str, str]:
    """The three FTS columns of one article: title stems, lead+body stems, and the
    inflected word forms (so Datasette's search box finds words as written)."""
    title_words = words(title)
    text_words = words(lead) + words(body)
    title_stems = [stem(w) for w in title_words]
    text_stems = [stem(w) for w in text_words]
    forms = {w for w, s in zip(title_words + text_words, title_stems + text_stems) if w != s}
    return " ".join(title_stems), " ".join(text_stems), " ".join(sorted(forms))


# -- query parsing ------------------------------------------------------------------

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class _Item:
    words: tuple[str, ...]  # folded; more than one word means a phrase
    negated: bool = False


def parse_query(query: str) -> list[list[_Item]]:
    """The query as AND-ed groups of OR-ed items; QueryError when it is empty,
    not text, or past MAX_QUERY_LENGTH / MAX_QUERY_TERMS."""
    checked_text(query, "search query", MAX_QUERY_LENGTH)
    groups: list[list[_Item]] = []
    pending_or = False
    for match in _TOKEN.finditer(fold(query)):
        negated, phrase, bare = match.group(1) == "-", match.group(2), match.group(3)
        if bare is not None:
            if bare == "or":
                pending_or = bool(groups)  # a leading OR has nothing to join: dropped, as a trailing one is
                continue
            if bare.startswith("-") and len(bare) > 1:
                negated, bare = True, bare[1:]
            found = WORD.findall(bare.replace("-", " "))
            if not found:
                continue
            if len(found) == 1 and found[0] in STOP_WORDS and not pending_or:
                continue
            item = _Item(tuple(found), negated)
        else:
            found = WORD.findall(phrase.replace("-", " "))
            if not found:
                continue
            item = _Item(tuple(found), negated)
        if pending_or and not item.negated:
            groups[-1].append(item)
        else:
            groups.append([item])
        pending_or = False
    if not any(not item.negated for group in groups for item in group):
        raise QueryError(f"nothing to search for in {clip(query)!r}")
    terms = sum(len(item.words) for group in groups for item in group)
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"the search query has too many words ({terms}, at most {MAX_QUERY_TERMS})")
    return groups


def _fts5_query(groups: list[list[_Item]]) -> str:
    def phrase(item: _Item) -> str:
        if len(item.words) == 1 and not item.negated:
            options = query_stems_of(item.words[0])
            if len(options) > 1:
                return "(" + " OR ".join(f'"{option}"' for option in options) + ")"
        return '"' + " ".join(stem(w) for w in item.words) + '"'

    positive = []
    negative = []
    for group in groups:
        if group[0].negated:
            negative.append(phrase(group[0]))
        elif len(group) == 1:
            positive.append(phrase(group[0]))
        else:
            positive.append("(" + " OR ".join(phrase(item) for item in group) + ")")
    expression = " AND ".join(positive)
    for item in negative:
        expression += f" NOT {item}"
    return "{title_stems text_stems} : (" + expression + ")"


def _tsquery(groups: list[list[_Item]]) -> str:
    def lexeme(word: str) -> str:
        return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"

    def phrase(item: _Item) -> str:
        # Lexemes are our stems, parsed with the `simple` configuration so that
        # PostgreSQL does not stem them again; its `russian` index has no stop
        # words, so a phrase skips them and widens the distance instead.
        if len(item.words) == 1 and not item.negated:
            return "(" + " | ".join(lexeme(s) for s in query_stems_of(item.words[0])) + ")"
        out, gap = "", 0
        for word in item.words:
            gap += 1
            if word in STOP_WORDS:
                continue
            out += (f" <{gap}> " if out else "") + lexeme(stem(word))
            gap = 0
        return "(" + out + ")" if out else "('')"

    parts = []
    for group in groups:
        if group[0].negated:
            parts.append("!" + phrase(group[0]))
        else:
            parts.append("(" + " | ".join(phrase(item) for item in group) + ")")
    return " & ".join(parts)


def query_stems(groups: list[list[_Item]]) -> set[str]:
    """The stems a snippet highlights: every word the query looks for."""
    found: set[str] = set()
    for group in groups:
        for item in group:
            if not item.negated:
                for word in item.words:
                    found.update(query_stems_of(word))
    return found


# -- search -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One article found by a search, best first."""

    id: int
    site: str
    url: str
    title: str | None
    published_at: datetime | None
    rank: float  # higher is better; comparable within one search only
    snippet: str


def search(
    session: Session,
    query: str,
    *,
    site: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    tag: str | None = None,
    limit: int = 20,
    highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
) -> list[SearchHit]:
    """Articles matching `query`, best first, each with a highlighted snippet.

    `since`/`until` bound `published_at` (inclusive); `tag` is a tag name.
    Raises ValueError for a query with no words to look for.
    """
    groups = parse_query(query)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {clip(str(limit))}")
    if tag is not None:
        checked_text(tag, "tag")
    if site is not None:
        check_site(session, site)
    if session.get_bind().dialect.name == "postgresql":
        # Match on the full vector (GIN), rank on the tiny title vector: title
        # matches first, then newest first (see migration 0002 for why).
        article_id = literal_column(f"{PG_TABLE}.article_id")
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq"))
        rank = func.ts_rank(literal_column(f"{PG_TABLE}.title_vector"), tsquery)
        stmt = select(article_id, rank.label("rank")).select_from(table(PG_TABLE))
        stmt = stmt.where(literal_column(f"{PG_TABLE}.search_vector").op("@@")(tsquery))
        if (site, since, until, tag) != (None, None, None, None):
            stmt = stmt.join(m.Article, m.Article.id == article_id)
        params: dict[str, Any] = {"tsq": _tsquery(groups)}
        order = literal_column("rank").desc()
        recency = literal_column(f"{PG_TABLE}.published_at").desc().nulls_last()
    else:
        rowid = literal_column(f"{FTS_TABLE}.rowid")
        stmt = select(rowid, literal_column(f"-{BM25}").label("rank"))
        stmt = stmt.select_from(table(FTS_TABLE)).where(text(f"{FTS_TABLE} MATCH :fts"))
        if (site, since, until, tag) != (None, None, None, None):
            # Only filters need the articles row: without them the FTS index
            # alone answers, twice as fast on a large database.
            stmt = stmt.join(m.Article, m.Article.id == rowid)
        params = {"fts": _fts5_query(groups)}
        order = literal_column(BM25)
        recency = None
    if site is not None:
        stmt = stmt.join(m.Site, m.Site.id == m.Article.site_id).where(m.Site.name == site)
    if since is not None:
        stmt = stmt.where(m.Article.published_at >= since)
    if until is not None:
        stmt = stmt.where(m.Article.published_at <= until)
    if tag is not None:
        stmt = stmt.where(
            m.Article.id.in_(
                select(m.ArticleTag.article_id)
                .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
                .where(m.Tag.name == tag)
            )
        )
    tie_breaks = [recency] if recency is not None else []
    stmt = stmt.order_by(order, *tie_breaks, stmt.selected_columns[0]).limit(limit)
    if recency is not None:
        ranked = _without_seqscan(session, stmt, params)
    else:
        ranked = [(row[0], float(row[1])) for row in session.execute(stmt, params)]
    if not ranked:
        return []
    rows = {
        row.id: row
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
            .where(m.Article.id.in_([article_id for article_id, _ in ranked]))
        )
    }
    stems = query_stems(groups)
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
            )
            or make_snippet([rows[article_id].title or ""], stems, highlight=highlight),
        )
        for article_id, rank_value in ranked
    ]


def _without_seqscan(session: Session, stmt: Any, params: dict[str, Any]) -> list[tuple[int, float]]:
    # The planner prices `search_vector @@ q` as cheap, so on a small heap it may
    # prefer a sequential scan that de-TOASTs every article's vector (seconds on
    # 200,000 articles) to the GIN index. Switch that off for this one statement.
    previous = session.execute(text("SELECT current_setting('enable_seqscan')")).scalar_one()
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    # No `finally`: after an error the transaction is aborted, the setting dies
    # with it, and a reset would raise InFailedSqlTransaction over the real error.
    ranked = [(row[0], float(row[1])) for row in session.execute(stmt, params)]
    session.execute(text("SELECT set_config('enable_seqscan', :value, true)"), {"value": previous})
    return ranked


def make_snippet(
    paragraphs: Sequence[str],
    stems: set[str],
    *,
    highlight: tuple[str, str] = DEFAULT_HIGHLIGHT,
    size: int = SNIPPET_WORDS,
) -> str:
    """About `size` words around the densest match, matching words highlighted.

    Returns "" when no paragraph contains a matching word."""
    best: tuple[int, int, list[str], list[int]] | None = None
    for paragraph in paragraphs:
        tokens = paragraph.split()
        hits = [i for i, token in enumerate(tokens) if _token_matches(token, stems)]
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


def _token_matches(token: str, stems: set[str]) -> bool:
    return any(s in stems for s in _token_stems(token))


def _mark(token: str, highlight: tuple[str, str]) -> str:
    # keep punctuation outside the marks: «акимов», -> «[акимов]»,
    match = re.search(r"[^\W_]+(?:[-‐][^\W_]+)*", token)
    if match is None:
        return token
    return token[: match.start()] + highlight[0] + match.group() + highlight[1] + token[match.end() :]


# -- keeping the SQLite index in sync -----------------------------------------------


def _has_fts(connection: Connection) -> bool:
    return (
        connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
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
    return len(batch)


def rebuild_search_index(connection: Connection) -> int:
    """Rebuild the whole SQLite FTS index from `articles`; return the articles indexed.

    A no-op on PostgreSQL, where a trigger keeps article_search in step."""
    if connection.dialect.name != "sqlite" or not _has_fts(connection):
        return 0
    connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
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
    connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
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
