"""Crawling a site that misbehaves: nothing fetched is lost, nothing half-written is stored.

A fault-injecting server on 127.0.0.1 serves empty, truncated, undeclared
windows-1251, flaky (500 then 200) and oversized pages; the crawl must go on.
Parser failures are exercised on the pipeline itself, built the way Scrapy
builds it, with an extractor that raises.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from core.items import Page
import pipelines.parse
from crawler.pipelines import ArticlePipeline
from storage import api
from storage import models as m
from storage.db import open_database
from tests.test_crawl_demo import run_newsdb

PARAGRAPHS = "".join(
    f"<p>Абзац {i}: в Павлодарской области завершили ремонт теплосетей к началу отопительного сезона, "
    f"сообщили в акимате региона.</p>"
    for i in range(6)
)


def article(title: str, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<html><head>{meta}<title>{title}</title></head><body><nav><a href='/'>Главная</a></nav>"
        f"<article><h1 class='entry-title'>{title}</h1><div class='entry-content'>{PARAGRAPHS}</div></article>"
        f"</body></html>"
    )


def truncated_mid_letter() -> bytes:
    """An article cut inside a two-byte letter, as a dropped connection leaves it."""
    data = article("Оборванная страница").encode()
    cut = data.index("Абзац 3".encode()) + 1
    try:
        data[:cut].decode()
    except UnicodeDecodeError:
        return data[:cut]
    raise AssertionError("the cut should split a letter")


class FaultyHandler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        pages = {
            "/robots.txt": (200, b"User-agent: *\nDisallow: /private/\n"),
            "/sitemap.xml": (200, (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<url><loc>{base}/news/{slug}/</loc></url>" for slug in (
                    "good-1", "empty-2", "truncated-3", "legacy-4", "flaky-5", "huge-6", "gone-7"))
                + f"<url><loc>{base}/private/x-8/</loc></url>"
                + "</urlset>").encode()),
            "/news/good-1/": (200, article("Обычная новость о теплосетях").encode()),
            "/news/empty-2/": (200, b""),
            "/news/truncated-3/": (200, truncated_mid_letter()),
            "/news/legacy-4/": (200, article("Старая кодировка без объявления", charset=None).encode("cp1251")),
            "/news/huge-6/": (200, b"<html><body>" + b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p></body></html>"),
        }
        if self.path == "/news/flaky-5/":
            if self.hits[self.path] == 1:
                return self._send(500, b"temporary failure")
            return self._send(200, article("Новость со второй попытки").encode())
        status, body = pages.get(self.path, (404, b"<html><body><h1>404</h1></body></html>"))
        self._send(status, body, "application/xml" if self.path.endswith(".xml") else "text/html")


@pytest.fixture
def faulty_site(tmp_path):
    FaultyHandler.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    profile = tmp_path / "faulty.toml"
    profile.write_text(
        f'name = "faulty"\nbase_url = "{base}"\nallowed_domains = ["127.0.0.1"]\nlive = false\n'
        '[crawl]\nallow_networks = ["127.0.0.1/32"]\n'  # served on loopback, refused otherwise (crawler.ssrf)
        '[discover]\nsitemaps = ["/sitemap.xml"]\n'
        "[urls]\narticle = ['^/(?:news|private)/[a-z]+-(?P<id>\\d+)/?$']\n"
        '[selectors]\ntitle = "h1.entry-title"\nbody = "div.entry-content > p"\n',
        encoding="utf-8",
    )
    yield base, profile
    server.shutdown()


def test_crawl_survives_a_misbehaving_site(faulty_site, tmp_path):
    base, profile = faulty_site
    url = f"sqlite:///{tmp_path / 'faulty.sqlite'}"
    result = run_newsdb("crawl", str(profile), "--db", url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    db = open_database(url)
    try:
        with db.session() as session:
            titles = set(session.scalars(select(m.Article.title)))
            pages = {p.url.removeprefix(base): p for p in session.scalars(select(m.Page))}
            errors = [p for p in pages.values() if p.error]
            counts = api.table_counts(session)
    finally:
        db.close()

    # The truncated page still carries its headline and two paragraphs: an article, in UTF-8, not mojibake.
    assert titles == {"Обычная новость о теплосетях", "Старая кодировка без объявления", "Новость со второй попытки",
                      "Оборванная страница"}
    assert FaultyHandler.hits["/news/flaky-5/"] == 2  # retried after the 500
    assert pages["/news/empty-2/"].is_article is False and pages["/news/empty-2/"].body_size == 0
    assert pages["/news/gone-7/"].status == 404
    assert "/private/x-8/" not in pages and "/private/x-8/" not in FaultyHandler.hits  # robots.txt obeyed
    assert "fetch failed: " + base + "/news/gone-7/ (HTTP 404)" in result.stderr  # one line, and why
    assert "/news/huge-6/" in pages  # 3 MiB is under the default limit: archived, just not an article
    assert not errors
    assert counts["articles"] == 4


def test_huge_page_is_refused_without_stopping_the_crawl(faulty_site, tmp_path):
    base, profile = faulty_site
    url = f"sqlite:///{tmp_path / 'huge.sqlite'}"
    result = run_newsdb("crawl", str(profile), "--db", url, "-s", "DOWNLOAD_MAXSIZE=1048576", cwd=tmp_path)
    # Two of eight article fetches failed (the 404 and the refused page): past the 20 % the
    # profile allows, so the run says so in its exit status, and still stores the rest.
    assert result.returncode == 4, result.stderr
    assert "25% of fetches failed, more than 20% (" in result.stderr and "too_large 1" in result.stderr
    db = open_database(url)
    try:
        with db.session() as session:
            urls = set(session.scalars(select(m.Page.url)))
            articles = session.scalar(select(m.Article.id).limit(1))
    finally:
        db.close()
    assert f"{base}/news/huge-6/" not in urls  # cancelled at 1 MiB, never half-archived
    assert articles is not None and f"{base}/news/good-1/" in urls


# -- parser failures, on the pipeline itself --------------------------------------


@pytest.fixture
def article_pipeline(tmp_path):
    url = f"sqlite:///{tmp_path / 'pipeline.sqlite'}"
    crawler = get_crawler(settings_dict={"NEWSDB_DATABASE_URL": url})
    crawler.spider = crawler._create_spider("site", site="demo")
    pipeline = build_from_crawler(ArticlePipeline, crawler)
    return pipeline, url, crawler


def test_parser_failure_is_recorded_against_the_page(article_pipeline, monkeypatch):
    pipeline, url, crawler = article_pipeline
    db = open_database(url)
    page = Page(url="http://127.0.0.1:8089/news/bad-1/", body=b"<html>...</html>", site="demo")
    with db.session() as session:
        page.page_id, _ = api.archive_page(session, page)

    def broken(*args, **kwargs):
        raise RuntimeError("selector engine exploded")

    monkeypatch.setattr(pipelines.parse, "extract", broken)
    with pytest.raises(DropItem, match="parse failed for .*: RuntimeError: selector engine exploded"):
        pipeline.process_item(page)

    with db.session() as session:
        stored = session.get(m.Page, page.page_id)
        assert stored.error == "RuntimeError: selector engine exploded"
        assert api.table_counts(session)["articles"] == 0
        assert api.load_page(session, page.page_id).body == b"<html>...</html>"  # the bytes are kept
    assert crawler.stats.get_value("newsdb/parse/failed") == 1
    assert crawler.stats.get_value("newsdb/store/failed") == 1
    db.close()
