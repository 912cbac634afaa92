"""`newsdb quotes`: who said what, when, where — a thin shell over storage.quotes.

In Python: `storage.quotes.find_quotes(session, speaker=..., site=..., since=...,
until=..., contains=..., limit=...)`.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict, fields

import click

from newsdb.cli.options import db_option, limit_type, open_db, since_option, until_option, user_errors


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


@click.command()
@click.option("--speaker", metavar="NAME", help="Speaker, in any case form (Токаев finds Токаева, Токаеву)")
@click.option("--site", metavar="S", help="Only this site")
@since_option("Published on or after DATE")
@until_option("Published on or before DATE")
@click.option("--contains", metavar="TEXT", help="Quote text contains TEXT (case-, ё- and script-insensitive)")
@click.option("--limit", type=limit_type, help="At most N quotes")
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

    with open_db(db_url, create=False) as database, database.session() as session:
        rows = find_quotes(session, speaker=speaker, site=site, since=since,
                           until=until, contains=contains, limit=limit)
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


def register(cli: click.Group) -> None:
    cli.add_command(quotes)
