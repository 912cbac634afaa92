"""Retries that wait: `Retry-After` on 429 and 503 honoured, exponential backoff otherwise.

    retry_delay(response, attempt=1, settings)   -> 2.0    (a 429 with Retry-After: 2)
    retry_delay(response, attempt=3, settings)   -> 4.0    (a 500: 1 s, 2 s, 4 s, … capped)
    retry_delay(response, attempt=1, settings)   -> None   (Retry-After: 3600, beyond the cap)

Scrapy's own RetryMiddleware sends a retry at once: a site that answers 429
gets three requests in well under a second and the article is lost. This one
(replacing it in DOWNLOADER_MIDDLEWARES) waits before each retry, without
blocking the reactor: the wait is a Twisted timer awaited in an
`async def process_response`, so other requests go on meanwhile.

- A 429 or 503 carrying `Retry-After` (seconds, or an HTTP date) waits that
  long, up to NEWSDB_RETRY_AFTER_MAX seconds (default 60).
- A `Retry-After` beyond that cap is not waited for, and not retried now
  either: hammering a site that asked for an hour's rest helps nobody. The
  response goes on as it is, the archive middleware records the URL as failed
  (`http_429`), and a later run retries it with the between-run backoff
  (storage.runs.record_fetch).
- Any other retry (a 5xx, a timeout, a reset, a 429 without `Retry-After`)
  waits NEWSDB_RETRY_BACKOFF_BASE seconds (default 1), doubling with each
  retry of the request, at most NEWSDB_RETRY_BACKOFF_MAX (default 30). A base
  of 0 retries at once, as Scrapy does.

RETRY_TIMES and RETRY_HTTP_CODES keep their Scrapy meaning. Counts go to the
run's stats: `newsdb/retry/waits`, `newsdb/retry/waited_seconds`,
`newsdb/retry/retry_after` and `newsdb/retry/retry_after_too_long`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import task

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})
DEFAULTS = {
    "NEWSDB_RETRY_AFTER_MAX": 60.0,
    "NEWSDB_RETRY_BACKOFF_BASE": 1.0,
    "NEWSDB_RETRY_BACKOFF_MAX": 30.0,
}


def _setting(settings: Any, name: str) -> float:
    """A float setting from Scrapy's Settings or a plain mapping; negative reads as 0."""
    default = DEFAULTS[name]
    if hasattr(settings, "getfloat"):
        value = settings.getfloat(name, default)
    elif isinstance(settings, Mapping):
        value = float(settings.get(name, default))
    else:
        value = default
    return max(value, 0.0) if math.isfinite(value) else default


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait that a `Retry-After` value asks for; None when it is not one.

    Takes delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT");
    a date in the past means 0.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP dates are GMT, whether or not they say so
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def backoff_delay(attempt: int, settings: Any) -> float:
    """Seconds before retry number `attempt` (1 for the first): base, doubling, capped."""
    base = _setting(settings, "NEWSDB_RETRY_BACKOFF_BASE")
    cap = _setting(settings, "NEWSDB_RETRY_BACKOFF_MAX")
    return min(base * 2.0 ** min(max(attempt, 1) - 1, 64), cap)


def retry_after(response: Any) -> float | None:
    """The wait a 429 or 503 response asks for in `Retry-After`, in seconds; None if none."""
    if response is None or getattr(response, "status", None) not in RETRY_AFTER_STATUSES:
        return None
    return parse_retry_after(response.headers.get("Retry-After"))


def retry_delay(response: Any, attempt: int, settings: Any) -> float | None:
    """Seconds to wait before retry number `attempt` of the request that got `response`
    (None for an exception); None when the retry should not be made in this run:
    the site asked, with `Retry-After`, for longer than NEWSDB_RETRY_AFTER_MAX."""
    asked = retry_after(response)
    if asked is not None:
        return asked if asked <= _setting(settings, "NEWSDB_RETRY_AFTER_MAX") else None
    return backoff_delay(attempt, settings)


async def sleep(seconds: float) -> None:
    """Wait without blocking the reactor (a Twisted timer, awaitable under asyncio)."""
    from twisted.internet import reactor  # the one Scrapy installed, at call time

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting `retry_delay` seconds before each retry."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.settings = settings

    def _stats(self):
        crawler = getattr(self, "crawler", None)
        return crawler.stats if crawler is not None else None

    def _retries_left(self, request) -> bool:
        limit = request.meta.get("max_retry_times", self.max_retry_times)
        return request.meta.get("retry_times", 0) < limit

    async def _wait(self, request, seconds: float) -> None:
        if seconds <= 0:
            return
        stats = self._stats()
        if stats is not None:
            stats.inc_value("newsdb/retry/waits")
            stats.inc_value("newsdb/retry/waited_seconds", round(seconds, 3), start=0.0)
        logger.debug("waiting %.1f s before retrying %s", seconds, request.url)
        await sleep(seconds)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        if not self._retries_left(request):
            return self._retry(request, reason) or response  # Scrapy gives up: its stats, its log line
        attempt = request.meta.get("retry_times", 0) + 1
        delay = retry_delay(response, attempt, self.settings)
        stats = self._stats()
        if delay is None:
            if stats is not None:
                stats.inc_value("newsdb/retry/retry_after_too_long")
            logger.info(
                "not retrying %s in this run: HTTP %s with Retry-After %s, more than NEWSDB_RETRY_AFTER_MAX (%g s)",
                request.url, response.status, response.headers.get("Retry-After", b"").decode("latin-1"),
                _setting(self.settings, "NEWSDB_RETRY_AFTER_MAX"),
            )
            return response
        if stats is not None and retry_after(response) is not None:
            stats.inc_value("newsdb/retry/retry_after")
        retry = self._retry(request, reason)
        if retry is None:
            return response
        await self._wait(request, delay)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        attempt = request.meta.get("retry_times", 0) + 1
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(request, backoff_delay(attempt, self.settings))
        return retry
