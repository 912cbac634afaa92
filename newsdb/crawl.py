"""Run a crawl in this process and report what it did, exit code included.

    report = run_crawl("demo", "sqlite:///data/newsdb.sqlite", base_url="http://127.0.0.1:8089")
    report.exit_code, report.reason     # 0 and None when the run did its job

The site's run lock is taken here, before Scrapy starts, so a second run of
the same site stops at once (storage.runs.RunInProgress) instead of after
Scrapy's start-up; the run recorder extension then keeps its heartbeat and
closes it with the verdict of crawler.outcomes.judge.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from core.profiles import load_profile
from crawler.outcomes import EXIT_STOPPED
from storage import models as m
from storage import runs
from storage.db import DatabaseError, mask_password, open_database

RETRY_LAST = 10.0  # seconds the last bookkeeping of a crawl waits for a database that is away


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
    run_id: int
    exit_code: int
    reason: str | None  # why the run did not do its job; None when it did

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
    """Crawl one site profile into the database at `db_url` (blocks until done).

    Raises storage.runs.RunInProgress when another live run holds the site.
    """
    started = time.monotonic()
    profile = load_profile(site)
    with open_database(db_url) as database:
        run_id = database.write(lambda session: runs.start_run(
            session, profile.name, profile_ref=profile.ref, profile_hash=profile.content_hash))
    overrides = {**(settings or {}), "NEWSDB_RUN_ID": run_id}
    process = CrawlerProcess(crawl_settings(db_url, verbose=verbose, progress=progress, overrides=overrides))
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
        # Each failed fetch gets one line of ours (URL and reason); these say it again.
        for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt",
                     "scrapy.core.scraper"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawler = process.create_crawler("site")
    # Scrapy installs its root log handler anew once the crawler has its settings;
    # by the time the engine starts it is the one that stays.
    for_people = ForPeople(verbose=verbose)
    crawler.signals.connect(lambda: [h.addFilter(for_people) for h in logging.root.handlers],
                            signal=signals.engine_started, weak=False)
    try:
        process.crawl(crawler, site=site, base_url=base_url, limit=limit, since=since)
        process.start()
    finally:
        _close_if_left_running(db_url, run_id, crawler.stats.get_stats())
    get = crawler.stats.get_value
    return CrawlReport(
        site=crawler.spider.site_name,
        pages=get("newsdb/archive/pages", 0),
        articles_new=get("newsdb/store/new", 0),
        articles_updated=get("newsdb/store/updated", 0),
        articles_unchanged=get("newsdb/store/unchanged", 0) + get("newsdb/store/not_modified", 0),
        not_articles=get("newsdb/store/not_article", 0),
        errors=get("newsdb/store/failed", 0) + get("newsdb/errors/pipeline", 0),
        quotes=get("newsdb/store/quotes", 0),
        related=get("newsdb/store/related", 0),
        seconds=time.monotonic() - started,
        finish_reason=get("finish_reason", "unknown"),
        run_id=run_id,
        exit_code=get("newsdb/exit_code", EXIT_STOPPED),
        reason=get("newsdb/reason") or (None if get("newsdb/exit_code") is not None else "the crawl did not start"),
    )


class ForPeople(logging.Filter):
    """Log records as a person reads them in cron mail: one line each, passwords masked.

    Tracebacks stay for `-v`; a failed fetch is already one line of its own
    (crawler.middlewares.log_failure), so the traceback adds only noise.
    """

    def __init__(self, *, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.verbose:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        message = record.getMessage()
        masked = mask_password(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _close_if_left_running(db_url: str, run_id: int, stats: dict) -> None:
    """A crawl that never opened its spider (or crashed) leaves its run failed, never `running`."""
    def close(session) -> None:
        run = session.get(m.CrawlRun, run_id)
        if run is not None and run.status == "running":
            # The recorder's verdict when it had one (it could not write it: the database was away).
            reason = stats.get("newsdb/reason") or f"the crawl stopped before it finished ({stats.get('finish_reason', 'no spider')})"
            runs.finish_run(session, run_id, status="failed", stats={}, exit_code=stats.get("newsdb/exit_code") or EXIT_STOPPED,
                            reason=reason)

    try:
        with open_database(db_url, retry_for=RETRY_LAST) as database:
            database.write(close)
    except DatabaseError as error:
        # Still away: the row stays `running`, its heartbeat goes stale, the next run abandons it.
        logging.getLogger(__name__).error("cannot close run %s: %s", run_id, error)
