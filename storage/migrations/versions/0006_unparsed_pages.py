"""Unparsed pages: an index for the pages a stopped crawl archived but did not store.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A crawl archives each page before it parses it. If the crawl is killed, or
the database stays away longer than a write waits, between the two, the page
is archived but its article is not stored; the next crawl of the site parses
those pages first. The partial index on pages(site_id) WHERE parser_version IS
NULL finds them without reading every page of the site.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPARSED = sa.text("parser_version IS NULL")


def upgrade() -> None:
    op.create_index("ix_pages_unparsed", "pages", ["site_id"], sqlite_where=UNPARSED, postgresql_where=UNPARSED)


def downgrade() -> None:
    op.drop_index("ix_pages_unparsed", table_name="pages")
