"""A progress line on stderr while a crawl runs (NEWSDB_PROGRESS = True).

Scrapy's own log is for debugging; a person running `newsdb crawl` wants one
line that says how far it got.
"""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    def __init__(self, crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSDB_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("NEWSDB_PROGRESS_INTERVAL", 2.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        get = self.crawler.stats.get_value
        stored = sum(get(f"newsdb/store/{k}", 0) for k in ("new", "updated", "unchanged"))
        return (
            f"\r  {get('newsdb/archive/pages', 0)} pages fetched, {stored} articles stored, "
            f"{get('newsdb/store/not_article', 0)} not articles, "
            f"{get('newsdb/store/failed', 0) + get('newsdb/errors/pipeline', 0)} errors "
            f"[{time.monotonic() - self.started:.0f} s]"
        )

    def tick(self) -> None:
        sys.stderr.write(self.line())
        sys.stderr.flush()

    def spider_opened(self, spider):
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 100 + "\r")
