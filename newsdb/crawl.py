"""Run a crawl in this process and report what it did."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


@dataclass
class CrawlReport:
    site: str
    pages: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    not_articles: int
    errors: int
    quotes: int
    related: int
    seconds: float
    finish_reason: str

    @property
    def articles(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged


def crawl_settings(db_url: str, *, verbose: bool = False, progress: bool = True, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(overrides or {}, priority="cmdline")
    settings.set("NEWSDB_DATABASE_URL", db_url, priority="cmdline")
    settings.set("NEWSDB_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", "INFO" if verbose else "WARNING", priority="cmdline")
    return settings


def run_crawl(
    site: str,
    db_url: str,
    *,
    base_url: str | None = None,
    limit: int | None = None,
    verbose: bool = False,
    progress: bool = True,
    settings: dict | None = None,
    since: str | None = None,
) -> CrawlReport:
    """Crawl one site profile into the database at `db_url` (blocks until done)."""
    started = time.monotonic()
    process = CrawlerProcess(crawl_settings(db_url, verbose=verbose, progress=progress, overrides=settings))
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    crawler = process.create_crawler("site")
    process.crawl(crawler, site=site, base_url=base_url, limit=limit, since=since)
    process.start()
    get = crawler.stats.get_value
    return CrawlReport(
        site=crawler.spider.site_name,
        pages=get("newsdb/archive/pages", 0),
        articles_new=get("newsdb/store/new", 0),
        articles_updated=get("newsdb/store/updated", 0),
        articles_unchanged=get("newsdb/store/unchanged", 0),
        not_articles=get("newsdb/store/not_article", 0),
        errors=get("newsdb/store/failed", 0) + get("newsdb/errors/pipeline", 0),
        quotes=get("newsdb/store/quotes", 0),
        related=get("newsdb/store/related", 0),
        seconds=time.monotonic() - started,
        finish_reason=get("finish_reason", "unknown"),
    )
