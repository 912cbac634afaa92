"""The typed ORM models: one MetaData, one naming convention, readable names.

People browse the SQLite file in Datasette, so tables and columns are plain
English; constraint names come from the naming convention so that Alembic
migrations (and batch mode on SQLite) can address them.

    sites ─┬─ crawl_runs ─ fetch_failures   one row a run; what it could not fetch, and why
           ├─ urls             every URL a crawl asked for: its last outcome, retries, validators
           ├─ pages            the raw archive: every distinct body of every URL
           └─ articles ─┬─ quotes, related_links, images, article_versions
                        └─ article_tags ── tags
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, created_now, intpk

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {
        str: Text(),  # same cost as VARCHAR on PostgreSQL, and no length to outgrow
        bytes: LargeBinary(),
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[str]: JSON(),
    }


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(unique=True)  # "demo", "caravan": the profile name
    base_url: Mapped[str | None]
    # The profile its articles were parsed with: a bundled name or a file's absolute
    # path (core.profiles.load_profile takes either), NULL for none; and its file's sha256.
    profile: Mapped[str | None]
    profile_hash: Mapped[str | None]
    created_at: Mapped[created_now]


RUN_STATUSES = ("running", "finished", "failed", "abandoned")


class CrawlRun(Base):
    """One crawl of one site. While `running`, the row is the site's run lock:
    a unique index allows one running row per site, on SQLite and PostgreSQL
    alike, so the lock holds across processes and machines. A holder whose
    heartbeat went stale (or whose pid is gone on the same host) is marked
    `abandoned` by the next run, which frees the lock."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'finished', 'failed', 'abandoned')", name="status"),
        Index(
            "uq_crawl_runs_running_site_id", "site_id", unique=True,
            sqlite_where=text("status = 'running'"), postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    started_at: Mapped[created_now]
    finished_at: Mapped[datetime | None]  # NULL while running
    status: Mapped[str] = mapped_column(default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    heartbeat_at: Mapped[datetime | None]  # renewed while running; stale means the process died
    host: Mapped[str | None]
    pid: Mapped[int | None]
    exit_code: Mapped[int | None]  # what the process told its scheduler
    reason: Mapped[str | None]  # why the run did not do its job ("site unreachable", …), NULL if it did
    drift: Mapped[bool] = mapped_column(default=False)  # the markup-drift alarm fired

    site: Mapped[Site] = relationship()


class Url(Base):
    """Every URL a crawl asked for, with its last fetch outcome.

    `outcome` is "ok", "not_modified" or a failure kind ("timeout", "refused",
    "http_503", …) with `reason` in words. `failures` counts failed attempts in
    a row; the next run retries the URL from `retry_at` on, until MAX attempts.
    `etag` / `last_modified` are the validators of the last full response, for
    conditional requests.
    """

    __tablename__ = "urls"
    __table_args__ = (
        UniqueConstraint("site_id", "url"),
        # The seen set (last_ok_at set, external_id) and the URLs to retry (last_ok_at
        # NULL) are ranges of this index, read without the table; the young ones of the next.
        Index("ix_urls_seen", "site_id", "last_ok_at", "external_id"),
        Index("ix_urls_first_seen", "site_id", "first_seen_at"),
    )

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str]
    kind: Mapped[str]  # "article", "listing", "sitemap", "feed", "robots", "other"
    external_id: Mapped[str | None]  # an article URL's id in the site (twins share it): the seen set
    outcome: Mapped[str]
    status: Mapped[int | None]  # the HTTP status, NULL when no response came
    reason: Mapped[str | None]
    failures: Mapped[int] = mapped_column(default=0)
    first_seen_at: Mapped[created_now]
    last_attempt_at: Mapped[datetime]
    last_ok_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]  # NULL: nothing to retry
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )


class FetchFailure(Base):
    """A fetch that failed during a run (`newsdb runs show ID`)."""

    __tablename__ = "fetch_failures"

    id: Mapped[intpk]
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str]
    kind: Mapped[str]
    reason: Mapped[str]
    attempts: Mapped[int]  # failed attempts of this URL in a row, this one included
    at: Mapped[datetime]


