"""`newsdb demo` and `newsdb crawl`: thin shells over newsdb.crawl.run_crawl."""

from __future__ import annotations

import sys

import click

from core.profiles import load_profile
from crawler.outcomes import EXIT_LOCKED
from storage.db import mask_password
from storage.runs import RunInProgress
from newsdb.cli.options import checked_steps, db_option, open_db, settings_option, since_option, user_errors


def _print_report(report, db_url: str) -> None:
    click.echo(
        f"{report.site}: {report.articles} articles ({report.articles_new} new, "
        f"{report.articles_updated} updated, {report.articles_unchanged} unchanged), "
        f"{report.quotes} quotes, {report.related} related links, "
        f"{report.pages} pages archived, {report.not_articles} not articles, "
        f"{report.errors} errors in {report.seconds:.1f} s -> {mask_password(db_url)}"
    )
    if report.exit_code:  # the scheduler reads the exit status; the person reads why
        click.echo(f"{report.site}: run {report.run_id} failed (exit {report.exit_code}): {report.reason}", err=True)


def _crawl(site: str, db_url: str, *, base_url=None, limit=None, verbose=False, settings=None, since=None):
    from newsdb.crawl import run_crawl

    checked_steps(settings or {})  # a bad NEWSDB_*_ENABLED fails here, not inside Scrapy
    load_profile(site)  # a wrong site name fails here, in one line
    open_db(db_url).close()  # so does a database that is down, before Scrapy starts
    try:
        report = run_crawl(site, db_url, base_url=base_url, limit=limit, verbose=verbose,
                           progress=sys.stderr.isatty() or verbose, settings=settings,
                           since=since.isoformat() if since else None)
    except RunInProgress as held:
        click.echo(f"Error: {held}", err=True)
        sys.exit(EXIT_LOCKED)
    _print_report(report, db_url)
    if report.exit_code:
        sys.exit(report.exit_code)
    return report



@click.command()
@db_option
@click.option("--port", default=8089, show_default=True, type=click.IntRange(0, 65535),
              help="Port for the demo site; 0 picks a free one. Keep it fixed so re-runs update rather than re-add URLs")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log")
@user_errors
def demo(db_url, port, verbose):
    """Serve the bundled demo site on 127.0.0.1 and crawl it into the database.

    \b
    Example:
        newsdb demo
        newsdb demo --db sqlite:///tmp/demo.sqlite
    """
    from newsdb.demo_site import serve_demo

    open_db(db_url).close()  # a bad --db is the one line, before the site says it is up
    server, base_url = serve_demo(port)
    click.echo(f"demo site on {base_url}/", err=True)
    try:
        _crawl("demo", db_url, base_url=base_url, verbose=verbose)
    finally:
        server.shutdown()


@click.command()
@click.argument("site")
@db_option
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N new articles (known ones are not counted)")
@since_option("Only entries dated on or after DATE (sitemap lastmod, RSS pubDate, listing dates); for scheduled runs")
@click.option("--base-url", metavar="URL", help="Crawl a copy of the site served elsewhere")
@settings_option("Override a Scrapy setting, as with `scrapy crawl -s` (repeatable)")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log")
@user_errors
def crawl(site, db_url, limit, since, base_url, settings, verbose):
    """Crawl SITE (a profile name in seeds/sites/, or a profile .toml path) into the database.

    Discovers articles through the profile's sitemaps, RSS feeds and listing
    pages, archives every response, and stores articles, quotes, related links
    and tags. Re-running updates articles instead of adding duplicates.

    \b
    Example:
        newsdb crawl caravan --limit 50
        newsdb crawl caravan --since 2025-12-20          # a daily cron job
        newsdb crawl demo --base-url http://127.0.0.1:8089
        newsdb crawl ./mysite.toml -s DOWNLOAD_DELAY=2 -s CONCURRENT_REQUESTS=4

    \b
    Exit status (for cron and systemd; the reason is on stderr and in `newsdb runs`):
        0  the run did its job
        1  a user error (a wrong site name, a database that is down), one line on stderr
        2  a usage error (a bad option)
        3  the site was unreachable, or every start point (sitemap, feed, listing) failed
        4  fetch failures passed the share the profile allows (default 20 %)
        5  the drift alarm fired: the profile's selectors answered too rarely, or no article was stored
        6  the run stopped early (a signal, or a database that stayed away)
        7  another run of the site is in progress
    """
    _crawl(site, db_url, base_url=base_url, limit=limit, verbose=verbose, settings=settings, since=since)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
    cli.add_command(crawl)
