"""Work as jobs in a queue kept in the PostgreSQL store, run by `newsdb worker` processes anywhere.

    with queue_app(url).open() as app:
        enqueue_crawl(app, "demo")                    # one job per site
        enqueue_reparse(app, database, chunk=500, site="demo")   # one job per chunk of pages
        enqueue_import(app, ["CC-NEWS-….warc.gz"])    # one job per file
    run_worker(url, concurrency=2, idle_exit=60)      # until SIGTERM, or an idle minute

The engine is procrastinate: its tables (procrastinate_*) live in the same
PostgreSQL database as the articles, so there is no second service to run.
`newsdb db upgrade` installs them (`install_queue_schema`); the queue commands
install them on first use too, as the store's schema is.

Each job calls what the matching command runs: a crawl job runs `newsdb crawl
SITE` as a child process (Scrapy's reactor cannot restart inside a worker), a
re-parse job `newsdb.reparse.reparse` on its chunk of page ids, an import job
`newsdb.warc.import_warc` on its file. Nothing is parsed or stored any other way.

One crawl per site at a time, across the cluster: crawl jobs of a site share a
procrastinate lock (they run one after another) and a queueing lock (one waits
at most; enqueueing a second is "already queued"), and the crawl itself takes
the site's run lock in crawl_runs, which also keeps out a `newsdb crawl` or
`newsdb schedule` started by hand. A crawl that finds the run lock held (exit 7)
is retried later, as is one that stopped early (exit 6, a signal, a database
that stayed away, a killed child); a crawl that failed (exit 1, 3, 4, 5)
is a failed job, its reason in `newsdb runs`.

A dead worker loses nothing. Every worker beats (procrastinate_workers) every
`heartbeat` seconds and sweeps: a running job whose worker has not beaten for
`stalled_after` seconds is put back in the queue (procrastinate's
get_stalled_jobs, then retry_job), and another worker takes it. A crawl child
dies with its worker (PR_SET_PDEATHSIG on Linux), so its run is seen dead at
once on the same host and after storage.runs.STALE_AFTER on another. The store's
upserts are idempotent, so a job run twice stores each article once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import procrastinate
import psycopg
from procrastinate import exceptions as queue_errors
from procrastinate.worker import Worker
from sqlalchemy import exc as sa_exc
from sqlalchemy import make_url

from core.profiles import SiteProfile, load_profile
from crawler.outcomes import EXIT_CODES, EXIT_LOCKED, EXIT_OK, EXIT_STOPPED
from newsdb import reparse as reparsing
from newsdb import warc
from newsdb.schedule import RunResult, abandon_left_running
from pipelines.parse import Steps
from storage import runs
from storage.db import ENV_VAR, Database, DatabaseError, make_engine, mask_password, open_database, resolve_url

log = logging.getLogger("newsdb.jobs")

QUEUE = "newsdb"
HEARTBEAT = 10.0  # seconds between a worker's heartbeats (and its sweeps for stalled jobs)
STALLED_AFTER = 60.0  # a worker silent this long is dead: its running jobs go back in the queue
CHUNK = 500  # pages per re-parse job
SIDE_STOP_TIMEOUT = 30.0  # seconds the sweep may take to finish its query once the worker stops
CRAWL_RETRY_WAIT = 30  # seconds before a crawl that found its site busy, or stopped early, runs again
# Enough tries to outlast a dead run's lock on another host (storage.runs.STALE_AFTER).
CRAWL_ATTEMPTS = 1 + int(runs.STALE_AFTER.total_seconds() // CRAWL_RETRY_WAIT) + 2
MARKER = "procrastinate {version}, installed by newsdb"  # the queue schema's version, on procrastinate_jobs


class QueueError(DatabaseError):
    """The queue cannot be used here (not PostgreSQL, an outdated queue schema); one line."""


def _procrastinate_version() -> str:
    return metadata.version("procrastinate")


def conninfo(db_url: str | None) -> str:
    """The libpq URL of the database at `db_url` (SQLAlchemy's form); QueueError unless PostgreSQL."""
    url = resolve_url(db_url)
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):
        raise DatabaseError(f"invalid database URL {mask_password(url)[:200]!r}") from None
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        make_engine(url).dispose()  # the one message for a URL no command can use (unknown driver, …)
    if parsed.get_backend_name() != "postgresql":
        raise QueueError(
            f"the job queue needs PostgreSQL, and {mask_password(url)[:200]} is "
            f"{parsed.get_backend_name()}: give --db postgresql+psycopg://USER@HOST/DBNAME (or NEWSDB_DATABASE_URL)"
        )
    make_engine(url).dispose()  # no database name, a bad port: said as every command says it
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


