"""`newsdb schedule`: a thin shell over newsdb.schedule."""

from __future__ import annotations

import sys

import click

from core.profiles import parse_duration
from newsdb.cli.options import checked_steps, db_option, open_db, settings_option, user_errors


class DurationParam(click.ParamType):
    """15s, 10m, 2h, 1d (or 1h30m) -> seconds."""

    name = "DURATION"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@click.option("--every", type=DurationParam(),
              help="Run each SITE at this interval (15s, 10m, 2h, 1d), whatever its profile says")
@db_option
@click.option("--base-url", metavar="URL", help="Crawl a copy of the site served elsewhere (one SITE only)")
@settings_option("Override a Scrapy setting in every crawl, as with `newsdb crawl -s` (repeatable)")
@click.option("--stop-timeout", type=click.FloatRange(min=0, max=86400), default=60, show_default=True, metavar="SECONDS",
              help="After SIGTERM or SIGINT, how long running crawls get to close their runs before they are killed")
@click.option("--queue", is_flag=True,
              help="Queue each run for `newsdb worker` processes instead of running it here (PostgreSQL)")
@click.option("-v", "--verbose", is_flag=True, help="Also log each crawl's start and all it printed on stderr")
@user_errors
def schedule(sites, every, db_url, base_url, settings, stop_timeout, queue, verbose):
    """Crawl each SITE on its own schedule, until SIGTERM or SIGINT (a long-running process).

    SITE is a profile name in seeds/sites/ or a profile .toml path. When it runs
    comes from the profile's [crawl] section: `schedule = "*/10 * * * *"`, a
    crontab line read in the profile's time zone (its `timezone` key; the bundled
    profiles say Asia/Almaty), or `every = "10m"`, whose first run starts at once.
    --every overrides both. With no SITE: every bundled profile that has one.

    Each run is a `newsdb crawl SITE` process of its own. Runs of different sites
    may overlap; runs of one site never do: a run that is due while the last one
    is still going is skipped, and a crawl that finds the site's run lock held
    elsewhere (exit 7) is logged as "skipped: a run is in progress". Each run ends
    in one log line on stderr: the site, the crawl's exit code (see `newsdb crawl
    --help`) and its summary line or reason.

    With --queue each run is queued instead, for `newsdb worker` processes on
    any machine (docs/WORKERS.md): a site whose last crawl still waits in the
    queue is not queued twice.

    On SIGTERM or SIGINT no new run starts; running crawls get SIGTERM, finish
    their in-flight items and close their runs (exit 6, stopped early), and the
    scheduler exits 0. A crawl still running after --stop-timeout is killed, and
    the run it left open is marked abandoned.

    \b
    Example:
        newsdb schedule                                    # every bundled site with a schedule
        newsdb schedule caravan --db postgresql+psycopg://postgres@127.0.0.1/newsdb
        newsdb schedule demo --every 15s --base-url http://127.0.0.1:8089
        newsdb schedule caravan demo --every 1h -s DOWNLOAD_DELAY=2
        newsdb schedule --queue --db postgresql+psycopg://postgres@127.0.0.1/newsdb

    \b
    Exit status:
        0  stopped by SIGTERM or SIGINT
        1  a user error (a wrong site name, a database that is down), one line on stderr
        2  a usage error (a bad option, a SITE with no schedule and no --every)
    """
    from newsdb.schedule import ScheduleError, Scheduler, configure_logging, plans_for

    if base_url and len(sites) != 1:
        raise click.UsageError("--base-url needs exactly one SITE")
    checked_steps(settings)  # a bad NEWSDB_*_ENABLED fails here, not in every crawl
    try:
        plans = plans_for(sites, every=every)
    except ScheduleError as exc:
        raise click.UsageError(str(exc)) from None
    if queue:
        from newsdb.jobs import open_queue

        open_queue(db_url)  # SQLite is refused here, in one line; the queue's schema is made once
    else:
        open_db(db_url).close()  # a database that is down fails here, and an empty one gets its schema once
    configure_logging(verbose)
    sys.exit(Scheduler(plans, db_url, base_url=base_url, settings=settings, stop_timeout=stop_timeout,
                       verbose=verbose, queue=queue).run())


def register(cli: click.Group) -> None:
    cli.add_command(schedule)
