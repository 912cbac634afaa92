"""The run lock, heartbeats, abandoned runs and URL outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage import models as m
from storage import runs

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def dead_pid() -> int:
    """The pid of a process that has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_one_running_run_per_site(db):
    with db.session() as session:
        first = runs.start_run(session, "demo", host="crawler-1", pid=4242, now=T0)
    with db.session() as session, pytest.raises(runs.RunInProgress) as held:
        runs.start_run(session, "demo", host="crawler-2", pid=7, now=T0 + timedelta(minutes=1))
    assert str(held.value) == (f"a run of demo is in progress: run {first}, since 2026-12-01 08:00:00 UTC, "
                               "on crawler-1 pid 4242")
    with db.session() as session:  # another site is free
        runs.start_run(session, "caravan", host="crawler-2", pid=7, now=T0)
    with db.session() as session:
        runs.finish_run(session, first, status="finished", stats={"x": 1}, exit_code=0)
    with db.session() as session:
        second = runs.start_run(session, "demo", host="crawler-2", pid=7, now=T0 + timedelta(minutes=2))
    assert second > first


def test_a_stale_heartbeat_or_a_dead_pid_frees_the_lock(db):
    with db.session() as session:
        stale = runs.start_run(session, "demo", host="elsewhere", pid=1, now=T0)
    with db.session() as session:  # a live heartbeat on another host is respected...
        runs.beat(session, stale)  # (beats at the real now, so "now" below must be later still)
    later = datetime.now(UTC) + runs.STALE_AFTER + timedelta(seconds=1)
    with db.session() as session:  # ...until it is older than STALE_AFTER
        taker = runs.start_run(session, "demo", host="here", pid=2, now=later)
    with db.session() as session:
        old = session.get(m.CrawlRun, stale)
        assert old.status == "abandoned" and old.finished_at is not None
        assert old.reason == "the process (elsewhere pid 1) stopped without closing the run"
        runs.finish_run(session, taker, status="failed", stats={})

    now = datetime.now(UTC)
    with db.session() as session:  # same host, fresh heartbeat, but its process is gone
        gone = runs.start_run(session, "demo", host=runs.HOST, pid=dead_pid(), now=now)
    with db.session() as session:
        runs.start_run(session, "demo", host=runs.HOST, pid=3, now=now)
    with db.session() as session:
        assert session.get(m.CrawlRun, gone).status == "abandoned"


def test_failed_urls_are_retried_with_backoff_until_given_up(db):
    with db.session() as session:
        run = runs.start_run(session, "demo", host="h", pid=1, now=T0)
    url = "http://127.0.0.1:8089/news/x-1/"
    with db.session() as session:
        row = runs.record_fetch(session, run, url, kind="article", outcome="timeout",
                                reason="no response in 30 s", external_id="1", now=T0)
        assert (row.failures, row.retry_at) == (1, T0 + runs.BACKOFF_FIRST)
        row = runs.record_fetch(session, run, url, kind="article", outcome="http_503", status=503,
                                reason="503 Service Unavailable", now=T0 + timedelta(hours=1))
        assert (row.failures, row.retry_at) == (2, T0 + timedelta(hours=1) + 2 * runs.BACKOFF_FIRST)
    with db.session() as session:
        failures = session.scalars(select(m.FetchFailure).order_by(m.FetchFailure.id)).all()
        assert [(f.kind, f.attempts, f.url) for f in failures] == [("timeout", 1, url), ("http_503", 2, url)]
        state = runs.revisits(session, "demo", young_since=T0)[url]  # a failed URL: always a revisit
        assert (state.outcome, state.failures, state.fetched) == ("http_503", 2, False)
        assert runs.seen_ids(session, "demo") == set()  # never fetched: not seen

        runs.record_fetch(session, run, url, kind="article", outcome="ok", status=200, etag='"v1"',
                          last_modified="Mon, 01 Dec 2026 07:00:00 GMT", now=T0 + timedelta(hours=2))
        state = runs.revisits(session, "demo", young_since=T0 - timedelta(hours=1))[url]  # first seen at T0: young
        assert (state.failures, state.retry_at, state.etag, state.fetched) == (0, None, '"v1"', True)
        assert runs.seen_ids(session, "demo") == {"1"}
        assert runs.revisits(session, "demo", young_since=T0 + timedelta(minutes=1)) == {}  # fetched, no longer young
        runs.record_fetch(session, run, url, kind="article", outcome="not_modified", status=304,
                          now=T0 + timedelta(hours=3))
        assert runs.revisits(session, "demo", young_since=T0)[url].etag == '"v1"'  # a 304 keeps the validators

        for n in range(runs.MAX_FAILURES):
            row = runs.record_fetch(session, run, url, kind="article", outcome="refused",
                                    reason="connection refused", now=T0 + timedelta(days=n + 1))
        assert row.failures == runs.MAX_FAILURES and row.retry_at is None  # given up, and said so


def test_backoff_grows_and_is_capped():
    assert runs.backoff(1) == runs.BACKOFF_FIRST
    assert runs.backoff(3) == 4 * runs.BACKOFF_FIRST
    assert runs.backoff(30) == runs.BACKOFF_MAX
