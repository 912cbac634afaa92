"""The database goes away mid-crawl: nothing is lost, nothing is half-written, nothing doubles.

A loopback site of 336 articles (the demo site's pages under 8 x 42 post ids,
the crawl benchmark's server) is crawled by `newsdb crawl` in a subprocess
while the test breaks the database under it: PostgreSQL stopped for 10 s,
every PostgreSQL connection killed, SQLite locked by another writer for 10 s,
a lock that outlasts the retry bound, and kill -9 at several points. Each
result is compared with a clean crawl of the same site, article by article
(title, body, lead, dates, quotes, related links).

PostgreSQL is stopped and started with pg_ctlcluster; the fixture starts it
again whatever happens.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from benchmarks.crawl_speed import make_handler, profile_for

ROOT = Path(__file__).resolve().parent.parent
COPIES = 8
ARTICLES = COPIES * 42
# As fast as loopback allows, and no Scrapy retries of a slow response to muddy the counts.
FAST = ["-s", "CONCURRENT_REQUESTS=8", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "DOWNLOAD_DELAY=0",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSDB_HEARTBEAT_INTERVAL=1"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(COPIES))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield profile_for(base, tmp_path_factory.mktemp("profile"))
    server.shutdown()


def crawl(profile: Path, db_url: str, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "newsdb", "crawl", str(profile), "--db", db_url, *FAST, *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def snapshot(db_url: str) -> dict[str, tuple]:
    """Every stored article by URL: what it holds, hashed, and how many quotes and links."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT a.url, a.title, a.lead, a.body, a.published_at, a.content_hash,"
                " (SELECT count(*) FROM quotes q WHERE q.article_id = a.id),"
                " (SELECT count(*) FROM related_links r WHERE r.article_id = a.id),"
                " (SELECT count(*) FROM images i WHERE i.article_id = a.id)"
                " FROM articles a"
            )).all()
    finally:
        engine.dispose()
    urls = [row[0] for row in rows]
    assert len(urls) == len(set(urls)), "an article is stored twice"
    return {
        row[0]: (row[1], row[2], hashlib.sha256(row[3].encode()).hexdigest(), str(row[4])[:19], row[5], *row[6:])
        for row in rows
    }


def count_articles(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
    except Exception:  # noqa: BLE001 - not created yet, or the database is the one being broken
        return -1
    finally:
        engine.dispose()


def wait_for_articles(db_url: str, at_least: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_articles(db_url) >= at_least:
            return
        if process.poll() is not None:
            raise AssertionError(f"the crawl ended before {at_least} articles: {process.stderr.read()[-2000:]}")
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} articles after {timeout} s")


def run_rows(db_url: str) -> list[tuple]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT id, status, exit_code, reason FROM crawl_runs ORDER BY id")).all()
    except Exception:  # noqa: BLE001 - the schema is not there yet
        return []
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> dict[str, tuple]:
    """A clean crawl of the site, nothing broken: what every faulty run must end up with."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'clean.sqlite'}"
    code, err = finish(crawl(site, url))
    assert code == 0, err
    result = snapshot(url)
    assert len(result) == ARTICLES
    return result


def assert_complete(db_url: str, reference: dict[str, tuple]) -> None:
    stored = snapshot(db_url)
    assert set(stored) == set(reference), (
        f"missing {len(set(reference) - set(stored))}, unexpected {len(set(stored) - set(reference))}"
    )
    differ = [url for url in reference if stored[url] != reference[url]]
    assert not differ, f"{len(differ)} articles differ from a clean crawl, e.g. {differ[0]}"


def fetch_failures(db_url: str) -> list[tuple]:
    """What the run recorded as failed fetches: the site is healthy, so nothing should be."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT url, kind, reason FROM fetch_failures")).all()
    finally:
        engine.dispose()


def assert_no_partial(db_url: str, reference: dict[str, tuple]) -> None:
    """Whatever a broken run stored is whole: each article equals the clean crawl's."""
    stored = snapshot(db_url)
    assert set(stored) <= set(reference)
    differ = [url for url in stored if stored[url] != reference[url]]
    assert not differ, f"{len(differ)} partial articles, e.g. {differ[0]}"


# -- PostgreSQL --------------------------------------------------------------------

PG_VERSION = next(iter(os.listdir("/etc/postgresql")), "") if os.path.isdir("/etc/postgresql") else ""


def pg_ctl(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True, capture_output=True, timeout=60)


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


