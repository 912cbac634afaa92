"""Re-parse archived pages through the one path, without the network.

    with open_database(url) as db:
        report = reparse(db, site="demo", jobs=2)
    print(report.summary())

Each page goes through exactly what the crawl runs: `pipelines.parse.parse_page`
with the profile its site's row records (resolved by `core.profiles.load_profile`,
as the crawl resolved it) and the same Steps, then `storage.api.apply_outcome`.
Workers (`jobs` processes) load and parse; the parent alone writes, in batches,
because SQLite has one writer. Only the newest version of each URL is parsed.

Idempotent: a page whose article (and parse record) would come out the same is
not written at all, so a second run changes nothing. When several pages give
one article (an AMP twin, a ?p= short link), the page the article is built
from keeps it (else the newest page wins); the others count as `superseded`,
so runs never flip the article between twins.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from core import PARSER_VERSION
from core.items import Article, Outcome
from core.profiles import SiteProfile, load_profile
from pipelines.parse import Steps, parse_page
from storage import api, history
from storage import models as m
from storage.db import Database, open_database

CHUNK = 32  # pages per worker task: big enough to amortize the pickling round trip
BATCH = 256  # outcomes per write transaction in the parent
IN_FLIGHT = 4  # chunks queued per worker


@dataclass
class Parsed:
    """What a worker sends back for one page: the outcome and its article's content hash."""

    outcome: Outcome
    content_hash: str | None = None


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


def resolve_profile(ref: str | None) -> SiteProfile | None:
    """The profile a site row records (None: the site has none). ProfileError,
    naming the reference, when it cannot be found: never a quiet generic parse."""
    return load_profile(ref) if ref else None


def site_profiles(db: Database, sites: set[str]) -> dict[str, SiteProfile | None]:
    """{site: its recorded profile}, each resolved once."""
    with db.session() as session:
        refs = api.site_profile_refs(session, sites)
    return {site: resolve_profile(refs.get(site)) for site in sites}


def select_pages(
    db: Database,
    *,
    site: str | None = None,
    since: datetime | None = None,
    url: str | None = None,
    older_than_parser: str | None = None,
    page_ids: list[int] | None = None,
) -> tuple[list[Any], dict[str, SiteProfile | None]]:
    """The newest version of each matching URL, newest first (see api.newest_pages),
    with the profile of each site they belong to."""
    with db.session() as session:
        rows = api.newest_pages(session, site=site, since=since, url=url, page_ids=page_ids)
    profiles = site_profiles(db, {r.site for r in rows})
    # Only what the crawl hands to extraction: article URLs of sites with a profile (not
    # their listings, sitemaps and feeds); every page of sites without one (WARC imports).
    rows = [r for r in rows if profiles[r.site] is None or profiles[r.site].is_article_url(r.url)]
    if older_than_parser is not None:
        limit = version_key(older_than_parser)
        rows = [r for r in rows if r.parser_version is None or version_key(r.parser_version) < limit]
    return rows, profiles


# -- the worker side: load and parse -----------------------------------------------


def parse_archived(session: Session, page_id: int, profile_ref: str | None, steps: Steps) -> Parsed:
    """One archived page through the one parse, as the crawl does it."""
    try:
        page = api.load_page(session, page_id)
    except Exception as exc:  # an unreadable archive row is recorded on the page, never stops the run
        return Parsed(Outcome("", page_id, error=f"{type(exc).__name__}: {exc}"[:2000]))
    outcome = parse_page(page, resolve_profile(profile_ref), steps=steps)
    if outcome.kind != "article":
        return Parsed(outcome)
    return Parsed(outcome, api.article_content_hash(outcome.article))


_worker: tuple[Database, Steps] | None = None


def _start_worker(db_url: str, steps: Steps) -> None:
    global _worker
    _worker = (open_database(db_url), steps)


Task = list[tuple[int, str | None]]  # (page id, its site's profile reference)


def _parse_chunk(task: Task) -> list[Parsed]:
    assert _worker is not None
    database, steps = _worker
    with database.session() as session:  # reads only
        return [parse_archived(session, page_id, ref, steps) for page_id, ref in task]


def _parsed_chunks(db: Database, tasks: list[Task], jobs: int, steps: Steps) -> Iterator[list[Parsed]]:
    """Outcomes chunk by chunk, in the order of `tasks` (newest pages first)."""
    if jobs <= 1:  # in this process: no start-up cost, and a debugger sees everything
        for task in tasks:
            with db.session() as session:
                parsed = [parse_archived(session, page_id, ref, steps) for page_id, ref in task]
            yield parsed  # outside the read transaction: the writer comes next
        return
    # spawn: workers open their own connections instead of inheriting the parent's.
    context = multiprocessing.get_context("spawn")
    url = db.url.render_as_string(hide_password=False)
    with context.Pool(jobs, initializer=_start_worker, initargs=(url, steps)) as pool:
        # A bounded window of tasks in flight (Pool.imap has none): when the
        # writer is the slower side, parsed pages wait as a few chunks, not all.
        todo = iter(tasks)
        window = deque(pool.apply_async(_parse_chunk, (task,)) for task in islice(todo, IN_FLIGHT * jobs))
        while window:
            parsed = window.popleft().get()
            for task in islice(todo, 1):
                window.append(pool.apply_async(_parse_chunk, (task,)))
            yield parsed


# -- the parent side: write in batches -------------------------------------------


