"""`newsdb crawl` against a hostile site: every fault bounded, recorded against its URL, the rest stored.

The site (tests/hostile_site.py) is crawled twice, each time by `newsdb crawl`
in a subprocess, into a fresh database:

- "loopback": the demo's way, on 127.0.0.1 with loopback allowed
  (crawl.allow_networks) and the private and metadata hosts in
  allowed_domains, so that the address guard, not the offsite filter, is what
  refuses them; SQLite.
- "strict": on 127.0.0.2 with only that address allowed and no allowed_domains
  at all (no offsite filter): the guard alone stands between a redirect and
  localhost, [::1] or the metadata service; PostgreSQL.

FAULTS in hostile_site.py is the table: each row the fault, and the outcome its
URL's `urls` row must record under each profile. Short DOWNLOAD_TIMEOUT and
retry backoff keep the run fast; the wall-time bound only guards against a hang.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
from scrapy.exceptions import IgnoreRequest
from sqlalchemy import select

from crawler.outcomes import EXIT_FAILURES, failure_kind
from crawler.ssrf import refusal
from storage import models as m
from storage import runs
from storage.db import open_database
from tests.conftest import fresh_pg_database
from tests.hostile_site import (
    ENTITY_ARTICLE, FAULTS, FOREIGN, GOOD, LOCALHOST_TITLE, LYING_1251_TITLE, LYING_UTF8_TITLE, REDIRECTED_TITLE,
    SECRET_ARTICLE, HostileSite, gzip_bomb,
)

DOWNLOAD_TIMEOUT = 2
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
SETTINGS = {
    "DOWNLOAD_TIMEOUT": DOWNLOAD_TIMEOUT, "REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES, "RETRY_TIMES": RETRY_TIMES,
    "NEWSDB_RETRY_BACKOFF_BASE": 0.2,  # waits between retries of one request: 0.2 s, 0.4 s
}
WALL_BOUND = 90  # seconds for one whole crawl: a hang, not a slow machine, fails this
RSS_BOUND_MB = 600


@dataclass
class Crawl:
    site: HostileSite
    db_url: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def run_crawl(site: HostileSite, profile: Path, db_url: str, cwd: Path) -> Crawl:
    """`newsdb crawl` in a subprocess; its own peak RSS from wait4 (not the largest of all children)."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
    args = [sys.executable, "-m", "newsdb", "crawl", str(profile), "--db", db_url]
    for name, value in SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    out, err = cwd / f"{profile.stem}.out", cwd / f"{profile.stem}.err"
    started = time.monotonic()
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
        killer = threading.Timer(600, proc.kill)  # a hung crawl ends the test, not the session
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Crawl(site, db_url, proc.returncode, out.read_text(), err.read_text(), time.monotonic() - started,
                 usage.ru_maxrss / 1024)  # ru_maxrss: KiB on Linux


