"""Re-parse archived pages through the one path, without the network.

    with open_database(url) as db:
        report = reparse(db, site="demo", jobs=2)
    print(report.summary())

Each page goes through exactly what the crawl runs: `storage.api.load_page`
-> `crawler.pages.extract` (with the site's profile) -> `pipelines.steps.
process_article` -> `storage.api.upsert_article` + `mark_page_parsed`, and a
failure goes to `record_page_error`. Workers (`jobs` processes) load, extract
and process; the parent alone writes, in batches, because SQLite has one
writer. Only the newest version of each URL is parsed.

Idempotent: a page whose article (and parse record) would come out the same is
not written at all, so a second run changes nothing. When several pages give
one article (an AMP twin, a ?p= short link), the page the article is built
from keeps it (else the newest page wins); the others count as `superseded`,
so runs never flip the article between twins.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import deque
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from core import PARSER_VERSION
from core.items import Article
from crawler.pages import extract
from core.profiles import ProfileError, SiteProfile, load_profile
from pipelines.steps import process_article
from storage import api, history
from storage import models as m
from storage.db import Database, open_database

CHUNK = 32  # pages per worker task: big enough to amortize the pickling round trip
BATCH = 256  # outcomes per write transaction in the parent
IN_FLIGHT = 4  # chunks queued per worker


@dataclass
class Outcome:
    """What parsing one archived page gave (sent from a worker to the parent)."""

    page_id: int
    article: Article | None = None  # set when the page is an article
    content_hash: str | None = None
    error: str | None = None  # "ExceptionType: message" when loading or parsing failed


@dataclass
class ReparseReport:
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    not_articles: int = 0
    superseded: int = 0  # article pages whose article came from a newer page of this run
    seconds: float = 0.0
    dry_run: bool = False
    would_change: list[str] = field(default_factory=list)  # dry run: "new URL", "changed URL: fields"

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{self.pages} pages: {self.changed} articles {verb}changed, {self.unchanged} unchanged, "
            f"{self.new} {verb}new, {self.failed} failed, {self.not_articles} not articles, "
            f"{self.superseded} superseded in {self.seconds:.1f} s"
        )


# -- selection ---------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...]:
    """"0.10.0" -> (0, 10, 0): parser versions compare by their numbers, not as text."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def select_pages(
    db: Database,
    *,
    site: str | None = None,
    since: datetime | None = None,
    url: str | None = None,
    older_than_parser: str | None = None,
    page_ids: list[int] | None = None,
) -> list[Any]:
    """The newest version of each matching URL, newest first (see api.newest_pages)."""
    with db.session() as session:
        rows = api.newest_pages(session, site=site, since=since, url=url, page_ids=page_ids)
    # Only what the crawl hands to extraction: article URLs of sites with a profile (not
    # their listings, sitemaps and feeds); every page of sites without one (WARC imports).
    rows = [r for r in rows if profile_for(r.site) is None or profile_for(r.site).is_article_url(r.url)]
    if older_than_parser is not None:
        limit = version_key(older_than_parser)
        rows = [r for r in rows if r.parser_version is None or version_key(r.parser_version) < limit]
    return rows


# -- the worker side: load, extract, process -----------------------------------


@lru_cache(maxsize=64)
def profile_for(site: str | None) -> SiteProfile | None:
    """The site's profile by its name; None (generic extraction) for a site without one."""
    try:
        return load_profile(site) if site else None
    except ProfileError:
        return None


def parse_page(session: Session, page_id: int) -> Outcome:
    """One archived page through extract -> pipelines, as the crawl does it."""
    try:
        page = api.load_page(session, page_id)
        raw = extract(page, profile_for(page.site))
        if not raw.is_article:
            return Outcome(page_id)
        article = process_article(raw)
        return Outcome(page_id, article, api.article_content_hash(article))
    except Exception as exc:  # a parser bug is recorded on the page, never stops the run
        return Outcome(page_id, error=f"{type(exc).__name__}: {exc}"[:2000])


_worker_db: Database | None = None


def _start_worker(db_url: str) -> None:
    global _worker_db
    _worker_db = open_database(db_url)