class _Writer:
    """Applies outcomes to the database (or only counts them, in a dry run)."""

    def __init__(self, db: Database, pages: dict[int, Any], report: ReparseReport) -> None:
        self.db = db
        self.pages = pages  # page id -> row of api.newest_pages
        self.report = report
        self.claimed: set[tuple[str, str]] = set()  # (site, article key) written by this run

    def write(self, batch: list[Parsed]) -> None:
        # autoflush off: upsert_article flushes when it needs to, and the tag and
        # site look-ups would otherwise flush after every statement.
        # One transaction per batch; closing the session rolls back what was not committed.
        # Retried as a whole when the database is briefly away (Database.write): the
        # counts and claims start again from where this batch found them.
        counts, claimed = dict(vars(self.report)), set(self.claimed)

        def apply_batch(session: Session) -> None:
            vars(self.report).update(counts, would_change=list(counts["would_change"]))
            self.claimed = set(claimed)
            stored = self._stored_articles(session, batch)
            # Load the pages we will mark (without their bodies) in one query, so
            # the parse records find them in the identity map; the list keeps them there.
            ids = [p.outcome.page_id for p in batch]
            loaded = session.scalars(select(m.Page).options(defer(m.Page.body)).where(m.Page.id.in_(ids))).all()
            for parsed in batch:
                self._apply(session, parsed, stored)
            del loaded

        if self.report.dry_run:  # a dry run never writes, and never commits either
            with self.db.new_session(autoflush=False) as session:
                apply_batch(session)
            return
        self.db.write(apply_batch, autoflush=False)

    def _stored_articles(self, session: Session, batch: list[Parsed]) -> dict[tuple[str, str], Any]:
        keys = {p.outcome.article.key for p in batch if p.outcome.kind == "article"}
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

    def _apply(self, session: Session, parsed: Parsed, stored: dict) -> None:
        report, outcome = self.report, parsed.outcome
        kind = outcome.kind
        if kind == "failed":
            report.failed += 1
            if not report.dry_run:
                api.apply_outcome(session, outcome)
            return
        if kind == "not_article":
            report.not_articles += 1
            if not report.dry_run and not self._parsed_before(outcome.page_id, False):
                api.apply_outcome(session, outcome)
            return

        article = outcome.article
        claim = (article.site or "", article.key)
        old = stored.get(claim)
        # One page per article: the page it is built from now, if this run parses
        # that page too, else the newest one. Runs then never flip it between twins.
        if claim in self.claimed or (
            old is not None and old.page_id != outcome.page_id and old.page_id in self.pages
        ):
            report.superseded += 1
            if not report.dry_run and not self._parsed_before(outcome.page_id, True):
                # The article stays built from its own page: only this page's parse is recorded.
                api.mark_page_parsed(session, outcome.page_id, is_article=True, parser_version=PARSER_VERSION)
            return
        self.claimed.add(claim)

        if old is not None and old.content_hash == parsed.content_hash:
            if old.page_id == outcome.page_id and self._parsed_before(outcome.page_id, True):
                report.unchanged += 1  # nothing to write at all: this is what makes runs idempotent
                return
        if report.dry_run:
            self._count_dry(session, article, old, parsed.content_hash)
            return
        result = api.apply_outcome(session, outcome)
        if result == "new":
            report.new += 1
        elif result == "updated":
            report.changed += 1
        elif result == "unchanged":
            report.unchanged += 1
        else:
            report.failed += 1

    def _count_dry(self, session: Session, article: Article, old: Any, content_hash: str | None) -> None:
        report = self.report
        if old is None:
            report.new += 1
            report.would_change.append(f"new {article.url}")
        elif old.content_hash == content_hash:
            report.unchanged += 1  # only the page it points at, or the parse record, would move
        else:
            before = history.row_fields(session.get(m.Article, old.id))
            after = history.item_fields(article)
            fields = [name for name in history.FIELDS if before.get(name) != after.get(name)]
            if not set(fields) - {"url", "canonical_url"}:  # what the content hash leaves out:
                report.unchanged += 1  # a hash of an older scheme, or a twin's URL; the apply keeps it
                return
            report.changed += 1
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


def _tasks(rows: list[Any], profiles: dict[str, SiteProfile | None], size: int) -> list[Task]:
    refs = [(row.id, profiles[row.site].ref if profiles[row.site] else None) for row in rows]
    return [refs[start:start + size] for start in range(0, len(refs), size)]


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
    steps: Steps = Steps(),
) -> ReparseReport:
    """Re-parse the newest archived version of each matching URL; return the counts.

    In Python, what `newsdb reparse` does. `progress` is a stream for the
    progress line (None for silence); `dry_run` writes nothing; `steps` are the
    optional pipeline steps (pipelines.parse.steps_from_settings), as for a crawl.
    A site whose recorded profile cannot be found raises ProfileError before
    anything is parsed.
    """
    started = time.monotonic()
    rows, profiles = select_pages(db, site=site, since=since, url=url,
                                  older_than_parser=older_than_parser, page_ids=page_ids)
    report = ReparseReport(pages=len(rows), dry_run=dry_run)
    writer = _Writer(db, {row.id: row for row in rows}, report)
    bar = Progress(len(rows), progress)
    pending: list[Parsed] = []
    try:
        for outcomes in _parsed_chunks(db, _tasks(rows, profiles, CHUNK), jobs, steps):
            pending += outcomes
            if len(pending) >= BATCH:
                writer.write(pending)
                pending = []
            bar.update(len(outcomes))
        if pending:
            writer.write(pending)
    finally:
        bar.close()
    if not dry_run:  # the articles now come from the profile's current content
        with db.session() as session:
            for name, profile in profiles.items():
                if profile is not None:
                    api.record_site_profile(session, name, profile.ref, profile.content_hash)
    report.seconds = time.monotonic() - started
    return report


def stderr_if_terminal() -> TextIO | None:
    """Where a command draws its progress line: stderr when a person watches it."""
    return sys.stderr if sys.stderr.isatty() else None

