"""Query commands: search, show, related, export, and `db copy`.

Thin shells over storage.search, storage.query and storage.copy (the same
functions the analyst API `storage.open_db` uses).
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime, time

import click

from newsdb.cli import cli, db, db_option, user_errors
from storage.db import open_database, resolve_url

class DateParam(click.ParamType):
    """YYYY-MM-DD or an ISO datetime; without a zone it is UTC. As an upper
    bound (`end_of_day`), a bare date means the end of that day."""

    name = "DATE"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date: expected YYYY-MM-DD or an ISO datetime", param, ctx)
        if len(text) == 10 and self.end_of_day:
            parsed = datetime.combine(parsed.date(), time.max)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed


def date_options(command):
    """--since/--until on published_at."""
    command = click.option("--until", type=DateParam(end_of_day=True),
                           help="Published on or before DATE (YYYY-MM-DD, inclusive)")(command)
    return click.option("--since", type=DateParam(), help="Published on or after DATE (YYYY-MM-DD)")(command)


def _json_default(value):  # type: ignore[no-untyped-def]
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _dumps(value, *, indent: int | None = None) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else "-"


# -- search ------------------------------------------------------------------------


@cli.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only this site (profile name, e.g. demo)")
@date_options
@click.option("--tag", help="Only articles with this tag")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most N articles")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format")
@user_errors
def search(query, db_url, site, since, until, tag, limit, fmt):
    """Full-text search of title, lead and body, best match first.

    Words are matched in any grammatical form (выборы акимов finds "выборов
    акима"); all words must occur. "Quoted words" must occur as a phrase, OR
    allows either side, -word excludes. Matching words in the snippet are
    shown in [brackets].

    \b
    Example:
        newsdb search "выборы акимов" --site demo --since 2025-12-01
        newsdb search '"курс тенге" OR нацбанк' --format json --limit 5
    """
    from storage.search import search as run_search

    database = open_database(resolve_url(db_url))
    try:
        with database.session() as session:
            try:
                hits = run_search(session, query, site=site, since=since, until=until, tag=tag, limit=limit)
            except ValueError as error:
                raise click.ClickException(str(error)) from None
    finally:
        database.close()
    if fmt == "json":
        click.echo(_dumps([asdict(hit) for hit in hits], indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "site", "published_at", "title", "url", "rank", "snippet"])
        for hit in hits:
            writer.writerow([hit.id, hit.site, hit.published_at.isoformat() if hit.published_at else "",
                             hit.title or "", hit.url, f"{hit.rank:.6g}", hit.snippet])
    else:
        if not hits:
            click.echo("no matches", err=True)
        for number, hit in enumerate(hits, 1):
            click.echo(f"{number:>3}. {_day(hit.published_at)}  {hit.site}  #{hit.id}  {hit.title or '(no title)'}")
            click.echo(f"     {hit.url}")
            click.echo(f"     {hit.snippet}")


# -- show and related ------------------------------------------------------------------


@cli.command()
@click.argument("ref", metavar="URL|ID")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format")
@click.option("--history", is_flag=True, help="Also show how the article changed between versions")
@user_errors
def show(ref, db_url, fmt, history):
    """Show one stored article with its quotes, related links and tags.

    \b
    Example:
        newsdb show https://www.caravan.kz/news/tokaev-1145321/
        newsdb show 42 --format json
    """
    from storage.query import find_article

    database = open_database(resolve_url(db_url))
    try:
        with database.session() as session:
            article = find_article(session, ref)
            if article is None:
                raise click.ClickException(f"no stored article with id or URL {ref!r}")
            history_lines = None
            if history:
                from storage.history import history_lines as lines_of

                history_lines = lines_of(session, article.id)
    finally:
        database.close()
    if fmt == "json":
        record = asdict(article)
        if history_lines is not None:
            record["history"] = history_lines
        click.echo(_dumps(record, indent=2))
        return
    click.echo(f"#{article.id} {article.title or '(no title)'}")
    click.echo(f"{article.site}  {article.published_at.isoformat() if article.published_at else '-'}  {article.url}")
    if article.authors or article.source:
        click.echo(f"authors: {', '.join(article.authors) or '-'}  source: {article.source or '-'}")
    if article.tags:
        click.echo("tags: " + ", ".join(article.tags))
    if article.lead and article.lead != (article.body[0] if article.body else None):
        click.echo("\n" + article.lead)  # usually the lead is the first body paragraph: say it once
    click.echo("")
    for paragraph in article.body:
        click.echo(paragraph)
    if article.quotes:
        click.echo(f"\nquotes ({len(article.quotes)}):")
        for q in article.quotes:
            who = q.speaker_canonical or q.speaker or "?"
            click.echo(f"  ¶{q.paragraph} {who}: «{q.text}»")
    if article.related:
        click.echo(f"\nrelated ({len(article.related)}):")
        for link in article.related:
            stored = f"  -> #{link.article_id}" if link.article_id else ""
            click.echo(f"  [{link.tag or '-'}] {link.title}  {link.url}{stored}")
    if history_lines is not None:
        click.echo("\nhistory:")
        for line in history_lines:
            click.echo(f"  {line}")


@cli.command()
@click.argument("ref", metavar="URL|ID")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format")
@user_errors
def related(ref, db_url, fmt):
    """Show an article's related links (resolved to stored articles) and the
    stored articles that link to it.

    \b
    Example:
        newsdb related https://www.caravan.kz/news/tokaev-1145321/
    """
    from storage.query import related_links

    database = open_database(resolve_url(db_url))
    try:
        with database.session() as session:
            report = related_links(session, ref)
    finally:
        database.close()
    if report is None:
        raise click.ClickException(f"no stored article with id or URL {ref!r}")
    if fmt == "json":
        click.echo(_dumps(asdict(report), indent=2))
        return
    click.echo(f"outgoing ({len(report.outgoing)}):")
    for link in report.outgoing:
        stored = f"#{link.article_id}" if link.article_id else "not stored"
        click.echo(f"  {stored:>10}  [{link.tag or '-'}] {link.title}  {link.url}")
    click.echo(f"incoming ({len(report.incoming)}):")
    for link in report.incoming:
        click.echo(f"  #{link.article_id:>9}  {link.site}  {link.title or '(no title)'}  {link.url}")


# -- export ------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="Output format")
@click.option("--site", help="Only this site")
@date_options
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write to FILE instead of stdout")
@user_errors
def export(db_url, fmt, site, since, until, output):
    """Export articles (with quotes, related links, tags) as JSON lines or CSV,
    streamed: memory stays flat however large the database.

    \b
    Example:
        newsdb export --since 2025-12-01 > articles.jsonl
        newsdb export --format csv --site demo -o demo.csv
    """
    from storage.query import CSV_COLUMNS, csv_row, iter_export

    database = open_database(resolve_url(db_url))
    count = 0
    try:
        with database.session() as session:
            writer = csv.writer(output) if fmt == "csv" else None
            if writer:
                writer.writerow(CSV_COLUMNS)
            for record in iter_export(session, site=site, since=since, until=until):
                if writer:
                    writer.writerow(csv_row(record))
                else:
                    output.write(_dumps(record) + "\n")
                count += 1
    finally:
        database.close()
    click.echo(f"exported {count} articles", err=True)


# -- db copy -----------------------------------------------------------------------


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