def _parse_chunk(page_ids: list[int]) -> list[Outcome]:
    assert _worker_db is not None
    with _worker_db.session() as session:  # reads only
        return [parse_page(session, page_id) for page_id in page_ids]


def _parsed_chunks(db: Database, chunks: list[list[int]], jobs: int) -> Iterator[list[Outcome]]:
    """Outcomes chunk by chunk, in the order of `chunks` (newest pages first)."""
    if jobs <= 1:  # in this process: no start-up cost, and a debugger sees everything
        for chunk in chunks:
            with db.session() as session:
                outcomes = [parse_page(session, page_id) for page_id in chunk]
            yield outcomes  # outside the read transaction: the writer comes next
        return
    # spawn: workers open their own connections instead of inheriting the parent's.
    context = multiprocessing.get_context("spawn")
    url = db.url.render_as_string(hide_password=False)
    with context.Pool(jobs, initializer=_start_worker, initargs=(url,)) as pool:
        # A bounded window of tasks in flight (Pool.imap has none): when the
        # writer is the slower side, parsed pages wait as a few chunks, not all.
        todo = iter(chunks)
        window = deque(pool.apply_async(_parse_chunk, (chunk,)) for chunk in islice(todo, IN_FLIGHT * jobs))
        while window:
            outcomes = window.popleft().get()
            for chunk in islice(todo, 1):
                window.append(pool.apply_async(_parse_chunk, (chunk,)))
            yield outcomes


# -- the parent side: write in batches -------------------------------------------


class _Writer:
    """Applies outcomes to the database (or only counts them, in a dry run)."""

    def __init__(self, db: Database, pages: dict[int, Any], report: ReparseReport) -> None:
        self.db = db
        self.pages = pages  # page id -> row of api.newest_pages
        self.report = report
        self.claimed: set[tuple[str, str]] = set()  # (site, article key) written by this run

    def write(self, outcomes: list[Outcome]) -> None:
        # autoflush off: upsert_article flushes when it needs to, and the tag and
        # site look-ups would otherwise flush after every statement.
        # One transaction per batch; closing the session rolls back what was not committed.
        with Session(self.db.engine, autoflush=False, expire_on_commit=False) as session:
            stored = self._stored_articles(session, outcomes)
            # Load the pages we will mark (without their bodies) in one query, so
            # mark_page_parsed finds them in the identity map; the list keeps them there.
            ids = [o.page_id for o in outcomes]
            loaded = session.scalars(select(m.Page).options(defer(m.Page.body)).where(m.Page.id.in_(ids))).all()
            for outcome in outcomes:
                self._apply(session, outcome, stored)
            if not self.report.dry_run:  # a dry run never writes, and never commits either
                session.commit()
            del loaded

    def _stored_articles(self, session: Session, outcomes: list[Outcome]) -> dict[tuple[str, str], Any]:
        keys = {o.article.key for o in outcomes if o.article is not None}
        if not keys:
            return {}
        query = (
            select(m.Site.name, m.Article.key, m.Article.id, m.Article.content_hash, m.Article.page_id)
            .join(m.Site)
            .where(m.Article.key.in_(keys))
        )
        return {(row.name, row.key): row for row in session.execute(query)}

    def _parsed_before(self, page_id: int, is_article: bool) -> bool:
        page = self.pages[page_id]
        return page.is_article is is_article and page.parser_version == PARSER_VERSION and page.error is None

    def _apply(self, session: Session, outcome: Outcome, stored: dict) -> None:
        report, article = self.report, outcome.article
        if outcome.error is not None:
            report.failed += 1
            if not report.dry_run:
                api.record_page_error(session, outcome.page_id, outcome.error, parser_version=PARSER_VERSION)
            return
        if article is None:
            report.not_articles += 1
            if not report.dry_run and not self._parsed_before(outcome.page_id, False):
                api.mark_page_parsed(session, outcome.page_id, is_article=False, parser_version=PARSER_VERSION)
            return

        claim = (article.site or "", article.key)
        old = stored.get(claim)
        # One page per article: the page it is built from now, if this run parses
        # that page too, else the newest one. Runs then never flip it between twins.
        if claim in self.claimed or (
            old is not None and old.page_id != outcome.page_id and old.page_id in self.pages
        ):
            report.superseded += 1
            if not report.dry_run and not self._parsed_before(outcome.page_id, True):
                api.mark_page_parsed(session, outcome.page_id, is_article=True, parser_version=PARSER_VERSION)
            return
        self.claimed.add(claim)

        if old is not None and old.content_hash == outcome.content_hash:
            if old.page_id == outcome.page_id and self._parsed_before(outcome.page_id, True):
                report.unchanged += 1  # nothing to write at all: this is what makes runs idempotent
                return
        if report.dry_run:
            self._count_dry(session, article, old, outcome.content_hash)
            return
        self._store(session, outcome)

    def _store(self, session: Session, outcome: Outcome) -> None:
        article = outcome.article
        assert article is not None
        try:
            with session.begin_nested():  # a failure rolls back this page only: the old article stays
                _, result = api.upsert_article(session, article)
                api.mark_page_parsed(session, outcome.page_id, is_article=True, parser_version=article.parser_version)
        except Exception as exc:
            self.report.failed += 1
            with session.begin_nested():
                api.record_page_error(
                    session, outcome.page_id, f"{type(exc).__name__}: {exc}"[:2000], parser_version=PARSER_VERSION
                )
            return
        if result == "new":
            self.report.new += 1
        elif result == "updated":
            self.report.changed += 1
        else:
            self.report.unchanged += 1

    def _count_dry(self, session: Session, article: Article, old: Any, content_hash: str | None) -> None:
        report = self.report
        if old is None:
            report.new += 1
            report.would_change.append(f"new {article.url}")
        elif old.content_hash == content_hash:
            report.unchanged += 1  # only the page it points at, or the parse record, would move
        else:
            report.changed += 1
            before = history.row_fields(session.get(m.Article, old.id))
            after = history.item_fields(article)
            fields = [name for name in history.FIELDS if before.get(name) != after.get(name)]
            report.would_change.append(f"changed {article.url}: {', '.join(fields)}")


