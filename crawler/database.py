"""The one database handle a crawl's components share, opened from settings, and
what they do when it stays away."""

from __future__ import annotations

import logging
from functools import lru_cache

from scrapy.utils.defer import deferred_from_coro

from storage.db import RETRY_FOR, Database, DatabaseUnavailable, open_database, resolve_url

logger = logging.getLogger(__name__)

STOP_REASON = "database_unavailable"  # the finish reason of a crawl the database left


@lru_cache(maxsize=8)
def _open(url: str, retry_for: float) -> Database:
    return open_database(url, retry_for=retry_for)


def database_for(settings) -> Database:
    """The archive middleware, the store pipeline and the run recorder all write
    through one engine per URL, so SQLite sees a single writer. Each write waits
    out a database that is gone or locked for NEWSDB_DB_RETRY_FOR seconds."""
    return _open(resolve_url(settings.get("NEWSDB_DATABASE_URL")), settings.getfloat("NEWSDB_DB_RETRY_FOR", RETRY_FOR))


def stop_for_database(crawler, error: DatabaseUnavailable) -> None:
    """A write gave up: stop the crawl (once), so that nothing more is fetched that
    could not be kept. What was not stored is not lost: a page not archived was
    not recorded as fetched, so the next run fetches it; one archived but not
    stored is parsed first by the next run (storage.api.unparsed_pages)."""
    if crawler.stats.get_value("newsdb/database_unavailable"):
        return
    crawler.stats.set_value("newsdb/database_unavailable", str(error))
    logger.error("stopping the crawl: %s", error)
    if crawler.engine is not None and crawler.engine.spider is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=STOP_REASON))
