"""Read-only queries behind `newsdb show|related|export|stats` and the analyst API.

    article = find_article(session, "https://…/news/…-1145321/")   # or an id
    links = related_links(session, article.id)                      # out and in
    for record in iter_export(session, since=…):                    # constant memory
        …
    db = open_db("sqlite:///data/newsdb.sqlite")                     # the analyst API
    db.search("выборы акимов", site="demo"); db.quotes(speaker="Токаев")

Everything returns plain frozen dataclasses (or dicts for export), detached
from the session, so callers can keep them after the transaction ends.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from storage import models as m
from storage import search as _search
from storage.db import Database, open_database

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


@dataclass(frozen=True)
class QuoteHit:
    """One quote found by the analyst API when storage.quotes is not there."""

    id: int
    article_id: int
    site: str
    url: str
    published_at: datetime | None
    speaker: str | None
    speaker_canonical: str | None
    text: str


# -- one article ---------------------------------------------------------------------


def resolve_article_id(session: Session, ref: str | int) -> int | None:
    """The id of the article `ref` names: an id, or its URL / canonical URL
    (with or without the trailing slash)."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        article_id = int(ref)
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
    site = session.get(m.Site, row.site_id)
    return ArticleView(
        id=row.id,
        site=site.name if site else "",
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        lead=row.lead,
        published_at=row.published_at,
        modified_at=row.modified_at,
        authors=list(row.authors or []),
        source=row.source,
        body=row.body.split("\n") if row.body else [],
        tags=[link.tag.name for link in row.tag_links],
        quotes=[_quote_view(q) for q in row.quotes],
        related=_outgoing(session, [row.id])[row.id],
        images=[{"url": i.url, "caption": i.caption} for i in row.images],
        language=row.language,
        parser_version=row.parser_version,
        layers=dict(row.layers or {}),
        page_id=row.page_id,
        updated_at=row.updated_at,
    )


def _quote_view(q: m.Quote) -> QuoteView:
    return QuoteView(
        position=q.position,
        text=q.text,
        speaker=q.speaker,
        speaker_canonical=q.speaker_canonical,
        verb=q.verb,
        paragraph=q.paragraph,
        start=q.start_offset,
        end=q.end_offset,
        style=q.style,
    )


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


def _outgoing(session: Session, article_ids: Sequence[int]) -> dict[int, list[LinkView]]:
    links = session.scalars(
        select(m.RelatedLink)
        .where(m.RelatedLink.article_id.in_(article_ids))
        .order_by(m.RelatedLink.article_id, m.RelatedLink.position)
    ).all()
    targets = _targets(session, {link.url for link in links})
    out: dict[int, list[LinkView]] = {article_id: [] for article_id in article_ids}
    for link in links:
        target = targets.get(link.url)
        out[link.article_id].append(
            LinkView(
                position=link.position,
                tag=link.tag,
                title=link.title,
                url=link.url,
                article_id=target[0] if target else None,
                article_title=target[1] if target else None,
            )
        )
    return out


def related_links(session: Session, ref: str | int) -> RelatedReport | None:
    """Outgoing related links (resolved to stored articles) and incoming ones."""
    article_id = resolve_article_id(session, ref)
    if article_id is None:
        return None
    row = session.get(m.Article, article_id)
    assert row is not None
    urls = set().union(*(_url_variants(u) for u in (row.url, row.canonical_url) if u))
    incoming = session.execute(
        select(m.Article.id, m.Site.name, m.Article.url, m.Article.title, m.RelatedLink.title)
        .join(m.RelatedLink, m.RelatedLink.article_id == m.Article.id)
        .join(m.Site, m.Site.id == m.Article.site_id)
        .where(m.RelatedLink.url.in_(urls), m.Article.id != article_id)
        .order_by(m.Article.published_at.desc(), m.Article.id)
    ).all()
    return RelatedReport(
        article_id=article_id,
        outgoing=_outgoing(session, [article_id])[article_id],
        incoming=[IncomingLink(*row) for row in incoming],
    )


# -- export ------------------------------------------------------------------------


