"""Read and write newsdb data inside the caller's transaction.

Every function takes a Session and never commits: the caller decides what
one transaction is (for the crawler, one page and its article), so a failure
half-way leaves nothing half-written. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from core import PARSER_VERSION, items
from storage import history
from storage import models as m
from storage.articles import stored_articles
from storage.types import ensure_utc

def _now() -> datetime:
    return datetime.now(UTC)


def _get(session: Session, model: type, row_id: int):  # type: ignore[no-untyped-def]
    row = session.get(model, row_id)
    if row is None:
        raise LookupError(f"no {model.__tablename__} row with id {row_id}")
    return row


# -- sites (crawl runs: storage.runs) -----------------------------------------


def get_or_create_site(session: Session, name: str, base_url: str | None = None) -> m.Site:
    """The site called `name`, created on first use; fills a missing base_url."""
    if not name:
        raise ValueError("a site name is required")
    site = session.scalar(select(m.Site).where(m.Site.name == name))
    if site is None:
        site = m.Site(name=name, base_url=base_url)
        session.add(site)
        session.flush()
    elif base_url and not site.base_url:
        site.base_url = base_url
    return site


def record_site_profile(
    session: Session, site_name: str, profile_ref: str | None, profile_hash: str | None = None
) -> m.Site:
    """Remember which profile (core.profiles.load_profile's reference, None for
    none) produced the site's articles, so a re-parse resolves the same one."""
    site = get_or_create_site(session, site_name)
    site.profile, site.profile_hash = profile_ref, profile_hash
    return site


def site_profile_refs(session: Session, site_names: set[str] | None = None) -> dict[str, str | None]:
    """{site name: its recorded profile reference} (of these sites, if given)."""
    query = select(m.Site.name, m.Site.profile)
    if site_names is not None:
        query = query.where(m.Site.name.in_(site_names))
    return dict(session.execute(query).all())


# -- the page archive --------------------------------------------------------


def archive_page(
    session: Session, page: items.Page, *, crawl_run_id: int | None = None
) -> tuple[int, bool]:
    """Store the fetched page; return (page id, True if a new row was written).

    The same bytes for the same URL are kept once (a re-fetch only moves
    last_fetched_at); changed bytes become a new version of the URL.
    """
    if not page.site:
        raise ValueError(f"page {page.url} has no site")
    fetched_at = ensure_utc(page.fetched_at, what="fetched_at") if page.fetched_at else _now()
    content_hash = hashlib.sha256(page.body).hexdigest()
    row = session.scalar(
        select(m.Page).where(m.Page.url == page.url, m.Page.content_hash == content_hash)
    )
    if row is not None:
        row.last_fetched_at = max(row.last_fetched_at, fetched_at)
        return row.id, False

    row = m.Page(
        site_id=get_or_create_site(session, page.site).id,
        crawl_run_id=crawl_run_id,
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        headers=dict(page.headers),
        fetched_at=fetched_at,
        last_fetched_at=fetched_at,
        content_hash=content_hash,
        # mtime=0: the same bytes always compress to the same blob.
        body=gzip.compress(page.body, mtime=0),
        body_size=len(page.body),
    )
    session.add(row)
    session.flush()
    return row.id, True


def load_page(session: Session, page_id: int) -> items.Page:
    """The archived page, body decompressed, ready for extraction."""
    row: m.Page = _get(session, m.Page, page_id)
    return items.Page(
        url=row.url,
        body=gzip.decompress(row.body),
        status=row.status,
        headers=dict(row.headers),
        final_url=row.final_url,
        fetched_at=row.fetched_at,
        site=row.site.name,
        page_id=row.id,
    )


def iter_page_ids(session: Session, *, site: str | None = None) -> list[int]:
    """Ids of the archived pages (of one site, if given), oldest first."""
    query = select(m.Page.id).order_by(m.Page.id)
    if site is not None:
        query = query.join(m.Site).where(m.Site.name == site)
    return list(session.scalars(query))


