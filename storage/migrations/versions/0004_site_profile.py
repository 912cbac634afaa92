"""Sites remember the profile their articles were parsed with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

`sites.profile` is the reference core.profiles.load_profile takes (a bundled
site name, or a profile file's absolute path; NULL for a site without one) and
`sites.profile_hash` the sha256 of that file. Re-parse and WARC import resolve
a site's profile from this row instead of guessing it from the site's name.
Existing sites named like a bundled profile (seeds/sites/<name>.toml) get that
name, which is how older newsdb versions found their profile.
"""

from __future__ import annotations

from collections.abc import Sequence
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add sites.profile and sites.profile_hash; fill them for bundled profile names."""
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("profile", sa.Text(), nullable=True))
        batch.add_column(sa.Column("profile_hash", sa.Text(), nullable=True))
    from core.profiles import available_sites  # late: app code, only needed here

    bundled = available_sites()
    if bundled:
        sites = sa.table("sites", sa.column("name", sa.Text()), sa.column("profile", sa.Text()))
        op.execute(sites.update().where(sites.c.name.in_(bundled)).values(profile=sites.c.name))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("profile_hash")
        batch.drop_column("profile")
