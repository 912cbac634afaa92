"""Migration 0003 (article history), the refusal of an older schema, and `newsdb db check`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from newsdb.cli import cli
from storage.db import DatabaseError, alembic_config, current_revision, head_revision, open_database, upgrade


def newsdb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsdb", *args], capture_output=True, text=True, timeout=120)


def test_an_older_schema_is_refused_until_db_upgrade(db_url):
    assert upgrade(db_url, "0002") == "0002"
    with pytest.raises(DatabaseError) as caught:
        open_database(db_url)
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith(f"is at schema revision 0002, this newsdb needs {head_revision()}: "
                            f"run `newsdb db upgrade --db {db_url}`")
    engine = create_engine(db_url)
    try:
        assert "article_versions" not in inspect(engine).get_table_names()  # nothing was changed
    finally:
        engine.dispose()

    stats = newsdb("stats", "--db", db_url)
    assert stats.returncode == 1 and stats.stderr.strip() == f"Error: {message}"
    upgraded = newsdb("db", "upgrade", "--db", db_url)
    assert upgraded.returncode == 0, upgraded.stderr
    # on PostgreSQL a second line says the job queue's schema is in place (issue 13)
    assert upgraded.stdout.splitlines()[0] == f"schema at revision {head_revision()}"
    with open_database(db_url) as database:
        assert current_revision(database.engine) == head_revision()
        assert "article_versions" in inspect(database.engine).get_table_names()


def test_an_empty_database_gets_the_schema_on_first_use(db_url):
    with open_database(db_url) as database:
        assert current_revision(database.engine) == head_revision() == "0010"


def test_foreign_tables_without_a_schema_revision_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="holds tables but no newsdb schema"):
        open_database(url)


def test_downgrade_of_0003_drops_only_article_versions(db_url):
    with open_database(db_url) as database:
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        names = set(inspect(database.engine).get_table_names())
    assert "article_versions" not in names and "articles" in names
    assert upgrade(db_url) == "0010"


def test_db_check_passes_on_fresh_migrations_and_fails_on_drift(db_url):
    runner = CliRunner()
    fresh = runner.invoke(cli, ["db", "check"])
    assert fresh.exit_code == 0, fresh.output
    assert fresh.output.strip() == f"schema matches the models (revision {head_revision()})"

    with open_database(db_url) as database, database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE quotes ADD COLUMN confidence INTEGER"))
    drifted = runner.invoke(cli, ["db", "check", "--db", db_url])
    assert drifted.exit_code == 1
    assert "remove_column quotes confidence" in drifted.output
    assert "the models and the migrations differ: 1 difference(s)" in drifted.output


def test_0004_records_bundled_profiles_of_existing_sites(db_url):
    """Sites made before 0004 are resolved as older versions resolved them: by a bundled name."""
    assert upgrade(db_url, "0003") == "0003"
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO sites (name) VALUES ('demo'), ('www.example.kz')"))
    finally:
        engine.dispose()
    assert upgrade(db_url) == head_revision()
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT name, profile FROM sites")).all())
    finally:
        engine.dispose()
    assert rows == {"demo": "demo", "www.example.kz": None}
