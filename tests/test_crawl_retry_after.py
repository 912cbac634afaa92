"""429 and 503 with Retry-After are waited for (a bounded wait), other retries back off.

Unit tests of crawler.retry's plain functions, and crawls of a loopback server
that rate-limits an article: `Retry-After: 2` twice, then the page.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.outcomes import EXIT_FAILURES
from crawler.retry import RetryAfterMiddleware, backoff_delay, parse_retry_after, retry_delay
from storage import models as m
from storage.db import open_database
from tests.test_crawl_demo import run_newsdb

NOW = datetime(2025, 12, 20, 10, 0, tzinfo=UTC)


def response(status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Response("http://127.0.0.1/news/a-1/", status=status, headers=headers)


def project_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


# -- Retry-After, parsed -------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [
    ("2", 2.0), (" 120 ", 120.0), (b"7", 7.0), ("0", 0.0), ("1.5", 1.5),
    (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
    ("Sat, 20 Dec 2025 10:01:00 GMT", 60.0),
    (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # already past: go now
])
def test_retry_after_takes_seconds_or_an_http_date(value, seconds):
    assert parse_retry_after(value, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "nan", "inf", "Someday, 99 Foo 20xx"])
def test_a_retry_after_that_is_no_delay_is_ignored(value):
    assert parse_retry_after(value, now=NOW) is None


# -- how long before a retry ---------------------------------------------------------


def test_429_and_503_wait_what_retry_after_asks():
    settings = project_settings()
    assert retry_delay(response(429, "2"), 1, settings) == 2.0
    assert retry_delay(response(503, "45"), 2, settings) == 45.0  # the site's word, not the backoff
    date = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    assert 15 <= retry_delay(response(503, date), 1, settings) <= 20


def test_a_retry_after_beyond_the_cap_is_not_waited_for():
    assert retry_delay(response(429, "3600"), 1, project_settings()) is None  # default cap: 60 s
    assert retry_delay(response(429, "61"), 1, project_settings()) is None
    assert retry_delay(response(429, "60"), 1, project_settings()) == 60.0
    assert retry_delay(response(429, "3600"), 1, project_settings(NEWSDB_RETRY_AFTER_MAX=7200)) == 3600.0
    assert retry_delay(response(429, "3"), 1, project_settings(NEWSDB_RETRY_AFTER_MAX=2)) is None


def test_other_retries_back_off_exponentially_and_capped():
    settings = project_settings()
    assert [retry_delay(response(500), n, settings) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert retry_delay(response(429), 2, settings) == 2.0  # a 429 without Retry-After backs off too
    assert retry_delay(response(500, "2"), 3, settings) == 4.0  # Retry-After counts on 429/503 only
    assert retry_delay(None, 1, settings) == 1.0  # a timeout or a reset: no response at all
    assert backoff_delay(40, settings) == 30.0  # NEWSDB_RETRY_BACKOFF_MAX
    quick = {"NEWSDB_RETRY_BACKOFF_BASE": 0.25, "NEWSDB_RETRY_BACKOFF_MAX": 1}  # a plain mapping works
    assert [backoff_delay(n, quick) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 1.0]
    assert backoff_delay(3, project_settings(NEWSDB_RETRY_BACKOFF_BASE=0)) == 0.0  # off: Scrapy's way


def test_the_project_replaces_scrapys_retry_middleware():
    middlewares = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["crawler.retry.RetryAfterMiddleware"] == 550


def test_the_middleware_hands_back_a_429_it_will_not_wait_for():
    crawler = get_crawler(settings_dict={"NEWSDB_RETRY_AFTER_MAX": 10})
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/news/a-1/")
    too_long = response(429, "600")
    started = time.monotonic()
    assert asyncio.run(middleware.process_response(request, too_long)) is too_long  # no retry request
    assert time.monotonic() - started < 1
    assert crawler.stats.get_value("newsdb/retry/retry_after_too_long") == 1


# -- a crawl of a site that rate-limits ------------------------------------------------

PARAGRAPHS = "".join(f"<p>Абзац {i}: в Павлодарской области завершили ремонт теплосетей к началу "
                     f"отопительного сезона, сообщили в акимате региона.</p>" for i in range(6))
ARTICLE = (f"<html><head><meta charset='utf-8'><title>Новость после паузы</title></head><body>"
           f"<article><h1 class='entry-title'>Новость после паузы</h1><div class='entry-content'>{PARAGRAPHS}"
           f"</div></article></body></html>").encode()


class RateLimited(BaseHTTPRequestHandler):
    retry_after = "2"
    limited = 2  # answers 429 this many times, then the page
    hits: list[float] = []

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/sitemap.xml":
            return self._send(200, (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/news/pauza-1/</loc></url></urlset>").encode(), "application/xml")
        if self.path == "/news/pauza-1/":
            type(self).hits.append(time.monotonic())
            if len(type(self).hits) <= type(self).limited:
                return self._send(429, b"slow down", "text/plain", Retry_After=type(self).retry_after)
            return self._send(200, ARTICLE)
        return self._send(404, b"not here")


@pytest.fixture
def rate_limited(tmp_path):
    RateLimited.hits, RateLimited.retry_after, RateLimited.limited = [], "2", 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), RateLimited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    profile = tmp_path / "pauza.toml"
    profile.write_text(
        f'name = "pauza"\nbase_url = "{base}"\nallowed_domains = ["127.0.0.1"]\nlive = false\n'
        '[crawl]\nallow_networks = ["127.0.0.1/32"]\n'  # served on loopback, refused otherwise (crawler.ssrf)
        '[discover]\nsitemaps = ["/sitemap.xml"]\n'
        "[urls]\narticle = ['^/news/[a-z]+-(?P<id>\\d+)/?$']\n"
        '[selectors]\ntitle = "h1.entry-title"\nbody = "div.entry-content > p"\n',
        encoding="utf-8",
    )
    yield base, profile
    server.shutdown()


def test_a_rate_limited_article_is_stored_after_waiting_as_asked(rate_limited, tmp_path):
    base, profile = rate_limited
    db_url = f"sqlite:///{tmp_path / 'pauza.sqlite'}"
    result = run_newsdb("crawl", str(profile), "--db", db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(1 new, 0 updated, 0 unchanged)" in result.stdout

    hits = RateLimited.hits
    assert len(hits) == 3  # 429, 429, 200: RETRY_TIMES = 2 was enough because each retry waited
    gaps = [later - earlier for earlier, later in zip(hits, hits[1:])]
    assert all(1.9 <= gap < 20 for gap in gaps), gaps  # Retry-After: 2, and no more than a bounded wait

    with open_database(db_url) as db, db.session() as session:
        assert session.scalar(select(m.Article.title)) == "Новость после паузы"
        url = session.scalar(select(m.Url).where(m.Url.url == f"{base}/news/pauza-1/"))
        assert (url.outcome, url.status, url.failures) == ("ok", 200, 0)
        run = session.scalar(select(m.CrawlRun))
        assert run.stats["newsdb/retry/retry_after"] == 2 and run.stats["newsdb/retry/waits"] == 2
        assert run.stats["newsdb/retry/waited_seconds"] == pytest.approx(4.0)


def test_a_retry_after_beyond_the_cap_leaves_the_url_to_a_later_run(rate_limited, tmp_path):
    base, profile = rate_limited
    RateLimited.retry_after, RateLimited.limited = "3600", 10
    db_url = f"sqlite:///{tmp_path / 'later.sqlite'}"
    started = time.monotonic()
    result = run_newsdb("crawl", str(profile), "--db", db_url, "-s", "NEWSDB_RETRY_AFTER_MAX=5", cwd=tmp_path)
    assert time.monotonic() - started < 120  # it did not sit out the hour
    assert len(RateLimited.hits) == 1  # asked for an hour's rest: not hammered with retries meanwhile
    assert result.returncode == EXIT_FAILURES, result.stderr  # the only article failed: the run says so
    assert "fetch failed: " in result.stderr and "/news/pauza-1/ (HTTP 429)" in result.stderr
    with open_database(db_url) as db, db.session() as session:
        url = session.scalar(select(m.Url).where(m.Url.url == f"{base}/news/pauza-1/"))
        assert (url.outcome, url.status, url.failures) == ("http_429", 429, 1)
        assert url.retry_at is not None and url.retry_at > datetime.now(UTC)  # a later run tries again
        [failure] = session.scalars(select(m.FetchFailure)).all()
        assert failure.kind == "http_429"
        assert session.scalar(select(m.CrawlRun.stats))["newsdb/retry/retry_after_too_long"] == 1
