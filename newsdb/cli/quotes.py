"""`newsdb quotes`: who said what, when, where — a thin shell over storage.quotes.

In Python: `storage.quotes.find_quotes(session, speaker=..., site=..., since=...,
until=..., contains=..., limit=...)`.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict, fields

import click

from newsdb.cli.options import day, dumps, iso
from newsdb.cli.options import db_option, open_db, since_option, until_option, user_errors
from newsdb.cli.query import count_line, page_of, paging_options


def _table(rows, total: int, limit: int | None, offset: int) -> None:
    if not total:
        click.echo("no quotes match")
        return
    for row in rows:
        when = day(row.published_at) if row.published_at else "----------"
        who = row.speaker_canonical or row.speaker or "?"
        if row.speaker and row.speaker_canonical and row.speaker != row.speaker_canonical:
            who = f"{row.speaker_canonical} ({row.speaker})"
        click.echo(f"{when}  {row.site}  {who}: «{row.text}»")
        click.echo(f"            {row.title or '(no title)'} <{row.url}>")
    click.echo(count_line(len(rows), total, limit, offset, "quotes", QUOTES_LIMIT))


QUOTES_LIMIT = 50


@click.command()
@click.option("--speaker", metavar="NAME", help="Speaker, in any case form (Токаев finds Токаева, Токаеву)")
@click.option("--site", metavar="S", help="Only this site")
@since_option("Published on or after DATE")
@until_option("Published on or before DATE")
@click.option("--contains", metavar="TEXT", help="Quote text contains TEXT (case-, ё- and script-insensitive)")
@paging_options("quotes", QUOTES_LIMIT)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format")
@db_option
@user_errors
def quotes(speaker, site, since, until, contains, limit, offset, page, show_all, fmt, db_url):
    """List stored quotes: who said what, when, on which site (newest first).

    The last line says how many matched and how to see the rest (--page,
    --offset, --all); JSON and CSV give each quote its `position` and the `total`.

    \b
    Example:
        newsdb quotes --speaker Токаев --since 2025-12-01
        newsdb quotes --site caravan --contains "тариф" --limit 20 --format csv
        newsdb quotes --speaker Токаев --page 2
        newsdb quotes --speaker "глава государства" --format json --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from storage.quotes import QuoteRow, count_quotes, find_quotes

    limit, offset = page_of(limit, offset, page, show_all, QUOTES_LIMIT)
    filters = {"speaker": speaker, "site": site, "since": since, "until": until, "contains": contains}
    with open_db(db_url, create=False) as database, database.session() as session:
        rows = find_quotes(session, limit=limit, offset=offset, **filters)
        if offset == 0 and (limit is None or len(rows) < limit):
            total = len(rows)  # all of them are here: no need to count
        else:
            total = count_quotes(session, **filters)
    if fmt == "json":
        records = [{**asdict(r), "position": offset + n, "total": total} for n, r in enumerate(rows, 1)]
        click.echo(dumps(records, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=[*(f.name for f in fields(QuoteRow)), "position", "total"])
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            record = {**asdict(row), "position": offset + n, "total": total}
            record["published_at"] = iso(row.published_at) or ""
            writer.writerow(record)
    else:
        _table(rows, total, limit, offset)


def register(cli: click.Group) -> None:
    cli.add_command(quotes)