def newest_pages(
    session: Session,
    *,
    site: str | None = None,
    since: datetime | None = None,
    url: str | None = None,
    page_ids: list[int] | None = None,
    status: int = 200,
) -> list[Any]:
    """The newest archived version of each URL with `status`, newest first.

    "Newest" is the version fetched last (last_fetched_at), so a page that went
    A -> B -> A again counts as A. Rows carry id, url, site, parser_version,
    is_article, error and last_fetched_at, never the body. Filters: the site's
    name, fetched on or after `since`, one URL (or final URL), or these page ids.
    """
    newer = aliased(m.Page)
    has_newer = (
        select(newer.id)
        .where(
            newer.url == m.Page.url,
            newer.status == status,
            or_(
                newer.last_fetched_at > m.Page.last_fetched_at,
                and_(newer.last_fetched_at == m.Page.last_fetched_at, newer.id > m.Page.id),
            ),
        )
        .exists()
    )
    query = (
        select(
            m.Page.id, m.Page.url, m.Site.name.label("site"), m.Page.parser_version,
            m.Page.is_article, m.Page.error, m.Page.last_fetched_at,
        )
        .join(m.Site)
        .where(m.Page.status == status, ~has_newer)
        .order_by(m.Page.last_fetched_at.desc(), m.Page.id.desc())
    )
    if site is not None:
        query = query.where(m.Site.name == site)
    if since is not None:
        query = query.where(m.Page.last_fetched_at >= ensure_utc(since, what="since"))
    if url is not None:
        query = query.where(or_(m.Page.url == url, m.Page.final_url == url))
    if page_ids is None:
        return list(session.execute(query))
    rows = []
    for start in range(0, len(page_ids), 500):  # stay under the bound-parameter limits
        rows += session.execute(query.where(m.Page.id.in_(page_ids[start:start + 500])))
    rows.sort(key=lambda row: (row.last_fetched_at, row.id), reverse=True)
    return rows


def unparsed_pages(session: Session, site: str) -> list[int]:
    """Ids of the site's article pages archived but never parsed, oldest first.

    A crawl archives a page before it parses it; one killed in between, or
    stopped by a database that stayed away, leaves such pages behind (their URLs
    count as fetched, so no crawl would fetch them again). The next crawl of the
    site parses them first. Older versions of a URL that has a newer page are
    left out: the newer one is what the article holds.
    """
    query = (
        select(m.Page.id)
        .join(m.Site)
        .join(m.Url, and_(m.Url.site_id == m.Page.site_id, m.Url.url == m.Page.url))
        .where(m.Site.name == site, m.Page.parser_version.is_(None), m.Page.status == 200,
               m.Url.kind == "article")
    )
    candidates = list(session.scalars(query))
    return sorted(row.id for row in newest_pages(session, page_ids=candidates)) if candidates else []


def record_page_error(session: Session, page_id: int, error: str, *, parser_version: str) -> None:
    """Remember why extraction of the page failed (kept until a parse succeeds)."""
    row: m.Page = _get(session, m.Page, page_id)
    row.error = error
    row.error_at = _now()
    row.parser_version = parser_version


def mark_page_parsed(
    session: Session, page_id: int, *, is_article: bool, parser_version: str
) -> None:
    """Record a successful parse of the page and clear any earlier error."""
    row: m.Page = _get(session, m.Page, page_id)
    row.is_article = is_article
    row.parsed_at = _now()
    row.parser_version = parser_version
    row.error = None
    row.error_at = None


# -- articles ----------------------------------------------------------------