class Page(Base):
    """One distinct body of one URL; a re-fetch of the same bytes only bumps
    `last_fetched_at`, changed bytes make a new row (a new version)."""

    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("url", "content_hash"),
        # Pages no parse has seen yet: the next crawl finishes those a stopped one
        # archived but did not store (storage.api.unparsed_pages). Partial: parsed
        # pages, the vast majority, stay out of it.
        Index("ix_pages_unparsed", "site_id", sqlite_where=text("parser_version IS NULL"),
              postgresql_where=text("parser_version IS NULL")),
    )

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str]
    final_url: Mapped[str | None]
    status: Mapped[int]
    headers: Mapped[dict[str, str]]
    fetched_at: Mapped[datetime]
    last_fetched_at: Mapped[datetime]
    content_hash: Mapped[str]  # sha256 hex of the raw (uncompressed) bytes
    body: Mapped[bytes]  # gzip-compressed
    body_size: Mapped[int]  # raw length in bytes
    is_article: Mapped[bool | None]  # NULL: not parsed yet
    parsed_at: Mapped[datetime | None]
    parser_version: Mapped[str | None]
    error: Mapped[str | None]  # why extraction failed, NULL once it succeeds
    error_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship()


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    key: Mapped[str]  # core.items.Article.key: identity within the site
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str]
    canonical_url: Mapped[str | None]
    external_id: Mapped[str | None]
    title: Mapped[str | None]
    lead: Mapped[str | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    modified_at: Mapped[datetime | None]
    authors: Mapped[list[str]]
    source: Mapped[str | None]  # as written ("Акорду")
    # Its nominative base form ("Акорда", core.sources), what people group by: indexed.
    source_base: Mapped[str | None] = mapped_column(index=True)
    body: Mapped[str]  # paragraphs joined by "\n" (a paragraph never holds one)
    language: Mapped[str]
    parser_version: Mapped[str]
    layers: Mapped[dict[str, str]]
    content_hash: Mapped[str]  # of the normalized content: tells "unchanged" from "updated"
    created_at: Mapped[created_now]
    updated_at: Mapped[created_now]

    site: Mapped[Site] = relationship()
    # Children are replaced as a whole on update; the database cascades deletes.
    quotes: Mapped[list[Quote]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Quote.position"
    )
    related_links: Mapped[list[RelatedLink]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="RelatedLink.position"
    )
    images: Mapped[list[Image]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Image.position"
    )
    tag_links: Mapped[list[ArticleTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ArticleTag.position"
    )


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        CheckConstraint("start_offset >= 0 AND end_offset >= start_offset", name="offsets"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int]
    paragraph: Mapped[int]  # index into the article's body paragraphs
    start_offset: Mapped[int]  # character offsets of `text` inside that paragraph
    end_offset: Mapped[int]
    text: Mapped[str]
    speaker: Mapped[str | None]  # as written
    speaker_canonical: Mapped[str | None] = mapped_column(index=True)
    verb: Mapped[str | None]
    verb_lemma: Mapped[str | None]
    style: Mapped[str]


class RelatedLink(Base):
    __tablename__ = "related_links"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int]
    tag: Mapped[str | None]  # the rubric line above the headline
    title: Mapped[str]
    url: Mapped[str]


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(unique=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int]

    tag: Mapped[Tag] = relationship()


class Image(Base):
    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int]
    url: Mapped[str]
    caption: Mapped[str | None]


class ArticleVersion(Base):
    """An earlier extracted version of an article, kept when its content changed.

    The current version lives in `articles` (and its child tables); this table
    holds the versions it replaced, as the JSON of storage.history.item_fields,
    so `newsdb show URL --history` can say what changed between them.
    """

    __tablename__ = "article_versions"

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    parser_version: Mapped[str]
    content_hash: Mapped[str]
    fields: Mapped[dict[str, Any]]  # title, lead, dates, authors, body paragraphs, quotes, …
    created_at: Mapped[datetime]  # when this version became current (articles.updated_at then)
