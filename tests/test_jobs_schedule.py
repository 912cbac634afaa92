"""`newsdb schedule --queue`: due runs go to the job queue, a site at most once, instead of running here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from click.testing import CliRunner

from newsdb.cli import cli
from tests.conftest import fresh_pg_database
from tests.test_jobs import job_rows, query, wait_for


def test_schedule_queue_enqueues_each_site_once_and_runs_nothing_itself(tmp_path):
    with fresh_pg_database("newsdb_test_jobs_schedule") as url:
        env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
        log_path = tmp_path / "schedule.log"
        with log_path.open("w") as log:
            scheduler = subprocess.Popen(
                [sys.executable, "-m", "newsdb", "schedule", "demo", "--every", "1s", "--queue", "--db", url],
                cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        try:
            # A second due run finds the first still waiting: no worker takes it.
            wait_for(lambda: "already queued" in log_path.read_text() or scheduler.poll() is not None,
                     "a second due run")
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=60)
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
                scheduler.wait(timeout=30)
        stderr = log_path.read_text()
        assert scheduler.returncode == 0, stderr
        assert "demo: queued as job 1" in stderr
        assert "demo: skipped: a crawl of the site is already queued" in stderr
        assert [(task, status) for _, task, status, _ in job_rows(url)] == [("newsdb:crawl", "todo")]
        assert query(url, "SELECT count(*) FROM crawl_runs")[0][0] == 0  # nothing crawled by the scheduler


def test_schedule_queue_on_sqlite_says_it_needs_postgresql(tmp_path):
    database = tmp_path / "newsdb.sqlite"
    result = CliRunner().invoke(cli, ["schedule", "demo", "--every", "1m", "--queue", "--db", f"sqlite:///{database}"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: the job queue needs PostgreSQL"), result.output
