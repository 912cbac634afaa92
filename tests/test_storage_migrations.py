"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import io

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect

from storage import models
from storage.search import include_object
from storage.db import alembic_config, current_revision, head_revision, open_database, upgrade

TABLES = {
    "sites",
    "crawl_runs",
    "urls",
    "fetch_failures",
    "pages",
    "articles",
    "quotes",
    "related_links",
    "tags",
    "article_tags",
    "images",
    "article_versions",
}


def schema_diff(engine, metadata: MetaData) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                # the search index of migration 0002 lives outside the models
                "include_object": include_object,
            },
        )
        return compare_metadata(context, metadata)


def test_upgrade_on_empty_database_matches_models(db_url):
    assert upgrade(db_url) == head_revision()
    engine = create_engine(db_url)
    try:
        names = {n for n in inspect(engine).get_table_names() if include_object(None, n, "table", True, None)}
        assert names == TABLES | {"alembic_version"}
        assert schema_diff(engine, models.metadata) == []
    finally:
        engine.dispose()


def test_drift_between_models_and_database_is_detected(db_url):
    # Guard against a comparison that can never fail: one extra column must show.
    database = open_database(db_url)
    drifted = MetaData(naming_convention=models.NAMING_CONVENTION)
    for table in models.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["quotes"].append_column(Column("confidence", Integer, nullable=True))
    try:
        diff = schema_diff(database.engine, drifted)
    finally:
        database.close()
    assert [(d[0], d[2], d[3].name) for d in diff] == [("add_column", "quotes", "confidence")]


def test_open_database_twice_keeps_the_schema_at_head(db_url):
    for _ in range(2):
        database = open_database(db_url)
        try:
            assert current_revision(database.engine) == head_revision()
        finally:
            database.close()


def test_open_without_upgrade_leaves_an_empty_database_empty(db_url):
    database = open_database(db_url, upgrade=False)
    try:
        assert current_revision(database.engine) is None
        assert inspect(database.engine).get_table_names() == []
    finally:
        database.close()


def test_downgrade_to_base_drops_every_table(db_url):
    database = open_database(db_url)
    try:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert current_revision(database.engine) is None
        assert set(inspect(database.engine).get_table_names()) == {"alembic_version"}
    finally:
        database.close()


def test_offline_mode_renders_sql_for_postgresql():
    buffer = io.StringIO()
    config = alembic_config()
    config.output_buffer = buffer
    config.set_main_option("sqlalchemy.url", "postgresql+psycopg://newsdb@localhost/newsdb")
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE articles" in sql
    assert "CONSTRAINT uq_pages_url_content_hash UNIQUE (url, content_hash)" in sql
    assert "CREATE INDEX ix_quotes_speaker_canonical ON quotes (speaker_canonical)" in sql