def article_content_hash(article: items.Article) -> str:
    """sha256 of what a reader would notice changing: the versioned fields of the
    contract (storage.history.item_fields) but the URLs, which move with AMP twins
    and redirects while the article stays the same."""
    fields = history.item_fields(article)
    content = {name: value for name, value in fields.items() if name not in ("url", "canonical_url")}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def upsert_article(session: Session, article: items.Article) -> tuple[int, str]:
    """Insert or update the article by (site, key); return (id, "new"|"updated"|"unchanged").

    The article and its quotes, related links, tags and images are written
    together; an update replaces all the children and keeps the replaced
    content as a history version. An unchanged article (same content) is left
    alone, except for pointing at the newest page.
    """
    _check_article(article)
    content_hash = article_content_hash(article)
    site = get_or_create_site(session, article.site)  # type: ignore[arg-type]
    row = session.scalar(
        select(m.Article).where(m.Article.site_id == site.id, m.Article.key == article.key)
    )
    if row is None:
        row = m.Article(site_id=site.id, key=article.key)
        session.add(row)
        outcome = "new"
    else:
        current = None if row.content_hash == content_hash else stored_articles(session, [row.id])[0]
        if current is None or article_content_hash(current) == content_hash:
            # Same content. A stored hash that differs was made by an earlier hash
            # scheme: refresh it, and keep no version for a change nobody made.
            row.content_hash = content_hash
            if article.page_id is not None:
                row.page_id = article.page_id
            # Derived from `source`, so outside the content hash: a re-parse with a
            # better core.sources brings it up to date without a new version.
            row.source_base = article.source_base
            session.flush()
            return row.id, "unchanged"
        history.keep_version(session, row, current)  # the content about to be replaced
        _clear_children(session, row)
        row.updated_at = _now()
        outcome = "updated"
    _fill_article(session, row, article, content_hash)
    session.flush()
    return row.id, outcome


def _check_article(article: items.Article) -> None:
    if not article.site:
        raise ValueError(f"article {article.url} has no site")
    if not article.is_article:
        raise ValueError(f"{article.url} is not an article; use mark_page_parsed()")
    for index, paragraph in enumerate(article.body):
        if "\n" in paragraph:  # the body column joins paragraphs with "\n"
            raise ValueError(f"paragraph {index} of {article.url} contains a newline")


def _clear_children(session: Session, row: m.Article) -> None:
    # Flush the deletes before the new children go in: the unit of work would
    # otherwise insert first and trip the (article_id, position) unique keys.
    row.quotes.clear()
    row.related_links.clear()
    row.images.clear()
    row.tag_links.clear()
    session.flush()


def _fill_article(
    session: Session, row: m.Article, article: items.Article, content_hash: str
) -> None:
    # The inverse of storage.articles.stored_articles: a field added to one goes in both.
    row.page_id = article.page_id
    row.url = article.url
    row.canonical_url = article.canonical_url
    row.external_id = article.external_id
    row.title = article.title
    row.lead = article.lead
    row.published_at = article.published_at
    row.modified_at = article.modified_at
    row.authors = list(article.authors)
    row.source = article.source
    row.source_base = article.source_base
    row.body = "\n".join(article.body)
    row.language = article.language
    row.parser_version = article.parser_version
    row.layers = dict(article.layers)
    row.content_hash = content_hash
    row.quotes = [
        m.Quote(
            position=position,
            paragraph=q.paragraph,
            start_offset=q.start,
            end_offset=q.end,
            text=q.text,
            speaker=q.speaker,
            speaker_canonical=q.speaker_canonical,
            verb=q.verb,
            verb_lemma=q.verb_lemma,
            style=q.style,
        )
        for position, q in enumerate(article.quotes)
    ]
    row.related_links = [
        m.RelatedLink(position=position, tag=link.tag, title=link.title, url=link.url)
        for position, link in enumerate(article.related)
    ]
    row.images = [
        m.Image(position=position, url=image.url, caption=image.caption)
        for position, image in enumerate(article.images)
    ]
    names = list(dict.fromkeys(article.tags))  # article_tags' key allows a tag once
    tags = _tags_named(session, names)
    row.tag_links = [m.ArticleTag(position=position, tag=tags[name]) for position, name in enumerate(names)]