# -- the tasks -------------------------------------------------------------------------


class SiteBusy(Exception):
    """The site's run lock is held (another crawl, or a dead one not yet seen dead): retried."""


class CrawlStopped(Exception):
    """The crawl stopped before its end (a signal, a database that stayed away, a killed child): retried."""


class CrawlFailed(Exception):
    """The crawl ran and did not do its job (exit 3, 4, 5), or could not run (exit 1, 2: a user
    error, a crash): a failed job, never retried."""


def _db_url(context: procrastinate.JobContext) -> str:
    return context.additional_context["db_url"]


def _describe(job: procrastinate.jobs.Job) -> str:
    return f"job {job.id} {job.task_name.removeprefix('newsdb:')} {_args_text(job.task_name, job.task_kwargs)}"


@contextmanager
def _logged(context: procrastinate.JobContext) -> Iterator[None]:
    """A job that fails says why in one line of the worker's log (procrastinate's own is off)."""
    try:
        yield
    except Exception as error:
        log.error("%s: failed: %s", _describe(context.job), " ".join(f"{type(error).__name__}: {error}".split())[:500])
        raise


# PR_SET_PDEATHSIG is kept across execve: the crawl gets SIGKILL when its worker dies,
# so a worker killed with -9 leaves no orphan crawl holding the site's run lock.
# The parent's pid is checked after the prctl call: a worker that died just before it is seen.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
    "os.getppid() == int(sys.argv[1]) or os._exit(128 + signal.SIGKILL)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def crawl_command(site: str, db_url: str, *, base_url: str | None = None, limit: int | None = None,
                  since: str | None = None, settings: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """`newsdb crawl` as the crawl job runs it: its command line and environment.

    A URL with a password goes in NEWSDB_DATABASE_URL, never on the command line
    (where `ps` shows it to every user of the machine).
    """
    env = dict(os.environ)
    args = [sys.executable, "-m", "newsdb", "crawl", site]
    if make_url(db_url).password is not None:
        env[ENV_VAR] = db_url
    else:
        args += ["--db", db_url]
    if base_url:
        args += ["--base-url", base_url]
    if limit:
        args += ["--limit", str(limit)]
    if since:
        args += ["--since", since]
    for key, value in (settings or {}).items():
        args += ["-s", f"{key}={value}"]
    if sys.platform.startswith("linux"):
        args = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *args]
    return args, env


def run_crawl_child(site: str, db_url: str, **options: Any) -> RunResult:
    """Run one crawl of `site` in a child process, to its end."""
    args, env = crawl_command(site, db_url, **options)
    name = load_profile(site).name
    child = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, errors="replace")
    stdout, stderr = child.communicate()
    result = RunResult(name, child.returncode, stdout, stderr)
    if child.returncode not in EXIT_CODES:  # killed, or it crashed: close the run it left open
        how = f"exited {child.returncode}" if child.returncode > 0 else f"was killed by signal {-child.returncode}"
        try:
            left = abandon_left_running(db_url, name, child.pid, how=how)
        except Exception as exc:  # noqa: BLE001 - the database may be why it died; the next run sweeps it
            return RunResult(name, child.returncode, stdout, stderr, sweep_error=" ".join(str(exc).split())[:200])
        result = RunResult(name, child.returncode, stdout, stderr, abandoned=left)
    return result


