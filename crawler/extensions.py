"""Record each crawl as a row in crawl_runs: the run lock, a heartbeat, and a verdict.

When the spider opens, the recorder takes the site's run lock (or uses the run
`newsdb crawl` already took, NEWSDB_RUN_ID), hands the spider what earlier runs
fetched (storage.runs.seen_ids and revisits), and renews the heartbeat every
NEWSDB_HEARTBEAT_INTERVAL seconds. When it closes, `crawler.outcomes.judge`
turns the counts into a verdict (an exit code and, if the run did not do its
job, why), and the run is closed with it: `finished`, or `failed` with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from twisted.internet import task

from core import PARSER_VERSION
from crawler.database import database_for, stop_for_database
from crawler.middlewares import record_failure
from crawler.outcomes import EXIT_LOCKED, EXIT_STOPPED, Verdict, judge
from storage import api, runs
from storage.db import DatabaseUnavailable

# The counts a run row keeps: newsdb's own, and Scrapy's requests and responses.
KEPT_STATS = ("newsdb/", "downloader/request_count", "downloader/response_count",
              "downloader/response_status_count", "downloader/exception_type_count", "item_")


class CrawlRunRecorder:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = database_for(crawler.settings)
        self.interval = crawler.settings.getfloat("NEWSDB_HEARTBEAT_INTERVAL", runs.HEARTBEAT_SECONDS)
        self.run_id: int | None = crawler.settings.getint("NEWSDB_RUN_ID") or None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.redirect_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.redirect_scheduled, signal=signals.request_scheduled)
        return ext

    def stats(self) -> dict:
        return {k: v for k, v in self.crawler.stats.get_stats().items() if k.startswith(KEPT_STATS)}

    def spider_opened(self, spider):
        site = getattr(spider, "site_name", None) or spider.name
        profile = getattr(spider, "profile", None)  # recorded, so a re-parse resolves the same one

        def open_run(session) -> int | None:
            run_id = self.run_id
            if run_id is None:  # `scrapy crawl site`: nobody took the lock for us
                run_id = runs.start_run(
                    session, site, profile_ref=profile.ref if profile else None,
                    profile_hash=profile.content_hash if profile else None,
                )
            if hasattr(spider, "remember"):
                spider.remember(runs.seen_ids(session, site),
                                runs.revisits(session, site, young_since=spider.young_since(datetime.now(UTC))),
                                runs.last_success(session, site))
            return run_id

        try:
            self.run_id = self.db.write(open_run)
        except runs.RunInProgress as held:
            spider.logger.error("%s", held)
            self.crawler.stats.set_value("newsdb/exit_code", EXIT_LOCKED)
            self.crawler.engine.close_spider(spider, "locked")
            return
        except DatabaseUnavailable as error:
            stop_for_database(self.crawler, error)
            return
        spider.crawl_run_id = self.run_id
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.interval, now=False)

    def beat(self) -> None:
        try:
            self.db.write(lambda session: runs.beat(session, self.run_id, self.stats()))
        except DatabaseUnavailable as error:
            stop_for_database(self.crawler, error)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.run_id is None or reason == "locked":
            return
        profile = getattr(spider, "profile", None)
        verdict = judge(
            self.crawler.stats.get_stats(), finish_reason=reason,
            max_failure_share=profile.max_failure_share if profile else 0.2,
            drift_min_share=profile.drift_min_share if profile else 0.5,
            has_body_selector=bool(profile and profile.selectors.body),
        )
        gone = self.crawler.stats.get_value("newsdb/database_unavailable")
        if gone:
            verdict = Verdict(EXIT_STOPPED, f"stopped: {gone}; the next run fetches and stores what this one could not")
        stats = self.stats()
        stats["finish_reason"] = reason  # "finished", "shutdown" (Ctrl-C), "closespider_…"
        self.crawler.stats.set_value("newsdb/exit_code", verdict.exit_code)
        self.crawler.stats.set_value("newsdb/reason", verdict.reason)
        if verdict.reason and not self.crawler.settings.getint("NEWSDB_RUN_ID"):
            # `scrapy crawl`: nobody else will say why (`newsdb crawl` prints it on stderr itself).
            spider.logger.error("%s: %s", getattr(spider, "site_name", spider.name), verdict.reason)
        try:
            self.db.write(lambda session: runs.finish_run(
                session, self.run_id, status=verdict.status, stats=stats,
                exit_code=verdict.exit_code, reason=verdict.reason, drift=verdict.drift))
        except DatabaseUnavailable as error:
            # The run row stays `running` with a stale heartbeat: the next run marks it abandoned.
            spider.logger.error("cannot close run %s: %s", self.run_id, error)

    # Scrapy drops two kinds of redirect without a word to the request's errback:
    # one back to a URL already asked for (the dupefilter) and one to a host outside
    # the allowed domains (the offsite middleware). Both are failed fetches of the
    # URL that redirected, and are recorded as such.

    def redirect_dropped(self, request, spider):
        if request.meta.get("redirect_urls"):
            self._redirect_failed(spider, request, f"redirect loop: back to {request.url}, already requested")

    def redirect_scheduled(self, request, spider):
        domains = getattr(spider, "allowed_domains", None)
        host = (urlsplit(request.url).hostname or "").lower()
        if request.meta.get("redirect_urls") and domains and not any(
            host == domain or host.endswith("." + domain) for domain in domains  # as OffsiteMiddleware matches
        ):
            self._redirect_failed(spider, request, f"offsite: redirected to {request.url}, outside the allowed domains")

    def _redirect_failed(self, spider, request, reason: str) -> None:
        origin = request.replace(url=request.meta["redirect_urls"][0])
        record_failure(self.crawler, spider, origin, IgnoreRequest(reason))

    def item_error(self, item, response, spider, failure):
        """A pipeline step crashed: the page keeps its archive row and gets the error."""
        page_id = getattr(item, "page_id", None) or getattr(getattr(item, "page", None), "page_id", None)
        if page_id is None:
            return
        message = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        try:
            self.db.write(lambda session: api.record_page_error(
                session, page_id, message[:2000], parser_version=PARSER_VERSION))
        except DatabaseUnavailable as error:
            stop_for_database(self.crawler, error)  # unrecorded, the page is parsed again next run
        self.crawler.stats.inc_value("newsdb/errors/pipeline")
