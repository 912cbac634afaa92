"""`newsdb schedule`: durations and cron lines, the profile keys, and the real process.

The process tests run `newsdb schedule` as systemd would, against a copy of the
demo site on loopback, and read the crawl_runs rows it leaves: runs of one site
never overlap, a held run lock is a skip, and SIGTERM ends it with exit 0 and no
run left `running`. Every wait is bounded; nothing asserts on speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.profiles import ProfileError, format_duration, load_profile, parse_cron, parse_duration, parse_profile
from crawler.outcomes import EXIT_LOCKED, EXIT_STOPPED
from newsdb.demo_site import serve_demo
from newsdb.schedule import Plan, RunResult, ScheduleError, cron_trigger, plans_for
from storage import models as m
from storage import runs
from storage.db import open_database
from tests.test_cli_commands import one_line_error

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seeds" / "demo"
ALMATY = ZoneInfo("Asia/Almaty")


# -- durations -----------------------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [
    ("15s", 15), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("1.5h", 5400), (" 10M ", 600),
])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["10", "", "m", "10 minutes", "ten m", "0s", "-5m", "5w"])
def test_a_bad_duration_is_one_line_naming_it(text):
    with pytest.raises(ValueError) as error:
        parse_duration(text)
    assert repr(text) in str(error.value) and "\n" not in str(error.value)


# -- cron lines ----------------------------------------------------------------------


def test_cron_fields():
    cron = parse_cron("*/10 6-8 * * mon-fri")
    assert cron.minute == (0, 10, 20, 30, 40, 50) and cron.hour == (6, 7, 8)
    assert cron.day is None and cron.month is None and cron.weekday == (1, 2, 3, 4, 5)
    assert parse_cron("0 0 * * 7").weekday == (0,) == parse_cron("0 0 * * sun").weekday  # 0 and 7: Sunday
    assert parse_cron("5/20 * * * *").minute == (5, 25, 45)
    assert parse_cron("0 12 1,15 jan-mar *").month == (1, 2, 3)
    assert parse_cron("@hourly") == parse_cron("@hourly") and parse_cron("@hourly").minute == (0,)
    assert parse_cron("0 0 1 * 0").day_or_weekday and not parse_cron("0 0 */2 * 0").day_or_weekday


@pytest.mark.parametrize("text, says", [
    ("* * * *", "needs 5 fields"),
    ("60 * * * *", "minute '60' is not a number from 0 to 59"),
    ("*/0 * * * *", "step '0'"),
    ("5-1 * * * *", "runs backwards"),
    ("0 0 * foo *", "month 'foo'"),
    ("0 0 * * 8", "weekday '8'"),
])
def test_a_bad_cron_line_is_one_line_naming_it(text, says):
    with pytest.raises(ValueError, match=says) as error:
        parse_cron(text)
    assert repr(text) in str(error.value) and "\n" not in str(error.value)


def _fires(line: str, after: datetime, count: int = 3) -> list[datetime]:
    trigger, out, previous = cron_trigger(line, ALMATY), [], None
    now = after
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        out.append(previous)
        now = previous
    return out


def test_cron_lines_fire_as_cron_means_them_in_the_profile_time_zone():
    after = datetime(2025, 12, 17, 10, 3, tzinfo=ALMATY)  # a Wednesday
    assert [t.strftime("%H:%M") for t in _fires("*/10 * * * *", after)] == ["10:10", "10:20", "10:30"]
    monday = _fires("0 6 * * 1", after, 1)[0]  # cron's 1 is Monday (APScheduler 3 would say Tuesday)
    assert (monday.weekday(), monday.hour, monday.utcoffset().total_seconds()) == (0, 6, 5 * 3600)
    assert _fires("0 6 * * 0", after, 1)[0].weekday() == 6  # and 0 is Sunday
    # Both day fields restricted: cron runs on days that match either.
    days = [t.day for t in _fires("0 0 1 * 0", after, 4)]
    assert days == [21, 28, 1, 4]  # Sundays, and the 1st of January (a Thursday)


# -- profiles ------------------------------------------------------------------------

BASE = {"name": "x", "base_url": "https://x.kz"}


def test_profile_schedule_and_every():
    assert parse_profile({**BASE, "crawl": {"every": "10m"}}).every == 600
    assert parse_profile({**BASE, "crawl": {"schedule": "*/5 * * * *"}}).schedule == "*/5 * * * *"
    plain = parse_profile(BASE)
    assert plain.schedule is None and plain.every is None
    assert load_profile("demo").every == 600
    assert parse_cron(load_profile("caravan").schedule)  # documented there, and valid


@pytest.mark.parametrize("crawl, says", [
    ({"every": "10m", "schedule": "* * * * *"}, "crawl.schedule and crawl.every both given"),
    ({"every": 600}, "crawl.every: 600 is not a duration"),
    ({"every": "soon"}, "crawl.every: 'soon' is not a duration"),
    ({"schedule": "every 10 minutes"}, "crawl.schedule: 'every 10 minutes' is not a cron schedule"),
])
def test_a_bad_schedule_in_a_profile_is_one_line(crawl, says):
    with pytest.raises(ProfileError, match=says) as error:
        parse_profile({**BASE, "crawl": crawl})
    assert "\n" not in str(error.value)


# -- what gets scheduled -------------------------------------------------------------


def test_plans_come_from_the_profiles_and_every_overrides_them():
    demo, = plans_for(["demo"])
    assert (demo.every, demo.cron, demo.describe()) == (600, None, "every 10m")
    caravan, = plans_for(["caravan"])
    assert caravan.every is None and caravan.describe() == f"at '{load_profile('caravan').schedule}' (Asia/Almaty time)"
    assert [(p.name, p.every) for p in plans_for(["demo", "caravan"], every=15)] == [("demo", 15), ("caravan", 15)]
    assert {p.name for p in plans_for([])} == {"demo", "caravan"}  # every bundled profile with a schedule


def test_a_site_with_no_schedule_is_refused(tmp_path):
    profile = tmp_path / "plain.toml"
    profile.write_text('name = "plain"\nbase_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    with pytest.raises(ScheduleError, match=f"site {profile} has no schedule"):
        plans_for([str(profile)])
    assert plans_for([str(profile)], every=60)[0].every == 60
    result = subprocess.run([sys.executable, "-m", "newsdb", "schedule", str(profile)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2  # a usage error: click's Usage/Try lines, then one line naming the site
    usage, hint, line = [text for text in result.stderr.splitlines() if text.strip()]
    assert usage.startswith("Usage:") and hint.startswith("Try ")
    assert line.startswith(f"Error: site {profile} has no schedule: ") and "--every" in line


def test_a_bad_every_is_a_usage_error():
    line = one_line_error(["schedule", "demo", "--every", "10"], usage=True)
    assert "'10' is not a duration" in line


def test_the_log_line_of_a_run():
    def line(code, out="", err=""):
        return RunResult("demo", code, out, err).line()

    summary = "demo: 42 articles (0 new, 0 updated, 42 unchanged), 0 errors in 2.0 s -> sqlite:///x"
    assert line(0, summary + "\n") == "demo: exit 0: 42 articles (0 new, 0 updated, 42 unchanged), 0 errors in 2.0 s -> sqlite:///x"
    held = "Error: a run of demo is in progress: run 5, since 2025-12-20 10:00:00 UTC, on box pid 7\n"
    assert line(EXIT_LOCKED, err=held) == "demo: skipped: a run is in progress (run 5, since 2025-12-20 10:00:00 UTC, on box pid 7)"
    failed = "demo: run 3 failed (exit 3): site unreachable: no response to 3 requests (refused 3)\n"
    assert line(3, summary, failed).startswith("demo: exit 3: site unreachable: no response to 3 requests (refused 3) (run 3); 42 articles")
    assert RunResult("demo", -9, "", "", abandoned=(4,)).line() == "demo: killed by SIGKILL: run 4 was left running: marked abandoned"
    unswept = RunResult("demo", -9, "", "", sweep_error="database is down").line()
    assert unswept.endswith("the next run of demo marks it abandoned")


def test_the_crawl_command_keeps_a_password_off_the_command_line():
    plan = Plan("demo", "demo", 15, None, ALMATY)
    from newsdb.schedule import Scheduler

    args, env = Scheduler([plan], "postgresql+psycopg://u:s3cret@127.0.0.1/x").command(plan)
    assert args[1:5] == ["-m", "newsdb", "crawl", "demo"] and "s3cret" not in " ".join(args)
    assert env["NEWSDB_DATABASE_URL"] == "postgresql+psycopg://u:s3cret@127.0.0.1/x"
    args, _ = Scheduler([plan], "sqlite:///x.sqlite", base_url="http://127.0.0.1:1",
                        settings={"DOWNLOAD_DELAY": "1"}).command(plan)
    assert args[4:] == ["demo", "--db", "sqlite:///x.sqlite", "--base-url", "http://127.0.0.1:1", "-s", "DOWNLOAD_DELAY=1"]


# -- the process ---------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    """A copy of the demo site on a free loopback port: its base URL."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root)
    server, url = serve_demo(0, root=root)
    yield url
    server.shutdown()