def iter_export(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    site: str | None = None,
    batch: int = EXPORT_BATCH,
) -> Iterator[dict[str, Any]]:
    """Every matching article as a dict (the `newsdb parse` shape plus id and site),
    oldest id first, streamed: `batch` articles are in memory at a time.

    Articles come through a streaming cursor (`yield_per`: a server-side cursor on
    PostgreSQL); each batch's quotes, links and tags are fetched with one query each.
    """
    stmt = (
        select(
            m.Article.id,
            m.Site.name,
            m.Article.url,
            m.Article.canonical_url,
            m.Article.title,
            m.Article.lead,
            m.Article.published_at,
            m.Article.modified_at,
            m.Article.authors,
            m.Article.source,
            m.Article.body,
            m.Article.language,
            m.Article.parser_version,
            m.Article.layers,
        )
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
    # Children are read on a second connection-level cursor while the first
    # streams; SQLite and psycopg both allow that inside one transaction.
    for rows in session.execute(stmt).partitions():
        ids = [row[0] for row in rows]
        quotes = _children_quotes(session, ids)
        links = _children_links(session, ids)
        tags = _children_tags(session, ids)
        for row in rows:
            yield {
                "id": row[0],
                "site": row[1],
                "url": row[2],
                "canonical_url": row[3],
                "title": row[4],
                "lead": row[5],
                "published_at": _iso(row[6]),
                "modified_at": _iso(row[7]),
                "authors": list(row[8] or []),
                "source": row[9],
                "body": row[10].split("\n") if row[10] else [],
                "quotes": quotes.get(row[0], []),
                "related": links.get(row[0], []),
                "tags": tags.get(row[0], []),
                "language": row[11],
                "extraction": {"parser_version": row[12], "layers": dict(row[13] or {})},
            }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _children_quotes(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for q in session.scalars(
        select(m.Quote).where(m.Quote.article_id.in_(ids)).order_by(m.Quote.article_id, m.Quote.position)
    ):
        out[q.article_id].append(
            {
                "text": q.text,
                "speaker": q.speaker,
                "speaker_canonical": q.speaker_canonical,
                "paragraph": q.paragraph,
                "start": q.start_offset,
                "end": q.end_offset,
                "style": q.style,
                "verb": q.verb,
            }
        )
    session.expunge_all()  # keep the identity map from growing across batches
    return out


def _children_links(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for article_id, tag, title, url in session.execute(
        select(m.RelatedLink.article_id, m.RelatedLink.tag, m.RelatedLink.title, m.RelatedLink.url)
        .where(m.RelatedLink.article_id.in_(ids))
        .order_by(m.RelatedLink.article_id, m.RelatedLink.position)
    ):
        out[article_id].append({"tag": tag, "title": title, "url": url})
    return out


def _children_tags(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for article_id, name in session.execute(
        select(m.ArticleTag.article_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
        .where(m.ArticleTag.article_id.in_(ids))
        .order_by(m.ArticleTag.article_id, m.ArticleTag.position)
    ):
        out[article_id].append(name)
    return out


CSV_COLUMNS = (
    "id", "site", "url", "canonical_url", "title", "lead", "published_at", "modified_at",
    "authors", "source", "tags", "quotes", "related", "body",
)


def csv_row(record: dict[str, Any]) -> list[Any]:
    """One export record flattened for CSV: lists joined by "; ", paragraphs by a
    blank line, quotes and related links as counts."""
    flat = dict(record)
    flat["authors"] = "; ".join(record["authors"])
    flat["tags"] = "; ".join(record["tags"])
    flat["quotes"] = len(record["quotes"])
    flat["related"] = len(record["related"])
    flat["body"] = "\n\n".join(record["body"])
    return [flat[name] for name in CSV_COLUMNS]


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
        db.quotes(speaker="Токаев", limit=10)
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def search(self, query: str, **filters: Any) -> list[_search.SearchHit]:
        """storage.search.search: site, since, until, tag, limit, highlight."""
        with self.database.session() as session:
            return _search.search(session, query, **filters)

    def quotes(
        self,
        speaker: str | None = None,
        *,
        site: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        contains: str | None = None,
        limit: int | None = 100,
    ) -> list[Any]:
        """Quotes by speaker (as written or canonical), site, date, words; newest first."""
        with self.database.session() as session:
            try:
                from storage.quotes import find_quotes
            except ImportError:
                find_quotes = _find_quotes_fallback
            found = find_quotes(
                session, speaker=speaker, site=site, since=since, until=until,
                contains=contains, limit=limit,
            )
            return [_plain(item) for item in found]

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
    sqlite:///data/newsdb.sqlite) for the analyst API."""
    return NewsDB(open_database(url))


def _plain(item: Any) -> Any:
    """A find_quotes result as a plain dataclass: dataclasses pass, rows become QuoteHit."""
    if is_dataclass(item) and not isinstance(item, type):
        return item
    mapping = getattr(item, "_mapping", None)
    if mapping is None:
        return item
    return QuoteHit(**{name: mapping.get(name) for name in QuoteHit.__dataclass_fields__})


def _find_quotes_fallback(session: Session, *, speaker=None, site=None, since=None, until=None,
                          contains=None, limit=None) -> list[QuoteHit]:  # type: ignore[no-untyped-def]
    # Used only until storage.quotes.find_quotes exists; same signature.
    stmt = (
        select(m.Quote.id, m.Quote.article_id, m.Site.name, m.Article.url, m.Article.published_at,
               m.Quote.speaker, m.Quote.speaker_canonical, m.Quote.text)
        .join(m.Article, m.Article.id == m.Quote.article_id)
        .join(m.Site, m.Site.id == m.Article.site_id)
        .order_by(m.Article.published_at.desc(), m.Quote.id)
    )
    if speaker:
        pattern = f"%{speaker}%"
        stmt = stmt.where(or_(m.Quote.speaker_canonical.ilike(pattern), m.Quote.speaker.ilike(pattern)))
    if site:
        stmt = stmt.where(m.Site.name == site)
    if since:
        stmt = stmt.where(m.Article.published_at >= since)
    if until:
        stmt = stmt.where(m.Article.published_at <= until)
    if contains:
        stmt = stmt.where(m.Quote.text.ilike(f"%{contains}%"))
    if limit:
        stmt = stmt.limit(limit)
    return [QuoteHit(*row) for row in session.execute(stmt)]


__all__ = ["ArticleView", "NewsDB", "SiteStats", "asdict", "find_article", "iter_export",
           "open_db", "related_links", "site_stats"]
