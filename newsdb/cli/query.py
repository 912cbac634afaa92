"""Query commands: search, show, related, export, stats.

Thin shells over storage.search, storage.query and storage.history (the same
functions the analyst API `storage.open_db` uses).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict

import click

from newsdb.cli.options import day, dumps, iso
from newsdb.cli.options import db_option, limit_type, open_db, since_option, until_option, user_errors
from storage.search import MAX_LIMIT


def date_options(command):
    """--since/--until on published_at."""
    command = until_option("Published on or before DATE")(command)
    return since_option("Published on or after DATE")(command)


_dumps = dumps
_day = day


# -- counts and paging (search and quotes) -------------------------------------------

page_type = click.IntRange(1, MAX_LIMIT)
offset_type = click.IntRange(0, MAX_LIMIT)


def paging_options(noun: str, default: int):  # type: ignore[no-untyped-def]
    """--limit, --offset, --page and --all for a command that lists `noun`."""

    def decorate(command):  # type: ignore[no-untyped-def]
        command = click.option("--all", "show_all", is_flag=True, help=f"Show every matching {noun[:-1]}")(command)
        command = click.option("--page", type=page_type, metavar="N",
                               help="Show page N (pages of --limit; 1 is the first)")(command)
        command = click.option("--offset", type=offset_type, metavar="N", help=f"Skip the first N {noun}")(command)
        return click.option("--limit", type=limit_type, metavar="N",
                            help=f"Show at most N {noun}  [default: {default}]")(command)

    return decorate


def page_of(limit: int | None, offset: int | None, page: int | None, show_all: bool, default: int) -> tuple[int | None, int]:
    """(limit, offset) from the paging options; limit None means all."""
    if page is not None and offset is not None:
        raise click.UsageError("--page and --offset both say where to start: give one of them")
    if show_all and (limit is not None or page is not None):
        raise click.UsageError("--all shows every match: it takes no --limit or --page (--offset still skips)")
    if show_all:
        return None, offset or 0
    limit = limit or default
    if page is not None:
        if (page - 1) * limit > MAX_LIMIT:
            raise click.BadParameter(f"page {page} of {limit} starts past {MAX_LIMIT}", param_hint="'--page'")
        return limit, (page - 1) * limit
    return limit, offset or 0


def count_line(shown: int, total: int, limit: int | None, offset: int, noun: str, default: int | None = None) -> str:
    """'20 of 57 articles; next: --page 2, all: --all', or where this page lies.

    The hint is what to type for the next page: with a --limit other than the
    command's `default` it repeats it (`next: --limit 5 --page 3`), since
    `--page 3` alone counts pages of the default size."""
    name = noun if total != 1 else noun[:-1]
    size = f"--limit {limit} " if limit and default is not None and limit != default else ""
    if shown == 0 and offset >= total > 0:
        where = f"--page {offset // limit + 1}" if limit and offset % limit == 0 else f"--offset {offset}"
        return f"0 of {total} {name}: {where} is past the end"
    if offset == 0:
        line = f"{shown} of {total} {name}"
    elif shown == 1:
        line = f"{noun[:-1]} {offset + 1} of {total}"
    else:
        line = f"{noun} {offset + 1}-{offset + shown} of {total}"
    if offset + shown < total:
        following = (f"{size}--page {offset // limit + 2}" if limit and offset % limit == 0
                     else f"{size}--offset {offset + shown}")
        line += f"; next: {following}, all: --all"
    return line


# -- search ------------------------------------------------------------------------


class QueryCommand(click.Command):
    """A command whose words may begin with '-': `newsdb search -тенге доллар`.

    Click would take `-тенге` for an option. Before it parses, every argument
    that is not one of the command's options (or an option's value) moves
    behind a `--`, in order; a word after `--` is always the query's. An
    unknown `--name` stays an option, so a mistyped option is still an error."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if arg == "--":
                words.extend(args[i + 1:])
                break
            if name in takes_value:
                options.append(arg)
                if takes_value[name] and "=" not in arg and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            elif arg.startswith("--") and arg[2:3].isascii() and arg[2:3].isalpha():
                options.append(arg)  # click says: No such option
            else:
                words.append(arg)
            i += 1
        return super().parse_args(ctx, options + (["--", *words] if words else []))


SEARCH_LIMIT = 20


