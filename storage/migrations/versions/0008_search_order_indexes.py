"""Search order indexes: the newest matches of a query without dating every match.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A search lists the articles whose title holds every part of the query first,
newest first, then the others (storage.search). Dating the matches meant reading
each matching article's wide row (SQLite: 30,000 row lookups for a common word
on 200,000 articles, 150-400 ms) or sorting every match (PostgreSQL). These
indexes let it read the date, and find the title matches, from small indexes:

- SQLite: `ix_articles_search_order` on articles (id, published_at, site_id),
  covering what ordering and the site/date filters read of an article.
- PostgreSQL: a GIN index on `article_search.title_vector`, so the title matches
  are found without checking every match's title, and `ix_article_search_order`
  on (published_at DESC NULLS LAST, article_id DESC), the search order, so the
  newest matches are read first and the scan stops at the page's last one.

storage.search.include_object keeps them out of the model comparison, like
the rest of the search index.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_ORDER = "ix_articles_search_order"
PG_TITLE = "ix_article_search_title_vector"
PG_ORDER = "ix_article_search_order"


def upgrade() -> None:
    """Create the indexes of the search order on the backend in use."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {PG_TITLE} ON article_search USING gin (title_vector)")
        op.execute(f"CREATE INDEX {PG_ORDER} ON article_search (published_at DESC NULLS LAST, article_id DESC)")
        return
    op.execute(f"CREATE INDEX {SQLITE_ORDER} ON articles (id, published_at, site_id)")


def downgrade() -> None:
    """Drop them; searches read the articles' rows again."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_ORDER}")
        op.execute(f"DROP INDEX IF EXISTS {PG_TITLE}")
        return
    op.execute(f"DROP INDEX IF EXISTS {SQLITE_ORDER}")
