"""newsdb reparse on SQLite and PostgreSQL: archived demo pages through the one path again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from core import PARSER_VERSION
from core.items import Page
from core.profiles import ProfileError, load_profile
from pipelines.parse import Steps
from newsdb.cli import cli
from newsdb.reparse import reparse, version_key
from storage import api
from storage import models as m

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seeds" / "demo"
BASE = "http://127.0.0.1:8089"
FETCHED = datetime(2025, 12, 21, 9, 0, tzinfo=UTC)
NEWS = sorted(DEMO.glob("news/*-[0-9]*/index.html"))
AMP = sorted(DEMO.glob("amp/news/*/index.html"))
SEED = next(p for p in NEWS if "tokaev-vybory-akimov" in p.as_posix())  # the seed article, UTF-8


def url_of(path: Path) -> str:
    return f"{BASE}/{path.parent.relative_to(DEMO)}/"


def archive(db, path: Path, *, body: bytes | None = None, fetched_at: datetime = FETCHED) -> int:
    page = Page(url=url_of(path), final_url=url_of(path), body=body or path.read_bytes(),
                headers={"Content-Type": "text/html"}, fetched_at=fetched_at, site="demo")
    with db.session() as session:
        api.record_site_profile(session, "demo", "demo")  # as a crawl of the demo profile records it
        return api.archive_page(session, page)[0]


@pytest.fixture
def archived(db):
    """The demo news pages and their AMP twins, archived as a crawl would (no articles yet)."""
    for path in NEWS + AMP:
        archive(db, path)
    return db


def articles(db) -> dict[str, tuple]:
    with db.session() as session:
        rows = session.execute(select(m.Article.key, m.Article.content_hash, m.Article.updated_at, m.Article.page_id))
        return {row.key: tuple(row[1:]) for row in rows}


def pages(db) -> dict[int, tuple]:
    with db.session() as session:
        rows = session.execute(select(m.Page.id, m.Page.is_article, m.Page.parsed_at, m.Page.parser_version, m.Page.error))
        return {row.id: tuple(row[1:]) for row in rows}


ARTICLES = len(NEWS) - 1  # every news page but the video


def test_second_run_changes_nothing(archived):
    first = reparse(archived, jobs=2)
    assert (first.pages, first.new, first.changed, first.failed) == (len(NEWS) + len(AMP), ARTICLES, 0, 0)
    assert (first.not_articles, first.superseded) == (1, len(AMP))  # AMP twins give no second article
    before_articles, before_pages = articles(archived), pages(archived)
    assert len(before_articles) == ARTICLES

    second = reparse(archived, jobs=1)
    assert (second.new, second.changed, second.unchanged, second.failed) == (0, 0, ARTICLES, 0)
    assert articles(archived) == before_articles  # not even updated_at or the page moved
    assert pages(archived) == before_pages  # nor a page's parse record


def test_dry_run_writes_nothing_and_lists_what_would_change(archived):
    report = reparse(archived, dry_run=True)
    assert report.new == ARTICLES and report.dry_run
    assert len(report.would_change) == ARTICLES
    assert all(line.startswith((f"new {BASE}/news/", f"new {BASE}/amp/news/")) for line in report.would_change)
    assert articles(archived) == {}
    assert all(parsed == (None, None, None, None) for parsed in
               [(p[0], p[1], p[2], p[3]) for p in pages(archived).values()])


def test_changed_page_updates_the_article_keeps_history_and_dry_run_names_fields(archived):
    reparse(archived)
    path = SEED
    html = path.read_text(encoding="utf-8")
    changed = html.replace("</h1>", " (обновлено)</h1>", 1)
    assert changed != html
    new_id = archive(archived, path, body=changed.encode("utf-8"), fetched_at=FETCHED + timedelta(hours=1))

    dry = reparse(archived, dry_run=True)
    assert dry.changed == 1 and dry.would_change == [f"changed {url_of(path)}: title"]

    report = reparse(archived)
    assert (report.changed, report.new, report.unchanged) == (1, 0, ARTICLES - 1)
    with archived.session() as session:
        article = session.scalar(select(m.Article).where(m.Article.url == url_of(path)))
        assert article.page_id == new_id and article.title.endswith("(обновлено)")
        kept = session.scalars(select(m.ArticleVersion)).all()
        assert [v.fields["title"] for v in kept] == [article.title.removesuffix(" (обновлено)")]
    assert reparse(archived).changed == 0  # and that is stable


def test_failed_reparse_keeps_the_article_and_records_the_error(archived):
    reparse(archived)
    before = articles(archived)
    path = NEWS[0]
    with archived.session() as session:
        page_id = session.scalar(select(m.Page.id).where(m.Page.url == url_of(path)))
        quotes = session.scalar(select(func.count(m.Quote.id)))
        session.execute(update(m.Page).where(m.Page.id == page_id).values(body=b"not gzip"))

    report = reparse(archived, jobs=2)  # the error happens in a worker process
    assert report.failed == 1 and report.changed == 0
    assert articles(archived) == before
    with archived.session() as session:
        page = session.get(m.Page, page_id)
        assert page.error.startswith("BadGzipFile") and page.error_at is not None
        assert session.scalar(select(func.count(m.Quote.id))) == quotes


def test_failure_inside_the_pipelines_is_recorded_too(archived, monkeypatch):
    reparse(archived)
    before = articles(archived)
    target = url_of(NEWS[1])

    import pipelines.parse as engine

    real = engine.process_article

    def broken(raw, **steps):
        if raw.url == target:
            raise ValueError("parser bug")
        return real(raw, **steps)

    monkeypatch.setattr(engine, "process_article", broken)
    report = reparse(archived)  # jobs=1: in this process, so the patch applies
    assert report.failed == 1
    assert articles(archived) == before
    with archived.session() as session:
        assert session.scalar(select(m.Page.error).where(m.Page.url == target)) == "ValueError: parser bug"
    monkeypatch.undo()
    reparse(archived)
    with archived.session() as session:
        assert session.scalar(select(m.Page.error).where(m.Page.url == target)) is None


def test_older_than_parser_selects_only_pages_parsed_by_an_older_parser(archived):
    reparse(archived)
    old = [url_of(NEWS[2]), url_of(NEWS[3])]
    with archived.session() as session:
        session.execute(update(m.Page).where(m.Page.url.in_(old)).values(parser_version="0.0.9"))
    assert reparse(archived, older_than_parser=PARSER_VERSION, dry_run=True).pages == 2
    assert reparse(archived, older_than_parser="0.0.9").pages == 0
    report = reparse(archived, older_than_parser=PARSER_VERSION)
    assert report.pages == 2 and report.unchanged == 2
    with archived.session() as session:
        assert set(session.scalars(select(m.Page.parser_version).where(m.Page.url.in_(old)))) == {PARSER_VERSION}
    assert reparse(archived, older_than_parser=PARSER_VERSION).pages == 0


def test_version_key_compares_numbers():
    assert version_key("0.10.0") > version_key("0.9.1") > version_key("0.9")
    assert version_key("no digits") == ()


def test_only_the_newest_version_of_a_url_is_parsed(db):
    path = SEED
    html = path.read_text(encoding="utf-8")
    a, b = html.encode("utf-8"), html.replace("</h1>", " Б</h1>", 1).encode("utf-8")
    id_a = archive(db, path, body=a, fetched_at=FETCHED)
    archive(db, path, body=b, fetched_at=FETCHED + timedelta(hours=1))
    assert archive(db, path, body=a, fetched_at=FETCHED + timedelta(hours=2)) == id_a  # A -> B -> A again
    report = reparse(db)
    assert report.pages == 1 and report.new == 1
    with db.session() as session:
        assert session.scalar(select(m.Article.page_id)) == id_a


def test_site_url_and_since_filters(archived):
    assert reparse(archived, site="nosuchsite").pages == 0
    assert reparse(archived, url=url_of(NEWS[0]), dry_run=True).pages == 1
    archive(archived, NEWS[0], body=b"<html>later</html>", fetched_at=FETCHED + timedelta(days=2))
    assert reparse(archived, since=FETCHED + timedelta(days=1), dry_run=True).pages == 1


def test_cli_reparse_summary_and_dry_run(archived):
    url = archived.url.render_as_string(hide_password=False)
    runner = CliRunner()
    dry = runner.invoke(cli, ["reparse", "--db", url, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"dry run, nothing written: {len(NEWS) + len(AMP)} pages" in dry.output
    assert f"{ARTICLES} would be new" in dry.output
    done = runner.invoke(cli, ["reparse", "--db", url, "--site", "demo", "--jobs", "1"])
    assert done.exit_code == 0, done.output
    assert f"0 articles changed, 0 unchanged, {ARTICLES} new, 0 failed" in done.output
    bad = runner.invoke(cli, ["reparse", "--db", url, "--older-than-parser", "latest"])
    assert bad.exit_code == 2 and "--older-than-parser" in bad.output


def test_reparse_leaves_feeds_sitemaps_and_listings_alone(tmp_path):
    """The archive holds the RSS feed, sitemaps and listings too; re-parse takes what
    the crawl takes (article URLs), and a feed is never an article."""
    from newsdb.reparse import reparse
    from storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'feeds.sqlite'}")
    feed = (ROOT / "seeds" / "demo" / "feed" / "index.xml").read_bytes()
    listing = (ROOT / "seeds" / "demo" / "news" / "index.html").read_bytes()
    with db.session() as session:
        api.record_site_profile(session, "demo", "demo")
        for url, body, kind in (
            ("http://127.0.0.1:8089/feed/", feed, "application/rss+xml"),
            ("http://127.0.0.1:8089/news/", listing, "text/html"),
        ):
            api.archive_page(session, Page(url=url, body=body, headers={"Content-Type": kind}, site="demo",
                                           fetched_at=datetime.now(UTC)))
    report = reparse(db)
    with db.session() as session:
        assert api.table_counts(session)["articles"] == 0
    assert report.new == 0
    db.close()


def test_a_site_whose_profile_is_gone_stops_with_one_line_naming_it(archived, tmp_path):
    gone = str(tmp_path / "gone.toml")
    with archived.session() as session:
        api.record_site_profile(session, "demo", gone)
    with pytest.raises(ProfileError, match=f"^no site profile file {gone}$"):
        reparse(archived)
    with archived.session() as session:
        assert api.table_counts(session)["articles"] == 0  # nothing was parsed with a guess
    url = archived.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["reparse", "--db", url])
    assert result.exit_code == 1 and result.output.strip() == f"Error: no site profile file {gone}"


def test_pages_of_a_site_without_a_profile_get_generic_extraction(db):
    archive(db, SEED)
    with db.session() as session:
        api.record_site_profile(session, "demo", None)
    assert reparse(db).new == 1
    with db.session() as session:
        layers = session.scalar(select(m.Article.layers))
    assert "profile" not in layers.values()


def test_reparse_records_the_profile_content_it_used(archived):
    reparse(archived)
    with archived.session() as session:
        site = session.scalar(select(m.Site).where(m.Site.name == "demo"))
        assert (site.profile, site.profile_hash) == ("demo", load_profile("demo").content_hash)


def test_steps_switched_off_are_honoured(archived):
    report = reparse(archived, steps=Steps(quotes=False, related=False))
    assert report.new == ARTICLES
    with archived.session() as session:
        assert api.table_counts(session)["quotes"] == api.table_counts(session)["related_links"] == 0
    report = reparse(archived)  # switched on again: the same pages gain their quotes and links
    assert report.changed == ARTICLES - report.unchanged and report.changed > 0
    with archived.session() as session:
        assert api.table_counts(session)["quotes"] > 0 and api.table_counts(session)["related_links"] > 0


def test_hashes_of_an_older_scheme_are_not_changes(archived):
    reparse(archived)
    with archived.session() as session:
        session.execute(update(m.Article).values(content_hash="an older scheme's hash"))
    dry = reparse(archived, dry_run=True)
    assert (dry.changed, dry.unchanged, dry.would_change) == (0, ARTICLES, [])
    report = reparse(archived)
    assert (report.changed, report.unchanged) == (0, ARTICLES)
    with archived.session() as session:
        assert session.scalar(select(func.count(m.ArticleVersion.id))) == 0  # no version of nothing
        assert "an older scheme's hash" not in set(session.scalars(select(m.Article.content_hash)))