@click.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--site", help="Only this site (profile name, e.g. demo)")
@date_options
@click.option("--tag", help="Only articles with this tag")
@paging_options("articles", SEARCH_LIMIT)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format")
@user_errors
def search(query, db_url, site, since, until, tag, limit, offset, page, show_all, fmt):
    """Full-text search of title, lead and body, best match first.

    \b
    The query language (the same on SQLite and PostgreSQL):
      выборы акимов       every word, in any grammatical form: finds "выборах акима"
      тенге AND доллар    the same as тенге доллар
      "курс тенге"        a phrase: these words next to each other, in this order
      тенге OR рубль      either; OR binds closer than AND: a OR b c is (a or b) and c
      -прогноз, NOT прогноз   without this word (or "phrase"); also as the first word
      прези*              words whose stem begins so (президент, президента, ...)
    OR, AND and NOT are operators in capitals only. Case, ё/е and Latin
    look-alike letters in Cyrillic words do not matter; Latin words, numbers and
    domains are words too (caravan.kz is the phrase caravan kz, 1,5 is 1 5).
    Other punctuation separates words.

    Order: articles whose title holds more of the query first, then newest
    first (undated last). Matching words in the snippet are shown in
    [brackets]. The last line says how many matched and how to see the rest;
    JSON and CSV give each hit its `position` and the `total`.

    \b
    Example:
        newsdb search выборы акимов --site demo --since 2025-12-01
        newsdb search '"курс тенге" OR нацбанк' --format json --limit 5
        newsdb search 'тенге AND доллар NOT прогноз' --page 2
        newsdb search caravan.kz --all --format csv
        A first word may begin with '-', as typed: newsdb search -прогноз тенге
        after `--` every argument is the query's: newsdb search --limit 5 -- -прогноз тенге
    """
    from storage.search import count as count_hits
    from storage.search import search as run_search

    text = " ".join(query)
    limit, offset = page_of(limit, offset, page, show_all, SEARCH_LIMIT)
    with open_db(db_url, create=False) as database, database.session() as session:
        hits = run_search(session, text, site=site, since=since, until=until, tag=tag, limit=limit, offset=offset)
        if not hits and offset == 0:
            total = 0
        elif offset == 0 and (limit is None or len(hits) < limit):
            total = len(hits)  # all of them are here: no need to count
        else:
            total = count_hits(session, text, site=site, since=since, until=until, tag=tag)
    if fmt == "json":
        records = [{**asdict(hit), "position": offset + number, "total": total}
                   for number, hit in enumerate(hits, 1)]
        click.echo(_dumps(records, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "site", "published_at", "title", "url", "rank", "snippet", "position", "total"])
        for number, hit in enumerate(hits, 1):
            writer.writerow([hit.id, hit.site, iso(hit.published_at) or "",
                             hit.title or "", hit.url, f"{hit.rank:.6g}", hit.snippet, offset + number, total])
    else:
        if not total:
            click.echo("no matches", err=True)
            return
        for number, hit in enumerate(hits, offset + 1):
            click.echo(f"{number:>3}. {_day(hit.published_at)}  {hit.site}  #{hit.id}  {hit.title or '(no title)'}")
            click.echo(f"     {hit.url}")
            click.echo(f"     {hit.snippet}")
        click.echo(count_line(len(hits), total, limit, offset, "articles", SEARCH_LIMIT))


# -- show and related ------------------------------------------------------------------


@click.command()
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

    with open_db(db_url, create=False) as database, database.session() as session:
        article = find_article(session, ref)
        if article is None:
            raise click.ClickException(f"no stored article with id or URL {ref!r}")
        history_lines = None
        if history:
            from storage.history import history_lines as lines_of

            history_lines = lines_of(session, article.id)
    if fmt == "json":
        record = asdict(article)
        if history_lines is not None:
            record["history"] = history_lines
        click.echo(_dumps(record, indent=2))
        return
    click.echo(f"#{article.id} {article.title or '(no title)'}")
    click.echo(f"{article.site}  {iso(article.published_at) or '-'}  {article.url}")
    if article.authors or article.source:
        source = article.source or "-"
        if article.source_base and article.source_base != article.source:
            source += f" ({article.source_base})"  # as written (base form)
        click.echo(f"authors: {', '.join(article.authors) or '-'}  source: {source}")
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


@click.command()
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

    with open_db(db_url, create=False) as database, database.session() as session:
        report = related_links(session, ref)
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


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv"]), default="jsonl",
              show_default=True, help="Output format: JSON lines, one JSON array, or CSV")
@click.option("--bom", is_flag=True,
              help="Begin the CSV with a UTF-8 byte order mark, so spreadsheets (Excel) read the Cyrillic right")
