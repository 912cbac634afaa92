"""Initial schema: sites, crawl runs, the page archive, articles and their parts.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Written by hand to match storage/models.py; tests/test_storage_migrations.py
fails if the two ever drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")


def _datetime() -> sa.DateTime:
    # storage.types.UTCDateTime is a TypeDecorator over exactly this type.
    return sa.DateTime(timezone=True)


def _child_of_article(name: str, *columns: sa.Column) -> None:
    """Create an ordered child table of articles (quotes, links, images)."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("article_id", "position", name=op.f(f"uq_{name}_article_id_position")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f(f"fk_{name}_article_id_articles"),
            ondelete="CASCADE",
        ),
    )


def upgrade() -> None:
    """Create every table of the initial schema."""
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("created_at", _datetime(), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("name", name=op.f("uq_sites_name")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _datetime(), server_default=NOW, nullable=False),
        sa.Column("finished_at", _datetime(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed')", name=op.f("ck_crawl_runs_status")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_crawl_runs_site_id_sites")),
    )
    op.create_index(op.f("ix_crawl_runs_site_id"), "crawl_runs", ["site_id"])

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("fetched_at", _datetime(), nullable=False),
        sa.Column("last_fetched_at", _datetime(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_size", sa.Integer(), nullable=False),
        sa.Column("is_article", sa.Boolean(), nullable=True),
        sa.Column("parsed_at", _datetime(), nullable=True),
        sa.Column("parser_version", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_at", _datetime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("url", "content_hash", name=op.f("uq_pages_url_content_hash")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_pages_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_pages_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
    )
    op.create_index(op.f("ix_pages_site_id"), "pages", ["site_id"])
    op.create_index(op.f("ix_pages_crawl_run_id"), "pages", ["crawl_run_id"])

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("published_at", _datetime(), nullable=True),
        sa.Column("modified_at", _datetime(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("parser_version", sa.Text(), nullable=False),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("created_at", _datetime(), server_default=NOW, nullable=False),
        sa.Column("updated_at", _datetime(), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("site_id", "key", name=op.f("uq_articles_site_id_key")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_articles_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name=op.f("fk_articles_page_id_pages"), ondelete="SET NULL"
        ),
    )
    op.create_index(op.f("ix_articles_page_id"), "articles", ["page_id"])
    op.create_index(op.f("ix_articles_published_at"), "articles", ["published_at"])

    _child_of_article(
        "quotes",
        sa.Column("paragraph", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker", sa.Text(), nullable=True),
        sa.Column("speaker_canonical", sa.Text(), nullable=True),
        sa.Column("verb", sa.Text(), nullable=True),
        sa.Column("verb_lemma", sa.Text(), nullable=True),
        sa.Column("style", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "start_offset >= 0 AND end_offset >= start_offset", name=op.f("ck_quotes_offsets")
        ),
    )
    op.create_index(op.f("ix_quotes_speaker_canonical"), "quotes", ["speaker_canonical"])
    _child_of_article(
        "related_links",
        sa.Column("tag", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
    )
    _child_of_article(
        "images",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
    )

    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_tags_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_article_tags_tag_id"), "article_tags", ["tag_id"])


def downgrade() -> None:
    """Drop every table, children first."""
    for table in (
        "article_tags",
        "images",
        "related_links",
        "quotes",
        "articles",
        "pages",
        "crawl_runs",
        "tags",
        "sites",
    ):
        op.drop_table(table)
