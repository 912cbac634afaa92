"""Scheduled crawls tell the truth: exit codes, run rows, the lock, incremental re-runs.

Each test serves its own copy of the demo site on loopback (so it can take
pages away, or change the theme), and runs `newsdb crawl` in a subprocess as
cron would, reading the exit status and the rows it left.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.outcomes import EXIT_DRIFT, EXIT_LOCKED, EXIT_UNREACHABLE
from newsdb.demo_site import serve_demo
from storage import models as m
from storage import runs
from storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seeds" / "demo"
ARTICLES = len(list((ROOT / "seeds" / "demo_src" / "articles").glob("*.toml")))


def newsdb(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDB_")}
    return subprocess.run([sys.executable, "-m", "newsdb", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def site(tmp_path):
    """A copy of the demo site on a free loopback port: (folder, base URL)."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    server, url = serve_demo(0, root=root)
    yield root, url
    server.shutdown()


def run_rows(db_url: str) -> list[m.CrawlRun]:
    with open_database(db_url) as db, db.session() as session:
        return list(session.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id)))


def pages_archived(path: Path) -> int:
    """Read-only look at a database another process is writing (never creates its schema)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.OperationalError:  # not there yet, or its schema not yet made
        return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_site_that_is_down_exits_non_zero_and_fails_the_run(db_url, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = newsdb("crawl", "demo", "--base-url", down, "--db", db_url, "-s", "RETRY_TIMES=0", cwd=tmp_path)
    assert result.returncode == EXIT_UNREACHABLE, result.stderr
    assert "site unreachable" in result.stderr
    assert "Traceback" not in result.stderr
    [run] = run_rows(db_url)
    assert run.status == "failed" and run.exit_code == EXIT_UNREACHABLE
    assert run.reason.startswith("site unreachable: no response to ")
    with open_database(db_url) as db, db.session() as session:
        failures = session.scalars(select(m.FetchFailure)).all()
    assert failures and {f.kind for f in failures} == {"refused"}
    assert {f.url for f in failures} >= {f"{down}/sitemap.xml", f"{down}/feed/", f"{down}/news/"}


def test_a_second_run_fetches_no_article_in_full(site, tmp_path):
    root, url = site
    db_url = f"sqlite:///{tmp_path / 'twice.sqlite'}"
    first = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"(0 new, 0 updated, {ARTICLES} unchanged)" in second.stdout
    one, two = run_rows(db_url)
    assert (one.status, one.exit_code, two.status, two.exit_code) == ("finished", 0, "finished", 0)
    assert one.stats["newsdb/request/new"] > ARTICLES - 1
    assert "newsdb/request/new" not in two.stats  # every article known: only revalidations
    assert two.stats["newsdb/fetch/done/not_modified"] >= ARTICLES  # 304s: no body, no parse
    assert "newsdb/fetch/done/ok" not in {k for k, v in two.stats.items() if k.endswith("/ok") and v > 10}


def test_a_changed_page_becomes_a_new_version_and_a_revision(site, tmp_path):
    root, url = site
    db_url = f"sqlite:///{tmp_path / 'changed.sqlite'}"
    assert newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path).returncode == 0
    page = next(root.glob("news/tokaev-vybory-akimov-*/index.html"))
    page.write_bytes(page.read_bytes().replace("</h1>".encode(), " (обновлено)</h1>".encode(), 1))
    again = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"(0 new, 1 updated, {ARTICLES - 1} unchanged)" in again.stdout
    with open_database(db_url) as db, db.session() as session:
        article = session.scalar(select(m.Article).where(m.Article.external_id == "1145321"))
        assert article.title.endswith("(обновлено)")
        assert session.scalar(select(m.ArticleVersion.article_id)) == article.id


def test_a_second_run_of_a_site_is_refused_while_one_holds_it(db_url, site, tmp_path):
    _, url = site
    with open_database(db_url) as db, db.session() as session:  # a live run: this very process
        holder = runs.start_run(session, "demo", pid=os.getpid())
    result = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert result.returncode == EXIT_LOCKED
    assert result.stderr.strip().startswith(f"Error: a run of demo is in progress: run {holder}, since ")
    assert f"on {runs.HOST} pid {os.getpid()}" in result.stderr
    assert [r.status for r in run_rows(db_url)] == ["running"]  # nothing else was started


def test_a_killed_run_is_abandoned_and_the_next_one_succeeds(site, tmp_path):
    _, url = site
    db_url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    crawl = subprocess.Popen(
        [sys.executable, "-m", "newsdb", "crawl", "demo", "--base-url", url, "--db", db_url,
         "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS=1"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSDB_")},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until it holds the lock and has archived pages
            if pages_archived(tmp_path / "killed.sqlite") >= 5:
                break
            time.sleep(0.1)
        crawl.kill()  # as the OOM killer would
    finally:
        crawl.wait(timeout=30)
    [killed] = run_rows(db_url)
    assert killed.status == "running"

    result = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = run_rows(db_url)
    assert first.status == "abandoned" and "stopped without closing the run" in first.reason
    assert second.status == "finished"
    with open_database(db_url) as db, db.session() as session:
        assert len(session.scalars(select(m.Article.id)).all()) == ARTICLES


def test_failed_urls_are_fetched_again_by_the_next_run(site, tmp_path):
    root, url = site
    db_url = f"sqlite:///{tmp_path / 'retry.sqlite'}"
    page = next(root.glob("news/tokaev-vybory-akimov-*/index.html"))
    kept = page.read_bytes()
    page.unlink()  # gone for the first run
    first = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, "-s", "NEWSDB_RETRY_BACKOFF=0", cwd=tmp_path)
    assert first.returncode == 0, first.stderr  # one failure in 50-odd fetches is within the share
    assert "fetch failed: " in first.stderr and "/news/tokaev-vybory-akimov" in first.stderr
    with open_database(db_url) as db, db.session() as session:
        row = session.scalar(select(m.Url).where(m.Url.url.contains("tokaev-vybory-akimov")))
        assert (row.outcome, row.failures, row.status) == ("http_404", 1, 404)
    page.write_bytes(kept)
    second = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, "-s", "NEWSDB_RETRY_BACKOFF=0", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "(1 new," in second.stdout
    with open_database(db_url) as db, db.session() as session:
        row = session.scalar(select(m.Url).where(m.Url.url.contains("tokaev-vybory-akimov")))
        assert (row.outcome, row.failures) == ("ok", 0)
        assert session.scalar(select(m.Article.id).where(m.Article.external_id == "1145321")) is not None


def test_a_theme_change_fires_the_drift_alarm(site, tmp_path):
    root, url = site
    for page in root.glob("news/*/index.html"):  # the theme renamed its body container
        page.write_bytes(page.read_bytes().replace(b"entry-content", b"post-body-text"))
    db_url = f"sqlite:///{tmp_path / 'drift.sqlite'}"
    result = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert result.returncode == EXIT_DRIFT, result.stderr
    assert "drift: the profile's body selector answered for" in result.stderr
    assert "fell back: body" in result.stderr
    [run] = run_rows(db_url)
    assert run.drift and run.status == "failed" and run.exit_code == EXIT_DRIFT
    with open_database(db_url) as db, db.session() as session:  # degraded, not lost: stored from other layers
        assert len(session.scalars(select(m.Article.id)).all()) == ARTICLES


def test_the_summary_masks_the_database_password(site, tmp_path):
    _, url = site
    from tests.conftest import PG_SERVER

    name = f"newsdb_mask_{os.getpid()}"
    from sqlalchemy import create_engine

    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        secret = PG_SERVER.replace("postgres@", "postgres:s3cret-pw@") + f"/{name}"  # trust auth ignores it
        result = newsdb("crawl", "demo", "--base-url", url, "--db", secret, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "s3cret-pw" not in result.stdout + result.stderr
        assert "postgres:***@" in result.stdout
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_crawl_help_lists_every_exit_code():
    from crawler.outcomes import EXIT_CODES

    result = newsdb("crawl", "--help", cwd=ROOT)
    for code, meaning in EXIT_CODES.items():
        assert f"{code} {meaning}" in " ".join(result.stdout.split()), code


def test_every_start_point_failing_is_a_failed_run(site, tmp_path):
    root, url = site
    for start in ("sitemap.xml", "feed", "news/index.html", "rubric"):  # the site moved its start points
        target = root / start
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    db_url = f"sqlite:///{tmp_path / 'starts.sqlite'}"
    result = newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path)
    assert result.returncode == EXIT_UNREACHABLE, result.stderr
    assert "every start point failed (4)" in result.stderr
    [run] = run_rows(db_url)
    assert run.status == "failed" and run.reason == "every start point failed (4)"


def test_a_second_run_stops_walking_a_listing_of_known_articles(site, tmp_path):
    _, url = site
    db_url = f"sqlite:///{tmp_path / 'listing.sqlite'}"
    assert newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path).returncode == 0
    assert newsdb("crawl", "demo", "--base-url", url, "--db", db_url, cwd=tmp_path).returncode == 0
    one, two = run_rows(db_url)
    assert "newsdb/skip/listing_known" not in one.stats  # nothing was known yet
    assert two.stats["newsdb/skip/listing_known"] >= 1  # /news/ held only known articles
    assert two.stats["newsdb/fetch/done/ok"] == 4  # in full: the four start points, nothing else
    with open_database(db_url) as db, db.session() as session:
        pages = dict(session.execute(select(m.Url.url, m.Url.crawl_run_id).where(m.Url.url.contains("/news/page/"))).all())
    assert pages and set(pages.values()) == {one.id}  # walked by the first run only


class BrokenHandler(BaseHTTPRequestHandler):
    """Each article URL fails in its own way; the sitemap lists them all."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: C901 - one branch per fault
        port = self.server.server_address[1]
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\n")
        if self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>http://127.0.0.1:{port}/news/{slug}/</loc></url>" for slug in BROKEN)
            return self._send(200, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode())
        slug = self.path.strip("/").split("/")[-1]
        if slug == "loop-1":
            return self._send(302, b"", {"Location": f"http://127.0.0.1:{port}/news/loop-1/"})
        if slug == "offsite-2":
            return self._send(302, b"", {"Location": "http://elsewhere.invalid/news/x-2/"})
        if slug == "slow-3":
            time.sleep(3)  # past DOWNLOAD_TIMEOUT
            return self._send(200, b"<html>late</html>")
        if slug == "reset-4":
            self.connection.shutdown(socket.SHUT_RDWR)  # a reset: no status line at all
            return None
        if slug == "short-5":  # a lying Content-Length
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><body><p>cut")
            return None
        return self._send(404, b"not here")

    def _send(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


BROKEN = {"loop-1": "redirect", "offsite-2": "offsite", "slow-3": "timeout", "reset-4": "reset", "short-5": "truncated"}


def test_every_kind_of_failed_fetch_is_recorded_against_its_url(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    profile = tmp_path / "broken.toml"
    profile.write_text(
        f'name = "broken"\nbase_url = "{base}"\nallowed_domains = ["127.0.0.1"]\nlive = false\n'
        '[crawl]\nallow_networks = ["127.0.0.1/32"]\n'  # served on loopback, refused otherwise (crawler.ssrf)
        '[discover]\nsitemaps = ["/sitemap.xml"]\n'
        "[urls]\narticle = ['^/news/[a-z]+-(?P<id>\\d+)/?$']\n", encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'broken.sqlite'}"
    try:
        result = newsdb("crawl", str(profile), "--db", db_url, "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0",
                        "-s", "REDIRECT_MAX_TIMES=3", cwd=tmp_path)
    finally:
        server.shutdown()
    assert result.returncode == 4, result.stderr  # every article failed: far past the 20 % share
    assert "Traceback" not in result.stderr
    with open_database(db_url) as db, db.session() as session:
        outcomes = {url.rsplit("/", 2)[-2]: outcome for url, outcome in session.execute(
            select(m.Url.url, m.Url.outcome).where(m.Url.kind == "article")).all()}
        failures = session.scalars(select(m.FetchFailure)).all()
    assert outcomes == BROKEN
    assert len(failures) == len(BROKEN) and all(f.reason for f in failures)
    lines = [line for line in result.stderr.splitlines() if "fetch failed: " in line]
    assert len(lines) == len(BROKEN)  # one line each
