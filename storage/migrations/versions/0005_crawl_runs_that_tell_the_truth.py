"""Runs that tell the truth: heartbeat, host, pid, exit code, the run lock; URL outcomes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

`crawl_runs` gains a heartbeat, the host and pid that run it, its exit code,
the reason it failed, the drift flag and the status `abandoned`; a unique
partial index on (site_id) WHERE status = 'running' makes the running row the
site's run lock. `urls` keeps the last fetch outcome of every URL a crawl asked
for (retries with backoff, validators for conditional requests) and
`fetch_failures` what each run could not fetch. Existing runs left `running`
by a process that is long gone become `abandoned`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
RUNNING = sa.text("status = 'running'")


def _datetime() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the run columns, the run lock index, `urls` and `fetch_failures`."""
    # A run still `running` from an older newsdb can only be a dead one: nothing
    # renewed a heartbeat then. Freed first, so the lock index can be built.
    op.execute("UPDATE crawl_runs SET status = 'failed' WHERE status = 'running'")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", _datetime(), nullable=True))
        batch.add_column(sa.Column("host", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("exit_code", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("drift", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(op.f("ck_crawl_runs_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_crawl_runs_status"), "status IN ('running', 'finished', 'failed', 'abandoned')"
        )
    with op.batch_alter_table("crawl_runs") as batch:
        batch.alter_column("drift", server_default=None)
    op.create_index(
        "uq_crawl_runs_running_site_id", "crawl_runs", ["site_id"], unique=True,
        sqlite_where=RUNNING, postgresql_where=RUNNING,
    )

    op.create_table(
        "urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _datetime(), server_default=NOW, nullable=False),
        sa.Column("last_attempt_at", _datetime(), nullable=False),
        sa.Column("last_ok_at", _datetime(), nullable=True),
        sa.Column("retry_at", _datetime(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urls")),
        sa.UniqueConstraint("site_id", "url", name=op.f("uq_urls_site_id_url")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_urls_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_runs.id"], name=op.f("fk_urls_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
    )
    op.create_index(op.f("ix_urls_crawl_run_id"), "urls", ["crawl_run_id"])
    op.create_index("ix_urls_seen", "urls", ["site_id", "last_ok_at", "external_id"])
    op.create_index("ix_urls_first_seen", "urls", ["site_id", "first_seen_at"])

    op.create_table(
        "fetch_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("at", _datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_failures")),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_runs.id"], name=op.f("fk_fetch_failures_crawl_run_id_crawl_runs"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_fetch_failures_crawl_run_id"), "fetch_failures", ["crawl_run_id"])


def downgrade() -> None:
    """Drop what upgrade added; abandoned runs become failed ones."""
    op.drop_index(op.f("ix_fetch_failures_crawl_run_id"), table_name="fetch_failures")
    op.drop_table("fetch_failures")
    op.drop_index("ix_urls_first_seen", table_name="urls")
    op.drop_index("ix_urls_seen", table_name="urls")
    op.drop_index(op.f("ix_urls_crawl_run_id"), table_name="urls")
    op.drop_table("urls")
    op.drop_index("uq_crawl_runs_running_site_id", table_name="crawl_runs")
    op.execute("UPDATE crawl_runs SET status = 'failed' WHERE status = 'abandoned'")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_constraint(op.f("ck_crawl_runs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_crawl_runs_status"), "status IN ('running', 'finished', 'failed')")
        for name in ("drift", "reason", "exit_code", "pid", "host", "heartbeat_at"):
            batch.drop_column(name)
