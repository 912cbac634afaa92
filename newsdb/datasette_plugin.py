"""newsdb's Datasette plugin: a newsdb SQLite file browsed the way `newsdb` queries it.

Installed with newsdb (the `datasette` entry point in pyproject.toml), it acts
only on databases that hold newsdb's search index (`articles_fts` with stem
columns), through Datasette's own hooks:

- `prepare_connection` replaces `escape_fts`, the SQL function Datasette's table
  search wraps the search box text in (`... MATCH escape_fts(:search)`), by
  newsdb's search language (storage.search: every word in any grammatical form,
  "phrase", OR, NOT/-word, prefix*), so `?_search=выборов` finds "выборы". It
  also registers the functions the canned queries of datasette/metadata.yml call:
  `newsdb_speaker_matches(query, speaker, canonical)` (any case form of a name,
  as `newsdb quotes --speaker`) and `newsdb_text_matches(query, text)` (the
  search language over one text).
- `render_cell` shows JSON columns as text: authors as "Анна Ким, Олег Ли",
  other JSON without \\u escapes; times (columns named *_at) in ISO 8601 with
  their offset, as newsdb prints them; in the article_list view, the id links to
  the article's row.
- `extra_css_urls` keeps the rows of the `articles` table page short: its long
  text cells are cut to one line (the row page still shows them whole).

`register_functions(connection)` puts the same functions on a plain sqlite3
connection (what the canned queries need outside Datasette).
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.parse
from functools import lru_cache

import markupsafe
from datasette import hookimpl
from datasette.utils import escape_fts as datasette_escape_fts

from storage.quotes import narrowing_key, speaker_matches, text_matches
from storage.search import FTS_COLUMNS, FTS_TABLE, QueryError, fts5_query, parse_query

# JSON columns of newsdb's tables: a list of names reads best joined, the rest as JSON.
NAME_LISTS = {("articles", "authors")}
JSON_COLUMNS = {("articles", "layers"), ("crawl_runs", "stats"), ("pages", "headers"), ("article_versions", "fields")}
ARTICLE_LIST = "article_list"  # the readable view of articles (see metadata.yml)

# SQLite holds newsdb's times as naive UTC wall time (storage.types.UTCDateTime).
_STORED_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.\d+)?")

_newsdb_databases: set[str] = set()  # Datasette names of the databases found to be newsdb's


def is_newsdb(connection: sqlite3.Connection) -> bool:
    """Whether the connection's database holds newsdb's stemmed search index."""
    columns = {row[0] for row in connection.execute(f"SELECT name FROM pragma_table_info('{FTS_TABLE}')")}
    return set(FTS_COLUMNS) <= columns


# -- SQL functions --------------------------------------------------------------


def escape_fts(query: str | None) -> str | None:
    """The FTS5 query newsdb runs for `query`; Datasette's own escaping when the
    query has nothing newsdb searches for (only stop words or punctuation), so
    the search box never fails where Datasette's would not."""
    if query is None:
        return None
    try:
        return fts5_query(parse_query(query))
    except QueryError:
        return datasette_escape_fts(query)


@lru_cache(maxsize=4096)
def _speaker_matches(query: str, speaker: str | None, canonical: str | None) -> bool:
    return speaker_matches(query, speaker, canonical)


def speaker_matches_sql(query: str | None, speaker: str | None, canonical: str | None) -> int:
    """1 when every word of `query` is, up to case and inflection, a word of the
    written or the canonical speaker (storage.quotes.speaker_matches)."""
    if not query:
        return 0
    # what `newsdb quotes` narrows by in SQL, here a cheap test before the full comparison
    key = narrowing_key(query)
    if key not in (speaker or "").lower().replace("ё", "е") and key not in (canonical or "").lower().replace("ё", "е"):
        return 0
    return int(_speaker_matches(query, speaker, canonical))


@lru_cache(maxsize=1024)
def _parsed(query: str):  # type: ignore[no-untyped-def]
    try:
        return parse_query(query)
    except QueryError:
        return None


def text_matches_sql(query: str | None, text: str | None) -> int:
    """1 when `text` answers `query` in newsdb's search language (words in any
    form, "phrase", OR, NOT/-word, prefix*), as `newsdb search` would
    (storage.quotes.text_matches); 0 when the query has no word to look for."""
    groups = _parsed(query) if query else None
    if not groups or not text:
        return 0
    return int(text_matches(groups, text))


def register_functions(connection: sqlite3.Connection) -> None:
    """newsdb's search language and speaker matching as SQL functions on `connection`."""
    connection.create_function("escape_fts", 1, escape_fts, deterministic=True)
    connection.create_function("newsdb_speaker_matches", 3, speaker_matches_sql, deterministic=True)
    connection.create_function("newsdb_text_matches", 2, text_matches_sql, deterministic=True)


# -- Datasette hooks ------------------------------------------------------------


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so that newsdb's replaces it
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if is_newsdb(conn):
        _newsdb_databases.add(database)
        register_functions(conn)


def readable_json(value: str, names: bool) -> str | None:
    """A JSON text as a reader wants it: a list of names joined by commas, other
    JSON without \\u escapes; None when `value` is not JSON."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if names and isinstance(data, list) and all(isinstance(item, str) for item in data):
        return ", ".join(data)
    return json.dumps(data, ensure_ascii=False)


@hookimpl
def render_cell(value, column, table, database, datasette):  # type: ignore[no-untyped-def]
    if database not in _newsdb_databases:
        return None
    if table == ARTICLE_LIST and column == "id" and value is not None:
        # the view has no primary key, so Datasette links nothing: link the article's row
        url = datasette.urls.row(database, "articles", str(value))
        return markupsafe.Markup('<a href="{}">{}</a>').format(url, value)
    if isinstance(value, str) and ((table, column) in NAME_LISTS or (table, column) in JSON_COLUMNS):
        return readable_json(value, (table, column) in NAME_LISTS)
    if isinstance(value, str) and column.endswith("_at"):
        return readable_time(value)
    return None


def readable_time(value: str) -> str | None:
    """A stored time in ISO 8601 with its offset ("2025-12-20T05:15:00+00:00");
    None when `value` is not a stored time. Display only: the view keeps the stored
    value, so that sorting by it uses the index on articles.published_at."""
    match = _STORED_TIME.fullmatch(value)
    return f"{match.group(1)}T{match.group(2)}+00:00" if match else None


# Short rows on the `articles` table page: the long cells end in "…" on one line, so
# that the title and the date are in sight. A data: URL, because the plugin is one module.
CLIPPED = ("body", "lead", "url", "canonical_url", "page_id", "key", "layers", "content_hash")
TABLE_CSS = (
    ", ".join(f"table.rows-and-columns td.col-{column}" for column in CLIPPED)
    + " { max-width: 16em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }"
)


@hookimpl
def extra_css_urls(template, database, table):  # type: ignore[no-untyped-def]
    if template == "table.html" and table == "articles" and database in _newsdb_databases:
        return ["data:text/css," + urllib.parse.quote(TABLE_CSS)]
    return []
