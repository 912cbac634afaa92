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
  covering what ordering and the site/date filters read of an article; and
  `articles_fts_title`, the title stems of articles_fts again in an FTS5 table
  of their own. FTS5 keeps a word's positions in every column in one list, so
  asking articles_fts for title matches reads the word's positions in every
  text too (7 ms for "аким" on 200,000 articles); the titles' own lists are a
  small part of that. storage.search writes both tables; an AFTER DELETE
  trigger removes an article's row as 0002's does for articles_fts.
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
SQLITE_TITLES = "articles_fts_title"
PG_TITLE = "ix_article_search_title_vector"
PG_ORDER = "ix_article_search_order"


def upgrade() -> None:
    """Create the indexes of the search order on the backend in use."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {PG_TITLE} ON article_search USING gin (title_vector)")
        op.execute(f"CREATE INDEX {PG_ORDER} ON article_search (published_at DESC NULLS LAST, article_id DESC)")
        return
    op.execute(f"CREATE INDEX {SQLITE_ORDER} ON articles (id, published_at, site_id)")
    op.execute(
        f"CREATE VIRTUAL TABLE {SQLITE_TITLES} USING fts5("
        "title_stems, tokenize = 'unicode61 remove_diacritics 0')"
    )
    # the stems are those articles_fts holds (storage.search computed them)
    op.execute(f"INSERT INTO {SQLITE_TITLES} (rowid, title_stems) SELECT rowid, title_stems FROM articles_fts")
    op.execute(f"INSERT INTO {SQLITE_TITLES}({SQLITE_TITLES}) VALUES ('optimize')")
    op.execute(
        f"CREATE TRIGGER {SQLITE_TITLES}_delete AFTER DELETE ON articles BEGIN "
        f"DELETE FROM {SQLITE_TITLES} WHERE rowid = old.id; END"
    )


def downgrade() -> None:
    """Drop them (and the titles' FTS table with its trigger)."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_ORDER}")
        op.execute(f"DROP INDEX IF EXISTS {PG_TITLE}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {SQLITE_TITLES}_delete")
    op.execute(f"DROP TABLE IF EXISTS {SQLITE_TITLES}")
    op.execute(f"DROP INDEX IF EXISTS {SQLITE_ORDER}")