def crawl(context: procrastinate.JobContext, *, site: str, base_url: str | None = None, limit: int | None = None,
          since: str | None = None, settings: dict[str, str] | None = None) -> int:
    """One crawl of one site (`newsdb crawl SITE`); returns its exit code."""
    result = run_crawl_child(site, _db_url(context), base_url=base_url, limit=limit, since=since, settings=settings)
    line = f"{_describe(context.job)}: {result.line()}"
    if result.exit_code == EXIT_OK:
        log.info("%s", line)
        return result.exit_code
    log.warning("%s", line)
    if result.exit_code == EXIT_LOCKED:
        raise SiteBusy(result.line())
    if result.exit_code == EXIT_STOPPED or result.exit_code < 0:  # a signal, or the child killed
        raise CrawlStopped(result.line())
    raise CrawlFailed(result.line())


def reparse(context: procrastinate.JobContext, *, page_ids: list[int], steps: dict[str, bool] | None = None) -> None:
    """Re-parse one chunk of archived pages (`newsdb.reparse.reparse` on these page ids)."""
    with _logged(context), open_database(_db_url(context)) as database:
        report = reparsing.reparse(database, page_ids=page_ids, steps=Steps(**(steps or {})))
    log.info("%s: %s", _describe(context.job), report.summary())


def import_warc(context: procrastinate.JobContext, *, path: str, site: str | None = None,
                steps: dict[str, bool] | None = None) -> None:
    """Archive and parse one WARC file (`newsdb.warc.import_warc`)."""
    with _logged(context), open_database(_db_url(context)) as database:
        report, parsed = warc.import_warc(database, [path], site=site, steps=Steps(**(steps or {})))
    log.info("%s: %d records, %d new pages, %d already archived, %d skipped; parse: %s", _describe(context.job),
             report.records, report.pages_new, report.pages_known, report.skipped, parsed.summary())


def _tasks() -> procrastinate.Blueprint:
    """newsdb's tasks (newsdb:crawl, newsdb:reparse, newsdb:import-warc) on a new Blueprint:
    App.add_tasks_from renames the tasks it is given, so each App gets its own."""
    tasks = procrastinate.Blueprint()
    tasks.task(name="crawl", queue=QUEUE, pass_context=True,
               retry=procrastinate.RetryStrategy(max_attempts=CRAWL_ATTEMPTS, wait=CRAWL_RETRY_WAIT,
                                                 retry_exceptions={SiteBusy, CrawlStopped}))(crawl)
    tasks.task(name="reparse", queue=QUEUE, pass_context=True,
               retry=procrastinate.RetryStrategy(max_attempts=3, wait=10))(reparse)
    tasks.task(name="import-warc", queue=QUEUE, pass_context=True,
               retry=procrastinate.RetryStrategy(max_attempts=3, wait=10, retry_exceptions={DatabaseError}))(import_warc)
    return tasks


def queue_app(db_url: str | None, *, pool_size: int = 2) -> procrastinate.App:
    """The procrastinate App on the database at `db_url`, with newsdb's tasks (open it to use it)."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(db_url), min_size=1, max_size=pool_size)
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(_tasks(), namespace="newsdb")
    return app


# -- enqueueing ------------------------------------------------------------------------


def enqueue_crawl(app: procrastinate.App, site: str, *, base_url: str | None = None, limit: int | None = None,
                  since: datetime | None = None, settings: dict[str, str] | None = None) -> int | None:
    """Queue one crawl of `site`; its job id, or None when a crawl of the site is already waiting."""
    profile = load_profile(site)  # a wrong name fails here, not in a worker
    lock = f"crawl:{profile.name}"
    kwargs = {"site": site, "base_url": base_url, "limit": limit,
              "since": since.isoformat() if since else None, "settings": dict(settings or {})}
    try:
        return app.configure_task("newsdb:crawl", allow_unknown=False, lock=lock, queueing_lock=lock).defer(**kwargs)
    except queue_errors.AlreadyEnqueued:
        return None


def _chunks(rows: list[Any], profiles: dict[str, SiteProfile | None], size: int) -> list[list[int]]:
    """Page ids in chunks of about `size`, newest first, twins together.

    The pages one article may come from (an AMP copy, a short link) share the
    profile's article id: they go in one chunk, so the re-parse that decides
    which of them builds the article sees them all, as a single run does.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for row in rows:  # newest first; dicts keep the order of the first page of each group
        profile = profiles.get(row.site)
        key = (profile.article_id(row.url) if profile else None) or row.url
        groups.setdefault((row.site, key), []).append(row.id)
    chunks: list[list[int]] = [[]]
    for ids in groups.values():
        if chunks[-1] and len(chunks[-1]) + len(ids) > size:
            chunks.append([])
        chunks[-1].extend(ids)
    return [chunk for chunk in chunks if chunk]


