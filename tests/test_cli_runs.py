"""`newsdb runs`, `newsdb runs show ID` and the drift trend of `newsdb stats`, on both backends.

The rows are made with the storage API a crawl uses (start_run, record_fetch,
finish_run), then read back through the command line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from newsdb.cli import cli
from storage import runs
from storage.db import open_database
from tests.test_cli_commands import one_line_error

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
DEAD_PID = 2**22 + 12345  # above any pid_max: no such process

LONG_REASON = ("drift: the profile's body selector answered for 40% of articles (at least 50% expected); "
               "fell back: authors, body, published_at, tags, title and a few more words to make it long")


def stats(*, new=0, updated=0, unchanged=0, not_modified=0, fetch_failed=None, store_failed=0, requests=0,
          articles=0, body_profile=0, **extra):
    out = {"newsdb/store/new": new, "newsdb/store/updated": updated, "newsdb/store/unchanged": unchanged,
           "newsdb/store/not_modified": not_modified, "newsdb/store/failed": store_failed,
           "downloader/request_count": requests, "downloader/response_status_count/200": requests,
           "newsdb/parse/article": articles, "newsdb/extract/layer/body/profile": body_profile,
           "newsdb/extract/layer/body/metadata": articles - body_profile, "finish_reason": "finished"}
    out.update({f"newsdb/fetch/failed/{kind}": count for kind, count in (fetch_failed or {}).items()})
    out.update(extra)
    return out


def crawl(session, site, *, at, status="finished", exit_code=0, reason=None, drift=False, fetches=(), **counts):
    """One closed run of `site`, started at `at`, with failed fetches (url, outcome, reason)."""
    run_id = runs.start_run(session, site, host="crawler-1", pid=4242, now=at)
    for url, outcome, why in fetches:
        runs.record_fetch(session, run_id, url, kind="article", outcome=outcome, reason=why, now=at)
    runs.finish_run(session, run_id, status=status, stats=stats(**counts), exit_code=exit_code,
                    reason=reason, drift=drift)
    return run_id


@pytest.fixture
def history(db_url):
    """demo: three runs (the last one drifted) and a dead one; caravan: one run still going."""
    ids = {}
    with open_database(db_url) as db, db.session() as session:
        ids["demo1"] = crawl(session, "demo", at=T0, new=42, requests=55, articles=42, body_profile=42)
        ids["demo2"] = crawl(
            session, "demo", at=T0 + timedelta(hours=1), unchanged=2, not_modified=38, requests=50,
            articles=2, body_profile=2, store_failed=1, fetch_failed={"http_429": 2, "timeout": 1},
            fetches=[("http://127.0.0.1:8089/news/a-1/", "http_429", "HTTP 429"),
                     ("http://127.0.0.1:8089/news/b-2/", "timeout", "no response in time")],
        )
        ids["demo3"] = crawl(
            session, "demo", at=T0 + timedelta(hours=2), status="failed", exit_code=5, reason=LONG_REASON,
            drift=True, updated=3, new=2, requests=60, articles=5, body_profile=2,
            fetch_failed={"http_429": 1}, fetches=[("http://127.0.0.1:8089/news/a-1/", "http_429", "HTTP 429")],
        )
        # a run whose process died: the next start of demo marks it abandoned
        ids["dead"] = runs.start_run(session, "demo", host="crawler-1", pid=DEAD_PID, now=T0 + timedelta(hours=3))
        ids["demo5"] = runs.start_run(session, "demo", host="crawler-1", pid=4242, now=T0 + timedelta(hours=4))
        runs.finish_run(session, ids["demo5"], status="failed", exit_code=3, stats=stats(requests=3, fetch_failed={"refused": 3}),
                        reason="site unreachable: no response to 3 requests (refused 3)")
        ids["caravan"] = runs.start_run(session, "caravan-with-a-long-name", host="crawler-2", pid=99,
                                        now=datetime.now(UTC))
    return db_url, ids


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_runs_json_lists_every_run_newest_first_with_its_counts(history):
    db_url, ids = history
    result = invoke("runs", "--db", db_url, "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == [ids["caravan"], ids["demo5"], ids["dead"], ids["demo3"], ids["demo2"], ids["demo1"]]
    by_id = {r["id"]: r for r in listed}
    two = by_id[ids["demo2"]]
    assert (two["site"], two["status"], two["exit_code"], two["drift"]) == ("demo", "finished", 0, False)
    assert (two["new"], two["updated"], two["unchanged"], two["failed"], two["requests"]) == (0, 0, 40, 4, 50)
    assert (two["host"], two["pid"], two["reason"]) == ("crawler-1", 4242, None)
    started = datetime.fromisoformat(two["started_at"])
    assert started == T0 + timedelta(hours=1) and started.utcoffset() == timedelta(0)
    assert datetime.fromisoformat(two["finished_at"]).utcoffset() == timedelta(0)
    three = by_id[ids["demo3"]]
    assert (three["status"], three["exit_code"], three["drift"], three["reason"]) == ("failed", 5, True, LONG_REASON)
    assert (three["new"], three["updated"], three["failed"]) == (2, 3, 1)
    dead = by_id[ids["dead"]]
    assert dead["status"] == "abandoned" and "stopped without closing the run" in dead["reason"]
    going = by_id[ids["caravan"]]
    assert (going["status"], going["finished_at"], going["exit_code"]) == ("running", None, None)


def test_runs_of_one_site_and_the_last_n(history):
    db_url, ids = history
    listed = json.loads(invoke("runs", "--db", db_url, "--site", "demo", "--last", "2", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [ids["demo5"], ids["dead"]]
    assert {r["site"] for r in json.loads(invoke("runs", "--db", db_url, "--site", "demo", "--format", "json").stdout)} == {"demo"}


def test_runs_table_is_one_line_a_run_newest_first_within_100_columns(history):
    db_url, ids = history
    result = invoke("runs", "--db", db_url)
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert header.split()[:2] == ["ID", "SITE"] and "REASON" in header
    assert len(lines) == 6
    assert [int(line.split()[0]) for line in lines] == [ids["caravan"], ids["demo5"], ids["dead"], ids["demo3"],
                                                        ids["demo2"], ids["demo1"]]
    assert all(len(line) <= 100 for line in [header, *lines]), max(map(len, lines))
    caravan, unreachable, dead, drifted, revalidated, first = lines
    assert " running " in caravan and "crawler-2 pid 99, heart" in caravan  # where it runs, and how lately it beat
    assert " abandoned " in dead
    assert " failed(5) " in drifted and "drift: the profile's body" in drifted and drifted.endswith("…")
    assert " failed(3) " in unreachable and "site unreachable" in unreachable
    assert " finished " in revalidated and " finished " in first
    # NEW UPD SAME FAIL REQS, in that order
    assert revalidated.split()[-5:] == ["0", "0", "40", "4", "50"]
    assert first.split()[-5:] == ["42", "0", "0", "0", "55"]


def test_runs_show_gives_the_failures_counts_and_reason(history):
    db_url, ids = history
    result = invoke("runs", "show", ids["demo3"], "--db", db_url)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.splitlines()[0] == f"run {ids['demo3']}  demo  failed (exit 5, drift)"
    assert f"reason    {LONG_REASON}" in text  # whole, not clipped
    assert "2 new, 3 updated, 0 unchanged" in text
    assert "http_429 1" in text
    # a.1 failed in the run before too: this is its second failed attempt in a row
    assert "http://127.0.0.1:8089/news/a-1/  HTTP 429  (http_429, attempts 2)" in text

    detail = json.loads(invoke("runs", "show", ids["demo2"], "--db", db_url, "--format", "json").stdout)
    assert (detail["id"], detail["site"], detail["unchanged"], detail["failed"]) == (ids["demo2"], "demo", 40, 4)
    assert [(f["url"], f["kind"], f["reason"], f["attempts"]) for f in detail["failures"]] == [
        ("http://127.0.0.1:8089/news/a-1/", "http_429", "HTTP 429", 1),
        ("http://127.0.0.1:8089/news/b-2/", "timeout", "no response in time", 1),
    ]
    assert detail["fetch_failures"] == {"http_429": 2, "timeout": 1}
    assert detail["layers"]["body"] == {"metadata": 0, "profile": 2}
    assert datetime.fromisoformat(detail["failures"][0]["at"]) == T0 + timedelta(hours=1)


def test_a_missing_run_is_a_user_error_and_an_unknown_site_a_usage_error(history):
    db_url, _ = history
    missing = invoke("runs", "show", 999, "--db", db_url)
    assert missing.exit_code == 1 and missing.stderr.strip() == "Error: no run with id 999"
    nosuch = invoke("runs", "--site", "nosuch", "--db", db_url)
    assert nosuch.exit_code == 2 and nosuch.stdout == ""  # as a bad --since: the value is wrong
    assert nosuch.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--site': no site named 'nosuch' in the database "
        "(known: caravan-with-a-long-name, demo)")


def test_one_line_errors_from_the_console(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    open_database(db_url).close()  # runs only reads: it never creates the database
    assert one_line_error(["runs", "show", "999", "--db", db_url]) == "Error: no run with id 999"
    line = one_line_error(["runs", "--site", "nosuch", "--db", db_url], usage=True)
    assert "no site named 'nosuch'" in line and "no sites yet" in line
    assert "needs a run ID" in one_line_error(["runs", "show", "--db", db_url], usage=True)


def test_no_runs_yet_says_so(db, db_url):
    empty = invoke("runs", "--db", db_url)
    assert empty.exit_code == 0 and empty.stdout == "" and "no runs yet" in empty.stderr
    assert json.loads(invoke("runs", "--db", db_url, "--format", "json").stdout) == []


def test_stats_shows_each_sites_drift_trend(history):
    db_url, ids = history
    table = invoke("stats", "--db", db_url)
    assert table.exit_code == 0, table.output
    [trend] = [line for line in table.stdout.splitlines() if line.startswith("  drift")]
    # demo1 100 %, demo2 100 %, demo3 40 % with the alarm; the dead run and the unreachable one parsed nothing
    assert trend == "  drift      profile body 100% 100% 40%! - - (last 5 runs, oldest first)"
    payload = json.loads(invoke("stats", "--db", db_url, "--format", "json").stdout)
    by_site = {site["site"]: site for site in payload["sites"]}
    points = by_site["demo"]["drift_trend"]
    assert [p["run_id"] for p in points] == [ids["demo1"], ids["demo2"], ids["demo3"], ids["dead"], ids["demo5"]]
    assert [p["profile_share"] for p in points] == [1.0, 1.0, 0.4, None, None]
    assert [p["drift"] for p in points] == [False, False, True, False, False]
    assert by_site["caravan-with-a-long-name"]["drift_trend"] == []  # its only run is still going


def test_body_trend_keeps_the_last_runs(history):
    db_url, ids = history
    with open_database(db_url) as db, db.session() as session:
        points = runs.body_trend(session, "demo", last=2)
        assert [p.run_id for p in points] == [ids["dead"], ids["demo5"]]
        assert [p.status for p in points] == ["abandoned", "failed"]
        assert runs.body_trend(session, "nosuch") == []


def test_a_running_row_whose_heartbeat_went_stale_says_so(db_url):
    with open_database(db_url) as db, db.session() as session:
        runs.start_run(session, "demo", host="crawler-3", pid=DEAD_PID, now=datetime.now(UTC) - timedelta(hours=2))
    [line] = invoke("runs", "--db", db_url).stdout.splitlines()[1:]
    assert " running " in line and "STALE crawler-3 pid" in line
    assert " 2h00m " in line  # running for two hours so far