# -- progress ------------------------------------------------------------------


class Progress:
    """One line on stderr: pages done, rate and ETA; redrawn at most twice a second."""

    def __init__(self, total: int, stream: TextIO | None = None, *, label: str = "reparse") -> None:
        self.total, self.done, self.label = total, 0, label
        self.stream = stream
        self.started = self.shown = time.monotonic()

    def update(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.stream is not None and (now - self.shown >= 0.5 or self.done == self.total):
            self.shown = now
            rate = self.done / max(now - self.started, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0
            self.stream.write(
                f"\r  {self.label}: {self.done}/{self.total} pages, {rate:.0f} pages/s, "
                f"ETA {int(eta) // 60}:{int(eta) % 60:02d} "
            )
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


# -- the whole run ---------------------------------------------------------------


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def reparse(
    db: Database,
    *,
    site: str | None = None,
    since: datetime | None = None,
    url: str | None = None,
    older_than_parser: str | None = None,
    page_ids: list[int] | None = None,
    jobs: int = 1,
    dry_run: bool = False,
    progress: TextIO | None = None,
) -> ReparseReport:
    """Re-parse the newest archived version of each matching URL; return the counts.

    In Python, what `newsdb reparse` does. `progress` is a stream for the
    progress line (None for silence); `dry_run` writes nothing.
    """
    started = time.monotonic()
    rows = select_pages(db, site=site, since=since, url=url,
                        older_than_parser=older_than_parser, page_ids=page_ids)
    report = ReparseReport(pages=len(rows), dry_run=dry_run)
    writer = _Writer(db, {row.id: row for row in rows}, report)
    bar = Progress(len(rows), progress)
    pending: list[Outcome] = []
    try:
        for outcomes in _parsed_chunks(db, _chunks([row.id for row in rows], CHUNK), jobs):
            pending += outcomes
            if len(pending) >= BATCH:
                writer.write(pending)
                pending = []
            bar.update(len(outcomes))
        if pending:
            writer.write(pending)
    finally:
        bar.close()
    report.seconds = time.monotonic() - started
    return report


def stderr_if_terminal() -> TextIO | None:
    """Where a command draws its progress line: stderr when a person watches it."""
    return sys.stderr if sys.stderr.isatty() else None