def enqueue_reparse(app: procrastinate.App, database: Database, *, chunk: int = CHUNK, steps: Steps = Steps(),
                    **filters: Any) -> tuple[int, list[int]]:
    """Queue the re-parse of the pages `newsdb reparse` would take with these filters
    (site, since, url, older_than_parser), `chunk` pages a job; (pages, job ids)."""
    rows, profiles = reparsing.select_pages(database, **filters)
    chunks = _chunks(rows, profiles, chunk)
    if not chunks:
        return 0, []
    wanted = asdict(steps)
    deferrer = app.configure_task("newsdb:reparse", allow_unknown=False)
    job_ids = deferrer.batch_defer(*({"page_ids": ids, "steps": wanted} for ids in chunks))
    return len(rows), list(job_ids)


def enqueue_import(app: procrastinate.App, paths: Iterable[str], *, site: str | None = None,
                   steps: Steps = Steps()) -> list[int]:
    """Queue one import job per WARC file (absolute paths: a worker may run elsewhere)."""
    if site:
        warc.named_site(site)  # a missing profile file fails here
    wanted = asdict(steps)
    deferrer = app.configure_task("newsdb:import-warc", allow_unknown=False)
    return [deferrer.defer(path=str(Path(p).resolve()), site=site, steps=wanted) for p in paths]


# -- the queue's schema ----------------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def _installed_version(connection: psycopg.Connection) -> str | None:
    """The procrastinate version whose schema the database holds; None: no queue schema;
    "" when it holds one newsdb did not install (no marker)."""
    row = connection.execute(
        "SELECT obj_description(to_regclass('procrastinate_jobs'), 'pg_class'), "
        "to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
    comment, present = row
    if not present:
        return None
    found = re.match(r"procrastinate (\d[\w.]*\d)", comment or "")
    return found.group(1) if found else ""


def _migrations_since(version: str) -> list[Path]:
    """procrastinate's migration scripts newer than `version`, up to the installed package, in order."""
    folder = Path(procrastinate.schema.SchemaManager.get_migrations_path())
    newer, current = _version_key(version), _version_key(_procrastinate_version())
    scripts = []
    for script in sorted(folder.glob("*.sql")):
        key = _version_key(script.name.replace(".", " ", 2).split("_")[0])
        if newer < key <= current:
            scripts.append(script)
    return scripts


def install_queue_schema(db_url: str | None, *, upgrade: bool = True) -> str:
    """Install procrastinate's schema in the database at `db_url`, or bring it up to date;
    one line saying which. QueueError for SQLite, or (upgrade=False) for an outdated schema.

    In Python, the part of `newsdb db upgrade` that is the queue's. One process at a
    time (an advisory lock): workers starting together install it once.
    """
    version = _procrastinate_version()
    marker = MARKER.format(version=version)
    shown = mask_password(resolve_url(db_url))
    try:
        with psycopg.connect(conninfo(db_url), autocommit=False) as connection:
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('newsdb job queue schema'))")
            installed = _installed_version(connection)
            if installed is None:
                connection.execute(procrastinate.schema.SchemaManager.get_schema())
                message = f"job queue schema installed (procrastinate {version})"
            elif installed == "" or _version_key(installed) >= _version_key(version):
                return f"job queue schema up to date (procrastinate {installed or 'schema found, version not recorded'})"
            elif not upgrade:
                raise QueueError(f"{shown} holds the job queue schema of procrastinate {installed}, this newsdb "
                                 f"needs {version}: run `newsdb db upgrade --db {shown}`")
            else:
                for script in _migrations_since(installed):
                    connection.execute(script.read_text(encoding="utf-8"))
                message = f"job queue schema upgraded from procrastinate {installed} to {version}"
            connection.execute(f"COMMENT ON TABLE procrastinate_jobs IS '{marker}'")
            return message
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise DatabaseError(f"cannot install the job queue schema in {shown}: {reason}") from None


