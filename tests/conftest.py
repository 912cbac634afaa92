"""Shared fixtures: a database URL for each backend newsdb supports.

`db_url` runs a test on SQLite (a file under tmp_path) and on PostgreSQL (a
fresh database per test on 127.0.0.1:5432, dropped afterwards). PostgreSQL is
never skipped: if it is down, the test fails and says so.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc

from storage.db import Database, open_database

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN_URL = f"{PG_SERVER}/test"


@contextmanager
def fresh_pg_database(prefix: str = "newsdb_test") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards.

    PostgreSQL may be restarting for a few seconds (tests/test_db_faults.py stops it):
    creating waits up to 20 s for it; pre_ping gives the drop a live connection.
    A server that stays down fails the test and says so: PostgreSQL is never skipped.
    """
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"{prefix}_{uuid.uuid4().hex}"
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            break
        except exc.OperationalError as error:
            if attempt == 19:
                admin.dispose()
                pytest.fail(f"PostgreSQL is required at {PG_ADMIN_URL} and is not usable: "
                            f"{str(error.orig).splitlines()[0]}", pytrace=False)
            time.sleep(1)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsdb.sqlite'}"
        return
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.close()
