"""Shared fixtures: a database URL for each backend newsdb supports.

`db_url` runs a test on SQLite (a file under tmp_path) and on PostgreSQL (a
fresh database per test on 127.0.0.1:5432, dropped afterwards). PostgreSQL is
never skipped: if it is down, the test fails and says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc

from storage.db import Database, open_database

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN_URL = f"{PG_SERVER}/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsdb.sqlite'}"
        return

    # pre_ping: a test may restart PostgreSQL (tests/test_db_faults.py); the drop needs a live connection.
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"newsdb_test_{uuid.uuid4().hex}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except exc.OperationalError as error:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is required at {PG_ADMIN_URL} and is not usable: "
            f"{str(error.orig).splitlines()[0]}",
            pytrace=False,
        )
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.close()
