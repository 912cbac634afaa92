"""`newsdb db`: the schema (upgrade, check) and whole-database copies.

Thin shells over storage.db and storage.copy.
"""

from __future__ import annotations

import tempfile

import click

from newsdb.cli.options import db_option, user_errors


@click.group()
def db():
    """Database schema commands."""


@db.command()
@db_option
@user_errors
def upgrade(db_url):
    """Bring the database schema up to date (an empty database gets it on first use anyway).

    On PostgreSQL this also installs or upgrades the job queue's schema
    (`newsdb worker`).

    \b
    Example:
        newsdb db upgrade --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from sqlalchemy import make_url

    from storage.db import resolve_url
    from storage.db import upgrade as run_upgrade

    revision = run_upgrade(db_url)
    click.echo(f"schema at revision {revision}")
    if make_url(resolve_url(db_url)).get_backend_name() == "postgresql":
        from newsdb.jobs import install_queue_schema

        click.echo(install_queue_schema(db_url))


@db.command()
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Check this database (default: a new temporary SQLite database)")
@user_errors
def check(db_url):
    """Check that the migrations build exactly the schema the models describe.

    Exits 1 and lists the differences when they drift apart (run it in CI
    against SQLite and PostgreSQL). An empty database is migrated first.

    \b
    Example:
        newsdb db check
        newsdb db check --db postgresql+psycopg://postgres@127.0.0.1/newsdb_ci
    """
    from storage.db import head_revision, schema_drift

    if db_url is None:
        with tempfile.TemporaryDirectory(prefix="newsdb-check-") as folder:
            drift = schema_drift(f"sqlite:///{folder}/check.sqlite")
    else:
        drift = schema_drift(db_url)
    if drift:
        for line in drift:
            click.echo(line)
        raise click.ClickException(f"the models and the migrations differ: {len(drift)} difference(s)")
    click.echo(f"schema matches the models (revision {head_revision()})")


@db.command("copy")
@click.option("--from", "source", required=True, metavar="URL", help="Database to copy from")
@click.option("--to", "target", required=True, metavar="URL", help="Empty database to copy into")
@user_errors
def copy_command(source, target):
    """Copy a whole database into an empty one (e.g. SQLite to PostgreSQL),
    keeping every id; the search index is rebuilt on the target.

    \b
    Example:
        newsdb db copy --from sqlite:///data/newsdb.sqlite \\
                       --to postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from storage.copy import copy_database

    def progress(table: str, rows: int) -> None:
        if rows % 20000 == 0:
            click.echo(f"  {table}: {rows} rows…", err=True)

    counts = copy_database(source, target, progress=progress)
    click.echo("copied " + ", ".join(f"{name} {rows}" for name, rows in counts.items()))


def register(cli: click.Group) -> None:
    cli.add_command(db)
