"""Record each crawl as a row in crawl_runs, with the crawl's counts when it ends."""

from __future__ import annotations

from scrapy import signals

from core import PARSER_VERSION
from crawler.database import database_for
from storage import api


class CrawlRunRecorder:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = database_for(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def spider_opened(self, spider):
        site = getattr(spider, "site_name", None) or spider.name
        profile = getattr(spider, "profile", None)  # recorded, so a re-parse resolves the same one
        with self.db.session() as session:
            spider.crawl_run_id = api.start_crawl_run(
                session, site, profile_ref=profile.ref if profile else None,
                profile_hash=profile.content_hash if profile else None,
            )

    def spider_closed(self, spider, reason):
        stats = {
            k: v for k, v in self.crawler.stats.get_stats().items()
            if k.startswith(("newsdb/", "downloader/response_count", "downloader/response_status_count", "item_"))
        }
        stats["finish_reason"] = reason  # "finished", "shutdown" (Ctrl-C), "closespider_…"
        with self.db.session() as session:
            api.finish_crawl_run(
                session, spider.crawl_run_id, status="finished" if reason == "finished" else "failed", stats=stats
            )

    def item_error(self, item, response, spider, failure):
        """A pipeline step crashed: the page keeps its archive row and gets the error."""
        page_id = getattr(item, "page_id", None) or getattr(getattr(item, "page", None), "page_id", None)
        if page_id is None:
            return
        message = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        with self.db.session() as session:
            api.record_page_error(session, page_id, message[:2000], parser_version=PARSER_VERSION)
        self.crawler.stats.inc_value("newsdb/errors/pipeline")
