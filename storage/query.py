"""Read-only queries behind `newsdb show|related|export|stats` and the analyst API.

    article = find_article(session, "https://…/news/…-1145321/")   # or an id
    links = related_links(session, article.id)                      # out and in
    for record in iter_export(session, since=…):                    # constant memory
        …
    db = open_db("sqlite:///data/newsdb.sqlite")                     # the analyst API
    db.search("выборы акимов", site="demo"); db.quotes(speaker="Токаев")

Everything returns plain frozen dataclasses (or dicts for export), detached
from the session, so callers can keep them after the transaction ends. Text a
caller passes (a URL, a site name) is checked first: a NUL or a lone surrogate
raises storage.search.QueryError, an unknown site storage.runs.NoSuchSite.
`open_db` only reads: it never creates a database.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any, get_type_hints

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from core import items
from core.when import parse_when
from storage import models as m
from storage import search as _search
from storage.articles import stored_articles
from storage.db import Database, open_database
from storage.quotes import QuoteRow, count_quotes, find_quotes

EXPORT_BATCH = 500


@dataclass(frozen=True)
class QuoteView:
    position: int
    text: str
    speaker: str | None
    speaker_canonical: str | None
    verb: str | None
    paragraph: int
    start: int
    end: int
    style: str


@dataclass(frozen=True)
class LinkView:
    """A related-headline link; `article_id` is set when we store its target."""

    position: int
    tag: str | None
    title: str
    url: str
    article_id: int | None = None
    article_title: str | None = None


@dataclass(frozen=True)
class IncomingLink:
    """Another stored article whose related block links to this one."""

    article_id: int
    site: str
    url: str
    title: str | None
    link_title: str  # the headline as the linking article wrote it


@dataclass(frozen=True)
class ArticleView:
    """A stored article as `newsdb show` prints it: the fields of its
    core.items.Article (read back by storage.articles), its quotes and images as
    the contract writes them, its related links resolved, and the row's id and
    update time."""

    id: int
    site: str
    url: str
    canonical_url: str | None
    title: str | None
    lead: str | None
    published_at: datetime | None
    modified_at: datetime | None
    authors: list[str]
    source: str | None
    body: list[str]
    tags: list[str]
    quotes: list[QuoteView]
    related: list[LinkView]
    images: list[dict[str, str | None]]
    language: str
    parser_version: str
    layers: dict[str, str]
    page_id: int | None
    updated_at: datetime | None


@dataclass(frozen=True)
class RelatedReport:
    article_id: int
    outgoing: list[LinkView]
    incoming: list[IncomingLink]


@dataclass(frozen=True)
class SiteStats:
    site: str
    articles: int
    quotes: int
    first_published_at: datetime | None
    last_published_at: datetime | None
    last_crawl_at: datetime | None  # when the newest crawl run finished (or started)
    last_crawl_status: str | None
    layers: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> layer -> articles


# -- one article ---------------------------------------------------------------------


_MAX_ID = 2**63 - 1  # ids are 64-bit on both backends; a larger number names no article


def resolve_article_id(session: Session, ref: str | int) -> int | None:
    """The id of the article `ref` names: an id, or its URL / canonical URL
    (with or without the trailing slash)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref if 0 < ref <= _MAX_ID and session.get(m.Article, ref) is not None else None
    _search.checked_text(ref, "article id or URL")
    # ASCII digits only: "²".isdigit() is true too, and int() of 5,000 digits raises.
    if ref.strip().isascii() and ref.strip().isdigit():
        digits = ref.strip().lstrip("0")
        if not digits or len(digits) > len(str(_MAX_ID)) or int(digits) > _MAX_ID:
            return None
        article_id = int(digits)
        return article_id if session.get(m.Article, article_id) is not None else None
    url = ref.strip()
    variants = {url, url.rstrip("/"), url.rstrip("/") + "/"}
    return session.scalar(
        select(m.Article.id)
        .where(or_(m.Article.url.in_(variants), m.Article.canonical_url.in_(variants)))
        .order_by(m.Article.id)
        .limit(1)
    )


def find_article(session: Session, ref: str | int) -> ArticleView | None:
    """The article with its quotes, related links (resolved) and tags, or None."""
    article_id = resolve_article_id(session, ref)
    if article_id is None:
        return None
    row = session.get(m.Article, article_id)
    assert row is not None
    article = stored_articles(session, [article_id])[0]
    record = article.to_json()
    # Every view field the Article has comes from it; the rest is the row's or resolved.
    from_article = {f.name: getattr(article, f.name) for f in fields(ArticleView) if hasattr(article, f.name)}
    return ArticleView(**{
        **from_article,
        "id": row.id,
        "quotes": [QuoteView(position=i, **quote) for i, quote in enumerate(record["quotes"])],
        "related": _resolved(session, article.related),
        "images": record["images"],
        "updated_at": row.updated_at,
    })


def _url_variants(url: str) -> set[str]:
    return {url, url.rstrip("/"), url.rstrip("/") + "/"}


