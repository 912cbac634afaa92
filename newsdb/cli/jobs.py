"""`newsdb enqueue`, `newsdb worker`, `newsdb jobs`: thin shells over newsdb.jobs.

The queue lives in the PostgreSQL database --db names; on SQLite each of these
commands says so in one line and exits 1.
"""

from __future__ import annotations

import json
import sys

import click

from newsdb.cli.options import (
    db_option, known_site, open_db, settings_option, since_option, steps_option, user_errors,
)


def _queue(db_url: str, *, pool_size: int = 2):  # type: ignore[no-untyped-def]
    from newsdb.jobs import open_queue

    return open_queue(db_url, pool_size=pool_size)


@click.group()
def enqueue():
    """Queue work for `newsdb worker` processes (PostgreSQL only)."""


@enqueue.command("crawl")
@click.argument("sites", nargs=-1, required=True, metavar="SITE...")
@db_option
@click.option("--limit", type=click.IntRange(min=1), help="Stop each crawl after N new articles")
@since_option("Only entries dated on or after DATE, as `newsdb crawl --since`")
@click.option("--base-url", metavar="URL", help="Crawl a copy of the site served elsewhere (one SITE only)")
@settings_option("Override a Scrapy setting in the crawl, as with `newsdb crawl -s` (repeatable)")
@user_errors
def enqueue_crawl(sites, db_url, limit, since, base_url, settings):
    """Queue one crawl of each SITE (a profile name, or a profile .toml path the workers can read).

    A site runs one crawl at a time across all workers, and waits in the
    queue at most once: a site whose crawl is already queued is reported and
    left alone.

    \b
    Example:
        newsdb enqueue crawl caravan demo --db postgresql+psycopg://postgres@127.0.0.1/newsdb
        newsdb enqueue crawl caravan --since 1d --limit 200
    """
    from core.profiles import load_profile
    from newsdb.cli.options import checked_steps
    from newsdb.jobs import enqueue_crawl as queue_crawl

    if base_url and len(sites) != 1:
        raise click.UsageError("--base-url needs exactly one SITE")
    checked_steps(settings)  # a bad NEWSDB_*_ENABLED fails here, not in a worker
    for site in sites:
        load_profile(site)  # every name is checked before anything is queued
    with _queue(db_url).open() as app:
        for site in sites:
            job = queue_crawl(app, site, base_url=base_url, limit=limit, since=since, settings=settings)
            name = load_profile(site).name
            click.echo(f"{name}: queued as job {job}" if job is not None else f"{name}: a crawl is already queued")


@enqueue.command("reparse")
@db_option
@click.option("--chunk", type=click.IntRange(min=1), default=500, show_default=True,
              help="Pages per job (the pages of one article stay in one job)")
@click.option("--site", help="Only pages of this site")
@since_option("Only pages fetched on or after DATE, e.g. 2025-12-01")
@click.option("--url", help="Only this URL (its newest archived version)")
@click.option("--older-than-parser", metavar="VERSION",
              help="Only pages last parsed by a parser older than VERSION (or never parsed)")
@steps_option
@user_errors
def enqueue_reparse(db_url, chunk, site, since, url, older_than_parser, steps):
    """Queue the re-parse of archived pages, as `newsdb reparse` takes them, in chunks.

    The pages are chosen now, with the same filters as `newsdb reparse`; each
    chunk becomes a job, and workers parse the chunks side by side.

    \b
    Example:
        newsdb enqueue reparse --chunk 1000 --older-than-parser 0.2.0
        newsdb enqueue reparse --site demo --db postgresql+psycopg://postgres@127.0.0.1/newsdb
    """
    from newsdb import reparse as engine
    from newsdb.jobs import enqueue_reparse as queue_reparse

    if older_than_parser is not None and not engine.version_key(older_than_parser):
        raise click.BadParameter("expected a version such as 0.2.0", param_hint="--older-than-parser")
    app = _queue(db_url)
    with open_db(db_url, create=False) as database, app.open():
        known_site(database, site)
        pages, jobs = queue_reparse(app, database, chunk=chunk, steps=steps, site=site, since=since, url=url,
                                    older_than_parser=older_than_parser)
    if not jobs:
        click.echo("reparse: no pages match: nothing queued")
        return
    click.echo(f"reparse: {pages} pages queued as {len(jobs)} job{'s' if len(jobs) != 1 else ''} "
               f"({jobs[0]}–{jobs[-1]})" if len(jobs) > 1 else f"reparse: {pages} pages queued as job {jobs[0]}")