@click.option("--site", help="Only this site")
@date_options
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write to FILE instead of stdout")
@user_errors
def export(db_url, fmt, bom, site, since, until, output):
    """Export articles with every field of the `newsdb parse` JSON (quotes,
    related links, tags, images, the source and its base form), streamed:
    memory stays flat however large the database. Dates are ISO 8601 with
    their offset (UTC, as stored).

    CSV has one row an article: body paragraphs apart by a blank line; authors,
    tags, quotes, related, images and extraction as JSON columns (readable UTF-8).

    \b
    Example:
        newsdb export --since 2025-12-01 > articles.jsonl
        newsdb export --format json --site demo -o demo.json
        newsdb export --format csv --bom --site demo -o demo.csv   # for a spreadsheet
    """
    from storage.query import CSV_COLUMNS, csv_row, iter_export

    if bom and fmt != "csv":
        raise click.UsageError("--bom is for --format csv (JSON never begins with a byte order mark)")
    count = 0
    with open_db(db_url, create=False) as database, database.session() as session:
        records = iter_export(session, site=site, since=since, until=until)  # an unknown site fails here
        writer = csv.writer(output) if fmt == "csv" else None
        if writer:
            if bom:
                output.write("\ufeff")
            writer.writerow(CSV_COLUMNS)
        elif fmt == "json":
            output.write("[")
        for record in records:
            if writer:
                writer.writerow(csv_row(record))
            elif fmt == "json":  # one array, still written a record at a time
                output.write(("," if count else "") + "\n" + _dumps(record))
            else:
                output.write(_dumps(record) + "\n")
            count += 1
        if fmt == "json":
            output.write("\n]\n" if count else "]\n")
    click.echo(f"exported {count} articles", err=True)


# -- stats -------------------------------------------------------------------------


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format")
@click.option("--site", help="Only this site")
@click.option("--by", "by", type=click.Choice(["site", "source"]), default="site", show_default=True,
              help="Per site, or articles per source (its base form: Акорду and Акорды count as Акорда)")
@date_options
@user_errors
def stats(db_url, fmt, site, by, since, until):
    """Show what the database holds, per site: articles, quotes, publication
    dates, the last crawl, which extraction layer answered each field, and the
    drift trend: in each of the last runs, the share of bodies the profile's
    selector gave (`!` where the drift alarm fired).

    `--by source` counts articles per source in its base form (the nominative:
    `пресс-службу Акорды` is `пресс-служба Акорды`), most credited first, with
    the forms the articles wrote it in; --since/--until pick articles by date.

    \b
    Example:
        newsdb stats
        newsdb stats --by source --site caravan --since 2025-12-01
        newsdb stats --format json --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    if by == "source":
        _source_stats(db_url, fmt, site, since, until)
        return
    if since is not None or until is not None:
        raise click.UsageError("--since and --until go with --by source (per site, stats cover every article)")
    from storage import api
    from storage.query import site_stats
    from storage.runs import body_trend

    with open_db(db_url, create=False) as database, database.session() as session:
        sites = site_stats(session, site)
        counts = api.table_counts(session)
        trends = {site.site: body_trend(session, site.site) for site in sites}  # oldest run first
    if fmt == "json":
        payload = {"sites": [{**asdict(site), "drift_trend": [asdict(point) for point in trends[site.site]]}
                             for site in sites], "tables": counts}
        click.echo(dumps(payload, indent=2))
        return
    if not sites:
        click.echo("no sites yet: run `newsdb demo` or `newsdb crawl SITE`")

    for site in sites:
        crawl = f"{iso(site.last_crawl_at)} ({site.last_crawl_status})" if site.last_crawl_at else "never"
        click.echo(site.site)
        click.echo(f"  articles   {site.articles}")
        click.echo(f"  quotes     {site.quotes}")
        click.echo(f"  published  {_day(site.first_published_at)} .. {_day(site.last_published_at)}")
        click.echo(f"  last crawl {crawl}")
        for name, layers in site.layers.items():
            shown = ", ".join(f"{layer} {count}" for layer, count in layers.items())
            click.echo(f"  layers     {name:<13} {shown}")
        if trends[site.site]:  # per run: the share of bodies the profile's selector gave; ! = drift alarm
            shares = " ".join(("-" if p.profile_share is None else f"{p.profile_share:.0%}") + ("!" if p.drift else "")
                              for p in trends[site.site])
            n = len(trends[site.site])
            click.echo(f"  drift      profile body {shares} (last {n} run{'s' if n != 1 else ''}, oldest first)")
    click.echo("tables: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


def _source_stats(db_url, fmt, site, since, until) -> None:  # type: ignore[no-untyped-def]
    from storage.query import source_counts

    with open_db(db_url, create=False) as database, database.session() as session:
        counts = source_counts(session, site=site, since=since, until=until)
    if fmt == "json":
        click.echo(_dumps([asdict(count) for count in counts], indent=2))
        return
    if not counts:
        click.echo("no articles")
        return
    width = len(str(max(count.articles for count in counts)))
    for count in counts:
        forms = ", ".join(f"{form} {n}" for form, n in count.written.items() if form != count.source)
        line = f"{count.articles:>{width}}  {count.source or '(no source)'}"
        click.echo(line + (f"  (as written: {forms})" if forms else ""))


def register(cli: click.Group) -> None:
    for command in (search, show, related, export, stats):
        cli.add_command(command)
