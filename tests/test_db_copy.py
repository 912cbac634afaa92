"""`newsdb db copy`: SQLite -> PostgreSQL and back, nothing lost, ids kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import fresh_pg_database
from test_search import add_corpus

from core.items import Page
from storage import api, runs, search
from storage.copy import copy_database, fingerprints
from storage.db import DatabaseError, open_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_pg_database("newsdb_copy") as url:
        yield url


def fill(url: str) -> dict[int, int]:
    db = open_database(url)
    try:
        with db.session() as session:
            run = runs.start_run(session, "demo")
            page = Page(
                url="https://demo.example/news/1/",
                body="<html><p>Выборы акимов</p></html>".encode(),
                headers={"Content-Type": "text/html"},
                fetched_at=datetime(2025, 12, 1, 5, 0, tzinfo=UTC),
                site="demo",
            )
            api.archive_page(session, page, crawl_run_id=run)
            ids = add_corpus(session)
            runs.finish_run(session, run, status="finished", stats={"pages": 1})
        # a gap in the ids: the copy must keep ids, not renumber
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"DELETE FROM articles WHERE id = {ids[2]}")
        del ids[2]
        return ids
    finally:
        db.close()


def test_sqlite_to_postgresql_and_back_loses_nothing(tmp_path, pg_url):
    sqlite_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    ids = fill(sqlite_url)

    counts = copy_database(sqlite_url, pg_url)
    assert counts["articles"] == 3 and counts["quotes"] == 1 and counts["pages"] == 1
    source_prints = fingerprints(sqlite_url)
    assert fingerprints(pg_url) == source_prints
    assert source_prints["articles"][0] == 3 and source_prints["article_tags"][0] == 3

    db = open_database(pg_url)
    try:
        with db.session() as session:
            # search works (the generated tsvector), ids kept
            assert [h.id for h in search.search(session, "выборах акима")] != []
            assert {h.id for h in search.search(session, "аким")} == {ids[1], ids[3]}
            # sequences were moved past the copied ids: a new article gets a fresh id
            new_id = api.get_or_create_site(session, "new-site").id
            assert new_id > 2
    finally:
        db.close()

    back_url = f"sqlite:///{tmp_path / 'back.sqlite'}"
    db = open_database(pg_url)
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM sites WHERE name = 'new-site'")
    finally:
        db.close()
    copy_database(pg_url, back_url)
    assert fingerprints(back_url) == source_prints
    db = open_database(back_url)
    try:
        with db.session() as session:  # the FTS index was rebuilt on the way back
            assert {h.id for h in search.search(session, "аким")} == {ids[1], ids[3]}
    finally:
        db.close()


def test_copy_refuses_a_target_with_data(tmp_path):
    first = f"sqlite:///{tmp_path / 'a.sqlite'}"
    second = f"sqlite:///{tmp_path / 'b.sqlite'}"
    fill(first)
    fill(second)
    with pytest.raises(DatabaseError, match="is not empty"):
        copy_database(first, second)
    with pytest.raises(DatabaseError, match="same database"):
        copy_database(first, first)
