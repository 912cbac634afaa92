"""article_list: one readable line per article, for Datasette and any SQL browser.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A table page shows columns in table order, and articles opens with keys and long
text; Datasette's metadata cannot pick or order a table's columns. A view can:
title, date, site, source (its base form), authors as text, the number of quotes,
the source as written, the URL and the id that links to the full row. No body
and no lead. published_at stays as stored: formatting it in the view would hide
the index from a page sorted by date (2.2 s instead of 9 ms at 210,000 articles).
PostgreSQL gets the same view with its own JSON functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUTHORS = {
    "sqlite": "(SELECT group_concat(value, ', ') FROM (SELECT value FROM json_each(a.authors) ORDER BY key))",
    "postgresql": "(SELECT string_agg(value, ', ' ORDER BY n) FROM json_array_elements_text(a.authors) "
                  "WITH ORDINALITY AS t(value, n))",
}


def upgrade() -> None:
    """Create the article_list view."""
    authors = _AUTHORS["postgresql" if op.get_context().dialect.name == "postgresql" else "sqlite"]
    op.execute(f"""
CREATE VIEW article_list AS
SELECT a.title,
       a.published_at,
       s.name AS site,
       a.source_base AS source,
       {authors} AS authors,
       (SELECT count(*) FROM quotes AS q WHERE q.article_id = a.id) AS quotes,
       a.source AS source_written,
       a.url,
       a.id
FROM articles AS a
JOIN sites AS s ON s.id = a.site_id
""")


def downgrade() -> None:
    """Drop the article_list view."""
    op.execute("DROP VIEW article_list")
