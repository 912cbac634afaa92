"""Migration 0009 on SQLite and PostgreSQL: articles.source_base filled from source,
JSON columns rewritten readable, and back on downgrade."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, inspect, text

from storage.db import alembic_config, head_revision, open_database, upgrade

ARTICLES = [
    # (key, source as written, its base form by the rules frozen in 0009)
    ("id:1", "пресс-службу Акорды", "пресс-служба Акорды"),
    ("id:2", "Акорду", "Акорда"),
    ("id:3", "агентству Kazinform", "агентство Kazinform"),
    ("id:4", "МВД", "МВД"),
    ("id:5", None, None),
    ("id:6", "Токаеву", "Токаев"),
]


def _old_rows(db_url: str) -> None:
    """Rows as the code before 0009 wrote them: JSON with ASCII escapes, no source_base."""
    engine = create_engine(db_url)  # the default serializer: ensure_ascii
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO sites (name) VALUES ('caravan')"))
            site_id = connection.execute(text("SELECT id FROM sites")).scalar_one()
            authors = json.dumps(["Айгерим Сапарова"])
            assert "\\u0410" in authors
            for key, source, _ in ARTICLES:
                connection.execute(
                    text("INSERT INTO articles (site_id, key, url, body, authors, language, parser_version, "
                         "layers, content_hash, source) VALUES (:site, :key, :url, 'Текст.', :authors, 'ru', "
                         "'t', :layers, 'h', :source)"),
                    {"site": site_id, "key": key, "url": f"https://www.caravan.kz/news/n-{key[3:]}/",
                     "authors": authors, "layers": json.dumps({"body": "profile"}), "source": source},
                )
            connection.execute(
                text("INSERT INTO crawl_runs (site_id, status, stats, drift) VALUES (:site, 'finished', :stats, false)"),
                {"site": site_id, "stats": json.dumps({"reason": "сайт недоступен"})},
            )
    finally:
        engine.dispose()


def _read(db_url: str, sql: str) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).all()
    finally:
        engine.dispose()


def test_0009_fills_source_base_and_rewrites_json_and_goes_back(db_url):
    assert upgrade(db_url, "0008") == "0008"
    _old_rows(db_url)
    assert upgrade(db_url) == head_revision() == "0010"

    rows = _read(db_url, "SELECT key, source, source_base, CAST(authors AS TEXT), CAST(layers AS TEXT) "
                         "FROM articles ORDER BY key")
    assert [(key, source, base) for key, source, base, _, _ in rows] == ARTICLES
    assert {authors for *_, authors, _ in rows} == {'["Айгерим Сапарова"]'}
    assert {layers for *_, layers in rows} == {'{"body": "profile"}'}  # nothing to rewrite: left alone
    assert _read(db_url, "SELECT CAST(stats AS TEXT) FROM crawl_runs") == [('{"reason": "сайт недоступен"}',)]
    engine = create_engine(db_url)
    try:
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("articles")}
    finally:
        engine.dispose()
    assert indexes["ix_articles_source_base"] == ["source_base"]

    with open_database(db_url) as database:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
    engine = create_engine(db_url)
    try:
        assert "source_base" not in {c["name"] for c in inspect(engine).get_columns("articles")}
        if engine.dialect.name == "sqlite":  # the search index's delete trigger survived the drop
            triggers = {name for (name,) in engine.connect().execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
            assert "articles_fts_delete" in triggers
    finally:
        engine.dispose()
    authors = _read(db_url, "SELECT DISTINCT CAST(authors AS TEXT) FROM articles")
    assert authors == [(json.dumps(["Айгерим Сапарова"]),)]  # escaped again, as the old code wrote it
    assert upgrade(db_url) == "0010"
    assert _read(db_url, "SELECT source_base FROM articles WHERE key = 'id:2'") == [("Акорда",)]


def test_new_articles_store_readable_json(db):
    from dataclasses import replace

    from storage import api
    from test_export import ARTICLE

    with db.session() as session:
        article_id, _ = api.upsert_article(session, replace(ARTICLE, source_base="Акорда"))
    with db.session() as session:
        stored = session.execute(text("SELECT CAST(authors AS TEXT), source_base FROM articles WHERE id = :id"),
                                 {"id": article_id}).one()
    assert stored == ('["Айгерим Сапарова", "Ерлан Жумабаев"]', "Акорда")


def test_the_frozen_rules_of_0009_give_the_hand_written_base_forms():
    """0009 fills old rows with its own copy of core/sources.py's rules; at this
    revision it must agree with the hand-written expectations of test_sources."""
    import importlib.util
    from pathlib import Path

    from test_sources import CASES

    path = Path(__file__).resolve().parent.parent / "storage/migrations/versions/0009_source_base_and_readable_json.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wrong = [(written, module.source_base(written), base) for written, base in CASES
             if module.source_base(written) != base]
    assert wrong == []


def test_0010_article_list_reads_one_line_per_article_and_goes_back(db_url):
    # rows written at 0009, then the view on top
    assert upgrade(db_url, "0009") == "0009"
    _old_rows(db_url)
    assert upgrade(db_url) == head_revision() == "0010"
    rows = _read(db_url, "SELECT site, source, source_written, authors, quotes FROM article_list ORDER BY url")
    # source_base is the pipeline's to set (these rows skipped it); authors read as text even escaped
    assert rows[0] == ("caravan", None, "пресс-службу Акорды", "Айгерим Сапарова", 0)
    assert len(rows) == len(ARTICLES)
    with open_database(db_url) as database:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
    engine = create_engine(db_url)
    try:
        assert "article_list" not in inspect(engine).get_view_names()
    finally:
        engine.dispose()
