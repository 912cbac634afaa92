"""`newsdb quotes`: who said what, when, where — a thin shell over storage.quotes.

In Python: `storage.quotes.find_quotes(session, speaker=..., site=..., since=...,
until=..., contains=..., limit=...)`.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict, fields
from datetime import date, datetime

import click

from newsdb.cli import cli, db_option, user_errors
from storage.db import open_database, resolve_url


def _date(value: str | None, option: str) -> date | datetime | None:
    """YYYY-MM-DD (a whole day) or an ISO datetime; anything else is a one-line error."""
    if value is None:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise click.ClickException(
            f"{option}: {value!r} is not a date (use YYYY-MM-DD or 2025-12-20T10:15+05:00)"
        ) from None


def _table(rows) -> None:
    if not rows:
        click.echo("no quotes match")
        return
    for row in rows:
        when = row.published_at.date().isoformat() if row.published_at else "----------"
        who = row.speaker_canonical or row.speaker or "?"
        if row.speaker and row.speaker_canonical and row.speaker != row.speaker_canonical:
            who = f"{row.speaker_canonical} ({row.speaker})"
        click.echo(f"{when}  {row.site}  {who}: «{row.text}»")
        click.echo(f"            {row.title or '(no title)'} <{row.url}>")


@cli.command()
@click.option("--speaker", metavar="NAME", help="Speaker, in any case form (Токаев finds Токаева, Токаеву)")
@click.option("--site", metavar="S", help="Only this site")
@click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD, UTC day)")
@click.option("--until", metavar="DATE", help="Published on or before DATE (the whole day)")
@click.option("--contains", metavar="TEXT", help="Quote text contains TEXT (case-, ё- and script-insensitive)")
@click.option("--limit", type=click.IntRange(min=1), help="At most N quotes")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format")
@db_option
@user_errors
def quotes(speaker, site, since, until, contains, limit, fmt, db_url):
    """List stored quotes: who said what, when, on which site (newest first).

    \b
    Example:
        newsdb quotes --speaker Токаев --since 2025-12-01
        newsdb quotes --site caravan --contains "тариф" --limit 20 --format csv
        newsdb quotes --speaker "глава государства" --format json --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from storage.quotes import QuoteRow, find_quotes

    since_value, until_value = _date(since, "--since"), _date(until, "--until")
    database = open_database(resolve_url(db_url))
    try:
        with database.session() as session:
            rows = find_quotes(session, speaker=speaker, site=site, since=since_value,
                               until=until_value, contains=contains, limit=limit)
    finally:
        database.close()
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=[f.name for f in fields(QuoteRow)])
        writer.writeheader()
        for row in rows:
            record = asdict(row)
            record["published_at"] = row.published_at.isoformat() if row.published_at else ""
            writer.writerow(record)
    else:
        _table(rows)
