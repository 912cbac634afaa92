"""The archive commands: reparse, import-warc, export-warc.

Thin shells over newsdb.reparse and newsdb.warc.
"""

from __future__ import annotations

import click

from newsdb.cli.options import db_option, known_site, open_db, since_option, steps_option, user_errors


def _jobs_option(command):
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
        help="Parse in N processes (the database is written by one)",
    )(command)


@click.command()
@db_option
@click.option("--site", help="Only pages of this site")
@since_option("Only pages fetched on or after DATE, e.g. 2025-12-01")
@click.option("--url", help="Only this URL (its newest archived version)")
@click.option("--older-than-parser", metavar="VERSION",
              help="Only pages last parsed by a parser older than VERSION (or never parsed)")
@_jobs_option
@steps_option
@click.option("--dry-run", is_flag=True, help="Write nothing; list the articles that would change")
@user_errors
def reparse(db_url, site, since, url, older_than_parser, jobs, steps, dry_run):
    """Re-parse archived pages with the current parser, without the network.

    Takes the newest archived version of each URL (status 200) through the
    same extraction and pipelines as a crawl and updates the articles; the
    previous version of a changed article is kept in its history. A page that
    fails keeps its previous article and gets the error recorded. Running it
    twice changes nothing the second time.

    \b
    Example:
        newsdb reparse --jobs 2
        newsdb reparse --site demo --older-than-parser 0.2.0 --dry-run
        newsdb reparse --url https://www.caravan.kz/news/…-1145321/
    """
    from newsdb import reparse as engine

    if older_than_parser is not None and not engine.version_key(older_than_parser):
        raise click.BadParameter("expected a version such as 0.2.0", param_hint="--older-than-parser")
    # Reparse reads the archive: a database that is not there has none, so it is an error, not a new file.
    with open_db(db_url, create=False) as database:
        known_site(database, site)
        report = engine.reparse(
            database, site=site, since=since, url=url, older_than_parser=older_than_parser,
            jobs=jobs, dry_run=dry_run, steps=steps, progress=engine.stderr_if_terminal(),
        )
    for line in report.would_change:
        click.echo(line)
    click.echo(("dry run, nothing written: " if dry_run else "reparse: ") + report.summary())


@click.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--site", help="Store the pages under this site (default: the profile for the URL's host, else the host)")
@_jobs_option
@steps_option
@user_errors
def import_warc(files, db_url, site, jobs, steps):
    """Archive and parse the HTML responses of WARC files (e.g. Common Crawl News).

    Requests, metadata, revisits and non-HTML responses are skipped. Pages
    already archived with the same bytes are not stored twice.

    \b
    Example:
        newsdb import-warc CC-NEWS-20251220.warc.gz --jobs 2
        newsdb import-warc demo.warc.gz --site demo --db sqlite:///tmp/copy.sqlite
    """
    from newsdb.reparse import stderr_if_terminal
    from newsdb.warc import WarcError
    from newsdb.warc import import_warc as run_import

    with open_db(db_url) as database:
        try:
            report, parsed = run_import(database, files, site=site, jobs=jobs, steps=steps,
                                        progress=stderr_if_terminal())
        except WarcError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        f"import-warc: {report.records} records, {report.pages_new} new pages, "
        f"{report.pages_known} already archived, {report.skipped} skipped"
    )
    click.echo("parse: " + parsed.summary())


@click.command("export-warc")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@db_option
@click.option("--site", help="Only pages of this site")
@user_errors
def export_warc(out, db_url, site):
    """Write the page archive to a WARC file (gzipped if OUT ends in .gz).

    One response record per archived page version, with its original status
    line and headers, WARC-Date = when it was fetched.

    \b
    Example:
        newsdb export-warc demo.warc.gz --site demo
    """
    from newsdb.warc import export_warc as run_export

    with open_db(db_url, create=False) as database:
        known_site(database, site)
        count = run_export(database, out, site=site)
    click.echo(f"export-warc: {count} pages -> {out}")


def register(cli: click.Group) -> None:
    for command in (reparse, import_warc, export_warc):
        cli.add_command(command)
