"""datasette/metadata.yml and newsdb's Datasette plugin on a real newsdb SQLite file, without a server
(tests/test_datasette_server.py runs the same through a real Datasette server and browser)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from datasette.utils import escape_fts as datasette_escape_fts
from test_search import add_corpus

from newsdb.datasette_plugin import is_newsdb, readable_json, readable_time, register_functions, text_matches_sql
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
    connection = sqlite3.connect(path)  # migration 0010 made the article_list view
    register_functions(connection)
    yield connection
    connection.close()


def canned(metadata):
    return metadata["databases"]["newsdb"]["queries"]


def run(connection, metadata, name, **params):
    return connection.execute(canned(metadata)[name]["sql"], params).fetchall()


def test_every_canned_query_runs(metadata, newsdb_file):
    assert {"quotes_by_speaker", "said_about", "sources_by_count", "articles_by_tag"} <= set(canned(metadata))
    for name, query in canned(metadata).items():
        params = {p: "" for p in re.findall(r"(?<!:):(\w+)", query["sql"])}
        newsdb_file.execute(query["sql"], params).fetchall()  # raises on bad SQL
        assert query.get("title"), f"{name} has no title"


def test_quotes_by_speaker_finds_every_case_form(metadata, newsdb_file):
    # the corpus has one quote, by "председатель ЦИК", canonical "Нурлан Абдиров"
    for speaker in ("Абдиров", "Абдирова", "абдирову", "АБДИРОВЫМ", "Нурлана Абдирова", "председателя ЦИК"):
        quotes = run(newsdb_file, metadata, "quotes_by_speaker", speaker=speaker)
        assert [row[3] for row in quotes] == ["Выборы пройдут честно"], speaker
    for other in ("Абдрахманов", "Нурлан Токаев", "министр"):
        assert run(newsdb_file, metadata, "quotes_by_speaker", speaker=other) == [], other
    assert len(run(newsdb_file, metadata, "quotes_by_speaker", speaker="")) == 1  # no name: every quote


def test_said_about_matches_speaker_and_topic_in_any_form(metadata, newsdb_file):
    rows = run(newsdb_file, metadata, "said_about", speaker="Абдирова", about="выборах")
    assert [row[3] for row in rows] == ["Выборы пройдут честно"]
    assert run(newsdb_file, metadata, "said_about", speaker="Абдирова", about="тенге") == []
    assert run(newsdb_file, metadata, "said_about", speaker="Абдирова", about="выборы -честно") == []
    assert run(newsdb_file, metadata, "said_about", speaker="Токаев", about="выборы") == []


def test_sources_by_count_groups_by_base_form(metadata, newsdb_file):
    for title, written, base in (("Курс тенге%", "пресс-службу Нацбанка", "пресс-служба Нацбанка"),
                                 ("Аким города%", "пресс-службы Нацбанка", "пресс-служба Нацбанка"),
                                 ("Погода%", "Казгидромет", "Казгидромет")):
        newsdb_file.execute("UPDATE articles SET source = ?, source_base = ? WHERE title LIKE ?", (written, base, title))
    rows = run(newsdb_file, metadata, "sources_by_count")
    assert [(row[0], row[1], sorted(row[2].split(","))) for row in rows] == [
        ("пресс-служба Нацбанка", 2, ["пресс-службу Нацбанка", "пресс-службы Нацбанка"]),
        ("Казгидромет", 1, ["Казгидромет"]),
    ]


def test_articles_by_tag_finds_rows(metadata, newsdb_file):
    tagged = run(newsdb_file, metadata, "articles_by_tag", tag="Политика")
    assert [row[2] for row in tagged] == ["Аким города встретился с жителями", "В Казахстане пройдут выборы акимов районов"]


def test_search_box_finds_every_word_form(metadata, newsdb_file):
    table = metadata["databases"]["newsdb"]["tables"]["articles"]
    fts, pk = table["fts_table"], table["fts_pk"]
    # Datasette's table search (datasette/filters.py): the box's text goes through escape_fts
    sql = (
        f"SELECT title FROM articles WHERE {pk} IN "
        f"(SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH escape_fts(:search)) ORDER BY published_at"
    )
    both = ["В Казахстане пройдут выборы акимов районов", "Аким города встретился с жителями"]
    # "выборов" is in neither text: one has "выборы", the other "выборах"
    assert [r[0] for r in newsdb_file.execute(sql, {"search": "выборов"})] == both
    assert [r[0] for r in newsdb_file.execute(sql, {"search": "выборов Алматы"})] == both[1:]
    assert [r[0] for r in newsdb_file.execute(sql, {"search": '"курсом тенге"'})] == ["Курс тенге укрепился к доллару"]
    assert [r[0] for r in newsdb_file.execute(sql, {"search": "аким -алматы"})] == both[:1]
    # Datasette's own escaping finds no form the text does not hold: the plugin is what finds them
    raw = sql.replace("escape_fts(:search)", ":search")
    assert newsdb_file.execute(raw, {"search": datasette_escape_fts("выборов")}).fetchall() == []
    # a query of stop words alone falls back to Datasette's escaping instead of failing
    newsdb_file.execute(sql, {"search": "и в"}).fetchall()


def test_metadata_describes_real_tables_and_columns(metadata, newsdb_file):
    assert is_newsdb(newsdb_file)
    for name, spec in metadata["databases"]["newsdb"]["tables"].items():
        columns = [row[1] for row in newsdb_file.execute(f"PRAGMA table_info([{name}])")]
        assert columns, f"no table or view {name}"
        assert set(spec.get("columns", {})) <= set(columns), name
    view = [row[1] for row in newsdb_file.execute("PRAGMA table_info(article_list)")]
    assert view[:4] == ["title", "published_at", "site", "source"]
    assert "body" not in view and "lead" not in view


def test_article_list_shows_authors_as_text(newsdb_file):
    newsdb_file.execute(
        "UPDATE articles SET authors = ? WHERE title LIKE 'Курс тенге%'",
        ('["\\u0410\\u043d\\u043d\\u0430 \\u041a\\u0438\\u043c", "Олег Ли"]',),  # escaped and plain JSON alike
    )
    rows = newsdb_file.execute("SELECT title, authors FROM article_list WHERE authors IS NOT NULL").fetchall()
    assert rows == [("Курс тенге укрепился к доллару", "Анна Ким, Олег Ли")]


def test_text_matches_speaks_the_search_language():
    text = "Мы построим новые школы в сёлах, а затем займёмся дорогами."
    assert text_matches_sql("школам", text) == 1
    assert text_matches_sql("селах дороги", text) == 1  # ё written as е, other forms
    assert text_matches_sql('"новые школы"', text) == 1
    assert text_matches_sql('"школы новые"', text) == 0
    assert text_matches_sql("больницы OR дорог", text) == 1
    assert text_matches_sql("школы NOT дороги", text) == 0
    assert text_matches_sql("школы -больницы", text) == 1
    assert text_matches_sql("постр*", text) == 1
    assert text_matches_sql("больницы", text) == 0
    assert text_matches_sql("и", text) == 0  # nothing to look for
    assert text_matches_sql("школы", None) == 0


def test_readable_json():
    assert readable_json('["\\u0410\\u043d\\u043d\\u0430 \\u041a\\u0438\\u043c", "Олег Ли"]', names=True) == "Анна Ким, Олег Ли"
    assert readable_json('{"title": "\\u0417\\u0430\\u0433"}', names=False) == '{"title": "Заг"}'
    assert readable_json("not json", names=True) is None


def test_readable_time():
    assert readable_time("2025-12-20 05:15:00.000000") == "2025-12-20T05:15:00+00:00"
    assert readable_time("2025-12-20 05:15:00") == "2025-12-20T05:15:00+00:00"
    assert readable_time("вчера") is None