def _tags_named(session: Session, names: list[str]) -> dict[str, m.Tag]:
    """The tags called `names`, created where missing, found with one query.

    No autoflush: a lookup per tag used to flush the half-built article each
    time, the largest cost of storing an article.
    """
    if not names:
        return {}
    with session.no_autoflush:
        found = {t.name: t for t in session.scalars(select(m.Tag).where(m.Tag.name.in_(names)))}
        missing = sorted(set(names) - set(found))  # sorted: two writers lock new names in one order
        if missing:
            # Tags are shared by every site: crawls of two sites at once (newsdb worker) may
            # both create one. ON CONFLICT DO NOTHING waits for the other writer's row and keeps it.
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            session.execute(insert(m.Tag).values([{"name": name} for name in missing])
                            .on_conflict_do_nothing(index_elements=["name"]))
            found.update({t.name: t for t in session.scalars(select(m.Tag).where(m.Tag.name.in_(missing)))})
    return found


# -- the one apply -----------------------------------------------------------

APPLY_RESULTS = ("new", "updated", "unchanged", "not_article", "failed")


def apply_outcome(session: Session, outcome: items.Outcome) -> str:
    """Write what parsing one page gave; return one of APPLY_RESULTS.

    The one way a parse reaches the database, for the crawl, `newsdb reparse`
    and `newsdb import-warc`. An article is upserted with its quotes, links,
    tags and images and its page marked parsed, all in one savepoint of the
    caller's transaction: if writing it fails (a value the database refuses),
    that savepoint rolls back, the old article stays, and the error is recorded
    on the page instead. A database that is gone raises, for the caller to retry.
    """
    page_id, kind = outcome.page_id, outcome.kind
    if kind == "failed":
        if page_id is not None:
            record_page_error(session, page_id, outcome.error or "failed", parser_version=PARSER_VERSION)
        return "failed"
    article = outcome.article
    assert article is not None
    if kind == "not_article":
        if page_id is not None:
            mark_page_parsed(session, page_id, is_article=False, parser_version=article.parser_version)
        return "not_article"
    try:
        with session.begin_nested():
            _, result = upsert_article(session, article)
            if page_id is not None:
                mark_page_parsed(session, page_id, is_article=True, parser_version=article.parser_version)
    except (ValueError, sa_exc.IntegrityError, sa_exc.DataError) as exc:
        if page_id is not None:
            record_page_error(session, page_id, f"{type(exc).__name__}: {exc}"[:2000], parser_version=PARSER_VERSION)
        return "failed"
    return result


# -- summaries ---------------------------------------------------------------


def table_counts(session: Session) -> dict[str, int]:
    """Rows per table, in dependency order."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in m.metadata.sorted_tables
    }


def site_summary(session: Session) -> list[dict[str, Any]]:
    """Per site: pages, articles, quotes, related links, publication span, last crawl."""

    def per_site(query):  # type: ignore[no-untyped-def]
        return query.where(m.Article.site_id == m.Site.id).scalar_subquery()

    articles = select(func.count(m.Article.id))
    quotes = select(func.count(m.Quote.id)).join(m.Article)
    links = select(func.count(m.RelatedLink.id)).join(m.Article)
    pages = (
        select(func.count(m.Page.id)).where(m.Page.site_id == m.Site.id).scalar_subquery()
    )
    last_run = (
        select(func.max(m.CrawlRun.finished_at))
        .where(m.CrawlRun.site_id == m.Site.id)
        .scalar_subquery()
    )
    query = select(
        m.Site.name,
        m.Site.base_url,
        pages.label("pages"),
        per_site(articles).label("articles"),
        per_site(quotes).label("quotes"),
        per_site(links).label("related_links"),
        per_site(select(func.min(m.Article.published_at))).label("first_published_at"),
        per_site(select(func.max(m.Article.published_at))).label("last_published_at"),
        last_run.label("last_run_finished_at"),
    ).order_by(m.Site.name)
    return [dict(row) for row in session.execute(query).mappings()]
