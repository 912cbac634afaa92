"""`newsdb schedule`: run each site's crawl on its own interval, in one long-running process.

    plans = plans_for(["demo"], every=15.0)      # ScheduleError: a site with no schedule
    Scheduler(plans, "sqlite:///data/newsdb.sqlite").run()   # until SIGTERM or SIGINT, then 0

When: a profile's `[crawl]` section says `schedule = "*/10 * * * *"` (a crontab line,
read in the profile's `timezone`) or `every = "10m"` (the first run starts with the
scheduler); `--every` overrides both. core.profiles parses and checks both keys
(`parse_cron`, `parse_duration`); `cron_trigger` turns a crontab line into
APScheduler's terms, keeping cron's own meaning (0 and 7 are Sunday; a line that
restricts both the day of the month and the weekday runs on days matching either).

How: APScheduler 3 (a BackgroundScheduler) fires one job per site. A job runs
`python -m newsdb crawl SITE --db URL` as a child process, because Scrapy's
reactor cannot restart inside one process, so runs of different sites may overlap.
Runs of one site never do: the site's job has max_instances=1 (a run still going
when the next one is due makes that one skipped, and the log says so) and
coalesce (missed runs become one), and the run lock in the database backs it up
across processes and machines: a crawl that exits 7 found another run holding
the site, and is logged as skipped, not as an error. Each run ends in one log
line: the site, the exit code, and the crawl's summary line or its reason.

With `queue=True` (`newsdb schedule --queue`) a due run is queued instead, for
`newsdb worker` processes anywhere (newsdb.jobs); a site whose crawl still waits
in the queue is not queued twice, and runs on the workers never overlap either.

Stopping: on SIGTERM or SIGINT no run starts any more; each running crawl gets
one SIGTERM, on which Scrapy finishes its in-flight items and closes its run
(exit 6, "stopped early"). Crawls still running after `stop_timeout` seconds
(or at a second signal) are killed; a killed crawl's run is left `running`, so
the scheduler marks it `abandoned` itself (failing that, the next run of the site
does, as it does for any run whose process died). Then `run()` returns 0.
Children run in a session of their own, so a Ctrl-C in the terminal reaches them
once, through the scheduler, not twice (a second signal would make Scrapy stop
uncleanly).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.engine import make_url

from core.profiles import Cron, available_sites, format_duration, load_profile, parse_cron, parse_duration
from crawler.outcomes import EXIT_CODES, EXIT_LOCKED, EXIT_OK
from storage import models as m
from storage import runs
from storage.db import ENV_VAR, mask_password, open_database

__all__ = ["Plan", "ScheduleError", "Scheduler", "cron_trigger", "parse_cron", "parse_duration", "plans_for"]

log = logging.getLogger("newsdb.schedule")

STOP_TIMEOUT = 60.0  # seconds running crawls get to close their runs after SIGTERM
_KILLED_WAIT = 30.0  # after SIGKILL, how long to wait for the job threads to log and sweep
_APSCHEDULER_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # by cron's numbers, 0 = Sunday


class ScheduleError(ValueError):
    """What to schedule cannot be worked out (a site with no schedule): a usage error."""


# -- when ----------------------------------------------------------------------------


def cron_trigger(cron: Cron | str, timezone: tzinfo) -> BaseTrigger:
    """APScheduler's trigger for a crontab line, read in `timezone`.

    APScheduler 3 counts weekday 0 as Monday, cron as Sunday: weekdays go over as
    names. A line that restricts both the day of the month and the weekday fires on
    days that match either (cron's rule), where one CronTrigger would need both.
    """
    cron = parse_cron(cron) if isinstance(cron, str) else cron

    def spec(values: tuple[int, ...] | None, names: Sequence[str] | None = None) -> str:
        if values is None:
            return "*"
        return ",".join(names[v] if names else str(v) for v in values)

    common = {"minute": spec(cron.minute), "hour": spec(cron.hour), "month": spec(cron.month),
              "timezone": timezone}
    weekday = spec(cron.weekday, _APSCHEDULER_WEEKDAYS)
    if cron.day_or_weekday:
        return OrTrigger([CronTrigger(day=spec(cron.day), **common), CronTrigger(day_of_week=weekday, **common)])
    return CronTrigger(day=spec(cron.day), day_of_week=weekday, **common)


@dataclass(frozen=True)
class Plan:
    """One site's place in the schedule."""

    site: str  # what `newsdb crawl` takes: a bundled name or a profile's .toml path
    name: str  # the profile's name, for the log and the job's id
    every: float | None  # seconds; or
    cron: Cron | None  # a crontab line
    timezone: tzinfo  # the profile's: cron lines are read in it

    def trigger(self) -> BaseTrigger:
        if self.every is not None:
            return IntervalTrigger(seconds=self.every, timezone=UTC)
        assert self.cron is not None
        return cron_trigger(self.cron, self.timezone)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {format_duration(self.every)}"
        assert self.cron is not None
        return f"at '{self.cron.text}' ({self.timezone} time)"


def plans_for(sites: Sequence[str], *, every: float | None = None) -> list[Plan]:
    """The plan of each site; with no sites, of each bundled profile that has a schedule.

    `every` (seconds) overrides the profiles' schedule and every. A site that has
    neither, with no `every`, is a ScheduleError naming it; a profile that cannot
    be loaded is core.profiles.ProfileError.
    """
    if not sites:
        sites = [s for s in available_sites() if load_profile(s).schedule or load_profile(s).every]
        if not sites:
            raise ScheduleError("no bundled site profile has crawl.schedule or crawl.every: name a SITE and give --every")
    plans: dict[str, Plan] = {}
    for site in sites:
        profile = load_profile(site)
        if every is None and profile.schedule is None and profile.every is None:
            where = profile.path or site
            raise ScheduleError(f"site {site} has no schedule: add crawl.schedule (cron) or crawl.every "
                                f"to {where}, or give --every")
        if profile.name in plans:
            raise ScheduleError(f"site {profile.name} is named twice")
        if every is not None:
            plan = Plan(site, profile.name, every, None, profile.timezone)
        elif profile.every is not None:
            plan = Plan(site, profile.name, profile.every, None, profile.timezone)
        else:
            assert profile.schedule is not None
            plan = Plan(site, profile.name, None, parse_cron(profile.schedule), profile.timezone)
            if plan.trigger().get_next_fire_time(None, datetime.now(UTC)) is None:
                raise ScheduleError(f"site {site}: crawl.schedule '{profile.schedule}' never comes round")
        plans[profile.name] = plan
    return list(plans.values())


# -- one run -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    name: str
    exit_code: int  # negative: killed by that signal
    stdout: str
    stderr: str
    abandoned: tuple[int, ...] = ()  # runs the killed crawl left `running`, marked abandoned by us
    sweep_error: str | None = None  # why they could not be

    @property
    def skipped(self) -> bool:
        return self.exit_code == EXIT_LOCKED

    def line(self) -> str:
        """The one log line of this run."""
        summary = _last(self.stdout)
        if summary.startswith(f"{self.name}: "):
            summary = summary[len(self.name) + 2:]
        problem = _last(self.stderr)
        if problem.startswith("Error: "):
            problem = problem[len("Error: "):]
        if self.exit_code == EXIT_LOCKED:
            _, _, holder = problem.partition(" is in progress: ")
            return f"{self.name}: skipped: a run is in progress" + (f" ({holder})" if holder else "")
        if self.exit_code == EXIT_OK:
            return f"{self.name}: exit 0: {summary or 'the run did its job'}"
        if self.exit_code < 0:
            try:
                how = signal.Signals(-self.exit_code).name
            except ValueError:
                how = f"signal {-self.exit_code}"
            if self.abandoned:
                left = ", ".join(str(r) for r in self.abandoned)
                after = f"run {left} was left running: marked abandoned"
            elif self.sweep_error:
                after = (f"a run it left running could not be closed ({self.sweep_error}): "
                         f"the next run of {self.name} marks it abandoned")
            else:
                after = "it left no run open"
            return f"{self.name}: killed by {how}: {after}"
        # "demo: run 3 failed (exit 3): site unreachable: …" -> "site unreachable: … (run 3)"
        prefix = f"{self.name}: run "
        if problem.startswith(prefix) and "): " in problem:
            head, _, reason = problem.partition("): ")
            problem = f"{reason} (run {head[len(prefix):].split()[0]})"
        meaning = EXIT_CODES.get(self.exit_code)
        text = problem or meaning or "no reason given"
        return f"{self.name}: exit {self.exit_code}: {text}" + (f"; {summary}" if summary and summary != text else "")


def _how(code: int) -> str:
    """What an exit status says became of a crawl: "was killed by SIGKILL", "exited 1"."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited {code}"


def _last(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def abandon_left_running(db_url: str, name: str, pid: int, *, how: str | None = None) -> tuple[int, ...]:
    """Mark abandoned the runs of site `name` that process `pid` (gone) left `running` on this host.

    `how` says what became of the process, for the run's reason.
    """
    with open_database(db_url) as database, database.session() as session:
        left = session.scalars(
            select(m.CrawlRun).join(m.Site, m.Site.id == m.CrawlRun.site_id)
            .where(m.Site.name == name, m.CrawlRun.status == "running",
                   m.CrawlRun.host == runs.HOST, m.CrawlRun.pid == pid)
        ).all()
        for run in left:
            runs.abandon(session, run)
            if how:
                run.reason = f"the crawl ({run.host} pid {run.pid}) {how} before it closed the run"
        return tuple(run.id for run in left)


# -- the scheduler -------------------------------------------------------------------


class Scheduler:
    """Runs the plans until SIGTERM or SIGINT; `run()` returns the exit status (0)."""

    def __init__(
        self,
        plans: Sequence[Plan],
        db_url: str,
        *,
        base_url: str | None = None,
        settings: dict[str, str] | None = None,
        stop_timeout: float = STOP_TIMEOUT,
        verbose: bool = False,
        queue: bool = False,
    ) -> None:
        self.plans = list(plans)
        self.queue = queue  # enqueue each run for `newsdb worker` (newsdb.jobs) instead of running it here
        self.db_url = db_url
        self.base_url = base_url
        self.settings = dict(settings or {})
        self.stop_timeout = stop_timeout
        self.verbose = verbose
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._children: dict[str, subprocess.Popen] = {}  # site -> its running crawl
        self._active: set[str] = set()  # sites whose job has not logged its result yet
        self._stopping = False
        self._signals: list[int] = []  # appended to by the signal handler, read by the main thread

    # what runs

    def command(self, plan: Plan) -> tuple[list[str], dict[str, str]]:
        """The crawl's command line and environment.

        A URL with a password goes to the child in NEWSDB_DATABASE_URL rather than
        on its command line, where any user of the machine could read it in `ps`.
        """
        env = dict(os.environ)
        args = [sys.executable, "-m", "newsdb", "crawl", plan.site]
        if make_url(self.db_url).password is not None:
            env[ENV_VAR] = self.db_url
        else:
            args += ["--db", self.db_url]
        if self.base_url:
            args += ["--base-url", self.base_url]
        for key, value in self.settings.items():
            args += ["-s", f"{key}={value}"]
        return args, env

    def enqueue_once(self, plan: Plan) -> int | None:
        """Queue one crawl of the plan's site (`--queue`); its job id, None when one already waits."""
        from newsdb.jobs import enqueue_crawl, queue_app  # newsdb.jobs imports this module

        with queue_app(self.db_url).open() as app:
            job = enqueue_crawl(app, plan.site, base_url=self.base_url, settings=self.settings)
        if job is None:
            log.info("%s: skipped: a crawl of the site is already queued", plan.name)
        else:
            log.info("%s: queued as job %d", plan.name, job)
        return job

    def run_once(self, plan: Plan) -> RunResult | None:
        """One crawl of the plan's site, to its end; the job APScheduler runs. None once stopping."""
        if self.queue:
            self.enqueue_once(plan)
            return None
        args, env = self.command(plan)
        with self._lock:
            if self._stopping:
                return None
            self._active.add(plan.name)
            try:
                child = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, errors="replace",
                                         start_new_session=True)
            except OSError as exc:
                self._active.discard(plan.name)
                self._changed.notify_all()
                log.error("%s: the crawl did not start: %s", plan.name, exc)
                return None
            self._children[plan.name] = child
        try:
            if self.verbose:
                log.info("%s: crawl started (pid %d)", plan.name, child.pid)
            stdout, stderr = child.communicate()
            with self._lock:
                self._children.pop(plan.name, None)
            result = RunResult(plan.name, child.returncode, stdout, stderr)
            if child.returncode not in EXIT_CODES:  # killed, or it crashed: did it leave its run open?
                try:
                    result = RunResult(plan.name, child.returncode, stdout, stderr,
                                       abandoned=abandon_left_running(self.db_url, plan.name, child.pid,
                                                                      how=_how(child.returncode)))
                except Exception as exc:  # noqa: BLE001 - the database may be the reason it died
                    result = RunResult(plan.name, child.returncode, stdout, stderr,
                                       sweep_error=" ".join(str(exc).split())[:200])
            if self.verbose and stderr.strip():
                for line in stderr.strip().splitlines():
                    log.info("%s | %s", plan.name, line)
            if result.exit_code in (EXIT_OK, EXIT_LOCKED):
                log.info("%s", result.line())
            else:
                log.warning("%s", result.line())
            return result
        finally:
            with self._lock:
                self._children.pop(plan.name, None)
                self._active.discard(plan.name)
                self._changed.notify_all()

    # the process

    def _on_signal(self, signum: int, frame: object) -> None:
        self._signals.append(signum)  # nothing else here: the main thread does the work

    def _on_event(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:  # a JobSubmissionEvent
            due = ", ".join(when.astimezone(UTC).isoformat(timespec="seconds") for when in event.scheduled_run_times)
            log.info("%s: skipped the run due at %s: the previous run is still going", event.job_id, due)
        elif event.code == EVENT_JOB_MISSED:  # a JobExecutionEvent, as is the error
            log.warning("%s: missed the run due at %s", event.job_id,
                        event.scheduled_run_time.astimezone(UTC).isoformat(timespec="seconds"))
        elif event.code == EVENT_JOB_ERROR:
            log.error("%s: the scheduler could not run the crawl: %s: %s", event.job_id,
                      type(event.exception).__name__, event.exception)

    def run(self) -> int:
        if not self.plans:
            raise ScheduleError("nothing to schedule")
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=len(self.plans))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.add_listener(self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        now = datetime.now(UTC)
        for plan in self.plans:
            first = {"next_run_time": now} if plan.every is not None else {}
            scheduler.add_job(self.run_once, plan.trigger(), args=[plan], id=plan.name, name=plan.name, **first)
        handled = (signal.SIGTERM, signal.SIGINT)
        previous = {signum: signal.signal(signum, self._on_signal) for signum in handled}
        try:
            scheduler.start()
            log.info("newsdb schedule: %d site%s -> %s; SIGTERM or SIGINT stops it", len(self.plans),
                     "" if len(self.plans) == 1 else "s", mask_password(self.db_url))
            for plan in self.plans:
                job = scheduler.get_job(plan.name)
                upcoming = "now" if plan.every is not None else job.next_run_time.isoformat(timespec="minutes")
                log.info("%s: %s, next run %s", plan.name, plan.describe(), upcoming)
            while not self._signals:
                time.sleep(0.2)
            self._stop(scheduler)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return 0

    def _stop(self, scheduler: BackgroundScheduler) -> None:
        name = signal.Signals(self._signals[0]).name
        scheduler.shutdown(wait=False)  # no new runs; the ones going keep their threads
        with self._lock:
            self._stopping = True
            children = dict(self._children)
        if not children:
            log.info("%s: stopped; no crawl was running", name)
            return
        log.info("%s: stopping: no new runs; waiting up to %g s for %s to finish in-flight items and close "
                 "%s run%s", name, self.stop_timeout, ", ".join(children),
                 "its" if len(children) == 1 else "their", "" if len(children) == 1 else "s")
        for child in children.values():
            try:
                child.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        if not self._wait(self.stop_timeout, until_signals=2):
            with self._lock:
                left = dict(self._children)
            why = "at a second signal" if len(self._signals) > 1 else f"after {self.stop_timeout:g} s"
            for site, child in left.items():
                log.warning("%s: still running %s: killing it", site, why)
                try:
                    child.kill()
                except ProcessLookupError:
                    pass
            self._wait(_KILLED_WAIT)
        log.info("%s: stopped", name)

    def _wait(self, seconds: float, *, until_signals: int | None = None) -> bool:
        """Wait until no job is active; False on timeout (or once `until_signals` signals came)."""
        deadline = time.monotonic() + seconds
        with self._changed:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0 or (until_signals is not None and len(self._signals) >= until_signals):
                    return False
                self._changed.wait(min(left, 0.2))
        return True


def configure_logging(verbose: bool = False) -> None:
    """One line per event on stderr, with the time; APScheduler's own log only with -v."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S%z"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.CRITICAL)
    if verbose:
        logging.getLogger("apscheduler").addHandler(handler)