@pytest.fixture
def postgres_restarts():
    """pg_ctl for the test; PostgreSQL is running again when the test ends, whatever happened."""
    assert PG_VERSION, "PostgreSQL's cluster is not under /etc/postgresql"
    try:
        yield pg_ctl
    finally:
        if not pg_ready():
            pg_ctl("start")
        for _ in range(60):
            if pg_ready():
                break
            time.sleep(0.5)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_stopped_for_ten_seconds_mid_crawl(site, reference, db_url, postgres_restarts):
    process = crawl(site, db_url)
    wait_for_articles(db_url, 40, process)
    postgres_restarts("stop")
    stopped = time.monotonic()
    time.sleep(10)
    assert process.poll() is None, "the crawl gave up while PostgreSQL was away for less than the bound"
    postgres_restarts("start")
    code, err = finish(process)
    assert time.monotonic() - stopped >= 10
    assert code == 0, err
    assert "retrying" in err and "is back" in err  # it told the operator, in one line each
    assert_complete(db_url, reference)
    assert fetch_failures(db_url) == []  # downloads in flight were not cut off by the wait
    assert [row[1] for row in run_rows(db_url)] == ["finished"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_every_postgresql_connection_killed_mid_crawl(site, reference, db_url):
    name = db_url.rsplit("/", 1)[1]
    admin = create_engine(db_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    process = crawl(site, db_url)
    killed = 0
    try:
        for at_least in (30, 90, 150, 210, 270):
            wait_for_articles(db_url, at_least, process)
            with admin.connect() as connection:
                killed += connection.execute(text(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()) AS t"), {"name": name}).scalar_one()
    finally:
        admin.dispose()
    code, err = finish(process)
    assert killed >= 5, "no connection was there to kill"
    assert code == 0, err
    assert_complete(db_url, reference)


# -- SQLite ------------------------------------------------------------------------


def hold_write_lock(path: Path, seconds: float | None, release: threading.Event) -> threading.Thread:
    """Another writer: BEGIN IMMEDIATE holds SQLite's write lock for `seconds` (or until released)."""
    locked = threading.Event()

    def holder() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()
    assert locked.wait(30)
    return thread


def test_sqlite_locked_by_another_writer_for_ten_seconds(site, reference, tmp_path):
    path = tmp_path / "locked.sqlite"
    url = f"sqlite:///{path}"
    process = crawl(site, url)
    wait_for_articles(url, 40, process)
    started = time.monotonic()
    holder = hold_write_lock(path, 10, threading.Event())
    holder.join()
    assert time.monotonic() - started >= 10
    assert process.poll() is None, "the crawl gave up while another writer held the lock"
    code, err = finish(process)
    assert code == 0, err
    assert "database is locked" in err
    assert_complete(url, reference)
    assert fetch_failures(url) == []  # downloads in flight were not cut off by the wait


def test_a_lock_past_the_bound_stops_the_run_and_the_next_run_completes_the_site(site, reference, tmp_path):
    path = tmp_path / "bound.sqlite"
    url = f"sqlite:///{path}"
    release = threading.Event()
    process = crawl(site, url, "-s", "NEWSDB_DB_RETRY_FOR=3")
    wait_for_articles(url, 40, process)
    holder = hold_write_lock(path, None, release)
    try:
        code, err = finish(process, timeout=120)
    finally:
        release.set()
        holder.join()
    assert code == 6, err  # stopped early: a scheduler sees the run did not do its job
    assert "unavailable for" in err and "database is locked" in err
    assert "Traceback" not in err
    assert_no_partial(url, reference)
    assert count_articles(url) < ARTICLES

    code, err = finish(crawl(site, url))
    assert code == 0, err
    assert_complete(url, reference)
    statuses = [row[1] for row in run_rows(url)]
    assert statuses[-1] == "finished" and statuses[0] in ("failed", "abandoned"), statuses


def test_a_page_archived_but_not_stored_is_stored_by_the_next_run(site, reference, tmp_path):
    """What kill -9 between the archive write and the store write leaves: the URL counts as
    fetched (so no crawl would fetch it again), the page is archived, no article."""
    url = f"sqlite:///{tmp_path / 'pending.sqlite'}"
    code, err = finish(crawl(site, url))
    assert code == 0, err
    victims = sorted(reference)[:5]
    with sqlite3.connect(tmp_path / "pending.sqlite") as connection:
        connection.execute("PRAGMA foreign_keys=ON")
        for victim in victims:
            page_id = connection.execute("SELECT page_id FROM articles WHERE url = ?", (victim,)).fetchone()[0]
            connection.execute("DELETE FROM articles WHERE url = ?", (victim,))
            connection.execute("UPDATE pages SET parser_version = NULL, parsed_at = NULL, is_article = NULL"
                               " WHERE id = ?", (page_id,))
    assert count_articles(url) == ARTICLES - 5

    code, err = finish(crawl(site, url))
    assert code == 0, err
    assert_complete(url, reference)


# -- kill -9 -----------------------------------------------------------------------


@pytest.mark.parametrize("kill_at", [0, 60, 250], ids=["while-opening", "early", "late"])
def test_kill_9_mid_crawl_leaves_nothing_partial_and_the_next_run_completes(site, reference, db_url, kill_at):
    process = crawl(site, db_url)
    if kill_at:
        wait_for_articles(db_url, kill_at, process)
    else:  # the run row is there, Scrapy is starting or fetching the sitemap
        deadline = time.monotonic() + 60
        while not count_articles(db_url) == 0 or not run_rows(db_url):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert_no_partial(db_url, reference)

    code, err = finish(crawl(site, db_url))
    assert code == 0, err  # the killed run's lock is freed: its pid is gone
    assert_complete(db_url, reference)
    statuses = [row[1] for row in run_rows(db_url)]
    assert statuses == ["abandoned", "finished"], statuses
