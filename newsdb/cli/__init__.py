"""The `newsdb` command line: crawl news sites, parse pages, query what was stored.

The group lives here and is handed to each area module's `register(cli)`, the
way sqlite-utils hands its group to plugins: areas never import it back, so
there is no import circle. Shared options live in newsdb.cli.options.

Every command is a thin shell over crawler/, pipelines/ and storage/; errors a
user can cause end as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys

import click

from newsdb.cli import archive, crawl, db, jobs, parse, query, quotes, runs, schedule
from newsdb.cli.options import one_line_errors

AREAS = (crawl, parse, query, quotes, runs, schedule, jobs, archive, db)


class NewsdbGroup(click.Group):
    """The group: every error click itself reports while parsing a command line
    (of this group and of every command under it) is one line."""

    def make_context(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with one_line_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        with one_line_errors():
            return super().invoke(ctx)


@click.group(cls=NewsdbGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for area in AREAS:
    area.register(cli)


def main() -> None:
    try:
        cli(prog_name="newsdb")
    except BrokenPipeError:
        # Python would print a traceback flushing stdout at exit; point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