def _targets(session: Session, urls: set[str]) -> dict[str, tuple[int, str | None]]:
    """{url variant: (article id, title)} for the stored articles among `urls`."""
    if not urls:
        return {}
    wanted = set().union(*(_url_variants(u) for u in urls))
    found: dict[str, tuple[int, str | None]] = {}
    rows = session.execute(
        select(m.Article.id, m.Article.title, m.Article.url, m.Article.canonical_url)
        .where(or_(m.Article.url.in_(wanted), m.Article.canonical_url.in_(wanted)))
        .order_by(m.Article.id.desc())
    )
    for article_id, title, url, canonical in rows:
        for stored in (url, canonical):
            if stored:
                for variant in _url_variants(stored):
                    found[variant] = (article_id, title)
    return found


def _resolved(session: Session, links: Sequence[items.RelatedLink]) -> list[LinkView]:
    """The links as LinkView, each with the id and title of the stored article it points to."""
    targets = _targets(session, {link.url for link in links})
    return [
        LinkView(position, link.tag, link.title, link.url, *targets.get(link.url, (None, None)))
        for position, link in enumerate(links)
    ]


def related_links(session: Session, ref: str | int) -> RelatedReport | None:
    """Outgoing related links (resolved to stored articles) and incoming ones."""
    article_id = resolve_article_id(session, ref)
    if article_id is None:
        return None
    article = stored_articles(session, [article_id])[0]
    urls = set().union(*(_url_variants(u) for u in (article.url, article.canonical_url) if u))
    incoming = session.execute(
        select(m.Article.id, m.Site.name, m.Article.url, m.Article.title, m.RelatedLink.title)
        .join(m.RelatedLink, m.RelatedLink.article_id == m.Article.id)
        .join(m.Site, m.Site.id == m.Article.site_id)
        .where(m.RelatedLink.url.in_(urls), m.Article.id != article_id)
        .order_by(m.Article.published_at.desc(), m.Article.id)
    ).all()
    return RelatedReport(
        article_id=article_id,
        outgoing=_resolved(session, article.related),
        incoming=[IncomingLink(*row) for row in incoming],
    )


# -- export ------------------------------------------------------------------------


def iter_export(
    session: Session,
    *,
    since: datetime | date | str | None = None,
    until: datetime | date | str | None = None,
    site: str | None = None,
    batch: int = EXPORT_BATCH,
) -> Iterator[dict[str, Any]]:
    """Every matching article as `{"id", "site", **Article.to_json()}` (the
    `newsdb parse` contract, datetimes in UTC as stored), oldest id first,
    streamed: `batch` articles are in memory at a time.

    Article ids come through a streaming cursor (`yield_per`: a server-side cursor
    on PostgreSQL); storage.articles reads each batch of them with one query for
    the articles and one per child table. An unknown `site` raises NoSuchSite
    at the call, before any row: a typo is an error, not an empty file.
    """
    if site is not None:
        _search.check_site(session, site)
    # Read the bounds now: a bad one is a ValueError at the call, not at the first row.
    since = parse_when(since) if since is not None else None
    until = parse_when(until, end_of_day=True) if until is not None else None
    return _export_rows(session, since=since, until=until, site=site, batch=batch)


def _export_rows(
    session: Session, *, since: datetime | None, until: datetime | None, site: str | None, batch: int
) -> Iterator[dict[str, Any]]:
    stmt = (
        select(m.Article.id)
        .join(m.Site, m.Site.id == m.Article.site_id)
        .order_by(m.Article.id)
        .execution_options(yield_per=batch)
    )
    if site is not None:
        stmt = stmt.where(m.Site.name == site)
    if since is not None:
        stmt = stmt.where(m.Article.published_at >= since)
    if until is not None:
        stmt = stmt.where(m.Article.published_at <= until)
    # The batch is read on a second connection-level cursor while the ids
    # stream; SQLite and psycopg both allow that inside one transaction.
    for ids in session.scalars(stmt).partitions():
        for article_id, article in zip(ids, stored_articles(session, ids), strict=True):
            yield {"id": article_id, "site": article.site, **article.to_json()}


# The keys of every export record, in order: what CSV makes columns of.
EXPORT_KEYS = ("id", "site", *items.Article(url="").to_json())

# CSV's columns before it followed the contract, in their order, so sheets built
# on it still line up; every other export key follows, in contract order.
_CSV_FIRST = (
    "id", "site", "url", "canonical_url", "title", "lead", "published_at", "modified_at",
    "authors", "source", "tags", "quotes", "related", "body",
)
CSV_COLUMNS = (
    *(key for key in _CSV_FIRST if key in EXPORT_KEYS),
    *(key for key in EXPORT_KEYS if key not in _CSV_FIRST),
)
# Article's lists of text (authors, body, tags), read from its annotations so
# that an empty list, too, is joined rather than counted.
_TEXT_LISTS = frozenset(name for name, hint in get_type_hints(items.Article).items() if hint == list[str])