@enqueue.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--site", help="Store the pages under this site (default: the profile for the URL's host, else the host)")
@steps_option
@user_errors
def enqueue_import_warc(files, db_url, site, steps):
    """Queue one import job per WARC FILE (its path must be readable where the workers run).

    \b
    Example:
        newsdb enqueue import-warc /data/cc-news/CC-NEWS-20251220*.warc.gz
        newsdb enqueue import-warc demo.warc.gz --site demo
    """
    from newsdb.jobs import enqueue_import

    with _queue(db_url).open() as app:
        jobs = enqueue_import(app, files, site=site, steps=steps)
    for path, job in zip(files, jobs, strict=True):
        click.echo(f"{path}: queued as job {job}")


def _seconds(low: float):  # type: ignore[no-untyped-def]
    return click.FloatRange(min=low, max=86400)


@click.command()
@db_option
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs at a time in this process (crawls run as child processes; for re-parses run a worker per core)")
@click.option("--idle-exit", type=_seconds(0), metavar="SECONDS",
              help="Exit once the queue has held no queued or running job for SECONDS (default: run until stopped)")
@click.option("--heartbeat", type=_seconds(0.1), default=10, show_default=True, metavar="SECONDS",
              help="How often this worker beats and looks for stalled jobs")
@click.option("--stalled-after", type=_seconds(0.5), default=60, show_default=True, metavar="SECONDS",
              help="A worker silent this long is dead: its running jobs go back in the queue")
@click.option("-v", "--verbose", is_flag=True, help="Also show procrastinate's own log")
@user_errors
def worker(db_url, concurrency, idle_exit, heartbeat, stalled_after, verbose):
    """Run queued jobs (crawls, re-parses, WARC imports) until SIGTERM or SIGINT.

    Run any number of workers, on any machines, against one PostgreSQL
    database. A worker that dies (even by kill -9) loses nothing: once its
    heartbeat is --stalled-after old, another worker puts its running job back
    in the queue and runs it again. On SIGTERM or SIGINT the worker takes no
    new job, lets the running ones finish, and exits 0.

    \b
    Example:
        newsdb worker --db postgresql+psycopg://postgres@127.0.0.1/newsdb --concurrency 2
        newsdb worker --idle-exit 60          # a batch: drain the queue, then exit
    """
    from newsdb.jobs import configure_logging, run_worker

    if stalled_after <= heartbeat:
        raise click.UsageError(f"--stalled-after ({stalled_after:g} s) must be longer than --heartbeat ({heartbeat:g} s)")
    configure_logging(verbose)
    sys.exit(run_worker(db_url, concurrency=concurrency, idle_exit=idle_exit, heartbeat=heartbeat,
                        stalled_after=stalled_after))


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format")
@click.option("--last", type=click.IntRange(1, 10000), default=20, show_default=True,
              help="Show the newest N failed jobs")
@user_errors
def jobs(db_url, fmt, last):
    """Show the queue: queued, running and failed jobs.

    \b
    Example:
        newsdb jobs --db postgresql+psycopg://postgres@127.0.0.1/newsdb
        newsdb jobs --format json
    """
    from newsdb.jobs import list_jobs

    with _queue(db_url).open() as app:
        found = list_jobs(app, last=last)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    click.echo(", ".join(f"{len(rows)} {state}" for state, rows in found.items()))
    for state, rows in found.items():
        for row in rows:
            when = (row["updated_at"] or row["scheduled_at"] or "")[:19].replace("T", " ")
            worker_text = f"  worker {row['worker']}" if row["worker"] is not None else ""
            tries = f"  attempt {row['attempts'] + 1}" if row["attempts"] else ""
            click.echo(f"{row['id']:>7}  {state:<8} {row['task']:<12} {row['what']}  {when}{tries}{worker_text}")


def register(cli: click.Group) -> None:
    cli.add_command(enqueue)
    cli.add_command(worker)
    cli.add_command(jobs)
