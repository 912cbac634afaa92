"""`newsdb parse`: one saved page through the one parse function, printed as the contract JSON."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from core.items import Page
from core.profiles import ProfileError, load_profile, profile_for_url
from crawler.pages.metadata import declared_url
from newsdb.cli.options import bad_site, steps_option, user_errors
from pipelines.parse import parse_page


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None


def _site_profile(site: str):  # type: ignore[no-untyped-def]
    """The profile --site names; an unknown name or a missing .toml file is a
    usage error naming the known sites (exit 2, as for every --site), a malformed
    profile a user error."""
    try:
        return load_profile(site)
    except ProfileError as exc:
        if str(exc).startswith("no site profile"):
            raise bad_site(str(exc)) from None
        raise


@click.command()
@click.argument("path", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", help="The page's URL (default: its canonical link or og:url, else the file:// URL of PATH)")
@click.option("--encoding", help="Decode the page with this encoding instead of detecting it")
@click.option("--site", help="Use this site profile, a name or a .toml path "
                             "(default: by the URL's host; none means generic extraction)")
@steps_option
@click.option("--indent/--compact", default=True, help="Pretty-print the JSON (default) or one line")
@user_errors
def parse(path, url, encoding, site, steps, indent):
    """Parse one saved page (PATH, or - for stdin) and print the article as JSON.

    No network and no database: the same extraction and pipelines as the crawl.
    Without --url, related links resolve against the page's own canonical link.

    \b
    Example:
        newsdb parse seeds/demo/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/index.html \\
            --url http://127.0.0.1:8089/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/ --site demo
        curl -s https://www.caravan.kz/news/… | newsdb parse - --url https://www.caravan.kz/news/…
        newsdb parse saved.html -s NEWSDB_QUOTES_ENABLED=False
    """
    name = "stdin" if path == "-" else path
    body = _read(path)
    if not body.strip():
        raise click.ClickException(f"{name}: empty input")
    profile = _site_profile(site) if site else None
    url = url or declared_url(body)
    note = None
    if url is None:
        url = "stdin:" if path == "-" else Path(path).resolve().as_uri()
        note = (f"note: {name} has no absolute canonical link or og:url; related links and canonical_url "
                f"are {'stdin:' if path == '-' else 'file://'} based until --url is given")
    if not site:
        profile = profile_for_url(url)
    page = Page(url=url, body=body, headers={}, fetched_at=datetime.now(UTC))
    outcome = parse_page(page, profile, steps=steps, encoding=encoding)
    if outcome.kind == "failed":
        reason = (outcome.error or "").strip().splitlines() or ["unknown error"]
        raise click.ClickException(f"{name}: cannot parse: {reason[0]}")
    if note:
        click.echo(note, err=True)  # after parsing: only a printed article has URLs to warn about
    click.echo(json.dumps(outcome.article.to_json(), ensure_ascii=False, indent=2 if indent else None))


def register(cli: click.Group) -> None:
    cli.add_command(parse)
