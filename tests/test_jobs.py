"""The job queue on the real PostgreSQL: workers share crawls and a chunked re-parse,
a worker killed with SIGKILL loses nothing, `newsdb jobs` tells the queue's state.

Workers run as `newsdb worker` subprocesses, as people run them; the sites are
the demo site served on loopback (a second copy under another profile name, and
a slow copy for the kill). Expected rows come from a single-process run of the
same work (`newsdb crawl`, `newsdb reparse`), never from the code under test.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from newsdb.cli import cli
from newsdb.demo_site import DemoHandler, serve_demo
from newsdb.jobs import enqueue_crawl, queue_app
from storage import models as m
from storage.db import open_database
from tests.conftest import fresh_pg_database

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARTICLES = len(list((ROOT / "seeds" / "demo_src" / "articles").glob("*.toml")))
FAST = ("--heartbeat", "0.5", "--stalled-after", "3")  # a dead worker is seen within seconds, not a minute


def newsdb(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "newsdb", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def query(url: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(libpq(url)) as connection:
        return connection.execute(sql, params).fetchall()


def wait_for(condition: Callable[[], object], what: str, timeout: float = 90.0) -> object:
    """Poll until `condition()` is true; fail the test saying what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:g} s")


class Workers:
    """`newsdb worker` processes of one test, each logging to its own file; killed at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.started = folder, []

    def start(self, url: str, *options: str) -> subprocess.Popen:
        log = (self.folder / f"worker{len(self.started)}.log").open("w")
        env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
        process = subprocess.Popen([sys.executable, "-m", "newsdb", "worker", "--db", url, *options],
                                   cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=log)
        process.log_path = log.name  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    @staticmethod
    def log(process: subprocess.Popen) -> str:
        return Path(process.log_path).read_text()  # type: ignore[attr-defined]

    def wait(self, process: subprocess.Popen, timeout: float = 120) -> int:
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker {process.pid} still running after {timeout} s:\n{self.log(process)}")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def stop(pool: Workers, *processes: subprocess.Popen) -> None:
    """SIGTERM, as systemd stops a worker: each exits 0."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        assert pool.wait(process) == 0, Workers.log(process)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    found = Workers(tmp_path)
    try:
        yield found
    finally:
        found.stop_all()


def registered_workers(url: str) -> int:
    return query(url, "SELECT count(*) FROM procrastinate_workers")[0][0] if query(
        url, "SELECT to_regclass('procrastinate_workers') IS NOT NULL")[0][0] else 0


def job_rows(url: str) -> list[tuple]:
    return query(url, "SELECT id, task_name, status::text, attempts FROM procrastinate_jobs "
                      "WHERE queue_name = 'newsdb' ORDER BY id")


FIELDS = ("site", "key", "url", "canonical_url", "external_id", "title", "lead", "published_at", "modified_at",
          "authors", "source", "body", "language", "parser_version", "content_hash", "page", "quotes", "related")


def differences(got: list[tuple], expected: list[tuple]) -> list[str]:
    """Which articles differ, and in which fields: a failure says what, not only that."""
    mine, theirs = {r[:2]: r for r in got}, {r[:2]: r for r in expected}
    found = [f"missing {key}" for key in theirs.keys() - mine.keys()]
    found += [f"extra {key}" for key in mine.keys() - theirs.keys()]
    for key in mine.keys() & theirs.keys():
        fields = [name for name, a, b in zip(FIELDS, mine[key], theirs[key], strict=True) if a != b]
        if fields:
            found.append(f"{key}: {', '.join(fields)}: {[(mine[key][FIELDS.index(f)], theirs[key][FIELDS.index(f)]) for f in fields]}")
    return sorted(found)