def _cell(key: str, value: Any) -> Any:
    """One export value as one CSV cell: the one flattening rule."""
    if key == "body":
        return "\n\n".join(value)  # paragraphs apart by a blank line, as a reader sees them
    if isinstance(value, list):
        return "; ".join(value) if key in _TEXT_LISTS else len(value)  # objects: how many
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_row(record: dict[str, Any]) -> list[Any]:
    """One export record flattened for CSV, in CSV_COLUMNS order: lists of text
    joined by "; ", body paragraphs by a blank line, lists of quotes, related
    links or images as their count, `extraction` as compact JSON."""
    return [_cell(key, record[key]) for key in CSV_COLUMNS]


# -- stats -------------------------------------------------------------------------


def site_stats(session: Session) -> list[SiteStats]:
    """Per site: articles, quotes, publication span, last crawl, extraction layers."""

    def per_site(query):  # type: ignore[no-untyped-def]
        return query.where(m.Article.site_id == m.Site.id).scalar_subquery()

    newest_run = (
        select(m.CrawlRun.id)
        .where(m.CrawlRun.site_id == m.Site.id)
        .order_by(m.CrawlRun.started_at.desc(), m.CrawlRun.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            m.Site.id,
            m.Site.name,
            per_site(select(func.count(m.Article.id))),
            per_site(select(func.count(m.Quote.id)).join(m.Article)),
            per_site(select(func.min(m.Article.published_at))),
            per_site(select(func.max(m.Article.published_at))),
            newest_run,
        ).order_by(m.Site.name)
    ).all()
    # Few distinct layer maps exist, so group by their JSON text, then count.
    layers: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for site_id, text, count in session.execute(
        select(m.Article.site_id, cast(m.Article.layers, Text), func.count())
        .group_by(m.Article.site_id, cast(m.Article.layers, Text))
    ):
        for name, layer in (json.loads(text) or {}).items():
            layers[site_id][name][str(layer)] += count
    out = []
    for site_id, name, articles, quotes, first, last, run_id in rows:
        run = session.get(m.CrawlRun, run_id) if run_id else None
        out.append(
            SiteStats(
                site=name,
                articles=articles or 0,
                quotes=quotes or 0,
                first_published_at=first,
                last_published_at=last,
                last_crawl_at=(run.finished_at or run.started_at) if run else None,
                last_crawl_status=run.status if run else None,
                layers={f: dict(c.most_common()) for f, c in sorted(layers[site_id].items())},
            )
        )
    return out


# -- the analyst API ---------------------------------------------------------------


class NewsDB:
    """A newsdb database for analysts: every method opens its own short
    transaction and returns plain dataclasses.

        db = open_db("sqlite:///data/newsdb.sqlite")
        for hit in db.search("выборы акимов", site="demo"):
            print(hit.published_at, hit.title, hit.snippet)
        db.search_count("выборы акимов", site="demo")   # how many in all
        db.quotes(speaker="Токаев", limit=10, offset=10)   # the second ten
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: str, **filters: Any) -> list[_search.SearchHit]:
        """storage.search.search: site, since, until, tag, limit (None: all), offset, highlight."""
        with self.database.session() as session:
            return _search.search(session, query, **filters)

    def search_count(self, query: str, **filters: Any) -> int:
        """storage.search.count: how many articles the search finds in all (site, since, until, tag)."""
        with self.database.session() as session:
            return _search.count(session, query, **filters)

    def quotes(
        self,
        speaker: str | None = None,
        *,
        site: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        contains: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[QuoteRow]:
        """storage.quotes.find_quotes: by speaker (as written or canonical, any case
        form), site, date, words; newest first; `limit` None for all."""
        with self.database.session() as session:
            return find_quotes(
                session, speaker=speaker, site=site, since=since, until=until,
                contains=contains, limit=limit, offset=offset,
            )

    def quote_count(self, speaker: str | None = None, **filters: Any) -> int:
        """storage.quotes.count_quotes: how many quotes `quotes` finds in all (site, since, until, contains)."""
        with self.database.session() as session:
            return count_quotes(session, speaker=speaker, **filters)

    def article(self, ref: str | int) -> ArticleView | None:
        """The article with this id or URL, or None."""
        with self.database.session() as session:
            return find_article(session, ref)

    def related(self, ref: str | int) -> RelatedReport | None:
        with self.database.session() as session:
            return related_links(session, ref)

    def export(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """iter_export, streamed inside one transaction."""
        with self.database.session() as session:
            yield from iter_export(session, **filters)

    def stats(self) -> list[SiteStats]:
        with self.database.session() as session:
            return site_stats(session)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> NewsDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_db(url: str | None = None) -> NewsDB:
    """Open the database at `url` (default: $NEWSDB_DATABASE_URL, then
    sqlite:///data/newsdb.sqlite) for the analyst API.

    It only reads: a missing SQLite file or PostgreSQL database, or one without
    newsdb's schema, raises storage.db.DatabaseError saying how to create one.
    """
    return NewsDB(open_database(url, create=False))


__all__ = ["ArticleView", "NewsDB", "SiteStats", "asdict", "find_article", "iter_export",
           "open_db", "related_links", "site_stats"]