def open_queue(db_url: str | None, *, pool_size: int = 2) -> procrastinate.App:
    """The store opened (its schema created on first use), the queue schema likewise, and
    the App on it, not yet open. QueueError on SQLite, before anything is touched."""
    target = conninfo(db_url)
    open_database(db_url, upgrade=False).close()  # a database that is down is the one line, here
    # Workers started together (systemd, a test) would race to create the store's schema
    # in an empty database: one at a time, the others then find it made.
    with psycopg.connect(target, autocommit=True) as guard:
        guard.execute("SELECT pg_advisory_lock(hashtext('newsdb schema on first use'))")
        open_database(db_url).close()  # the store's schema first: it wants an empty database for its own
        install_queue_schema(db_url, upgrade=False)
    return queue_app(db_url, pool_size=pool_size)


# -- what is in the queue --------------------------------------------------------------

_LIST = """
SELECT job.id, job.task_name, job.args, job.status::text AS status, job.attempts, job.scheduled_at,
       job.worker_id, (SELECT max(event.at) FROM procrastinate_events event WHERE event.job_id = job.id) AS at
  FROM procrastinate_jobs job
 WHERE job.queue_name = %(queue)s AND job.status = %(status)s::procrastinate_job_status
 ORDER BY job.id {order}
 LIMIT %(limit)s
"""
STATES = {"queued": "todo", "running": "doing", "failed": "failed"}


def _args_text(task: str, args: dict[str, Any]) -> str:
    if task.endswith("crawl"):
        extra = [f"--{k.replace('_', '-')} {v}" for k, v in args.items() if k in ("base_url", "limit", "since") and v]
        return " ".join([args.get("site", "?"), *extra])
    if task.endswith("reparse"):
        ids = args.get("page_ids") or []
        return f"{len(ids)} pages (ids {min(ids)}–{max(ids)})" if ids else "no pages"
    if task.endswith("import-warc"):
        return args.get("path", "?") + (f" --site {args['site']}" if args.get("site") else "")
    return str(args)


def list_jobs(app: procrastinate.App, *, last: int = 20) -> dict[str, list[dict[str, Any]]]:
    """The queue's jobs by state: queued and running (oldest first, all), failed (the newest `last`)."""
    connector = app.connector.get_sync_connector()
    found: dict[str, list[dict[str, Any]]] = {}
    for state, status in STATES.items():
        order, limit = ("DESC", last) if state == "failed" else ("ASC", None)
        rows = connector.execute_query_all(_LIST.format(order=order), queue=QUEUE, status=status, limit=limit)
        found[state] = [{
            "id": row["id"], "task": row["task_name"].removeprefix("newsdb:"), "args": row["args"],
            "what": _args_text(row["task_name"], row["args"]), "attempts": row["attempts"],
            "scheduled_at": row["scheduled_at"].isoformat() if row["scheduled_at"] else None,
            "updated_at": row["at"].isoformat() if row["at"] else None, "worker": row["worker_id"],
        } for row in rows]
    return found


# -- the worker ------------------------------------------------------------------------


async def _ticks(every: float, stopping: asyncio.Event) -> AsyncIterator[None]:
    """Every `every` seconds until `stopping` is set. The side loops end this way, between two
    queries, never cancelled in the middle of one (a cancelled pool checkout could hang the exit)."""
    while True:
        try:
            await asyncio.wait_for(stopping.wait(), timeout=every)
            return
        except TimeoutError:
            yield


