"""End to end: serve seeds/demo/ on loopback, crawl it with `newsdb crawl`, check the rows.

The crawl runs in a subprocess, as a user runs it (Scrapy's reactor cannot be
restarted inside one test process). Expectations come from the seed file and
the demo sources, never from the code under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from newsdb.demo_site import serve_demo
from storage import api
from storage import models as m
from storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5ea525a21e592d22.txt"
DEMO_SOURCES = ROOT / "seeds" / "demo_src" / "articles"

# The seed article's two quotes, written out by hand from the seed file.
SEED_QUOTES = [
    "Уверен, что предстоящие выборы придадут новый импульс политическим реформам и откроют "
    "возможности для вовлечения граждан в процессы управления страной и принятия решений",
    "Акимы — прямые представители власти в каждом населенном пункте. Общественность оценивает "
    "эффективность всей государственной системы управления, исходя из деятельности акимов. "
    "Поэтому очень важно правильно организовать предстоящие выборы, которые должны отвечать "
    "требованиям эффективного государства и справедливого общества",
]


def seed_parts() -> tuple[list[str], list[tuple[str, str]]]:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    body, rest = lines[:6], lines[6:]
    return body, [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]


def run_newsdb(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NEWSDB_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "newsdb", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def demo_site():
    server, url = serve_demo(0)
    yield url
    server.shutdown()


def test_seed_file_is_what_the_demo_is_built_from():
    body, related = seed_parts()
    assert len(body) == 6 and len(related) == 17
    assert "Сaravan.kz" in body[0] and body[0].count("\u0421aravan") == 1  # Cyrillic С, as published


def test_crawl_demo_end_to_end(demo_site, db_url, tmp_path):
    first = run_newsdb("crawl", "demo", "--base-url", demo_site, "--db", db_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    expected_articles = len(list(DEMO_SOURCES.glob("*.toml")))
    assert f"demo: {expected_articles} articles ({expected_articles} new" in first.stdout

    db = open_database(db_url)
    try:
        with db.session() as session:
            articles = session.scalars(select(m.Article)).all()
            assert len(articles) == expected_articles
            assert len({a.key for a in articles}) == expected_articles

            # Non-articles are archived but never become articles.
            pages = {p.url.removeprefix(demo_site): p for p in session.scalars(select(m.Page))}
            video = next(p for u, p in pages.items() if u.startswith("/news/video-"))
            assert video.status == 200 and video.is_article is False
            assert pages["/news/udalennaya-novost-1100000/"].status == 404
            assert pages["/rubric/politika/"].is_article is None  # a listing: archived, not parsed
            article_urls = {a.url.removeprefix(demo_site) for a in articles}
            assert not article_urls & {"/rubric/politika/", "/news/udalennaya-novost-1100000/", video.url}

            # The seed article, exactly as the seed file has it (site name repaired).
            seed = session.scalars(select(m.Article).where(m.Article.external_id == "1145321")).one()
            body, related = seed_parts()
            assert seed.body.split("\n") == [p.replace("Сaravan.kz", "Caravan.kz") for p in body]
            assert seed.source == "Акорду"
            assert seed.published_at.isoformat() == "2025-12-20T05:15:00+00:00"
            assert [q.text for q in seed.quotes] == SEED_QUOTES
            assert [q.speaker for q in seed.quotes] == ["глава государства"] * 2
            assert [q.speaker_canonical for q in seed.quotes] == ["Касым-Жомарт Токаев"] * 2
            assert [q.paragraph for q in seed.quotes] == [2, 5]
            assert [(link.tag, link.title) for link in seed.related_links] == related
            by_url = {a.url: a for a in articles}
            for link in seed.related_links:
                assert link.url.startswith(demo_site + "/news/")
                assert by_url[link.url].title == link.title  # each card leads to that stored article

            counts = api.table_counts(session)
    finally:
        db.close()

    second = run_newsdb("crawl", "demo", "--base-url", demo_site, "--db", db_url, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"(0 new, 0 updated, {expected_articles} unchanged)" in second.stdout
    db = open_database(db_url)
    try:
        with db.session() as session:
            again = api.table_counts(session)
    finally:
        db.close()
    assert again.pop("crawl_runs") == counts.pop("crawl_runs") + 1
    assert again == counts  # nothing else grew: no duplicate pages, articles, quotes or links


def test_crawl_limit_stops_after_n_new_articles(demo_site, tmp_path):
    url = f"sqlite:///{tmp_path / 'limited.sqlite'}"
    result = run_newsdb("crawl", "demo", "--base-url", demo_site, "--db", url, "--limit", "5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(5 new, 0 updated, 0 unchanged)" in result.stdout
    from core.profiles import load_profile

    profile = load_profile("demo")
    db = open_database(url)
    try:
        with db.session() as session:
            fetched = [u for u in session.scalars(select(m.Page.url)) if profile.article_id(u)]
            articles = api.table_counts(session)["articles"]
    finally:
        db.close()
    assert articles == 5  # new articles, not requests: a video post or a 404 does not use one up
    assert 5 <= len(fetched) <= 8  # at most the few article pages that turned out to be none

    more = run_newsdb("crawl", "demo", "--base-url", demo_site, "--db", url, "--limit", "5", cwd=tmp_path)
    assert more.returncode == 0, more.stderr
    assert "(5 new," in more.stdout  # the next run goes on with the next five


def test_amp_twin_and_short_link_are_one_article(demo_site):
    """The three URL forms of one post carry one id, so the crawl asks once and stores once."""
    from core.profiles import load_profile

    profile = load_profile("demo").with_base_url(demo_site)
    amp = next((ROOT / "seeds" / "demo" / "amp" / "news").iterdir()).name
    canonical = f"{demo_site}/news/{amp}/"
    assert profile.article_id(canonical) == profile.article_id(f"{demo_site}/amp/news/{amp}/")
    assert profile.article_id(canonical) == profile.article_id(f"{demo_site}/?p={amp.rsplit('-', 1)[1]}")


def test_newsdb_demo_prints_the_summary_line(tmp_path):
    """What `make demo` runs: serve, crawl, and one line with counts and elapsed time."""
    import re

    result = run_newsdb("demo", "--port", "0", "--db", f"sqlite:///{tmp_path / 'demo.sqlite'}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("demo:"))
    match = re.search(r"(\d+) articles .* (\d+) quotes, (\d+) related links, .* in ([\d.]+) s", line)
    assert match, line
    articles, quotes, related, seconds = match.groups()
    assert int(articles) == len(list(DEMO_SOURCES.glob("*.toml")))
    assert int(quotes) > 0 and int(related) > 0 and float(seconds) > 0


def test_crawl_since_takes_only_recent_articles(demo_site, tmp_path):
    """A scheduled run: sitemap lastmod, RSS pubDate and listing dates decide, and the
    crawl stores exactly the demo articles published on or after the date."""
    import tomllib
    from datetime import datetime, timedelta, timezone

    since = datetime(2025, 12, 15, tzinfo=timezone(timedelta(hours=5)))
    expected = {
        str(source["id"])
        for source in (tomllib.loads(p.read_text(encoding="utf-8")) for p in DEMO_SOURCES.glob("*.toml"))
        if datetime.fromisoformat(source["published"]) >= since
    }
    assert 0 < len(expected) < len(list(DEMO_SOURCES.glob("*.toml")))
    url = f"sqlite:///{tmp_path / 'since.sqlite'}"
    result = run_newsdb("crawl", "demo", "--base-url", demo_site, "--db", url, "--since", "2025-12-15", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = open_database(url)
    try:
        with db.session() as session:
            stored = set(session.scalars(select(m.Article.external_id)))
    finally:
        db.close()
    assert stored == expected


def test_crawl_since_rejects_a_non_date(tmp_path):
    result = run_newsdb("crawl", "demo", "--since", "вчера вечером", "--db", f"sqlite:///{tmp_path}/x.sqlite", cwd=tmp_path)
    assert result.returncode == 2 and "--since" in result.stderr and "Traceback" not in result.stderr
