"""The crawl and the re-parse are one path: what a crawl stored, a re-parse of its
archive stores again, byte for byte, whether the profile came by name or by path.

Crawls run in a subprocess against the demo site on loopback, as a user runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsdb.demo_site import serve_demo
from storage import models as m
from storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
DEMO_PROFILE = ROOT / "seeds" / "sites" / "demo.toml"
DEMO_ARTICLES = len(list((ROOT / "seeds" / "demo_src" / "articles").glob("*.toml")))


def newsdb(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDB_")}
    return subprocess.run([sys.executable, "-m", "newsdb", *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=600)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_site():
    server, url = serve_demo(0)
    yield url
    server.shutdown()


def article_count(db_url: str) -> int:
    with open_database(db_url) as db, db.session() as session:
        return session.scalar(select(func.count(m.Article.id)))


@pytest.mark.parametrize("by", ["name", "path"])
def test_reparse_after_a_crawl_stores_the_same_export(db_url, demo_site, tmp_path, by):
    if by == "path":  # a profile of the user's own, elsewhere on disk, under another site name
        profile = tmp_path / "profiles" / "mysite.toml"
        profile.parent.mkdir()
        text = DEMO_PROFILE.read_text(encoding="utf-8").replace('name = "demo"', 'name = "mysite"', 1)
        assert 'name = "mysite"' in text
        profile.write_text(text, encoding="utf-8")
        ref, site = "./profiles/mysite.toml", "mysite"
    else:
        ref, site = "demo", "demo"
    ok(newsdb("crawl", ref, "--db", db_url, "--base-url", demo_site, cwd=tmp_path))
    assert article_count(db_url) == DEMO_ARTICLES
    before = ok(newsdb("export", "--db", db_url, cwd=tmp_path))

    # From another folder, so a relative profile path would not be found again by luck.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    summary = ok(newsdb("reparse", "--db", db_url, cwd=elsewhere))
    assert f"{DEMO_ARTICLES} unchanged, 0 new, 0 failed" in summary, summary
    assert article_count(db_url) == DEMO_ARTICLES  # no twin rows parsed without the profile
    assert ok(newsdb("export", "--db", db_url, cwd=elsewhere)) == before
    records = [json.loads(line) for line in before.splitlines()]
    assert {r["site"] for r in records} == {site}
    assert all(r["extraction"]["layers"]["body"] == "profile" for r in records)

    if by == "path":  # the profile moved away: one line naming it, nothing parsed with a guess
        shutil.move(profile, tmp_path / "moved.toml")
        gone = newsdb("reparse", "--db", db_url, cwd=elsewhere)
        assert gone.returncode == 1
        assert gone.stderr.strip() == f"Error: no site profile file {profile.resolve()}"
        assert ok(newsdb("export", "--db", db_url, cwd=elsewhere)) == before


def test_step_switches_hold_for_crawl_and_reparse_alike(demo_site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'steps.sqlite'}"
    off = {"NEWSDB_QUOTES_ENABLED": "False"}
    ok(newsdb("crawl", "demo", "--db", db_url, "--base-url", demo_site, cwd=tmp_path, env=off))
    crawled = ok(newsdb("export", "--db", db_url, cwd=tmp_path))
    assert all(json.loads(line)["quotes"] == [] for line in crawled.splitlines())
    assert any(json.loads(line)["related"] for line in crawled.splitlines())  # the other step still ran

    summary = ok(newsdb("reparse", "--db", db_url, cwd=tmp_path, env=off))
    assert f"{DEMO_ARTICLES} unchanged" in summary, summary
    assert ok(newsdb("export", "--db", db_url, cwd=tmp_path)) == crawled

    ok(newsdb("reparse", "--db", db_url, cwd=tmp_path))  # on again: the quotes come back
    with open_database(db_url) as db, db.session() as session:
        assert session.scalar(select(func.count(m.Quote.id))) > 0
