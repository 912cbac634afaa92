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
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from sqlalchemy import Text, cast, func, or_, select, true
from sqlalchemy.orm import Session

from core import items
from core.profiles import ProfileError, load_profile
from core.when import parse_when
from storage import models as m
from storage import search as _search
from storage.articles import stored_articles
from storage.db import Database, open_database
from storage.quotes import QuoteRow, count_quotes, find_quotes
from storage.runs import site_id

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
    source_base: str | None
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
    """The id of the article `ref` names: an id, or any URL form of it (see article_id_for_url)."""
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
    return article_id_for_url(session, ref)


# -- one article by any of its URLs -----------------------------------------------------
#
# A stored article is reachable by every URL a reader may hold: its AMP twin
# (/amp/ before or after the path, ?amp or ?amp=1, an amp. host), the ?p=<id>
# short link, with or without www., the trailing slash, http or https. Two steps:
# the URL's plain spellings against the stored url and canonical_url, then the
# site profile's article id, as the article's key (core.items.Article.key, the
# same function that keyed it when it was stored) within the site whose stored
# URLs share the host.

_TWIN_HOSTS = ("www.", "amp.")


def _bare_host(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in _TWIN_HOSTS:
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


def _host_key(url: str) -> tuple[str, int | None] | None:
    """(host without www./amp., port unless the default one), or None for no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return _bare_host(parts.hostname), None if port in (None, 80, 443) else port


def _without_amp(parts: SplitResult) -> tuple[str, str]:
    """(path, query) of the URL with its AMP markers taken out."""
    segments = parts.path.split("/")
    trailing = parts.path.endswith("/")
    kept = [s for i, s in enumerate(segments) if not (s.lower() == "amp" and i in (1, len(segments) - 1, len(segments) - 2))]
    path = "/".join(kept) or "/"
    if trailing and not path.endswith("/"):
        path += "/"
    if not path.startswith("/"):
        path = "/" + path
    pairs = [pair for pair in parts.query.split("&") if pair and pair.split("=", 1)[0].lower() != "amp"]
    return path, "&".join(pairs)


def url_forms(url: str) -> list[str]:
    """The spellings of `url` that may be stored for the same article: the URL
    itself, and without AMP markers, with and without www., http and https,
    with and without the trailing slash (the fragment never counts)."""
    url = url.strip()
    forms = dict.fromkeys([url])
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - urlsplit takes "http://h:abc" and fails only here
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return list(dict.fromkeys([url, url.rstrip("/"), url.rstrip("/") + "/"]))
    host = _bare_host(parts.netloc.rsplit("@", 1)[-1])
    path, query = _without_amp(parts)
    for scheme in ("https", "http"):
        for netloc in (host, "www." + host):
            for each_path in dict.fromkeys((path, parts.path or "/")):
                bare = each_path.rstrip("/")
                for spelled in dict.fromkeys((bare or "/", bare + "/")):
                    for each_query in dict.fromkeys((query, parts.query)):
                        forms[urlunsplit((scheme, netloc, spelled, each_query, ""))] = None
    return list(forms)


def _site_profiles(session: Session) -> list[tuple[int, Any]]:
    """(site id, its profile) for every stored site whose profile can be loaded."""
    out = []
    for site_id, name, ref in session.execute(select(m.Site.id, m.Site.name, m.Site.profile)):
        try:
            out.append((site_id, load_profile(ref or name)))
        except ProfileError:  # a site stored without a profile, or whose file is gone: URLs only
            continue
    return out


def _keys_for(profiles: list[tuple[int, Any]], forms: list[str]) -> dict[int, set[str]]:
    """{site id: the article keys its profile gives these URL forms}."""
    keys: dict[int, set[str]] = defaultdict(set)
    for site_id, profile in profiles:
        for form in forms:
            external_id = profile.article_id(form)
            if external_id:
                keys[site_id].add(items.Article(url=form, external_id=external_id).key)
    return keys


def article_id_for_url(session: Session, url: str, profiles: list[tuple[int, Any]] | None = None) -> int | None:
    """The stored article `url` names in any of its forms, or None. `profiles`:
    _site_profiles(session), read once by a caller that resolves many URLs."""
    _search.checked_text(url, "article URL")
    forms = url_forms(url)
    found = session.scalar(
        select(m.Article.id)
        .where(or_(m.Article.url.in_(forms), m.Article.canonical_url.in_(forms)))
        .order_by(m.Article.id)
        .limit(1)
    )
    if found is not None:
        return found
    wanted = _host_key(url)
    if wanted is None:
        return None
    if profiles is None:
        profiles = _site_profiles(session)
    for site_id, keys in _keys_for(profiles, forms).items():
        rows = session.execute(
            select(m.Article.id, m.Article.url, m.Article.canonical_url)
            .where(m.Article.site_id == site_id, m.Article.key.in_(sorted(keys)))
            .order_by(m.Article.id)
        )
        for article_id, stored, canonical in rows:
            # The same id on another host is another site's article.
            if wanted in (_host_key(stored), canonical and _host_key(canonical)):
                return article_id
    return None


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


def _resolved(session: Session, links: Sequence[items.RelatedLink]) -> list[LinkView]:
    """The links as LinkView, each with the id and title of the stored article it
    points to, found by any URL form of it (article_id_for_url)."""
    profiles = _site_profiles(session) if links else []
    targets = {url: article_id_for_url(session, url, profiles) for url in dict.fromkeys(link.url for link in links)}
    ids = {found for found in targets.values() if found is not None}
    titles = {row[0]: row[1] for row in session.execute(select(m.Article.id, m.Article.title).where(m.Article.id.in_(ids)))} if ids else {}
    return [
        LinkView(position, link.tag, link.title, link.url, targets[link.url],
                 titles.get(targets[link.url]) if targets[link.url] is not None else None)
        for position, link in enumerate(links)
    ]


def _linked_as(article: items.Article) -> set[str]:
    """The URLs another article may link to this one by: every form of its URL and
    canonical URL, their AMP twins, and its ?p=<id> short link."""
    forms: set[str] = set()
    for url in (article.url, article.canonical_url):
        if not url:
            continue
        for form in url_forms(url):
            forms.add(form)
            try:
                parts = urlsplit(form)
            except ValueError:
                continue
            if parts.scheme in ("http", "https") and not parts.query:
                path = parts.path if parts.path.startswith("/") else "/" + parts.path
                forms.add(urlunsplit((parts.scheme, parts.netloc, "/amp" + path, "", "")))
                forms.add(urlunsplit((parts.scheme, parts.netloc, path, "amp", "")))
                if article.external_id and article.external_id.isdigit():
                    forms.add(urlunsplit((parts.scheme, parts.netloc, "/", f"p={article.external_id}", "")))
    return forms


def related_links(session: Session, ref: str | int) -> RelatedReport | None:
    """Outgoing related links (resolved to stored articles) and incoming ones."""
    article_id = resolve_article_id(session, ref)
    if article_id is None:
        return None
    article = stored_articles(session, [article_id])[0]
    urls = sorted(_linked_as(article))
    incoming: list[Any] = []
    for start in range(0, len(urls), 500):  # stay under the bound-parameter limits
        incoming += session.execute(
            select(m.Article.id, m.Site.name, m.Article.url, m.Article.title, m.RelatedLink.title,
                   m.Article.published_at)
            .join(m.RelatedLink, m.RelatedLink.article_id == m.Article.id)
            .join(m.Site, m.Site.id == m.Article.site_id)
            .where(m.RelatedLink.url.in_(urls[start:start + 500]), m.Article.id != article_id)
        ).all()
    # Newest linking article first (undated last), then the lower id; one row per link.
    incoming = sorted(set(incoming), key=lambda row: (row[5] is None, -(row[5].timestamp() if row[5] else 0), row[0]))
    return RelatedReport(
        article_id=article_id,
        outgoing=_resolved(session, article.related),
        incoming=[IncomingLink(*row[:5]) for row in incoming],
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
def _cell(key: str, value: Any) -> Any:
    """One export value as one CSV cell: the one flattening rule."""
    if key == "body":
        return "\n\n".join(value)  # paragraphs apart by a blank line, as a reader sees them
    if isinstance(value, list | dict):
        # authors, tags, quotes, related, images, extraction: JSON a program reads back
        # as it was, in readable UTF-8 (a spreadsheet shows the Cyrillic as written).
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_row(record: dict[str, Any]) -> list[Any]:
    """One export record flattened for CSV, in CSV_COLUMNS order: body paragraphs
    apart by a blank line; every other list or object (authors, tags, quotes,
    related links, images, extraction) as compact JSON with readable UTF-8."""
    return [_cell(key, record[key]) for key in CSV_COLUMNS]


# -- stats -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceCount:
    """One source in its base form, with how many articles credit it and the forms
    they wrote it in (`{"Акорду": 40, "Акорды": 2}`), most used first."""

    source: str | None  # the base form; None for the articles that name no source
    articles: int
    written: dict[str, int] = field(default_factory=dict)


def source_counts(
    session: Session,
    *,
    site: str | None = None,
    since: datetime | date | str | None = None,
    until: datetime | date | str | None = None,
) -> list[SourceCount]:
    """Articles per source (articles.source_base, indexed), most credited first, then
    by name; the articles without a source last. An unknown site raises NoSuchSite."""
    stmt = select(m.Article.source_base, m.Article.source, func.count()).group_by(
        m.Article.source_base, m.Article.source
    )
    if site is not None:
        stmt = stmt.where(m.Article.site_id == site_id(session, _search.checked_text(site, "site name")))
    if since is not None:
        stmt = stmt.where(m.Article.published_at >= parse_when(since))
    if until is not None:
        stmt = stmt.where(m.Article.published_at <= parse_when(until, end_of_day=True))
    totals: Counter[str | None] = Counter()
    written: dict[str | None, Counter[str]] = defaultdict(Counter)
    for base, source, count in session.execute(stmt):
        totals[base] += count
        if source is not None:
            written[base][source] += count
    order = sorted(totals, key=lambda base: (base is None, -totals[base], base or ""))
    return [SourceCount(base, totals[base], dict(sorted(written[base].items(), key=lambda kv: (-kv[1], kv[0]))))
            for base in order]


def site_stats(session: Session, site: str | None = None) -> list[SiteStats]:
    """Per site (or for the one named): articles, quotes, publication span, last
    crawl, extraction layers. An unknown site raises NoSuchSite."""
    if site is not None:
        _search.check_site(session, site)

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
        ).where(m.Site.name == site if site is not None else true()).order_by(m.Site.name)
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

    def stats(self, site: str | None = None) -> list[SiteStats]:
        """site_stats: per site, or for one."""
        with self.database.session() as session:
            return site_stats(session, site)

    def sources(self, **filters: Any) -> list[SourceCount]:
        """source_counts: articles per source in its base form (site, since, until)."""
        with self.database.session() as session:
            return source_counts(session, **filters)

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


__all__ = ["ArticleView", "NewsDB", "SiteStats", "SourceCount", "article_id_for_url", "asdict", "find_article",
           "iter_export", "open_db", "related_links", "site_stats", "source_counts"]
