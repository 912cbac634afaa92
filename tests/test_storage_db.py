"""Opening databases: URL resolution, SQLite settings, one-line errors, sessions and their hooks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


# Run in a fresh interpreter: no other test's imports, only storage's.
IMPORT_THEN_WRITE = """
import json, sys
import sqlalchemy
from sqlalchemy.orm import Session

import storage, storage.db, storage.api, storage.query, storage.search

hook = storage.search.sync_after_flush
assert not sqlalchemy.event.contains(Session, "after_flush", hook), "importing storage hooked every Session"
assert list(Session().dispatch.after_flush) == [], list(Session().dispatch.after_flush)

from tests.test_search import make_article

db = storage.db.open_database(sys.argv[1])
assert sqlalchemy.event.contains(db._sessions, "after_flush", hook)
with db.session() as session:
    storage.api.upsert_article(session, make_article(1, "Выборы акимов", None, ["Кандидаты подают документы."]))
with db.new_session(autoflush=False, expire_on_commit=False) as session:
    storage.api.upsert_article(session, make_article(2, "Курс тенге", None, ["Доллар подешевел."]))
    session.commit()
with Session(db.engine) as session:  # built by hand: not this database's sessions
    storage.api.upsert_article(session, make_article(3, "Погода в Астане", None, ["Снег до выходных."]))
    session.commit()
with db.session() as session:
    found = {word: [hit.url for hit in storage.search.search(session, word)]
             for word in ("выборов", "тенге", "погода")}
db.close()
print(json.dumps(found))
"""


def test_importing_storage_hooks_no_session_and_database_sessions_keep_the_index(tmp_path):
    """The FTS flush hook is on each Database's sessionmaker, not on the Session class."""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_THEN_WRITE, f"sqlite:///{tmp_path / 'hook.sqlite'}"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "выборов": ["https://demo.example/news/1/"],  # db.session()
        "тенге": ["https://demo.example/news/2/"],  # db.new_session(), the caller commits
        "погода": [],  # a Session(db.engine) of its own runs no hook: nothing is process-wide
    }
