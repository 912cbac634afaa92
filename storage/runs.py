"""Crawl runs and what they fetched: the run lock, heartbeats, URL outcomes, retries.

    run_id = start_run(session, "demo", host=HOST, pid=os.getpid())   # RunInProgress if held
    beat(session, run_id, stats)                                      # every HEARTBEAT_SECONDS
    record_fetch(session, run_id, url, kind="article", outcome="timeout", reason="…")
    finish_run(session, run_id, status="finished", stats=stats, exit_code=0)

The running `crawl_runs` row is the site's lock: a unique index allows one such
row per site, so two processes (on one machine or many, sharing the database)
cannot both run a site. A holder whose heartbeat is older than STALE_AFTER, or
whose pid is gone on this same host, died without closing its run: the next
`start_run` marks it `abandoned` and takes the lock.

`urls` keeps every URL's last outcome. A failure counts `failures` up and sets
`retry_at` with exponential backoff, so later runs fetch it again until
MAX_FAILURES attempts in a row failed; `fetch_failures` keeps each failure of
each run. `seen_ids` and `revisits` load, with one query each, what the
spider needs of a site's earlier runs.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.normalize import clip
from storage import models as m
from storage.api import record_site_profile

HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=5)  # ten missed heartbeats: the holder is gone
MAX_FAILURES = 5  # failed attempts in a row before a URL is given up
BACKOFF_FIRST = timedelta(minutes=10)
BACKOFF_MAX = timedelta(days=1)
OK_OUTCOMES = ("ok", "not_modified")
# Not fetched on purpose, by the site's word (robots.txt) or the profile's (an address
# outside crawl.allow_networks): recorded, never retried, not a failure of the site.
SKIPPED_OUTCOMES = ("robots", "refused_address")
HOST = socket.gethostname()


class RunInProgress(Exception):
    """Another live run holds the site; the message says since when and where."""


def _now() -> datetime:
    return datetime.now(UTC)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def is_stale(run: m.CrawlRun, now: datetime, *, host: str = HOST) -> bool:
    """True when the process behind a running row is gone."""
    beat_at = run.heartbeat_at or run.started_at
    if now - beat_at > STALE_AFTER:
        return True
    return run.host == host and run.pid is not None and not _pid_alive(run.pid)


def _holder(session: Session, site_id: int) -> m.CrawlRun | None:
    return session.scalar(
        select(m.CrawlRun).where(m.CrawlRun.site_id == site_id, m.CrawlRun.status == "running")
    )


def start_run(
    session: Session,
    site_name: str,
    *,
    profile_ref: str | None = None,
    profile_hash: str | None = None,
    host: str = HOST,
    pid: int | None = None,
    now: datetime | None = None,
) -> int:
    """Take the site's run lock and record a running crawl; return the run's id.

    Records the profile the run uses in the site's row. A dead holder is marked
    `abandoned` first; a live one raises RunInProgress.
    """
    now = now or _now()
    site = record_site_profile(session, site_name, profile_ref, profile_hash)
    session.flush()
    holder = _holder(session, site.id)
    if holder is not None:
        if not is_stale(holder, now, host=host):
            raise RunInProgress(_in_progress(site_name, holder))
        abandon(session, holder, now=now)
    run = m.CrawlRun(site=site, status="running", stats={}, started_at=now, heartbeat_at=now,
                     host=host, pid=os.getpid() if pid is None else pid)
    try:
        with session.begin_nested():  # another process may have taken it since the look
            session.add(run)
            session.flush()
    except sa_exc.IntegrityError:
        holder = _holder(session, site.id)
        raise RunInProgress(_in_progress(site_name, holder)) from None
    return run.id


def _in_progress(site_name: str, holder: m.CrawlRun | None) -> str:
    if holder is None:
        return f"a run of {site_name} is in progress"
    since = holder.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"a run of {site_name} is in progress: run {holder.id}, since {since}, on {holder.host} pid {holder.pid}"


def abandon(session: Session, run: m.CrawlRun, *, now: datetime | None = None) -> None:
    """Close a run whose process died: its lock is free again."""
    run.status = "abandoned"
    run.finished_at = now or _now()
    run.reason = f"the process ({run.host} pid {run.pid}) stopped without closing the run"
    session.flush()


def beat(session: Session, run_id: int, stats: dict[str, Any] | None = None) -> None:
    """Renew the run's heartbeat (and its counts so far)."""
    run = session.get(m.CrawlRun, run_id)
    if run is None or run.status != "running":
        return
    run.heartbeat_at = _now()
    if stats is not None:
        run.stats = dict(stats)


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    stats: dict[str, Any],
    exit_code: int | None = None,
    reason: str | None = None,
    drift: bool = False,
) -> None:
    """Close a run as "finished" or "failed" with its counts; frees the lock."""
    if status not in ("finished", "failed"):
        raise ValueError(f"status must be 'finished' or 'failed', not {status!r}")
    run = session.get(m.CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl_runs row with id {run_id}")
    run.status, run.stats, run.finished_at = status, dict(stats), _now()
    run.exit_code, run.reason, run.drift = exit_code, reason, drift


# -- URL outcomes ------------------------------------------------------------------


def backoff(failures: int, first: timedelta = BACKOFF_FIRST) -> timedelta:
    """How long to wait before the next attempt after `failures` failed ones in a row."""
    return min(first * 2 ** max(failures - 1, 0), BACKOFF_MAX)


def record_fetch(
    session: Session,
    run_id: int,
    url: str,
    *,
    kind: str,
    outcome: str,
    status: int | None = None,
    reason: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    external_id: str | None = None,
    now: datetime | None = None,
    backoff_first: timedelta = BACKOFF_FIRST,
) -> m.Url:
    """Record one fetch of `url` in the run: its outcome, and for a failure the retry."""
    now = now or _now()
    run = session.get(m.CrawlRun, run_id)
    if run is None:
        raise LookupError(f"no crawl_runs row with id {run_id}")
    row = session.scalar(select(m.Url).where(m.Url.site_id == run.site_id, m.Url.url == url))
    if row is None:
        row = m.Url(site_id=run.site_id, url=url, kind=kind, failures=0, first_seen_at=now)
        session.add(row)
    row.kind, row.outcome, row.status, row.reason = kind, outcome, status, reason
    row.external_id = external_id or row.external_id
    row.last_attempt_at, row.crawl_run_id = now, run_id
    if outcome in OK_OUTCOMES:
        row.failures, row.retry_at, row.last_ok_at = 0, None, now
        if outcome == "ok":  # a 304 keeps the validators it was asked with
            row.etag, row.last_modified = etag, last_modified
    elif outcome in SKIPPED_OUTCOMES:
        row.retry_at = None
    else:
        row.failures = (row.failures or 0) + 1
        row.retry_at = now + backoff(row.failures, backoff_first) if row.failures < MAX_FAILURES else None
        session.add(m.FetchFailure(crawl_run_id=run_id, url=url, kind=outcome,
                                   reason=reason or outcome, attempts=row.failures, at=now))
    session.flush()
    return row


@dataclass(frozen=True)
class UrlState:
    """What the spider needs to know of a URL it may ask for again."""

    outcome: str
    failures: int
    first_seen_at: datetime | None
    last_ok_at: datetime | None
    retry_at: datetime | None
    etag: str | None
    last_modified: str | None
    stored: bool = False  # an article was built from it

    @property
    def fetched(self) -> bool:
        return self.last_ok_at is not None


def seen_ids(session: Session, site_name: str) -> set[str]:
    """The ids of every article URL of the site fetched before: the spider's seen set.

    One Core query for plain strings, answered from an index (ix_urls_seen), with no
    ORM rows built: benchmarks/crawl_incremental.py measures it at a million known
    articles.
    """
    urls = m.Url.__table__
    query = select(urls.c.external_id).where(
        urls.c.site_id == site_id(session, site_name), urls.c.last_ok_at.is_not(None),
        urls.c.external_id.is_not(None),
    )  # no DISTINCT: twins share an id, and the set folds them without a sort in the database
    return set(session.connection().execute(query).scalars())


def revisits(session: Session, site_name: str, *, young_since: datetime) -> dict[str, UrlState]:
    """{url: state} of the article URLs worth asking for again: those whose last fetch
    failed (to retry) and those first fetched since `young_since` (to revalidate).

    Two queries, each a range of an index (ix_urls_seen on last_ok_at, ix_urls_first_seen),
    where one with OR would read every URL of the site.
    """
    urls = m.Url.__table__
    stored = select(m.Page.id).where(m.Page.url == urls.c.url, m.Page.is_article.is_(True)).exists()
    columns = (urls.c.url, urls.c.outcome, urls.c.failures, urls.c.first_seen_at, urls.c.last_ok_at,
               urls.c.retry_at, urls.c.etag, urls.c.last_modified, stored)
    site = site_id(session, site_name)
    found: dict[str, UrlState] = {}
    for wanted in (urls.c.last_ok_at.is_(None), urls.c.first_seen_at >= young_since):
        query = select(*columns).where(urls.c.site_id == site, wanted, urls.c.kind == "article")
        found.update({url: UrlState(*rest) for url, *rest in session.connection().execute(query)})
    return found


def last_success(session: Session, site_name: str) -> datetime | None:
    """When the site's newest run that did its job started (None: never)."""
    return session.scalar(
        select(m.CrawlRun.started_at)
        .join(m.Site, m.Site.id == m.CrawlRun.site_id)
        .where(m.Site.name == site_name, m.CrawlRun.status == "finished")
        .order_by(m.CrawlRun.started_at.desc())
        .limit(1)
    )


# -- reading runs back (`newsdb runs`, `newsdb stats`) ---------------------------------


class NoSuchSite(LookupError):
    """A site name the database has never seen; the message names the known ones."""


def _stat(stats: dict[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return value if isinstance(value, int) else 0


def _stat_sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def _stat_counts(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix) and isinstance(v, int)}


@dataclass(frozen=True)
class RunView:
    """One crawl run as `newsdb runs` shows it; datetimes are aware UTC.

    `unchanged` counts revalidated articles (304) with the re-fetched identical
    ones; `failed` counts fetches that failed and articles that could not be stored.
    """

    id: int
    site: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None
    new: int
    updated: int
    unchanged: int
    failed: int
    requests: int
    exit_code: int | None
    reason: str | None
    drift: bool
    host: str | None
    pid: int | None


@dataclass(frozen=True)
class FailureView:
    """One failed fetch of a run: the URL, what went wrong, the attempts in a row so far."""

    url: str
    kind: str
    reason: str
    attempts: int
    at: datetime


@dataclass(frozen=True)
class RunDetail:
    """A run with its counts broken down (`newsdb runs show ID`)."""

    run: RunView
    responses: dict[str, int]  # HTTP status -> responses
    fetch_failures: dict[str, int]  # failure kind ("timeout", "http_429", …) -> fetches
    pages_archived: int
    not_articles: int
    store_failed: int
    layers: dict[str, dict[str, int]]  # field -> layer -> articles
    finish_reason: str | None
    failures: list[FailureView]


def _run_view(run: m.CrawlRun, site: str) -> RunView:
    stats = run.stats or {}
    return RunView(
        id=run.id, site=site, status=run.status, started_at=run.started_at, finished_at=run.finished_at,
        heartbeat_at=run.heartbeat_at,
        new=_stat(stats, "newsdb/store/new"),
        updated=_stat(stats, "newsdb/store/updated"),
        unchanged=_stat(stats, "newsdb/store/unchanged") + _stat(stats, "newsdb/store/not_modified"),
        failed=_stat_sum(stats, "newsdb/fetch/failed/") + _stat(stats, "newsdb/store/failed"),
        requests=_stat(stats, "downloader/request_count"),
        exit_code=run.exit_code, reason=run.reason, drift=bool(run.drift), host=run.host, pid=run.pid,
    )


def site_id(session: Session, site_name: str) -> int:
    """The site's id; NoSuchSite, naming the known sites, when the database has none of that name."""
    found = session.scalar(select(m.Site.id).where(m.Site.name == site_name))
    if found is None:
        known = list(session.scalars(select(m.Site.name).order_by(m.Site.name)))
        listed = f" (known: {', '.join(known)})" if known else " (the database has no sites yet)"
        raise NoSuchSite(f"no site named {clip(site_name)!r} in the database{listed}")
    return found


def list_runs(session: Session, site: str | None = None, last: int = 20) -> list[RunView]:
    """The newest `last` runs (of one site, or all), newest first.

    Raises NoSuchSite for a site name the database does not know.
    """
    query = select(m.CrawlRun, m.Site.name).join(m.Site, m.Site.id == m.CrawlRun.site_id)
    if site is not None:
        query = query.where(m.CrawlRun.site_id == site_id(session, site))
    query = query.order_by(m.CrawlRun.started_at.desc(), m.CrawlRun.id.desc()).limit(last)
    return [_run_view(run, name) for run, name in session.execute(query)]


def run_failures(session: Session, run_id: int) -> list[FailureView]:
    """The fetches that failed in the run, in the order they failed."""
    rows = session.scalars(
        select(m.FetchFailure).where(m.FetchFailure.crawl_run_id == run_id)
        .order_by(m.FetchFailure.at, m.FetchFailure.id)
    )
    return [FailureView(url=r.url, kind=r.kind, reason=r.reason, attempts=r.attempts, at=r.at) for r in rows]


def run_detail(session: Session, run_id: int) -> RunDetail | None:
    """One run with its counts and failures; None when there is no such run."""
    row = session.execute(
        select(m.CrawlRun, m.Site.name).join(m.Site, m.Site.id == m.CrawlRun.site_id).where(m.CrawlRun.id == run_id)
    ).first()
    if row is None:
        return None
    run, site = row
    stats = run.stats or {}
    layers: dict[str, dict[str, int]] = {}
    for key, count in _stat_counts(stats, "newsdb/extract/layer/").items():
        field, _, layer = key.partition("/")
        layers.setdefault(field, {})[layer] = count
    finish_reason = stats.get("finish_reason")
    return RunDetail(
        run=_run_view(run, site),
        responses=_stat_counts(stats, "downloader/response_status_count/"),
        fetch_failures=_stat_counts(stats, "newsdb/fetch/failed/"),
        pages_archived=_stat(stats, "newsdb/archive/pages"),
        not_articles=_stat(stats, "newsdb/store/not_article"),
        store_failed=_stat(stats, "newsdb/store/failed"),
        layers=layers,
        finish_reason=finish_reason if isinstance(finish_reason, str) else None,
        failures=run_failures(session, run_id),
    )


@dataclass(frozen=True)
class BodyTrendPoint:
    """One run's share of articles whose body came from the profile's selector."""

    run_id: int
    started_at: datetime
    status: str
    articles: int  # articles parsed in the run
    profile_share: float | None  # None when the run parsed no article
    drift: bool  # the run's drift alarm fired


def body_trend(session: Session, site: str, last: int = 5) -> list[BodyTrendPoint]:
    """The site's last `last` closed runs, oldest first: how often the profile's body
    selector answered (`newsdb/extract/layer/body/profile` ÷ `newsdb/parse/article`).

    A falling share is markup drift on its way; runs still running are left out.
    """
    rows = session.scalars(
        select(m.CrawlRun)
        .join(m.Site, m.Site.id == m.CrawlRun.site_id)
        .where(m.Site.name == site, m.CrawlRun.status != "running")
        .order_by(m.CrawlRun.started_at.desc(), m.CrawlRun.id.desc())
        .limit(last)
    ).all()
    points = []
    for run in reversed(rows):
        stats = run.stats or {}
        articles = _stat(stats, "newsdb/parse/article")
        share = min(_stat(stats, "newsdb/extract/layer/body/profile") / articles, 1.0) if articles else None
        points.append(BodyTrendPoint(run_id=run.id, started_at=run.started_at, status=run.status,
                                     articles=articles, profile_share=share, drift=bool(run.drift)))
    return points
