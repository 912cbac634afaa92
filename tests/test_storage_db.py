"""Opening databases: URL resolution, SQLite settings, one-line errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import DEFAULT_URL, DatabaseError, open_database, resolve_url


def test_resolve_url_prefers_explicit_then_environment_then_default(monkeypatch):
    monkeypatch.delenv("NEWSDB_DATABASE_URL", raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///data/newsdb.sqlite"
    monkeypatch.setenv("NEWSDB_DATABASE_URL", "sqlite:///env.sqlite")
    assert resolve_url(None) == "sqlite:///env.sqlite"
    assert resolve_url("sqlite:///explicit.sqlite") == "sqlite:///explicit.sqlite"


def test_open_database_uses_the_environment_url(monkeypatch, tmp_path):
    path = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("NEWSDB_DATABASE_URL", f"sqlite:///{path}")
    with open_database() as database:
        assert database.url.database == str(path)
    assert path.exists()


def test_sqlite_parent_folder_is_created_and_pragmas_set(tmp_path):
    path = tmp_path / "nested" / "deeper" / "newsdb.sqlite"
    with open_database(f"sqlite:///{path}") as database:
        assert path.exists()
        with database.engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA busy_timeout")) == 5000
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1


def test_session_commits_on_success_and_rolls_back_on_error(db):
    with db.session() as session:
        session.execute(text("INSERT INTO tags (name) VALUES ('Политика')"))
    with pytest.raises(RuntimeError):
        with db.session() as session:
            session.execute(text("INSERT INTO tags (name) VALUES ('Экономика')"))
            raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalars(text("SELECT name FROM tags")).all() == ["Политика"]


def one_line_error(url: str) -> str:
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_refused_postgresql_port_is_one_line_without_password():
    message = one_line_error("postgresql+psycopg://root:s3cret@127.0.0.1:1/newsdb")
    assert message == (
        "cannot connect to postgresql+psycopg://root:***@127.0.0.1:1/newsdb: connection refused"
    )


def test_missing_postgresql_database_names_it():
    message = one_line_error("postgresql+psycopg://postgres@127.0.0.1:5432/newsdb_no_such_db")
    assert message.startswith("cannot connect to postgresql+psycopg://postgres@127.0.0.1:5432/")
    assert 'database "newsdb_no_such_db" does not exist' in message


def test_unwritable_sqlite_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    message = one_line_error(f"sqlite:///{blocker}/sub/newsdb.sqlite")
    assert message == (
        f"cannot create folder {blocker}/sub for sqlite:///{blocker}/sub/newsdb.sqlite: not a directory"
    )


def test_sqlite_path_that_is_a_folder(tmp_path):
    message = one_line_error(f"sqlite:///{tmp_path}")
    assert message == f"cannot open sqlite:///{tmp_path}: unable to open database file"


def test_unknown_driver_and_bad_url():
    assert one_line_error("postgresql+nosuch://u:pw@host/db") == (
        "unknown database driver 'postgresql+nosuch' in postgresql+nosuch://u:***@host/db"
    )
    assert one_line_error("oracle2://u:pw@host/db").startswith("unknown database driver 'oracle2'")
    message = one_line_error("not a url at all")
    assert message.startswith("invalid database URL 'not a url at all'")


def test_sqlite_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("Это не база данных, а заметки. " * 20, encoding="utf-8")
    assert one_line_error(f"sqlite:///{path}") == f"cannot open sqlite:///{path}: file is not a database"
