"""Copy a whole newsdb database to another one, e.g. SQLite -> PostgreSQL.

    counts = copy_database("sqlite:///data/newsdb.sqlite",
                           "postgresql+psycopg://postgres@127.0.0.1/newsdb")
    assert fingerprints(source_url) == fingerprints(target_url)

The target must be empty (its schema is created at head) and the source at
head; the source is only read, so a mistyped source URL is an error, never a
new empty database. Every table of storage.models is copied parents first with its ids, in
batches, so memory stays flat; on PostgreSQL the id sequences are then moved
past the copied ids, and the search index is rebuilt (SQLite FTS5) or
filled by the database as the rows arrive (PostgreSQL's article_search trigger). One transaction:
a failure leaves the target empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select

from storage import models as m
from storage import search
from storage.db import Database, DatabaseError, open_database

BATCH = 2000


def copy_database(
    source_url: str,
    target_url: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row of `source_url` into the empty `target_url`; return rows per table."""
    if source_url == target_url:
        raise DatabaseError("--from and --to name the same database")
    source = open_database(source_url, create=False)
    try:
        target = open_database(target_url)
        try:
            return _copy(source, target, progress)
        finally:
            target.close()
    finally:
        source.close()


def _copy(source: Database, target: Database, progress: Callable[[str, int], None] | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    with source.engine.connect() as reader, target.engine.begin() as writer:
        for table in m.metadata.sorted_tables:
            if writer.scalar(select(func.count()).select_from(table)):
                raise DatabaseError(
                    f"{target.engine.url.render_as_string(hide_password=True)} is not empty "
                    f"(table {table.name} has rows): copy needs an empty database"
                )
        for table in m.metadata.sorted_tables:
            counts[table.name] = _copy_table(reader, writer, table, progress)
        if writer.dialect.name == "postgresql":
            _reset_sequences(writer)
        else:
            search.rebuild_search_index(writer)
    return counts


def _copy_table(
    reader: Connection, writer: Connection, table: Table, progress: Callable[[str, int], None] | None
) -> int:
    copied = 0
    result = reader.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for rows in result.partitions():
        writer.execute(table.insert(), [dict(row._mapping) for row in rows])
        copied += len(rows)
        if progress:
            progress(table.name, copied)
    return copied


def _reset_sequences(writer: Connection) -> None:
    for table in m.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or key[0].name != "id" or not key[0].autoincrement:
            continue
        writer.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )


def fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Per table: (row count, sha256 of every row in primary-key order), comparable
    across backends (datetimes in UTC, JSON with sorted keys, bytes in hex)."""
    database = open_database(url, create=False)
    try:
        out = {}
        with database.engine.connect() as connection:
            for table in m.metadata.sorted_tables:
                digest = hashlib.sha256()
                count = 0
                result = connection.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*table.primary_key.columns)
                )
                for row in result:
                    digest.update(json.dumps([_plain(v) for v in row], sort_keys=True).encode())
                    count += 1
                out[table.name] = (count, digest.hexdigest())
        return out
    finally:
        database.close()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value
