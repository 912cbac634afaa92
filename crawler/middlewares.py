"""Downloader middleware that archives every fetched response before anything parses it."""

from __future__ import annotations

from datetime import datetime, timezone

from crawler.database import database_for
from core.items import Page
from storage import api


def page_from_response(response, site: str | None, request=None) -> Page:
    request = request or response.request  # robots.txt responses come without one
    redirects = (request.meta.get("redirect_urls") if request is not None else None) or []
    headers = {
        k.decode("latin-1"): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }
    return Page(
        url=redirects[0] if redirects else response.url,
        final_url=response.url,
        body=response.body,
        status=response.status,
        headers=headers,
        fetched_at=datetime.now(timezone.utc),
        site=site,
    )


class ArchiveMiddleware:
    """Store the raw page (URL, final URL, status, headers, compressed body) and
    put the archived `Page` (with its id) in `response.meta["newsdb_page"]`, which
    the spider hands over as is."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = database_for(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        page = page_from_response(response, getattr(spider, "site_name", None), request)
        with self.db.session() as session:
            page_id, is_new = api.archive_page(session, page, crawl_run_id=getattr(spider, "crawl_run_id", None))
        page.page_id = page_id
        request.meta["newsdb_page"] = page
        stats = self.crawler.stats
        stats.inc_value("newsdb/archive/pages")
        stats.inc_value("newsdb/archive/new" if is_new else "newsdb/archive/unchanged")
        return response
