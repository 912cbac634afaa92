"""Incremental crawls: what a re-run of a known site costs, and what loading the seen set costs.

    python benchmarks/crawl_incremental.py                          # 20,000 articles, 1,000,000 known, SQLite
    python benchmarks/crawl_incremental.py --backend postgresql     # a fresh database on 127.0.0.1, dropped after
    python benchmarks/crawl_incremental.py --articles 2000 --known 100000 --no-plain   # a quick look
    python benchmarks/crawl_incremental.py --update-docs            # rewrite "## Incremental crawls" in docs/BENCHMARKS.md

Part 1, a re-run over an unchanged site. A loopback server (a thread, port 0) serves a
caravan-style site of N articles (--articles, default 20,000): a sitemap index with one
child sitemap per 1,000 articles (each with its lastmod), an RSS feed of the newest 50, a
listing /news/ paginated as /news/page/K/ (20 articles a page), /rubric/politika/, and N
article pages made from the demo pages in seeds/demo/news/ under distinct ids
(/news/<slug>-<id>/, the demo profile's pattern). Every article has an ETag and a
Last-Modified, and a conditional request for it gets a 304, as newsdb/demo_site.py does.
The database is filled as if a first crawl had happened: `sites`, finished `crawl_runs`,
one `urls` row (kind "article", outcome "ok", the server's ETag) and a minimal `articles`
row per article, bulk-inserted with SQLAlchemy Core. Then `python -m newsdb crawl <toml>`
runs as a subprocess, timed as a whole (start-up and seen-set load included). The server
counts its hits by kind of path (the ground truth for "requests made"), next to the run's
own counts in `crawl_runs.stats`. Two variants:

- unchanged: every article first seen 3 days ago by the last run; nothing is new.
- young: as above, but the newest 2 % were published since and first seen 1 hour ago by
  a second run; they are inside the profile's refresh window (48 h), so they must be
  revalidated (conditional GET, 304) and nothing else fetched.

Baseline, same run, same server: a plain Scrapy `SitemapSpider` that follows the sitemap
index fully and fetches every article (what a non-incremental crawl requests); --no-plain
skips it and takes N + the sitemaps as the full crawl's request count.

Part 2, the seen-set load at --known K articles (default 1,000,000): K `urls` rows (and K
minimal `articles` rows) for one site, bulk-inserted; then, in a fresh process per
repetition (median of --runs, default 3), what the run recorder does when the spider
opens: `storage.runs.seen_ids(session, site)` (the ids of the articles fetched before),
`storage.runs.revisits(...)` (the URLs worth asking for again: young or failed), the
spider's `remember()` (the spider is built directly, no engine), and one pass of `start()`
over the revisits. Peak RSS of that process
(resource.getrusage) is reported next to its RSS before the load.

Figures are printed as markdown tables; --update-docs writes them into docs/BENCHMARKS.md
(the SQLite and PostgreSQL figures are kept side by side: each run replaces its backend's).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO = ROOT / "seeds" / "demo"
DOCS = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Incremental crawls"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SITE = "incbench"
ALMATY = ZoneInfo("Asia/Almaty")
FIRST_ID = 3_000_000  # article k of the synthetic site has the id FIRST_ID + k (k = 0: the oldest)
PER_SITEMAP = 1000  # Yoast's child sitemap size
PER_LISTING = 20
FEED_ITEMS = 50
YOUNG_SHARE = 0.02
PLAIN_SETTINGS = {"CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "DOWNLOAD_DELAY": "0",
                  "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False", "LOG_LEVEL": "WARNING"}

# The demo articles by post id: the templates of the synthetic site, the video post among
# them (other pages link to it), so 1 in 43 synthetic articles is a video post.
DEMO_IDS = {m.group(2): (m.group(1), p) for p in sorted((DEMO / "news").iterdir())
            if (m := re.fullmatch(r"([a-z0-9-]+)-(\d{7})", p.name))}
ID_IN_PAGE = re.compile(rb"(?<!\d)(\d{7})(?!\d)")


# -- the synthetic site --------------------------------------------------------------


class Template:
    """One demo page, cut at every demo post id it holds (its own, its related links')."""

    def __init__(self, index: int, slug: str, folder: Path, order: dict[str, int]) -> None:
        raw = (folder / "index.html").read_bytes()
        self.index, self.slug = index, slug
        self.version = hashlib.sha1(raw).hexdigest()[:10]
        self.parts: list[bytes | int] = []
        pos = 0
        for match in ID_IN_PAGE.finditer(raw):
            demo_id = match.group(1).decode()
            if demo_id in order:
                self.parts += [raw[pos:match.start()], order[demo_id]]
                pos = match.end()
        self.parts.append(raw[pos:])


class Site:
    """N articles, oldest first; `published[k]` is article k's publication time."""

    def __init__(self, n: int, now: datetime, young: int = 0) -> None:
        order = {demo_id: i for i, demo_id in enumerate(DEMO_IDS)}
        self.templates = [Template(i, slug, folder, order) for i, (slug, folder) in enumerate(DEMO_IDS.values())]
        self.n, self.young, self.now = n, young, now
        old = n - young
        # The old articles: one every 30 minutes, the newest an hour before the first run.
        # The young ones: spread over the 3 days between that run and the one an hour ago.
        newest_old = now - timedelta(days=3, hours=1)
        self.published = [newest_old - timedelta(minutes=30) * (old - 1 - k) for k in range(old)]
        if young:
            span = (timedelta(days=3) - timedelta(hours=1, minutes=10)) / young
            self.published += [now - timedelta(days=3) + span * (k + 1) for k in range(young)]

    def template(self, k: int) -> Template:
        return self.templates[k % len(self.templates)]

    def path(self, k: int) -> str:
        return f"/news/{self.template(k).slug}-{FIRST_ID + k}/"

    def etag(self, k: int) -> str:
        return f'"{FIRST_ID + k}-{self.template(k).version}"'

    def last_modified(self, k: int) -> str:
        return formatdate(self.published[k].timestamp(), usegmt=True)

    def body(self, k: int) -> bytes:
        """The template with every demo id replaced by an article of the same block of
        len(templates) articles: related links lead to articles this site has."""
        size = len(self.templates)
        block = k - k % size
        out = []
        for part in self.template(k).parts:
            if isinstance(part, int):
                target = block + part
                if target >= self.n:
                    target = target - size if target - size >= 0 else k
                out.append(str(FIRST_ID + target).encode())
            else:
                out.append(part)
        return b"".join(out)

    def article_index(self, path: str) -> int | None:
        match = re.fullmatch(r"/news/[a-z0-9-]+-(\d+)/", path)
        if not match:
            return None
        k = int(match.group(1)) - FIRST_ID
        return k if 0 <= k < self.n else None

    # The discovery documents.

    def sitemap_index(self, base: str) -> bytes:
        entries = []
        for child in range(-(-self.n // PER_SITEMAP)):
            newest = self.published[min((child + 1) * PER_SITEMAP, self.n) - 1]
            entries.append(f"<sitemap><loc>{base}/post-sitemap{child + 1}.xml</loc>"
                           f"<lastmod>{newest.astimezone(ALMATY).isoformat()}</lastmod></sitemap>")
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{"".join(entries)}</sitemapindex>').encode()

    def sitemap(self, base: str, child: int) -> bytes | None:
        first = (child - 1) * PER_SITEMAP
        if child < 1 or first >= self.n:
            return None
        entries = [f"<url><loc>{base}{self.path(k)}</loc><lastmod>{self.published[k].astimezone(ALMATY).isoformat()}"
                   f"</lastmod></url>" for k in range(first, min(first + PER_SITEMAP, self.n))]
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{"".join(entries)}</urlset>').encode()

    def feed(self, base: str) -> bytes:
        items = [f"<item><title>{self.template(k).slug}</title><link>{base}{self.path(k)}</link>"
                 f"<guid isPermaLink=\"false\">{base}/?p={FIRST_ID + k}</guid>"
                 f"<pubDate>{formatdate(self.published[k].timestamp(), localtime=False)}</pubDate></item>"
                 for k in range(self.n - 1, max(self.n - 1 - FEED_ITEMS, -1), -1)]
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Caravan.kz</title>'
                f'<link>{base}/</link>{"".join(items)}</channel></rss>').encode()

    def listing(self, page: int, *, every: int = 1, paginate: bool = True) -> bytes | None:
        """Page `page` (1-based) of the newest-first listing of every `every`-th article."""
        ids = range(self.n - 1, -1, -every)
        chosen = ids[(page - 1) * PER_LISTING:page * PER_LISTING]
        if not chosen:
            return None
        items = "".join(
            f'<article class="post-item"><a href="{self.path(k)}">{self.template(k).slug}</a>'
            f'<time datetime="{self.published[k].astimezone(ALMATY).isoformat()}"></time></article>'
            for k in chosen)
        nav = ""
        if paginate:
            prev = "/news/" if page == 2 else f"/news/page/{page - 1}/"
            nav = (f'<a href="{prev}">&laquo;</a>' if page > 1 else "") + (
                f'<a href="/news/page/{page + 1}/">&raquo;</a>' if page * PER_LISTING < len(ids) else "")
        return (f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Новости</title></head><body>'
                f'<nav><a href="/">Главная</a> <a href="/news/">Новости</a> <a href="/rubric/politika/">Политика'
                f'</a> <a href="/feed/">RSS</a></nav><main>{items}</main><nav class="pagination">{nav}</nav>'
                f'</body></html>').encode()


def make_handler(site: Site, hits: Counter, lock: threading.Lock):
    from newsdb.demo_site import not_modified  # the demo site's own 304 rule

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def hit(self, kind: str) -> None:
            with lock:
                hits[kind] += 1

        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            path = self.path.split("?", 1)[0]
            k = site.article_index(path)
            if k is not None:
                validators = {"ETag": site.etag(k), "Last-Modified": site.last_modified(k)}
                if not_modified(self.headers, validators):
                    self.hit("article 304")
                    return self.send(304, b"", "text/html", validators)
                self.hit("article 200")
                return self.send(200, site.body(k), "text/html; charset=UTF-8", validators)
            body, kind, content_type = None, "other", "text/html; charset=UTF-8"
            if path == "/robots.txt":
                body, kind = f"User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {base}/sitemap.xml\n".encode(), "robots"
                content_type = "text/plain"
            elif path == "/sitemap.xml":
                body, kind, content_type = site.sitemap_index(base), "sitemap index", "application/xml"
            elif m := re.fullmatch(r"/post-sitemap(\d+)\.xml", path):
                body, kind, content_type = site.sitemap(base, int(m.group(1))), "sitemap", "application/xml"
            elif path == "/feed/":
                body, kind, content_type = site.feed(base), "feed", "application/rss+xml"
            elif path == "/news/":
                body, kind = site.listing(1), "listing"
            elif m := re.fullmatch(r"/news/page/(\d+)/", path):
                body, kind = site.listing(int(m.group(1))), "listing"
            elif path == "/rubric/politika/":
                body, kind = site.listing(1, every=7, paginate=False), "listing"
            if body is None:
                self.hit("not found")
                return self.send(404, b"<h1>404</h1>", "text/html")
            self.hit(kind)
            self.send(200, body, content_type)

        def send(self, status: int, body: bytes, content_type: str, extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if body:
                self.wfile.write(body)

    return Handler


class Server:
    def __init__(self, site: Site) -> None:
        self.hits: Counter = Counter()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, self.hits, self.lock))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def take_hits(self) -> Counter:
        with self.lock:
            taken = Counter(self.hits)
            self.hits.clear()
        return taken

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write_profile(folder: Path, base: str) -> Path:
    """seeds/sites/demo.toml, renamed and pointed at the bench server."""
    text = (ROOT / "seeds" / "sites" / "demo.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name = "demo"', f'name = "{SITE}"', text)
    text = re.sub(r'(?m)^base_url = .*$', f'base_url = "{base}"', text)
    text = re.sub(r'(?m)^allowed_domains = .*$', 'allowed_domains = ["127.0.0.1"]', text)
    path = folder / f"{SITE}.toml"
    path.write_text(text, encoding="utf-8")
    return path.resolve()


# -- databases ------------------------------------------------------------------------


class Databases:
    """Fresh databases of one backend: SQLite files in a folder, or PostgreSQL databases
    created on 127.0.0.1 and dropped at the end."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder, self.made = backend, folder, []

    def new(self, label: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / label}.sqlite"
        from sqlalchemy import create_engine

        name = f"newsdb_incbench_{label}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        self.made.append(name)
        return f"{PG_SERVER}/{name}"

    def drop_all(self) -> None:
        if not self.made:
            return
        from sqlalchemy import create_engine

        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def populate(db_url: str, profile: Path, base: str, site: Site, *, runs_at: list[datetime],
             first_seen: list[datetime], articles: bool = True, batch: int = 10_000) -> float:
    """Fill an empty database as if runs had crawled `site`: a `sites` row, finished
    `crawl_runs` rows started at `runs_at`, one `urls` row per article (first seen at
    first_seen[k] by the run of that time) and, if `articles`, a minimal `articles` row."""
    from sqlalchemy import insert

    from core import PARSER_VERSION
    from storage import models as m
    from storage.db import open_database

    started = time.perf_counter()
    database = open_database(db_url)
    try:
        with database.engine.begin() as connection:
            site_id = connection.execute(insert(m.Site).values(
                name=SITE, base_url=base, profile=str(profile),
                profile_hash=hashlib.sha256(profile.read_bytes()).hexdigest(),
            ).returning(m.Site.id)).scalar_one()
            run_ids = {}
            for at in runs_at:
                run_ids[at] = connection.execute(insert(m.CrawlRun).values(
                    site_id=site_id, started_at=at, finished_at=at + timedelta(minutes=20), status="finished",
                    stats={}, heartbeat_at=at + timedelta(minutes=20), host="bench", pid=1, exit_code=0,
                ).returning(m.CrawlRun.id)).scalar_one()
            for first in range(0, site.n, batch):
                ks = range(first, min(first + batch, site.n))
                connection.execute(insert(m.Url), [
                    {"site_id": site_id, "url": base + site.path(k), "kind": "article", "outcome": "ok",
                     "external_id": str(FIRST_ID + k),
                     "status": 200, "reason": None, "failures": 0, "first_seen_at": first_seen[k],
                     "last_attempt_at": first_seen[k], "last_ok_at": first_seen[k], "retry_at": None,
                     "etag": site.etag(k), "last_modified": site.last_modified(k),
                     "crawl_run_id": run_ids[first_seen[k]]}
                    for k in ks])
                if articles:
                    connection.execute(insert(m.Article), [
                        {"site_id": site_id, "key": f"id:{FIRST_ID + k}", "page_id": None, "url": base + site.path(k),
                         "canonical_url": base + site.path(k), "external_id": str(FIRST_ID + k),
                         "title": site.template(k).slug, "lead": None, "published_at": site.published[k],
                         "modified_at": None, "authors": [], "source": None, "body": "", "language": "ru",
                         "parser_version": PARSER_VERSION, "layers": {}, "content_hash": "0" * 64,
                         "created_at": first_seen[k], "updated_at": first_seen[k]}
                        for k in ks])
    finally:
        database.close()
    return time.perf_counter() - started


def last_run_stats(db_url: str) -> tuple[dict, str, int | None, float]:
    from sqlalchemy import select

    from storage import models as m
    from storage.db import open_database

    database = open_database(db_url)
    try:
        with database.session() as session:
            run = session.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc()).limit(1)).one()
            span = (run.finished_at - run.started_at).total_seconds()
            return dict(run.stats), run.status, run.exit_code, span
    finally:
        database.close()


# -- part 1: the re-run ---------------------------------------------------------------------


from crawl_speed import PLAIN_SPIDER  # noqa: E402 - the same plain Scrapy baseline as the crawl benchmark


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, result


STAT_KEYS = ("downloader/request_count", "newsdb/request/new", "newsdb/request/revalidate", "newsdb/skip/known",
             "newsdb/skip/listing_known", "newsdb/skip/sitemap", "newsdb/fetch/done/ok",
             "newsdb/fetch/done/not_modified", "newsdb/store/not_modified", "newsdb/archive/pages")


def crawl_variant(name: str, args, dbs: Databases, folder: Path, now: datetime) -> dict:
    """One incremental re-run of newsdb over a site its database already knows."""
    young = round(args.articles * YOUNG_SHARE) if name == "young" else 0
    site = Site(args.articles, now, young)
    server = Server(site)
    try:
        (folder / name).mkdir()
        profile = write_profile(folder / name, server.base)
        db_url = dbs.new(name)
        first_run, second_run = now - timedelta(days=3), now - timedelta(hours=1)
        runs_at = [first_run, second_run] if young else [first_run]
        first_seen = [first_run] * (site.n - young) + [second_run] * young
        build = populate(db_url, profile, server.base, site, runs_at=runs_at, first_seen=first_seen)
        seconds, result = run([sys.executable, "-m", "newsdb", "crawl", str(profile), "--db", db_url])
        hits = server.take_hits()
        if result.returncode:
            sys.exit(f"newsdb crawl failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
        stats, status, exit_code, span = last_run_stats(db_url)
    finally:
        server.close()
    return {"variant": name, "articles": site.n, "young": young, "build_s": round(build, 1),
            "seconds": round(seconds, 2), "run_span": round(span, 2), "hits": dict(hits), "requests": sum(hits.values()),
            "stats": {k: stats.get(k, 0) for k in STAT_KEYS}, "status": status, "exit_code": exit_code}


def plain_baseline(args, folder: Path, now: datetime) -> dict:
    """A plain Scrapy SitemapSpider over the same site: every sitemap, every article."""
    site = Site(args.articles, now)
    server = Server(site)
    try:
        spider = folder / "plain.py"
        spider.write_text(PLAIN_SPIDER, encoding="utf-8")
        seconds, result = run([sys.executable, str(spider), server.base,
                               *(f"{k}={v}" for k, v in PLAIN_SETTINGS.items())])
        hits = server.take_hits()
    finally:
        server.close()
    if result.returncode:
        sys.exit(f"plain Scrapy crawl failed:\n{result.stderr}")
    pages = int(result.stdout.strip().splitlines()[-1])
    assert pages == args.articles, (pages, args.articles)
    return {"seconds": round(seconds, 2), "hits": dict(hits), "requests": sum(hits.values()), "pages": pages}


# -- part 2: the seen-set load ----------------------------------------------------------------


RAW_SEEN = ("SELECT u.external_id FROM urls u JOIN sites s ON s.id = u.site_id "
            "WHERE s.name = ? AND u.last_ok_at IS NOT NULL AND u.external_id IS NOT NULL")


def seen_child(db_url: str, profile: str) -> None:
    """In a fresh process: load the seen set as the run recorder does, and say what it cost."""
    import asyncio

    from crawler.spiders.site import SiteSpider
    from storage import runs
    from storage.db import open_database

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    database = open_database(db_url)
    spider = SiteSpider(site=profile)
    with database.session() as session:  # warm the connection and the mappers, not the data
        runs.last_success(session, SITE)
    before = rss_mb()
    out = {}
    with database.session() as session:
        t0 = time.perf_counter()
        known = runs.seen_ids(session, SITE)
        t1 = time.perf_counter()
        revisit = runs.revisits(session, SITE, young_since=spider.young_since(datetime.now(UTC)))
        t2 = time.perf_counter()
        spider.remember(known, revisit, None)
        t3 = time.perf_counter()

    async def drain():
        return [request async for request in spider.start()]

    t4 = time.perf_counter()
    started = asyncio.run(drain())
    t5 = time.perf_counter()
    out.update(known=len(known), known_ids=len(spider.known_ids), revisits=len(revisit),
               start_requests=len(started), seen_ids_s=t1 - t0, revisits_s=t2 - t1,
               remember_s=t3 - t2, start_s=t5 - t4, rss_before_mb=before, rss_peak_mb=rss_mb())
    del known, revisit, started
    spider.known_ids, spider.revisit = set(), {}
    # The baseline: the same rows through the bare DB-API driver, no SQLAlchemy, no objects.
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        t6 = time.perf_counter()
        cursor.execute(RAW_SEEN.replace("?", "%s") if database.engine.dialect.name == "postgresql" else RAW_SEEN,
                       (SITE,))
        rows = cursor.fetchall()
        out.update(driver_s=time.perf_counter() - t6, driver_rows=len(rows))
    finally:
        raw.close()
    database.close()
    print(json.dumps(out))


def seen_set(args, dbs: Databases, folder: Path, now: datetime) -> dict:
    site = Site(args.known, now)
    base = "http://127.0.0.1:9"
    (folder / "seen").mkdir()
    profile = write_profile(folder / "seen", base)
    db_url = dbs.new("seen")
    first_run = now - timedelta(days=3)
    build = populate(db_url, profile, base, site, runs_at=[first_run], first_seen=[first_run] * site.n)
    results = []
    for _ in range(args.runs):
        _, result = run([sys.executable, __file__, "--_seen-child", db_url, str(profile)])
        if result.returncode:
            sys.exit(f"seen-set load failed:\n{result.stderr}")
        results.append(json.loads(result.stdout.strip().splitlines()[-1]))
    assert all(r["known_ids"] == args.known for r in results), results
    med = {key: statistics.median(r[key] for r in results) for key in results[0]}
    med["total_s"] = statistics.median(r["seen_ids_s"] + r["revisits_s"] + r["remember_s"] for r in results)
    med["open_s"] = statistics.median(
        r["seen_ids_s"] + r["revisits_s"] + r["remember_s"] + r["start_s"] for r in results)
    med["runs"] = [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in results]
    med["build_s"] = round(build, 1)
    return med


# -- output -------------------------------------------------------------------------------------


BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def crawl_table(results: dict) -> list[str]:
    """Part 1, every backend measured so far."""
    lines = ["| backend | variant | wall time (run row) | requests (server) | robots | sitemap index / children "
             "| feed | listing | articles 200 | articles 304 | `request/new` | `request/revalidate` "
             "| `skip/known` | `skip/listing_known` | `skip/sitemap` | `downloader/request_count` "
             "| vs full crawl |",
             "|---" * 17 + "|"]
    for backend, res in results.items():
        part = res.get("crawl")
        if not part:
            continue
        full = part["full_requests"]
        for v in part["variants"]:
            h, s = v["hits"], v["stats"]
            lines.append(
                f"| {BACKENDS[backend]} | {v['variant']}{' (' + format(v['young'], ',') + ' young)' if v['young'] else ''} "
                f"| {v['seconds']:.1f} s ({v['run_span']:.1f} s) | **{v['requests']:,}** | {h.get('robots', 0)} "
                f"| {h.get('sitemap index', 0)} / {h.get('sitemap', 0)} | {h.get('feed', 0)} | {h.get('listing', 0)} "
                f"| {h.get('article 200', 0):,} | {h.get('article 304', 0):,} | {s['newsdb/request/new']:,} "
                f"| {s['newsdb/request/revalidate']:,} | {s['newsdb/skip/known']:,} "
                f"| {s['newsdb/skip/listing_known']:,} | {s['newsdb/skip/sitemap']:,} "
                f"| {s['downloader/request_count']:,} | {v['requests'] / full:.4f} ({v['requests']:,} / {full:,}) |")
        plain = part.get("plain")
        if plain:
            h = plain["hits"]
            lines.append(
                f"| — | full: plain Scrapy `SitemapSpider`, fetch only | {plain['seconds']:.1f} s "
                f"| **{plain['requests']:,}** | 0 | {h.get('sitemap index', 0)} / {h.get('sitemap', 0)} | 0 | 0 "
                f"| {h.get('article 200', 0):,} | 0 | | | | | | | 1 |")
    return lines


def seen_table(results: dict) -> list[str]:
    lines = ["| backend | known articles | `seen_ids` | `revisits` | `remember()` | **seen set (all three)**, runs "
             "| per article | `start()` scan | spider open (all four) | RSS before → peak "
             "| baseline: the ids, bare driver |",
             "|---" * 11 + "|"]
    for backend, res in results.items():
        s = res.get("seen")
        if not s:
            continue
        totals = [r["seen_ids_s"] + r["revisits_s"] + r["remember_s"] for r in s["runs"]]
        driver = f"{s['driver_s']:.1f} s" if "driver_s" in s else ""
        lines.append(
            f"| {BACKENDS[backend]} | {int(s['known']):,} | {s['seen_ids_s']:.2f} s | {s['revisits_s']:.2f} s "
            f"| {s['remember_s']:.3f} s | **{s['total_s']:.1f} s** ({min(totals):.1f}–{max(totals):.1f}) "
            f"| {s['total_s'] / s['known'] * 1e6:.1f} µs | {s['start_s']:.2f} s "
            f"| {s['open_s']:.1f} s | {s['rss_before_mb']:.0f} → {s['rss_peak_mb']:.0f} MB | {driver} |")
    return lines


def crawl_findings(results: dict) -> str:
    """What the re-run table says, in words, from its own figures."""
    said, startup, per_304 = [], [], []
    for backend, res in results.items():
        part = res.get("crawl")
        if not part:
            continue
        by = {v["variant"]: v for v in part["variants"]}
        u, y = by.get("unchanged"), by.get("young")
        if not said:
            h = u["hits"]
            articles = h.get("article 200", 0) + h.get("article 304", 0)
            said.append(
                f"The unchanged re-run asked for {u['requests']} URLs where the full crawl asks for "
                f"{part['full_requests']:,}: robots.txt, the sitemap index (its {u['stats']['newsdb/skip/sitemap']} "
                f"children skipped: their lastmod is older than the last run), the feed, and the two listing "
                f"start pages, which held only known articles, so the walk stopped there; "
                f"{'no article page' if not articles else f'{articles} article pages'}. The young run added "
                f"exactly its {y['young']:,} young articles, each a conditional request answered 304, none "
                f"fetched in full ({y['stats']['newsdb/request/new']} new requests).")
        if u and y:
            per = (y["run_span"] - u["run_span"]) / y["young"] * 1000
            startup.append(f"{u['seconds'] - u['run_span']:.1f} s of {u['seconds']:.1f} s on {BACKENDS[backend]}")
            per_304.append(f"{per:.0f} ms on {BACKENDS[backend]}")
    if startup:
        said.append(
            f"Of the unchanged run's wall time, {' and '.join(startup)} pass before its run row opens "
            f"(interpreter, imports, schema check). A 304 costs about {' and '.join(per_304)} of run time "
            "(the young run's span less the unchanged one's, per revalidated article): no parse, but the "
            "URL's row is read and written in a transaction of its own, in the reactor thread.")
    return " ".join(said)


def seen_findings(results: dict) -> str:
    said = []
    for backend, res in results.items():
        s = res.get("seen")
        if not s:
            continue
        driver = f"; the bare driver reads the same rows in {s['driver_s']:.1f} s" if "driver_s" in s else ""
        said.append(
            f"{BACKENDS[backend]}: {s['total_s']:.0f} s for {int(s['known']):,} known articles "
            f"({s['open_s']:.1f} s with `start()`), peak RSS {s['rss_peak_mb']:.0f} MB{driver}.")
    return (" ".join(said) + " The seen set is the ids of the article URLs fetched before, read as plain "
            "strings in one query (`urls.external_id`, recorded at fetch time, so no URL is parsed at start); "
            "full state is loaded only for the URLs worth asking for again: the young ones (to revalidate) "
            "and the failed ones (to retry). The loader before it (every URL's state as an ORM row, and "
            "urllib's `urlsplit` per URL to find its article id) took 36 s and 1 GiB at 1,000,000 known "
            "articles on this machine.")


def _para(text: str) -> list[str]:
    return [textwrap.fill(text, width=95, break_long_words=False, break_on_hyphens=False), ""]


def section_text(results: dict) -> str:
    runs_said = []
    for backend, res in results.items():
        for part, what in (("crawl", "re-run"), ("seen", "seen set")):
            meta = (res.get(part) or {}).get("meta")
            if meta:
                runs_said.append(f"{BACKENDS[backend]}, {what}: `{meta['command']}`, {meta['date']}, load average "
                                 f"{meta['load'][0]:.1f} → {meta['load'][1]:.1f} ({meta['note']})")
    crawl = next((r["crawl"] for r in results.values() if r.get("crawl")), None)
    seen = next((r["seen"] for r in results.values() if r.get("seen")), None)
    out = [SECTION, ""]
    out += _para(
        "`python benchmarks/crawl_incremental.py [--articles 20000] [--known 1000000] [--backend sqlite|postgresql] "
        "[--update-docs]`. Measured on the shared machine (2 cores, 24 GiB, Python 3.11) while other engineers "
        "ran their jobs on it, so the wall times are those of a loaded machine; the request counts do not "
        "depend on load. Runs:")
    out += [f"- {line}" for line in runs_said] + [""]
    if crawl:
        n = crawl["variants"][0]["articles"]
        out += _para(
            f"**A re-run over an unchanged {n:,}-article site.** A loopback server serves a caravan-style site: "
            f"a sitemap index of {-(-n // PER_SITEMAP)} child sitemaps ({PER_SITEMAP:,} articles each, with "
            f"lastmod), an RSS feed of the newest {FEED_ITEMS}, /news/ paginated by {PER_LISTING}, "
            f"/rubric/politika/, and {n:,} article pages made from the demo pages under distinct ids, with ETag, "
            "Last-Modified and 304s. The database is filled as a first crawl 3 days ago would have left it "
            "(`sites`, a finished `crawl_runs` row, a `urls` row with the server's ETag and a minimal `articles` "
            "row per article, bulk-inserted), then `python -m newsdb crawl <profile.toml> --db URL` runs as a "
            "subprocess, timed whole: interpreter and imports, schema check, Scrapy start-up and the seen-set "
            "load included; in brackets the span of its `crawl_runs` row (from taking the run lock to closing "
            "the run). Requests are the server's own hit counts; the backticked columns are the run's "
            "`crawl_runs.stats` (`newsdb/…`). *young*: the newest "
            f"{YOUNG_SHARE:.0%} were published since and first seen 1 hour ago by a second run, inside the "
            "48-hour refresh window, so they must be revalidated. The full crawl is a plain Scrapy "
            "`SitemapSpider`, fetch only, over the same server in the same run: the requests any "
            "non-incremental crawl makes at least (`newsdb crawl` would add the feed and the listing pages).")
        out += crawl_table(results) + [""]
        out += _para(crawl_findings(results))
    if seen:
        runs = len(seen["runs"])
        out += _para(
            f"**The seen-set load at {int(seen['known']):,} known articles**: that many `urls` rows (and "
            "`articles` rows) of one site, bulk-inserted; then, in a fresh process each time, median of "
            f"{runs}: `storage.runs.seen_ids(session, site)`, `storage.runs.revisits(session, site, "
            "young_since=…)` and the spider's `remember()` (a `SiteSpider` built directly, no engine): what "
            "the run recorder does when the spider opens. Next to them the spider's `start()`, which walks the "
            "revisits for articles to revalidate or retry. RSS is the process's `ru_maxrss`; before: "
            "interpreter, Scrapy, SQLAlchemy and the profile loaded. The baseline, in the same process after "
            "the rest: the same ids through the bare DB-API driver (`sqlite3`, psycopg), `fetchall()`, no "
            "SQLAlchemy: the floor of any loader that reads them all.")
        out += seen_table(results) + [""]
        out += _para(seen_findings(results))
    out += ["<!-- crawl_incremental.py results, kept so that each backend's run replaces only its own figures:",
            json.dumps(results, ensure_ascii=False, sort_keys=True), "-->", ""]
    return "\n".join(out)


def update_docs(backend: str, result: dict) -> None:
    """Rewrite the section (append it if missing), the rest of the file as it is. The
    figures of the other backend, and of a part this run skipped, are kept."""
    text = DOCS.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    results: dict = {}
    if start is None:
        before, after = text.rstrip("\n") + "\n\n", ""
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        found = re.search(r"<!-- crawl_incremental\.py results[^\n]*\n(.*?)\n-->", "\n".join(lines[start:end]), re.S)
        if found:
            results = json.loads(found.group(1))
            for kept in results.values():  # seen-set figures of the loader before seen_ids: not comparable
                if "seen_ids_s" not in kept.get("seen", {"seen_ids_s": None}):
                    del kept["seen"]
        before = "\n".join(lines[:start]) + ("\n" if start else "")
        after = "\n".join(lines[end:])
        after = ("\n" + after) if after else ""
    mine = results.setdefault(backend, {})
    for part in ("crawl", "seen"):
        if result.get(part):
            mine[part] = result[part]
    results = {b: results[b] for b in BACKENDS if b in results}
    DOCS.write_text(before + section_text(results).rstrip("\n") + "\n" + after, encoding="utf-8")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--_seen-child":
        return seen_child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, help="articles on the synthetic site (default 20000)")
    parser.add_argument("--known", type=int, default=1_000_000, help="known articles for the seen-set load (default 1000000)")
    parser.add_argument("--backend", choices=list(BACKENDS), default="sqlite")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the seen-set load (median)")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain Scrapy full crawl (full = N + sitemaps)")
    parser.add_argument("--no-crawl", action="store_true", help="skip part 1 (the re-run)")
    parser.add_argument("--no-seen", action="store_true", help="skip part 2 (the seen-set load)")
    parser.add_argument("--note", default="loaded machine: 2 cores shared with other engineers' jobs",
                        help="how loaded the machine was, for the doc")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite '{SECTION}' in docs/BENCHMARKS.md")
    args = parser.parse_args()

    now = datetime.now(UTC)
    command = " ".join(["python benchmarks/crawl_incremental.py", *(a for a in sys.argv[1:] if a != "--update-docs")])

    def meta(load_before: float) -> dict:
        return {"command": command, "date": now.strftime("%Y-%m-%d"), "note": args.note,
                "load": [round(load_before, 2), round(os.getloadavg()[0], 2)]}

    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="incbench-") as tmp:
        folder = Path(tmp)
        dbs = Databases(args.backend, folder)
        try:
            if not args.no_crawl:
                load = os.getloadavg()[0]
                variants = []
                for name in ("unchanged", "young"):
                    v = crawl_variant(name, args, dbs, folder, now)
                    variants.append(v)
                    print(f"{name}: {v['requests']} requests in {v['seconds']:.1f} s, hits {v['hits']}, "
                          f"run {v['status']} (exit {v['exit_code']}), db filled in {v['build_s']} s", file=sys.stderr)
                plain = None if args.no_plain else plain_baseline(args, folder, now)
                if plain:
                    print(f"plain Scrapy: {plain['requests']} requests in {plain['seconds']:.1f} s", file=sys.stderr)
                full = plain["requests"] if plain else args.articles + 1 + -(-args.articles // PER_SITEMAP)
                result["crawl"] = {"variants": variants, "plain": plain, "full_requests": full, "meta": meta(load)}
            if not args.no_seen:
                load = os.getloadavg()[0]
                seen = seen_set(args, dbs, folder, now)
                seen["meta"] = meta(load)
                print(f"seen set: {json.dumps(seen)}", file=sys.stderr)
                result["seen"] = seen
        finally:
            dbs.drop_all()
    shown = {args.backend: result}
    print("\n".join(crawl_table(shown)))
    print()
    print("\n".join(seen_table(shown)))
    if args.update_docs:
        update_docs(args.backend, result)
        print(f"\nupdated {DOCS.relative_to(ROOT)}: {SECTION}", file=sys.stderr)


if __name__ == "__main__":
    main()