def stored(url: str) -> list[tuple]:
    """Every stored article with its quotes and related links, in a form two databases compare by."""
    with open_database(url) as database, database.session() as session:
        rows = []
        for article in session.scalars(select(m.Article)):
            page = session.get(m.Page, article.page_id) if article.page_id else None
            rows.append((
                article.site.name, article.key, article.url, article.canonical_url, article.external_id,
                article.title, article.lead, article.published_at, article.modified_at, tuple(article.authors),
                article.source, article.body, article.language, article.parser_version, article.content_hash,
                page.url if page else None,
                tuple((q.position, q.paragraph, q.text, q.speaker, q.speaker_canonical, q.style) for q in article.quotes),
                tuple((r.position, r.tag, r.title, r.url) for r in article.related_links),
            ))
    return sorted(rows, key=lambda row: (row[0], row[1]))


# -- the sites ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> Iterator[list[tuple[str, str]]]:
    """(profile, base URL) of two sites: the demo, and the same pages under a profile named demo2."""
    folder = tmp_path_factory.mktemp("profiles")
    demo2 = folder / "demo2.toml"
    text = (ROOT / "seeds" / "sites" / "demo.toml").read_text(encoding="utf-8")
    demo2.write_text(text.replace('name = "demo"', 'name = "demo2"', 1), encoding="utf-8")
    first, first_url = serve_demo(0)
    second, second_url = serve_demo(0)
    yield [("demo", first_url), (str(demo2), second_url)]
    first.shutdown()
    second.shutdown()


class SlowDemo(DemoHandler):
    """The demo site, each article page answered a second late while `slow` is set."""

    slow = threading.Event()

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.slow.is_set() and re.search(r"-\d+/?$", self.path):
            time.sleep(1.0)
        super().do_GET()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a killed crawl leaves broken pipes: expected here
        pass


@pytest.fixture
def slow_site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), SlowDemo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SlowDemo.slow.set()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        SlowDemo.slow.clear()
        server.shutdown()


# -- two workers against one single process ----------------------------------------------


@pytest.fixture(scope="module")
def crawled(two_sites, tmp_path_factory) -> Iterator[tuple[str, str, dict]]:
    """Two databases holding the same two crawls: one by single processes, one by two workers."""
    folder = tmp_path_factory.mktemp("crawled")
    with fresh_pg_database("newsdb_test_jobs_single") as single, fresh_pg_database("newsdb_test_jobs_queue") as queued:
        for site, base_url in two_sites:
            done = newsdb("crawl", site, "--base-url", base_url, "--db", single, cwd=folder)
            assert done.returncode == 0, done.stderr

        pool = Workers(folder)
        try:
            first, second = pool.start(queued, *FAST), pool.start(queued, *FAST)
            # Both waiting before the jobs come: each takes one (one job at a time each).
            wait_for(lambda: registered_workers(queued) == 2, "two workers registered")
            with queue_app(queued).open() as app:
                jobs = [enqueue_crawl(app, site, base_url=base_url) for site, base_url in two_sites]
            assert all(jobs)
            wait_for(lambda: all(row[2] in ("succeeded", "failed") for row in job_rows(queued)), "the crawls done")
            stop(pool, first, second)
            logs = [Workers.log(first), Workers.log(second)]
        finally:
            pool.stop_all()
        yield single, queued, {"logs": logs, "folder": folder}


def test_two_workers_share_the_crawls_and_store_what_one_process_stores(crawled):
    single, queued, seen = crawled
    for log in seen["logs"]:  # each worker ran one of the two crawls, and it did its job
        assert len(re.findall(r"job \d+ crawl .*: exit 0: ", log)) == 1, log
    assert [status for _, _, status, _ in job_rows(queued)] == ["succeeded", "succeeded"]
    expected = stored(single)
    assert len(expected) == 2 * DEMO_ARTICLES
    assert len({(row[0], row[1]) for row in expected}) == len(expected)
    got = stored(queued)
    assert got == expected, differences(got, expected)  # every article once, each as the single run stored it


