"""WARC in and out: export the archive, import it into a fresh database, get the same rows."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.profiles import ProfileError, load_profile
from newsdb.reparse import reparse
from newsdb.warc import export_warc, import_warc
from storage import models as m
from storage.db import open_database
from test_reparse import AMP, BASE, FETCHED, NEWS, SEED, archive

DEMO_TOML = Path(__file__).resolve().parent.parent / "seeds" / "sites" / "demo.toml"


def snapshot(db) -> tuple[list, list]:
    with db.session() as session:
        pages = session.execute(
            select(m.Page.url, m.Page.status, m.Page.headers, m.Page.fetched_at, m.Page.content_hash,
                   m.Page.body_size, m.Site.name).join(m.Site).order_by(m.Page.url, m.Page.fetched_at)
        ).all()
        articles = session.execute(
            select(m.Article.key, m.Article.url, m.Article.content_hash).order_by(m.Article.key)
        ).all()
    return [tuple(p) for p in pages], [tuple(a) for a in articles]


def test_export_then_import_gives_the_same_pages_and_articles(db, tmp_path):
    for path in NEWS + AMP:
        archive(db, path)
    archive(db, SEED, body=SEED.read_bytes().replace(b"</h1>", b" 2</h1>", 1), fetched_at=FETCHED + timedelta(hours=1))
    reparse(db)
    out = tmp_path / "demo.warc.gz"
    assert export_warc(db, out, site="demo") == len(NEWS) + len(AMP) + 1

    with open_database(f"sqlite:///{tmp_path / 'copy.sqlite'}") as copy:
        report, parsed = import_warc(copy, [out])  # the site comes back from the host's profile
        assert (report.pages_new, report.skipped) == (len(NEWS) + len(AMP) + 1, 1)  # 1: warcinfo
        assert parsed.failed == 0
        assert snapshot(copy) == snapshot(db)
        again, parsed_again = import_warc(copy, [out])
        assert (again.pages_new, again.pages_known, parsed_again.changed, parsed_again.new) == (0, len(NEWS) + len(AMP) + 1, 0, 0)


def write_warc(path, records):
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for uri, kind, status, headers, body in records:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1") if status else None
            writer.write_record(writer.create_warc_record(
                uri, kind, payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-12-20T05:15:00Z"}))


def test_import_takes_html_responses_only_and_decodes_them(db, tmp_path):
    html = SEED.read_bytes()
    url = f"{BASE}/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/"
    warc = tmp_path / "mixed.warc.gz"
    write_warc(warc, [
        (url, "request", None, [], b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        (f"{BASE}/logo.png", "response", "200 OK", [("Content-Type", "image/png")], b"\x89PNG...."),
        (url, "response", "200 OK",
         [("Content-Type", "text/html; charset=UTF-8"), ("Content-Encoding", "gzip")], gzip.compress(html)),
    ])
    report, parsed = import_warc(db, [warc], site="caravan")
    assert (report.records, report.pages_new, report.skipped) == (3, 1, 2)
    assert (parsed.new, parsed.failed) == (1, 0)
    with db.session() as session:
        page = session.scalar(select(m.Page))
        assert page.site.name == "caravan" and page.body_size == len(html)
        assert page.headers == {"Content-Type": "text/html; charset=UTF-8"}  # the body is stored decoded
        assert page.fetched_at.isoformat() == "2025-12-20T05:15:00+00:00"
        assert session.scalar(select(m.Article.title)).startswith("Токаев")


def test_a_file_that_is_not_warc_is_one_line(tmp_path):
    notes = tmp_path / "notes.warc"
    notes.write_text("это не WARC\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newsdb", "import-warc", str(notes), "--db", f"sqlite:///{tmp_path}/x.sqlite"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: {notes}: not a WARC file (Unknown archive format, first line: ['это', 'не', 'WARC'])"]


def test_import_records_the_profile_re_parse_will_resolve(db, tmp_path):
    html = SEED.read_bytes()
    url = f"{BASE}/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/"
    other = "https://www.example.kz/news/2025/12/20/something/"
    warc = tmp_path / "two.warc.gz"
    write_warc(warc, [
        (url, "response", "200 OK", [("Content-Type", "text/html")], html),
        (other, "response", "200 OK", [("Content-Type", "text/html")], html),
    ])
    import_warc(db, [warc])
    with db.session() as session:
        sites = {s.name: (s.profile, s.profile_hash) for s in session.scalars(select(m.Site))}
        layers = dict(session.execute(select(m.Site.name, m.Article.layers).join(m.Site)).all())
    assert sites == {"demo": ("demo", load_profile("demo").content_hash), "www.example.kz": (None, None)}
    assert layers["demo"]["body"] == "profile" and layers["www.example.kz"]["body"] != "profile"


def test_import_under_a_profile_file_and_a_missing_one(db, tmp_path):
    profile = tmp_path / "mine.toml"
    profile.write_text(DEMO_TOML.read_text(encoding="utf-8").replace('name = "demo"', 'name = "mine"', 1),
                       encoding="utf-8")
    url = f"{BASE}/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/"
    warc = tmp_path / "one.warc.gz"
    write_warc(warc, [(url, "response", "200 OK", [("Content-Type", "text/html")], SEED.read_bytes())])
    with pytest.raises(ProfileError, match="no site profile file"):
        import_warc(db, [warc], site=str(tmp_path / "missing.toml"))
    with db.session() as session:
        assert session.scalar(select(m.Page.id)) is None  # refused before anything was archived
    _, parsed = import_warc(db, [warc], site=str(profile))
    assert parsed.new == 1
    with db.session() as session:
        site = session.scalar(select(m.Site))
        assert (site.name, site.profile) == ("mine", str(profile.resolve()))
        assert session.scalar(select(m.Article.layers))["body"] == "profile"


def test_records_no_crawl_could_have_fetched_are_skipped_not_a_crash(db, tmp_path):
    """A WARC from elsewhere may hold a target URI with a NUL, or one urllib cannot parse."""
    html = SEED.read_bytes()
    warc = tmp_path / "odd.warc.gz"
    write_warc(warc, [
        (f"{BASE}/news/a\x00b/", "response", "200 OK", [("Content-Type", "text/html")], html),
        ("http://[::1/news/x/", "response", "200 OK", [("Content-Type", "text/html")], html),
    ])
    report, _ = import_warc(db, [warc])
    assert (report.records, report.skipped, report.pages_new) == (2, 1, 1)
    with db.session() as session:
        assert session.scalars(select(m.Site.name)).all() == ["unknown"]  # a host nobody can name
        assert "\x00" not in "".join(session.scalars(select(m.Page.url)))
