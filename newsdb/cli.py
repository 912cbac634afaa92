"""The `newsdb` command line: crawl news sites, parse pages, query what was stored.

Every command is a thin shell over crawler/, pipelines/ and storage/; errors a
user can cause end as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from core.encoding import EncodingError
from core.profiles import ProfileError, available_sites, load_profile
from storage.db import DEFAULT_URL, DatabaseError, open_database, resolve_url

USER_ERRORS = (DatabaseError, ProfileError, EncodingError, OSError)


def db_option(command):
    """The shared --db option (NEWSDB_DATABASE_URL, default sqlite:///data/newsdb.sqlite)."""
    return click.option(
        "--db",
        "db_url",
        envvar="NEWSDB_DATABASE_URL",
        default=None,
        metavar="URL",
        help=f"Database URL [env NEWSDB_DATABASE_URL; default {DEFAULT_URL}]",
    )(command)


def user_errors(command):
    """Turn the errors a user can cause into one clean line."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # `newsdb export | head`: the reader left; main() exits quietly
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsdb")
def cli():
    """newsdb: crawl Russian-language news sites, keep every page, query who said what.

    \b
    Start with:
        newsdb demo                 crawl the bundled demo site into data/newsdb.sqlite
        newsdb crawl caravan        crawl caravan.kz (sitemaps, RSS, listings)
        newsdb parse page.html      one saved page to JSON, no database
        newsdb stats                what the database holds
    """


def _print_report(report, db_url: str) -> None:
    click.echo(
        f"{report.site}: {report.articles} articles ({report.articles_new} new, "
        f"{report.articles_updated} updated, {report.articles_unchanged} unchanged), "
        f"{report.quotes} quotes, {report.related} related links, "
        f"{report.pages} pages archived, {report.not_articles} not articles, "
        f"{report.errors} errors in {report.seconds:.1f} s -> {db_url}"
    )


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="'-s'")
        settings[name.strip()] = value
    return settings


def _crawl(site: str, db_url: str | None, *, base_url=None, limit=None, verbose=False, settings=(), since=None):
    from core.dates import parse_date
    from newsdb.crawl import run_crawl

    overrides = _parse_settings(settings)
    if since and parse_date(since) is None:
        raise click.BadParameter(f"not a date: {since!r} (use YYYY-MM-DD or an ISO datetime)", param_hint="'--since'")
    url = resolve_url(db_url)
    load_profile(site)  # a wrong site name fails here, in one line
    open_database(url).close()  # so does a database that is down, before Scrapy starts
    report = run_crawl(site, url, base_url=base_url, limit=limit, verbose=verbose,
                       progress=sys.stderr.isatty() or verbose, settings=overrides, since=since)
    _print_report(report, url)
    if report.finish_reason not in ("finished", "unknown"):
        raise click.ClickException(f"crawl of {site} stopped early: {report.finish_reason}")
    return report


@cli.command()
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

    server, base_url = serve_demo(port)
    click.echo(f"demo site on {base_url}/", err=True)
    try:
        _crawl("demo", db_url, base_url=base_url, verbose=verbose)
    finally:
        server.shutdown()


@cli.command()
@click.argument("site")
@db_option
@click.option("--limit", type=click.IntRange(min=1), help="Request at most N article URLs (a deleted or video post counts too)")
@click.option("--since", metavar="DATE",
              help="Only entries dated on or after DATE (sitemap lastmod, RSS pubDate, listing dates); "
                   "the site's time zone when DATE has none. For scheduled runs")
@click.option("--base-url", metavar="URL", help="Crawl a copy of the site served elsewhere")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with `scrapy crawl -s` (repeatable)")
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
    """
    _crawl(site, db_url, base_url=base_url, limit=limit, verbose=verbose, settings=settings, since=since)


def _profile_for(url: str, site: str | None):
    if site:
        return load_profile(site)
    host = urlsplit(url).hostname or ""
    for name in available_sites():
        profile = load_profile(name)
        if profile.live and host in profile.allowed_domains:
            return profile
    return None


@cli.command()
@click.argument("path", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", help="The page's URL (default: file:// URL of PATH)")
@click.option("--encoding", help="Decode the page with this encoding instead of detecting it")
@click.option("--site", help="Use this site profile (default: by the URL's host; none means generic extraction)")
@click.option("--indent/--compact", default=True, help="Pretty-print the JSON (default) or one line")
@user_errors
def parse(path, url, encoding, site, indent):
    """Parse one saved page (PATH, or - for stdin) and print the article as JSON.

    No network and no database: the same extraction and pipelines as the crawl.

    \b
    Example:
        newsdb parse seeds/demo/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/index.html \\
            --url http://127.0.0.1:8089/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/ --site demo
        curl -s https://www.caravan.kz/news/… | newsdb parse - --url https://www.caravan.kz/news/…
    """
    from newsdb.parse import parse_html

    if path == "-":
        body = sys.stdin.buffer.read()
        url = url or "stdin:"
    else:
        file = Path(path)
        try:
            body = file.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
        url = url or file.resolve().as_uri()
    if not body.strip():
        raise click.ClickException(f"{path}: empty input")
    result = parse_html(body, url, profile=_profile_for(url, site), encoding=encoding)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2 if indent else None))


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format")
@user_errors
def stats(db_url, fmt):
    """Show what the database holds, per site: articles, quotes, publication
    dates, the last crawl and which extraction layer answered each field.

    \b
    Example:
        newsdb stats
        newsdb stats --format json --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from dataclasses import asdict

    from storage import api
    from storage.query import site_stats

    db = open_database(resolve_url(db_url))
    try:
        with db.session() as session:
            sites = site_stats(session)
            counts = api.table_counts(session)
    finally:
        db.close()
    if fmt == "json":
        payload = {"sites": [asdict(site) for site in sites], "tables": counts}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    if not sites:
        click.echo("no sites yet: run `newsdb demo` or `newsdb crawl SITE`")

    def day(value):  # type: ignore[no-untyped-def]
        return value.date().isoformat() if value else "-"

    for site in sites:
        crawl = f"{site.last_crawl_at:%Y-%m-%d %H:%M} UTC ({site.last_crawl_status})" if site.last_crawl_at else "never"
        click.echo(site.site)
        click.echo(f"  articles   {site.articles}")
        click.echo(f"  quotes     {site.quotes}")
        click.echo(f"  published  {day(site.first_published_at)} .. {day(site.last_published_at)}")
        click.echo(f"  last crawl {crawl}")
        for name, layers in site.layers.items():
            shown = ", ".join(f"{layer} {count}" for layer, count in layers.items())
            click.echo(f"  layers     {name:<13} {shown}")
    click.echo("tables: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


@cli.group()
def db():
    """Database schema commands."""


@db.command()
@db_option
@user_errors
def upgrade(db_url):
    """Bring the database schema up to date (an empty database gets it on first use anyway).

    \b
    Example:
        newsdb db upgrade --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from storage.db import upgrade as run_upgrade

    revision = run_upgrade(resolve_url(db_url))
    click.echo(f"schema at revision {revision}")


# Commands of other areas live in their own modules and attach themselves to `cli`.
# (Imported at the bottom: they need `cli`, `db_option` and `user_errors` from here.)
from newsdb import cli_areas  # noqa: E402,F401


def main() -> None:
    try:
        cli(prog_name="newsdb")
    except BrokenPipeError:
        # Python would print a traceback flushing stdout at exit; point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