@pytest.fixture(scope="module")
def loopback(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loopback")
    site = HostileSite().start("127.0.0.1", secret_dir=tmp)
    profile = site.write_profile(tmp / "stepnoi.toml", "stepnoi",
                                 allowed_domains=["127.0.0.1", "localhost", "10.0.0.1", "169.254.169.254", "::1"],
                                 allow_networks=["127.0.0.0/8", "::1/128"])
    try:
        yield run_crawl(site, profile, f"sqlite:///{tmp / 'loopback.sqlite'}", tmp)
    finally:
        site.stop()


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL database for the module, dropped afterwards."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="module")
def strict(tmp_path_factory, postgres_url):
    tmp = tmp_path_factory.mktemp("strict")
    site = HostileSite().start("127.0.0.2", secret_dir=tmp)  # loopback too, but not 127.0.0.1 nor ::1
    profile = site.write_profile(tmp / "stepnoi-strict.toml", "stepnoi", allowed_domains=None,
                                 allow_networks=["127.0.0.2/32"])
    try:
        yield run_crawl(site, profile, postgres_url, tmp)
    finally:
        site.stop()


def rows(crawl: Crawl):
    """(urls by URL, article URLs, page URLs, the run's stats)."""
    with open_database(crawl.db_url) as db, db.session() as session:
        urls = {u.url: u for u in session.scalars(select(m.Url))}
        articles = {a.url: a for a in session.scalars(select(m.Article))}
        pages = {p.url: p for p in session.scalars(select(m.Page))}
        run = session.scalars(select(m.CrawlRun)).one()
        session.expunge_all()
    return urls, articles, pages, run


@pytest.fixture(scope="module")
def loopback_rows(loopback):
    return rows(loopback)


@pytest.fixture(scope="module")
def strict_rows(strict):
    return rows(strict)


def absolute(crawl: Crawl, path: str) -> str:
    return path if "://" in path else crawl.site.base + path


# -- the table: one row per fault, per profile ------------------------------------------

NO_PAGE = {"timeout", "reset", "truncated", "too_large", "refused_address", "offsite", "redirect", "dns", "refused"}


@pytest.mark.parametrize("profile", ["loopback", "strict"])
@pytest.mark.parametrize("fault", [*FAULTS, *FOREIGN], ids=lambda f: f.path.rstrip("/").rsplit("/", 1)[-1])
def test_each_fault_is_recorded_against_its_url(request, profile, fault):
    crawl = request.getfixturevalue(profile)
    urls, articles, pages, _ = request.getfixturevalue(f"{profile}_rows")
    url = absolute(crawl, fault.path)
    expected = fault.strict if profile == "strict" and fault.strict else fault.loopback
    assert url in urls, f"{fault.what}: no urls row"
    row = urls[url]
    assert row.outcome == expected, f"{fault.what}: {row.outcome} ({row.reason})"
    if expected == "ok":
        assert row.failures == 0
    elif expected in runs.SKIPPED_OUTCOMES:  # refused by the profile's word: recorded, never retried
        assert row.failures == 0 and row.retry_at is None and row.reason, f"{fault.what}: refused, with why"
    else:
        assert row.failures == 1 and row.reason, f"{fault.what}: a failure, with why"
    stored = fault.stored and expected == "ok"
    assert (url in articles) == stored, f"{fault.what}: {'no article' if stored else 'an article'}"
    if expected in NO_PAGE:
        assert url not in pages, f"{fault.what}: half-archived"  # nothing kept of a page that did not arrive


def test_every_good_article_is_stored(loopback_rows, strict_rows, loopback, strict):
    for crawl, (urls, articles, _, _) in ((loopback, loopback_rows), (strict, strict_rows)):
        stored = {path.removeprefix(crawl.site.base): a.title for path, a in articles.items()}
        assert {path: stored.get(path) for path in GOOD} == GOOD
        for path in GOOD:
            assert urls[crawl.site.base + path].outcome == "ok"


def test_recovered_and_relabelled_pages_are_stored_as_themselves(loopback_rows, loopback):
    _, articles, _, _ = loopback_rows
    title = {url.removeprefix(loopback.site.base): a.title for url, a in articles.items()}
    assert title["/news/burst-500-901/"] == "Новость после ошибки 500"
    assert title["/news/rate-limited-908/"] == "Новость после паузы в одну секунду"
    assert title["/news/chain-short-911/"] == REDIRECTED_TITLE  # stored under the URL the site linked to
    assert title["/news/to-localhost-933/"] == LOCALHOST_TITLE  # loopback allowed: the redirect was followed
    # The lying charsets: the text as written, not mojibake.
    assert title["/news/says-utf8-920/"] == LYING_UTF8_TITLE
    assert title["/news/says-1251-921/"] == LYING_1251_TITLE


@pytest.mark.parametrize("profile", ["loopback", "strict"])
def test_the_crawl_is_bounded_and_says_it_failed(request, profile):
    crawl = request.getfixturevalue(profile)
    _, _, _, run = request.getfixturevalue(f"{profile}_rows")
    urls = request.getfixturevalue(f"{profile}_rows")[0]
    print(f"\n{profile}: {crawl.seconds:.1f} s, peak RSS {crawl.peak_rss_mb:.0f} MB, exit {crawl.returncode}\n"
          f"{fault_table(crawl, urls)}")
    assert crawl.returncode == EXIT_FAILURES, crawl.stderr[-3000:]  # past the profile's 20 % of failed fetches
    assert "of fetches failed, more than 20%" in crawl.stderr
    assert "Traceback" not in crawl.stderr
    assert crawl.seconds < WALL_BOUND
    assert crawl.peak_rss_mb < RSS_BOUND_MB  # a 1 GiB bomb and a 60 MB page never held in memory
    assert (run.status, run.exit_code) == ("failed", EXIT_FAILURES)


def fault_table(crawl: Crawl, urls) -> str:
    """The report's table (pytest -s prints it): fault, outcome, requests, seconds from the
    first request of the URL to its recorded outcome."""
    lines = []
    for fault in [*FAULTS, *FOREIGN]:
        url = absolute(crawl, fault.path)
        row = urls.get(url)
        first = crawl.site.first.get(fault.path)
        took = None
        if row is not None and first is not None:
            done = row.last_attempt_at if row.last_attempt_at.tzinfo else row.last_attempt_at.replace(tzinfo=UTC)
            took = done.timestamp() - first
        lines.append(f"| {fault.what} | {row.outcome if row else '-'} | {crawl.site.hits.get(fault.path, 0)} | "
                     f"{f'{took:.1f}' if took is not None else '-'} |")
    return "\n".join(lines)


def test_retries_and_redirects_are_bounded(loopback):
    hits = loopback.site.hits
    attempts = RETRY_TIMES + 1
    for path in ("/news/burst-500-901/", "/news/burst-502-902/", "/news/burst-503-903/"):
        assert hits[path] == 3  # two failures, then the article, within RETRY_TIMES
    assert hits["/news/down-503-904/"] == attempts  # given up after RETRY_TIMES, left to a later run
    assert hits["/news/rate-limited-908/"] == 2  # waited as asked, once
    for path in ("/news/reset-905/", "/news/reset-early-923/", "/news/trickle-906/", "/news/stall-907/", "/news/truncated-913/"):
        assert 1 <= hits[path] <= attempts, path
    long_chain = sum(n for path, n in hits.items() if path.startswith("/go/long/"))
    assert long_chain == REDIRECT_MAX_TIMES  # the hops followed, and not one more
    assert hits["/go/loop-b/"] == 1 and hits["/news/loop-909/"] == 1  # the loop is noticed, not walked


def test_sitemaps_and_feeds_expand_no_entity_and_stay_bounded(request, loopback, loopback_rows):
    urls, _, _, run = loopback_rows
    asked = set(loopback.site.hits)
    # Each check on its own: a parser that expands entities (or gives up on the bomb) fails one.
    assert SECRET_ARTICLE not in asked  # the external file never read
    assert ENTITY_ARTICLE not in asked  # internal entities not expanded either (the billion laughs: the RSS bound)
    assert not [path for path in asked if "root:" in path or "lol" in path]
    for path in ("/sitemap-laughs.xml", "/sitemap-xxe.xml", "/feed-laughs/", "/feed-xxe/", "/sitemap-html.xml"):
        assert urls[loopback.site.base + path].outcome == "ok", path  # fetched, read safely, nothing came of it
    bomb = urls[loopback.site.base + "/sitemap-bomb.xml.gz"]
    assert bomb.outcome == "too_large" and "decompressed" in bomb.reason  # gunzipped up to DOWNLOAD_MAXSIZE only
    assert run.stats["newsdb/sitemap/over_limit"] == 1  # 50,000 entries read, the rest ignored
    assert not [path for path in asked if path.startswith("/tag/")]  # its entries are no articles: none asked


def test_a_refused_address_is_never_connected_to(strict, strict_rows):
    urls, _, _, run = strict_rows
    refused = [u for u in urls.values() if u.outcome == "refused_address"]
    assert {u.url.removeprefix(strict.site.base) for u in refused} == {
        f.path for f in [*FAULTS, *FOREIGN] if (f.strict or f.loopback) == "refused_address"}
    assert all(u.reason.startswith("refused address: ") for u in refused)
    assert "/go/local/" not in strict.site.hits  # the site is on 127.0.0.2: never reached through localhost
    assert run.stats["newsdb/ssrf/refused"] >= len(refused)


# -- the pieces, without a crawl ------------------------------------------------------

LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


@pytest.mark.parametrize("address, allowed, why", [
    ("10.0.0.1", (), "private"),
    ("192.168.1.1", LOOPBACK, "private"),
    ("169.254.169.254", (), "cloud metadata"),
    ("169.254.169.254", LOOPBACK, "cloud metadata"),
    ("fd00:ec2::254", (), "cloud metadata"),
    ("169.254.10.1", (), "link-local"),
    ("fe80::1", (), "link-local"),
    ("127.0.0.1", (), "loopback"),
    ("::1", (), "loopback"),
    ("127.0.0.1", LOOPBACK, None),
    ("::1", LOOPBACK, None),
    ("::ffff:10.0.0.1", (), "private (as 10.0.0.1)"),
    ("64:ff9b::a9fe:a9fe", (), "cloud metadata (as 169.254.169.254)"),
    ("100.64.0.1", (), "not public"),
    ("224.0.0.1", (), "multicast"),
    ("0.0.0.0", (), "unspecified"),
    ("240.0.0.1", (), "reserved"),
    ("10.1.2.3", (ip_network("10.1.2.0/24"),), None),
    ("93.184.215.14", (), None),
    ("2a00:1450:4001:80b::200e", (), None),
])
def test_address_guard_refuses_what_is_not_public(address, allowed, why):
    assert refusal(ip_address(address), allowed) == why


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,<p>x</p>"])
def test_only_http_and_https_are_crawled(url):
    """A sitemap or a redirect naming file:// would have Scrapy's file handler read the disk."""
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.ssrf import AddressGuardMiddleware

    crawler = get_crawler()
    crawler.stats.open_spider(None)
    guard = AddressGuardMiddleware.from_crawler(crawler)
    with pytest.raises(IgnoreRequest, match="only http and https"):
        asyncio.run(guard.process_request(Request(url)))
    assert failure_kind(IgnoreRequest("refused address: a file URL"))[0] == "refused_address"


@pytest.mark.parametrize("exception, kind", [
    (IgnoreRequest("refused address: 10.0.0.1 is private, outside the profile's crawl.allow_networks"),
     "refused_address"),
    (IgnoreRequest("Ignored response <200 http://x/" + "a" * 400 + "> because its body (1000 B compressed, "
                   "17000000 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression."),
     "too_large"),
    (IgnoreRequest("max redirections reached"), "redirect"),
])
def test_refusals_have_their_own_kind(exception, kind):
    assert failure_kind(exception)[0] == kind


def test_the_gzip_bomb_is_a_bomb():
    import gzip
    import io

    bomb = gzip_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # about 1 MB on the wire
    total, reader = 0, gzip.GzipFile(fileobj=io.BytesIO(bomb))
    while chunk := reader.read1(1024 * 1024):  # counted as it inflates, never held whole
        total += len(chunk)
    assert total == 1024 * 1024 * 1024