def test_a_chunked_reparse_on_two_workers_equals_one_reparse(crawled, workers, tmp_path):
    single, queued, _ = crawled
    # The same stale state in both: every page parsed by an old parser, every title wrong.
    stale = "Заголовок прежней версии разбора"
    for url in (single, queued):
        with psycopg.connect(libpq(url)) as connection:
            connection.execute("UPDATE pages SET parser_version = '0.0.1' WHERE parser_version IS NOT NULL")
            connection.execute("UPDATE articles SET title = %s, content_hash = 'stale'", (stale,))

    done = newsdb("reparse", "--older-than-parser", "0.0.2", "--db", single, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{2 * DEMO_ARTICLES} articles changed" in done.stdout

    first, second = workers.start(queued, *FAST), workers.start(queued, *FAST)
    wait_for(lambda: registered_workers(queued) == 2, "two workers registered")
    queued_line = newsdb("enqueue", "reparse", "--chunk", "5", "--older-than-parser", "0.0.2", "--db", queued,
                         cwd=tmp_path)
    assert queued_line.returncode == 0, queued_line.stderr
    chunks = int(re.search(r"queued as (\d+) jobs", queued_line.stdout).group(1))
    assert chunks >= 2 * DEMO_ARTICLES // 5
    wait_for(lambda: all(row[2] in ("succeeded", "failed") for row in job_rows(queued)), "the chunks done")
    stop(workers, first, second)
    ran = [len(re.findall(r"job \d+ reparse ", Workers.log(p))) for p in (first, second)]
    assert sum(ran) == chunks and all(ran), ran  # the chunks were shared
    assert [row[2] for row in job_rows(queued) if row[1] == "newsdb:reparse"] == ["succeeded"] * chunks

    expected = stored(single)
    assert stale not in {row[5] for row in expected}
    got = stored(queued)
    assert got == expected, differences(got, expected)


# -- a worker killed in the middle of a crawl ---------------------------------------------


def test_a_worker_killed_mid_crawl_loses_nothing(slow_site, workers, tmp_path):
    with fresh_pg_database("newsdb_test_jobs_kill") as url:
        started = [workers.start(url, *FAST) for _ in range(2)]
        wait_for(lambda: registered_workers(url) == 2, "two workers registered")
        queued = newsdb("enqueue", "crawl", "demo", "--base-url", slow_site, "--db", url, cwd=tmp_path)
        assert queued.returncode == 0 and "demo: queued as job" in queued.stdout, queued.stderr

        def pages_archived() -> int:
            return query(url, "SELECT count(*) FROM pages")[0][0]

        wait_for(lambda: pages_archived() >= 5, "the crawl under way")  # the slow site keeps it going
        (child,) = query(url, "SELECT pid FROM crawl_runs WHERE status = 'running'")[0]
        parent = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        (victim,) = [p for p in started if p.pid == parent]  # the worker whose crawl it is
        (rescuer,) = [p for p in started if p is not victim]
        assert pages_archived() < DEMO_ARTICLES  # in the middle of the job
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        SlowDemo.slow.clear()  # the rest of the work needs no waiting

        wait_for(lambda: [row[2] for row in job_rows(url)] == ["succeeded"], "the crawl done by the other worker")
        rescuer.send_signal(signal.SIGTERM)
        assert workers.wait(rescuer) == 0
        log = Workers.log(rescuer)
        assert re.search(r"job \d+ crawl demo .*its worker stopped beating .*back in the queue", log), log
        assert re.search(r"job \d+ crawl demo .*: exit 0: ", log), log
        # procrastinate counts each run of the job: the one killed, the one that did it
        assert [(status, attempts) for _, _, status, attempts in job_rows(url)] == [("succeeded", 2)]

        runs = query(url, "SELECT status, pid FROM crawl_runs ORDER BY id")
        assert [status for status, _ in runs] == ["abandoned", "finished"]
        with pytest.raises(ProcessLookupError):  # the killed worker's crawl died with it
            os.kill(runs[0][1], 0)
        articles = query(url, "SELECT key FROM articles")
        assert len(articles) == DEMO_ARTICLES == len(set(articles))


# -- what is in the queue -------------------------------------------------------------------


def test_jobs_shows_queued_running_and_failed(slow_site, workers, tmp_path):
    not_a_warc = tmp_path / "страница.warc.gz"  # a saved page under a WARC's name
    not_a_warc.write_text("<!doctype html>\n<html><body><p>Редакция сохранила страницу вместо архива.</p></body></html>\n",
                          encoding="utf-8")
    with fresh_pg_database("newsdb_test_jobs_list") as url:
        runner = CliRunner()
        first = runner.invoke(cli, ["enqueue", "import-warc", str(not_a_warc), "--db", url])
        assert first.exit_code == 0, first.output
        crawl = runner.invoke(cli, ["enqueue", "crawl", "demo", "--base-url", slow_site, "--db", url])
        again = runner.invoke(cli, ["enqueue", "import-warc", str(not_a_warc), "--db", url])
        assert crawl.exit_code == 0 and again.exit_code == 0, crawl.output + again.output
        twice = runner.invoke(cli, ["enqueue", "crawl", "demo", "--base-url", slow_site, "--db", url])
        assert twice.exit_code == 0 and "demo: a crawl is already queued" in twice.output
        failed_id, crawl_id, queued_id = [row[0] for row in job_rows(url)]

        worker = workers.start(url, "--concurrency", "1", *FAST)
        wait_for(lambda: [row[2] for row in job_rows(url)] == ["failed", "doing", "todo"],
                 "one job failed, one running, one queued")

        shown = runner.invoke(cli, ["jobs", "--format", "json", "--db", url])
        assert shown.exit_code == 0, shown.output
        found = json.loads(shown.output)
        assert [(j["id"], j["task"]) for j in found["failed"]] == [(failed_id, "import-warc")]
        assert [(j["id"], j["task"], j["args"]["site"]) for j in found["running"]] == [(crawl_id, "crawl", "demo")]
        assert found["running"][0]["worker"] is not None
        assert [(j["id"], j["task"], j["args"]["path"]) for j in found["queued"]] == [
            (queued_id, "import-warc", str(not_a_warc.resolve()))]
        table = runner.invoke(cli, ["jobs", "--db", url])
        assert table.output.splitlines()[0] == "1 queued, 1 running, 1 failed"
        assert "not a WARC file" in Workers.log(worker)  # the failure says why, in the worker's log

        # SIGTERM: the running crawl finishes, then the worker exits 0.
        SlowDemo.slow.clear()
        worker.send_signal(signal.SIGTERM)
        assert workers.wait(worker) == 0
        assert dict((row[0], row[2]) for row in job_rows(url))[crawl_id] == "succeeded"


# -- the schema, and SQLite ---------------------------------------------------------------


def test_db_upgrade_installs_the_queue_schema_and_db_check_still_passes():
    with fresh_pg_database("newsdb_test_jobs_schema") as url:
        runner = CliRunner()
        first = runner.invoke(cli, ["db", "upgrade", "--db", url])
        assert first.exit_code == 0, first.output
        assert "job queue schema installed (procrastinate " in first.output
        assert query(url, "SELECT to_regclass('procrastinate_jobs') IS NOT NULL")[0][0]
        second = runner.invoke(cli, ["db", "upgrade", "--db", url])
        assert second.exit_code == 0 and "job queue schema up to date" in second.output
        check = runner.invoke(cli, ["db", "check", "--db", url])
        assert check.exit_code == 0, check.output  # the queue's tables are not model drift


@pytest.mark.parametrize("args", [
    ["enqueue", "crawl", "demo"],
    ["enqueue", "reparse"],
    ["enqueue", "import-warc", "{warc}"],
    ["worker"],
    ["jobs", "--format", "json"],
], ids=" ".join)
def test_on_sqlite_the_queue_commands_say_it_needs_postgresql(args, tmp_path):
    warc = tmp_path / "выпуск.warc"
    warc.write_bytes(b"")
    database = tmp_path / "newsdb.sqlite"
    result = CliRunner().invoke(cli, [a.replace("{warc}", str(warc)) for a in args] + ["--db", f"sqlite:///{database}"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith("Error: the job queue needs PostgreSQL") and str(database) in lines[0]
    assert not database.exists()  # refused before anything was created


def test_a_worker_with_idle_exit_leaves_once_the_queue_is_empty(workers):
    with fresh_pg_database("newsdb_test_jobs_idle") as url:
        worker = workers.start(url, "--idle-exit", "1", *FAST)
        assert workers.wait(worker) == 0
        assert "the queue has been empty for 1 s: stopping" in Workers.log(worker)
