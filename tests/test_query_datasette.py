"""datasette/metadata.yml: the canned queries and the FTS setup work on a real newsdb SQLite file."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from test_search import add_corpus

from storage.db import open_database

METADATA = Path(__file__).resolve().parent.parent / "datasette" / "metadata.yml"


@pytest.fixture(scope="module")
def metadata():
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@pytest.fixture
def newsdb_file(tmp_path):
    path = tmp_path / "newsdb.sqlite"  # Datasette names the database after the file
    db = open_database(f"sqlite:///{path}")
    with db.session() as session:
        add_corpus(session)
    db.close()
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def canned(metadata):
    return metadata["databases"]["newsdb"]["queries"]


def test_every_canned_query_runs(metadata, newsdb_file):
    assert {"quotes_by_speaker", "articles_by_tag"} <= set(canned(metadata))
    for name, query in canned(metadata).items():
        params = {p: "" for p in re.findall(r"(?<!:):(\w+)", query["sql"])}
        newsdb_file.execute(query["sql"], params).fetchall()  # raises on bad SQL
        assert query.get("title"), f"{name} has no title"


def test_quotes_by_speaker_and_articles_by_tag_find_rows(metadata, newsdb_file):
    quotes = newsdb_file.execute(canned(metadata)["quotes_by_speaker"]["sql"], {"speaker": "Абдиров"}).fetchall()
    assert [row[3] for row in quotes] == ["Выборы пройдут честно"]
    tagged = newsdb_file.execute(canned(metadata)["articles_by_tag"]["sql"], {"tag": "Политика"}).fetchall()
    assert [row[2] for row in tagged] == ["Аким города встретился с жителями", "В Казахстане пройдут выборы акимов районов"]


def test_articles_search_is_configured_the_way_datasette_runs_it(metadata, newsdb_file):
    table = metadata["databases"]["newsdb"]["tables"]["articles"]
    fts, pk = table["fts_table"], table["fts_pk"]
    # Datasette's table search: rowid IN (SELECT rowid FROM <fts> WHERE <fts> MATCH :search),
    # with each word quoted (escape_fts) unless _searchmode=raw.
    sql = (
        f"SELECT title FROM articles WHERE {pk} IN "
        f"(SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH :search) ORDER BY published_at"
    )
    assert [r[0] for r in newsdb_file.execute(sql, {"search": '"выборах"'})] == ["Аким города встретился с жителями"]
    assert len(newsdb_file.execute(sql, {"search": '"акимов"'}).fetchall()) == 1
    # every column the metadata describes exists
    for name, spec in metadata["databases"]["newsdb"]["tables"].items():
        columns = {row[1] for row in newsdb_file.execute(f"PRAGMA table_info([{name}])")}
        assert columns, f"no table {name}"
        assert set(spec.get("columns", {})) <= columns, name
