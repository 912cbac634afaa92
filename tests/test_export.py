"""`newsdb export` on SQLite and PostgreSQL: every field of the `newsdb parse` contract
in JSON lines, JSON and CSV (nested fields as JSON columns, an optional BOM for
spreadsheets), datetimes in ISO 8601 with their offset."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from core.items import Article, Image, Quote, RelatedLink
from newsdb.cli import cli
from storage import api, open_db
from storage.db import open_database

ALMATY = timezone(timedelta(hours=5))

ARTICLE = Article(
    url="https://www.caravan.kz/news/tokaev-vstretilsya-s-akimami-oblastey-1145321/",
    canonical_url="https://www.caravan.kz/news/tokaev-vstretilsya-s-akimami-oblastey-1145321/",
    title="Токаев встретился с акимами областей",
    lead="Глава государства провел совещание с акимами, передает Caravan.kz со ссылкой на Акорду.",
    published_at=datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY),
    modified_at=datetime(2025, 12, 20, 11, 40, tzinfo=ALMATY),
    authors=["Айгерим Сапарова", "Ерлан Жумабаев"],
    source="Акорду",
    source_base="Акорда",
    body=[
        "Глава государства провел совещание с акимами, передает Caravan.kz со ссылкой на Акорду.",
        "— Уверен, что отопительный сезон пройдет без сбоев, — убежден глава государства.",
    ],
    quotes=[Quote(text="Уверен, что отопительный сезон пройдет без сбоев", speaker="глава государства",
                  speaker_canonical="Касым-Жомарт Токаев", paragraph=1, start=2, end=51, style="B",
                  verb="убежден", verb_lemma="убедить")],
    related=[RelatedLink(title="Тарифы на тепло вырастут с января", url="https://www.caravan.kz/news/tarify-1145300/",
                         tag="Экономика")],
    tags=["Политика", "Акимы"],
    images=[Image(url="https://www.caravan.kz/wp-content/uploads/2025/12/akorda.jpg", caption="Фото: Акорда"),
            Image(url="https://www.caravan.kz/wp-content/uploads/2025/12/zal.jpg", caption=None)],
    parser_version="test",
    layers={"title": "profile", "body": "profile"},
    external_id="1145321",
    site="caravan",
)
UNDATED = Article(url="https://demo.example/news/2/", title="Без даты", body=["Текст новости без даты."],
                  parser_version="test", external_id="2", site="demo")


@pytest.fixture
def export_url(db_url):
    db = open_database(db_url)
    try:
        with db.session() as session:
            ids = [api.upsert_article(session, a)[0] for a in (ARTICLE, UNDATED)]
    finally:
        db.close()
    return db_url, ids


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


EXPECTED_JSON = {
    "site": "caravan",
    "url": "https://www.caravan.kz/news/tokaev-vstretilsya-s-akimami-oblastey-1145321/",
    "canonical_url": "https://www.caravan.kz/news/tokaev-vstretilsya-s-akimami-oblastey-1145321/",
    "is_article": True,
    "title": "Токаев встретился с акимами областей",
    "lead": "Глава государства провел совещание с акимами, передает Caravan.kz со ссылкой на Акорду.",
    "published_at": "2025-12-20T05:15:00+00:00",
    "modified_at": "2025-12-20T06:40:00+00:00",
    "authors": ["Айгерим Сапарова", "Ерлан Жумабаев"],
    "source": "Акорду",
    "source_base": "Акорда",
    "body": [
        "Глава государства провел совещание с акимами, передает Caravan.kz со ссылкой на Акорду.",
        "— Уверен, что отопительный сезон пройдет без сбоев, — убежден глава государства.",
    ],
    "quotes": [{"text": "Уверен, что отопительный сезон пройдет без сбоев", "speaker": "глава государства",
                "speaker_canonical": "Касым-Жомарт Токаев", "paragraph": 1, "start": 2, "end": 51, "style": "B",
                "verb": "убежден"}],
    "related": [{"tag": "Экономика", "title": "Тарифы на тепло вырастут с января",
                 "url": "https://www.caravan.kz/news/tarify-1145300/"}],
    "tags": ["Политика", "Акимы"],
    "images": [{"url": "https://www.caravan.kz/wp-content/uploads/2025/12/akorda.jpg", "caption": "Фото: Акорда"},
               {"url": "https://www.caravan.kz/wp-content/uploads/2025/12/zal.jpg", "caption": None}],
    "language": "ru",
    "extraction": {"parser_version": "test", "layers": {"title": "profile", "body": "profile"}},
}


def test_jsonl_holds_every_contract_field_images_included(export_url):
    url, ids = export_url
    out = run("export", "--db", url)
    assert out.exit_code == 0, out.output
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first == {"id": ids[0], **EXPECTED_JSON}
    assert (second["published_at"], second["images"], second["authors"]) == (None, [], [])
    assert "Айгерим" in out.stdout and "\\u" not in out.stdout  # readable UTF-8


def test_json_is_one_array_of_the_same_records(export_url):
    url, ids = export_url
    jsonl = [json.loads(line) for line in run("export", "--db", url).stdout.splitlines()]
    out = run("export", "--db", url, "--format", "json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == jsonl
    empty = run("export", "--db", url, "--format", "json", "--since", "2030-01-01")
    assert json.loads(empty.stdout) == [] and "exported 0 articles" in empty.stderr


def test_csv_nested_fields_are_json_columns_and_bom_is_optional(export_url, tmp_path):
    url, ids = export_url
    plain = run("export", "--db", url, "--format", "csv")
    assert plain.exit_code == 0, plain.output
    assert not plain.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(plain.stdout)))
    row = rows[0]
    assert row["id"] == str(ids[0]) and row["site"] == "caravan"
    assert row["published_at"] == "2025-12-20T05:15:00+00:00" and row["modified_at"] == "2025-12-20T06:40:00+00:00"
    assert row["authors"] == '["Айгерим Сапарова","Ерлан Жумабаев"]'
    assert row["tags"] == '["Политика","Акимы"]'
    assert json.loads(row["quotes"]) == EXPECTED_JSON["quotes"]
    assert json.loads(row["related"]) == EXPECTED_JSON["related"]
    assert row["images"] == ('[{"url":"https://www.caravan.kz/wp-content/uploads/2025/12/akorda.jpg",'
                             '"caption":"Фото: Акорда"},{"url":"https://www.caravan.kz/wp-content/uploads/2025/12/'
                             'zal.jpg","caption":null}]')
    assert row["body"] == "\n\n".join(EXPECTED_JSON["body"])
    assert row["source"] == "Акорду" and row["source_base"] == "Акорда"
    assert row["is_article"] == "True" and row["language"] == "ru"
    assert json.loads(row["extraction"]) == EXPECTED_JSON["extraction"]
    assert rows[1]["published_at"] == "" and rows[1]["images"] == "[]"
    # every contract key is a column
    assert set(EXPECTED_JSON) | {"id"} <= set(rows[0])

    target = tmp_path / "sheet.csv"
    assert run("export", "--db", url, "--format", "csv", "--bom", "-o", target).exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,site,url,")
    assert list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))) == rows


def test_bom_is_for_csv_only(export_url):
    url, _ = export_url
    out = run("export", "--db", url, "--bom")
    assert out.exit_code == 2 and "--bom is for --format csv" in out.output


def test_json_columns_are_stored_readable(export_url):
    url, ids = export_url
    with open_database(url) as db, db.session() as session:
        stored = session.execute(text("SELECT CAST(authors AS TEXT) FROM articles WHERE id = :id"),
                                 {"id": ids[0]}).scalar_one()
    assert "Айгерим Сапарова" in stored and "\\u" not in stored


def test_python_export_matches_the_contract(export_url):
    url, ids = export_url
    with open_db(url) as db:
        records = list(db.export(site="caravan"))
    assert records == [{"id": ids[0], **EXPECTED_JSON}]


@pytest.mark.parametrize("command", [
    ("search", "акимами"), ("quotes",), ("show", "https://caravan.kz/?p=1145321"), ("stats",),
])
def test_every_datetime_printed_is_iso_8601_with_offset(export_url, command):
    url, _ = export_url
    for fmt in ("json", "table", "text", "csv"):
        out = run(*command, "--db", url, "--format", fmt)
        if out.exit_code == 2 and "Invalid value for '--format'" in out.output:
            continue  # the command has no such format
        assert out.exit_code == 0, (fmt, out.output)
        assert "2025-12-20 05:15" not in out.stdout and "UTC)" not in out.stdout
        if fmt in ("json", "csv", "text") and command[0] != "stats":
            assert "2025-12-20T05:15:00+00:00" in out.stdout, (command, fmt, out.stdout)


def test_show_prints_the_source_and_its_base_form(export_url):
    url, ids = export_url
    shown = run("show", "https://www.caravan.kz/?p=1145321", "--db", url)
    assert shown.exit_code == 0, shown.output
    assert "source: Акорду (Акорда)" in shown.stdout
    record = json.loads(run("show", ids[0], "--db", url, "--format", "json").stdout)
    assert (record["source"], record["source_base"]) == ("Акорду", "Акорда")


def _sources(db_url: str) -> None:
    """Four more caravan articles: Акорда written three ways, a ministry twice."""
    from dataclasses import replace

    db = open_database(db_url)
    try:
        with db.session() as session:
            for number, (source, base, day) in enumerate([
                ("Акорды", "Акорда", 21), ("Акорда", "Акорда", 22),
                ("пресс-службу Минздрава", "пресс-служба Минздрава", 22),
                ("пресс-службе Минздрава", "пресс-служба Минздрава", 23),
            ], start=1145400):
                api.upsert_article(session, replace(
                    ARTICLE, url=f"https://www.caravan.kz/news/n-{number}/", canonical_url=None,
                    external_id=str(number), source=source, source_base=base,
                    published_at=datetime(2025, 12, day, 9, 0, tzinfo=ALMATY)))
    finally:
        db.close()


def test_stats_by_source_groups_the_written_forms(export_url):
    url, _ = export_url
    _sources(url)
    out = run("stats", "--by", "source", "--db", url)
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == [
        "3  Акорда  (as written: Акорду 1, Акорды 1)",
        "2  пресс-служба Минздрава  (as written: пресс-службе Минздрава 1, пресс-службу Минздрава 1)",
        "1  (no source)",
    ]
    data = json.loads(run("stats", "--by", "source", "--site", "caravan", "--format", "json", "--db", url).stdout)
    assert data == [
        {"source": "Акорда", "articles": 3, "written": {"Акорда": 1, "Акорду": 1, "Акорды": 1}},
        {"source": "пресс-служба Минздрава", "articles": 2,
         "written": {"пресс-службе Минздрава": 1, "пресс-службу Минздрава": 1}},
    ]
    since = run("stats", "--by", "source", "--since", "2025-12-22", "--db", url, "--format", "json")
    assert [(s["source"], s["articles"]) for s in json.loads(since.stdout)] == [
        ("пресс-служба Минздрава", 2), ("Акорда", 1)]
    with open_db(url) as db:
        assert [(s.source, s.articles) for s in db.sources(site="caravan", until="2025-12-21")] == [("Акорда", 2)]


def test_stats_takes_a_site_and_refuses_an_unknown_one(export_url):
    url, _ = export_url
    one = json.loads(run("stats", "--site", "demo", "--format", "json", "--db", url).stdout)
    assert [s["site"] for s in one["sites"]] == ["demo"]
    for args in (("stats", "--site", "nosuch"), ("stats", "--by", "source", "--site", "nosuch")):
        out = run(*args, "--db", url)
        assert out.exit_code == 2 and out.stdout == ""
        assert out.stderr.strip().splitlines()[-1] == (
            "Error: Invalid value for '--site': no site named 'nosuch' in the database (known: caravan, demo)")
    dated = run("stats", "--since", "7d", "--db", url)
    assert dated.exit_code == 2 and "--since and --until go with --by source" in dated.output
