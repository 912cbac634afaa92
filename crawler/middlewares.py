"""Downloader middleware that archives every fetched response before anything parses it,
and records what each fetch came to against its URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.exceptions import IgnoreRequest

from core.items import Page
from crawler.database import database_for, stop_for_database
from crawler.outcomes import failure_kind, response_outcome
from storage import api, runs
from storage.db import DatabaseUnavailable


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
        fetched_at=datetime.now(UTC),
        site=site,
    )


class ArchiveMiddleware:
    """Store the raw page (URL, final URL, status, headers, compressed body) and
    put the archived `Page` (with its id) in `response.meta["newsdb_page"]`, which
    the spider hands over as is. In the same transaction the fetch's outcome goes
    to the URL's row (`storage.runs.record_fetch`): "ok", "not_modified" for a
    304 (nothing to archive: the archive already holds those bytes), or
    "http_<status>". It runs last on the way back, after retries and redirects,
    so it sees each request's final response once."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = database_for(crawler.settings)
        self.backoff = retry_backoff(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        stats = self.crawler.stats
        outcome = response_outcome(response.status)
        page = None if outcome == "not_modified" else page_from_response(response, getattr(spider, "site_name", None), request)
        # robots.txt is Scrapy's business (RobotsTxtMiddleware): archived, not judged.
        run_id = None if request.url.endswith("/robots.txt") else getattr(spider, "crawl_run_id", None)

        def archive(session) -> bool | None:  # runs again from the start if the database was away
            is_new = None
            if page is not None:
                page.page_id, is_new = api.archive_page(session, page, crawl_run_id=run_id)
            if run_id is not None:
                runs.record_fetch(
                    session, run_id, page.url if page else request.url, kind=request.meta.get("newsdb_kind", "other"),
                    outcome=outcome, status=response.status,
                    reason=None if outcome in runs.OK_OUTCOMES else f"HTTP {response.status}",
                    etag=response.headers.get("ETag", b"").decode("latin-1") or None,
                    last_modified=response.headers.get("Last-Modified", b"").decode("latin-1") or None,
                    external_id=request.meta.get("newsdb_id"), backoff_first=self.backoff,
                )
            return is_new

        try:
            is_new = self.db.write(archive)
        except DatabaseUnavailable as error:
            # Not archived, not recorded as fetched: the next run fetches it again.
            stop_for_database(self.crawler, error)
            raise IgnoreRequest(f"not archived: {error}") from None
        if page is not None:
            stats.inc_value("newsdb/archive/pages")
            stats.inc_value("newsdb/archive/new" if is_new else "newsdb/archive/unchanged")
        if page is not None:
            request.meta["newsdb_page"] = page
        if run_id is None:
            return response
        count_fetch(stats, request, outcome)
        if outcome not in runs.OK_OUTCOMES:
            log_failure(spider, request.url, f"HTTP {response.status}")
        elif outcome == "not_modified" and request.meta.get("newsdb_kind") == "article":
            # Revalidated: the stored article holds; a page that was no article still is none.
            stats.inc_value("newsdb/store/not_modified" if request.meta.get("newsdb_stored") else "newsdb/store/not_article")
        return response


def retry_backoff(settings) -> timedelta:
    """NEWSDB_RETRY_BACKOFF: seconds before a failed URL's first retry (doubling after)."""
    return timedelta(seconds=settings.getfloat("NEWSDB_RETRY_BACKOFF", runs.BACKOFF_FIRST.total_seconds()))


def count_fetch(stats, request, outcome: str) -> None:
    """Stats every fetch adds to: by outcome, and whether a start point answered."""
    if outcome in runs.SKIPPED_OUTCOMES:  # robots.txt said no: neither done nor failed
        stats.inc_value(f"newsdb/fetch/skipped/{outcome}")
        return
    done = outcome in runs.OK_OUTCOMES
    stats.inc_value(f"newsdb/fetch/done/{outcome}" if done else f"newsdb/fetch/failed/{outcome}")
    if request.meta.get("newsdb_start"):
        stats.inc_value("newsdb/start/ok" if done else "newsdb/start/failed")


def record_failure(crawler, spider, request, exc: BaseException) -> None:
    """A request that ended without a response (or was refused on the way): recorded
    against its URL with the kind of failure, counted, and logged in one line."""
    if getattr(exc, "response", None) is not None:
        return  # an HTTP error status: process_response above recorded it
    kind, reason = failure_kind(exc)
    run_id = getattr(spider, "crawl_run_id", None)
    if crawler.stats.get_value("newsdb/database_unavailable"):
        return  # the crawl is stopping for the database: not a failure of the site
    if run_id is not None:
        try:
            database_for(crawler.settings).write(lambda session: runs.record_fetch(
                session, run_id, request.url, kind=request.meta.get("newsdb_kind", "other"),
                outcome=kind, reason=reason, external_id=request.meta.get("newsdb_id"),
                backoff_first=retry_backoff(crawler.settings)))
        except DatabaseUnavailable as error:
            stop_for_database(crawler, error)  # unrecorded, the URL is simply due again next run
            return
    count_fetch(crawler.stats, request, kind)
    if kind != "robots":  # a refused address is worth a line: the site links somewhere it should not
        log_failure(spider, request.url, f"{kind}: {reason}")


def log_failure(spider, url: str, reason: str) -> None:
    """One line per failed fetch, for people (the traceback only with -v)."""
    spider.logger.warning("fetch failed: %s (%s)", url, reason)