async def _sweep(app: procrastinate.App, every: float, stalled_after: float, stopping: asyncio.Event) -> None:
    """Put back in the queue the running jobs of workers that stopped beating."""
    async for _ in _ticks(every, stopping):
        try:
            stalled = await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after)
            for job in stalled:
                try:
                    await app.job_manager.retry_job(job)
                except queue_errors.ConnectorException:
                    continue  # another worker's sweep was first
                log.warning("%s: its worker stopped beating (%s s): back in the queue", _describe(job),
                            f"{stalled_after:g}")
        except queue_errors.ConnectorException as error:  # the database is away: the next sweep tries again
            log.warning("sweep for stalled jobs failed: %s", error.__cause__ or error)


async def _exit_when_idle(app: procrastinate.App, worker: Worker, seconds: float, stopping: asyncio.Event) -> None:
    """Stop the worker once the queue has held no queued or running job for `seconds`."""
    idle_since = time.monotonic()
    async for _ in _ticks(min(1.0, seconds), stopping):
        try:
            queues = await app.job_manager.list_queues_async(queue=QUEUE)
        except queue_errors.ConnectorException:
            continue
        if any(q["todo"] or q["doing"] for q in queues):
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= seconds:
            log.info("the queue has been empty for %g s: stopping", seconds)
            worker.stop()
            return


def run_worker(db_url: str, *, concurrency: int = 1, idle_exit: float | None = None,
               heartbeat: float = HEARTBEAT, stalled_after: float = STALLED_AFTER) -> int:
    """Run jobs until SIGTERM or SIGINT (or `idle_exit` seconds of an empty queue); return 0.

    In Python, what `newsdb worker` does. Jobs run in `concurrency` threads; a
    crawl is a child process, re-parses and imports are mostly CPU and the GIL's,
    so run one worker per core for those. On a stop signal no new job starts and
    the running ones finish (a crawl child in the same process group gets the
    signal too, stops early and is retried).
    """
    app = open_queue(db_url, pool_size=concurrency + 4)  # the listener, the heartbeat, the sweep, fetches
    name = f"{runs.HOST}:{os.getpid()}"

    async def main() -> None:
        async with app.open_async():
            worker = Worker(app, queues=[QUEUE], name=name, concurrency=concurrency,
                            fetch_job_polling_interval=min(5.0, heartbeat), update_heartbeat_interval=heartbeat,
                            stalled_worker_timeout=stalled_after, additional_context={"db_url": db_url})
            stopping = asyncio.Event()
            side = [asyncio.create_task(_sweep(app, heartbeat, stalled_after, stopping))]
            if idle_exit is not None:
                side.append(asyncio.create_task(_exit_when_idle(app, worker, idle_exit, stopping)))
            log.info("worker %s: %d at a time on %s (heartbeat %g s, stalled after %g s)", name, concurrency,
                     mask_password(db_url), heartbeat, stalled_after)
            try:
                await worker.run()
            finally:
                stopping.set()
                _, late = await asyncio.wait(side, timeout=SIDE_STOP_TIMEOUT)
                for task in late:  # stuck on a database that went away: give up on it
                    task.cancel()

    asyncio.run(main())
    return 0


def configure_logging(verbose: bool = False) -> None:
    """One line per job on stderr, with the time; procrastinate's own log only with -v."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S%z"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    queue_log = logging.getLogger("procrastinate")
    queue_log.handlers[:] = [handler] if verbose else []
    queue_log.setLevel(logging.INFO if verbose else logging.CRITICAL)
    queue_log.propagate = False


__all__ = ["CHUNK", "HEARTBEAT", "QUEUE", "STALLED_AFTER", "QueueError", "conninfo", "configure_logging",
           "enqueue_crawl", "enqueue_import", "enqueue_reparse", "install_queue_schema", "list_jobs",
           "open_queue", "queue_app", "run_worker"]