class Schedule:
    """`newsdb schedule …` in the background, its stderr in a file."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.log_path = tmp_path / f"schedule-{time.monotonic_ns()}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDB_")}
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "newsdb", "schedule", *args], cwd=tmp_path,
                                            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def stop(self, timeout: float = 120) -> int:
        """SIGTERM, then its exit status (bounded: it must be within the stop bound and a margin)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def wait_for(predicate, timeout: float, what: str, schedule: Schedule | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if schedule is not None and schedule.process.poll() is not None:
            pytest.fail(f"newsdb schedule exited {schedule.process.returncode} waiting for {what}:\n{schedule.log}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout:g} s" + (f":\n{schedule.log}" if schedule else ""))


def sqlite_rows(path: Path, query: str) -> list[tuple]:
    """A read-only look at a database another process is writing (never creates its schema)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(query).fetchall()
    except sqlite3.OperationalError:  # not there yet, or busy
        return []


def run_rows(db_url: str) -> list[m.CrawlRun]:
    with open_database(db_url) as db, db.session() as session:
        return list(session.scalars(select(m.CrawlRun).order_by(m.CrawlRun.started_at)))


def test_every_15s_runs_the_site_again_and_again_never_overlapping(site, tmp_path):
    path = tmp_path / "every.sqlite"
    db_url = f"sqlite:///{path}"
    schedule = Schedule(tmp_path, "demo", "--every", "15s", "--base-url", site, "--db", db_url)
    try:
        wait_for(lambda: schedule.log.count("demo: exit 0: ") >= 2, 90, "two runs done", schedule)
        assert schedule.stop() == 0, schedule.log
    finally:
        schedule.kill()
    rows = run_rows(db_url)
    assert len(rows) >= 2 and "running" not in {r.status for r in rows}
    assert [r.status for r in rows[:2]] == ["finished", "finished"]
    for earlier, later in zip(rows, rows[1:]):
        assert earlier.finished_at <= later.started_at, (earlier.id, later.id)  # one site: never two at once
    log = schedule.log
    assert log.count("demo: exit 0: 42 articles") >= 2 and "(42 new, 0 updated, 0 unchanged)" in log
    assert "demo: every 15s, next run now" in log and "SIGTERM: stopped" in log
    assert "Traceback" not in log


def test_sigterm_lets_the_running_crawl_close_its_run_and_exits_0(site, tmp_path):
    path = tmp_path / "term.sqlite"
    db_url = f"sqlite:///{path}"
    schedule = Schedule(tmp_path, "demo", "--every", "15s", "--base-url", site, "--db", db_url,
                        "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS=1")
    try:  # a slow crawl: SIGTERM reaches it half-way
        wait_for(lambda: (sqlite_rows(path, "SELECT count(*) FROM pages") or [(0,)])[0][0] >= 5,
                 90, "a crawl under way", schedule)
        assert sqlite_rows(path, "SELECT status FROM crawl_runs") == [("running",)]
        assert schedule.stop() == 0, schedule.log  # bounded: the stop bound is 60 s
    finally:
        schedule.kill()
    [run] = run_rows(db_url)
    assert (run.status, run.exit_code) == ("failed", EXIT_STOPPED) and run.reason.startswith("stopped early")
    log = schedule.log
    assert "SIGTERM: stopping: no new runs" in log
    assert f"demo: exit {EXIT_STOPPED}: stopped early" in log and "Traceback" not in log


def test_a_run_due_while_one_is_going_is_skipped_and_a_crawl_killed_after_the_bound_is_closed(site, tmp_path):
    path = tmp_path / "skip.sqlite"
    db_url = f"sqlite:///{path}"
    schedule = Schedule(tmp_path, "demo", "--every", "1s", "--base-url", site, "--db", db_url,
                        "--stop-timeout", "0", "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS=1")
    try:
        wait_for(lambda: (sqlite_rows(path, "SELECT count(*) FROM pages") or [(0,)])[0][0] >= 5,
                 90, "a crawl under way", schedule)
        wait_for(lambda: "the previous run is still going" in schedule.log, 30, "a skipped run", schedule)
        assert sqlite_rows(path, "SELECT status FROM crawl_runs") == [("running",)]  # one, not two
        assert schedule.stop() == 0, schedule.log  # --stop-timeout 0: the crawl is killed at once
    finally:
        schedule.kill()
    [run] = run_rows(db_url)
    assert run.status == "abandoned" and "was killed by SIGKILL" in run.reason
    log = schedule.log
    assert "demo: still running after 0 s: killing it" in log
    assert f"demo: killed by SIGKILL: run {run.id} was left running: marked abandoned" in log


def test_a_held_run_lock_is_a_skip_not_an_error(db_url, site, tmp_path):
    with open_database(db_url) as db, db.session() as session:  # a live run elsewhere: this very process
        holder = runs.start_run(session, "demo", pid=os.getpid())
    schedule = Schedule(tmp_path, "demo", "--every", "15s", "--base-url", site, "--db", db_url)
    try:
        wait_for(lambda: "demo: skipped: a run is in progress" in schedule.log, 90, "a skip", schedule)
        assert schedule.stop() == 0, schedule.log
    finally:
        schedule.kill()
    assert f"demo: skipped: a run is in progress (run {holder}, since " in schedule.log
    assert [(r.id, r.status) for r in run_rows(db_url)] == [(holder, "running")]  # the holder's, untouched
