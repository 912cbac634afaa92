"""`newsdb quotes` and storage.quotes.find_quotes on SQLite and PostgreSQL.

Articles are hand-written Russian news, run through the real quote extraction and
stored with storage.api.upsert_article, so the rows look like a crawl's.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from core.items import Article
from newsdb.cli import cli
from core.normalize import normalize_paragraphs
from pipelines.quotes import extract_quotes
from storage import api
from storage.db import open_database
from storage.quotes import count_quotes, find_quotes, speaker_matches

ALMATY = timezone(timedelta(hours=5))


def _article(site: str, slug: str, published: datetime | None, title: str, body: list[str]) -> Article:
    body = normalize_paragraphs(body)  # as the pipeline stores it: "Сaravan.kz" -> "Caravan.kz"
    return Article(
        url=f"https://{site}.example/news/{slug}/", canonical_url=None, is_article=True, title=title,
        lead=body[0], published_at=published, modified_at=None, authors=[], source=None, body=body,
        quotes=extract_quotes(body), related=[], tags=[], images=[], language="ru",
        parser_version="test", layers={}, site=site,
    )


ARTICLES = [
    _article("caravan", "tokaev-vybory", datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY), "Токаев о выборах акимов", [
        "Президент Касым-Жомарт Токаев провел совещание в Акорде.",
        "— Выборы акимов проводятся в интересах жителей сел, — заявил глава государства.",
        "«Конкуренция партий укрепит государство», — подчеркнул Токаев.",
    ]),
    _article("caravan", "tarify", datetime(2025, 12, 5, 9, 0, tzinfo=UTC), "Тарифы на тепло", [
        "Министр энергетики Алмас Садыков выступил в мажилисе.",
        "\"Тарифы на тепло не вырастут до весны\", - сказал Алмас Садыков.",
        "По словам вице-министра, «поручение президента будет выполнено в срок».",
    ]),
    _article("tengri", "sammit", datetime(2025, 11, 28, 12, 0, tzinfo=UTC), "Саммит в Астане", [
        "В Астане прошел саммит глав государств Центральной Азии.",
        "Касым-Жомарт Токаев заявил: «Водные вопросы мы будем решать только сообща».",
        "Эксперт Руслан Токарев считает иначе.",
        "«Без новых водохранилищ договоренности останутся на бумаге», — сказал Токарев.",
    ]),
    _article("tengri", "bez-daty", None, "Заметка без даты", [
        "— Сайт Сaravan.kz пишет об этом каждый день, — сказала редактор Айгерим Сапарова.",
    ]),
]


@pytest.fixture
def stored(db_url):
    database = open_database(db_url)
    with database.session() as session:
        for article in ARTICLES:
            api.upsert_article(session, article)
    yield database
    database.close()


def speakers(rows):
    return [(r.speaker_canonical, r.site) for r in rows]


def test_speaker_in_any_case_form(stored):
    with stored.session() as session:
        for form in ("Токаев", "Токаева", "Токаеву", "токаевым", "Касым-Жомарт Токаев", "Касым-Жомарта Токаева"):
            rows = find_quotes(session, speaker=form)
            assert speakers(rows) == [("Касым-Жомарт Токаев", "caravan")] * 2 + [("Касым-Жомарт Токаев", "tengri")], form
        # Токарев is another man, and a role matches its written form
        assert speakers(find_quotes(session, speaker="Токарева")) == [("Руслан Токарев", "tengri")]
        assert [r.speaker for r in find_quotes(session, speaker="главы государства")] == ["глава государства"]
        assert find_quotes(session, speaker="Назарбаев") == []


def test_rows_carry_the_article(stored):
    with stored.session() as session:
        row = find_quotes(session, speaker="Садыков")[0]
    assert (row.text, row.speaker, row.verb, row.style, row.title, row.url, row.site, row.paragraph) == (
        "Тарифы на тепло не вырастут до весны", "Алмас Садыков", "сказал", "C", "Тарифы на тепло",
        "https://caravan.example/news/tarify/", "caravan", 1)
    assert row.published_at == datetime(2025, 12, 5, 9, 0, tzinfo=UTC)


def test_site_dates_contains_limit(stored):
    with stored.session() as session:
        assert {r.site for r in find_quotes(session, site="tengri")} == {"tengri"}
        december = find_quotes(session, since=date(2025, 12, 1))
        assert {r.title for r in december} == {"Токаев о выборах акимов", "Тарифы на тепло"}
        # until is inclusive of the whole day; articles without a date drop out of date filters
        assert {r.title for r in find_quotes(session, until=date(2025, 11, 28))} == {"Саммит в Астане"}
        assert find_quotes(session, since=datetime(2025, 12, 20, 5, 16, tzinfo=UTC)) == []
        assert [r.title for r in find_quotes(session, contains="ВОДНЫЕ вопросы")] == ["Саммит в Астане"]
        assert [r.speaker for r in find_quotes(session, contains="сайт Сaravan.KZ")] == ["редактор Айгерим Сапарова"]
        newest = find_quotes(session, limit=2)
        assert [r.title for r in newest] == ["Токаев о выборах акимов"] * 2
        assert find_quotes(session)[-1].published_at is None  # undated last


def test_speaker_matches_up_to_inflection():
    assert speaker_matches("Ажар Гиният", "министра здравоохранения Ажар Гиният")
    assert speaker_matches("Ольгу", None, "Ольга Ахметова")
    assert not speaker_matches("Токаев", "Токарев", "Руслан Токарев")


def _run(db_url, *args):
    return CliRunner().invoke(cli, ["quotes", *args, "--db", db_url])


def test_cli_formats(stored, db_url):
    table = _run(db_url, "--speaker", "Токаеву", "--site", "caravan")
    assert table.exit_code == 0, table.output
    assert "2025-12-20  caravan  Касым-Жомарт Токаев (глава государства): «Выборы акимов" in table.output
    data = json.loads(_run(db_url, "--speaker", "Токаев", "--format", "json", "--limit", "1").output)
    assert [(d["speaker"], d["published_at"][:10]) for d in data] == [("глава государства", "2025-12-20")]
    rows = list(csv.DictReader(io.StringIO(_run(db_url, "--contains", "тепло", "--format", "csv").output)))
    assert [(r["speaker"], r["style"], r["site"]) for r in rows] == [("Алмас Садыков", "C", "caravan")]
    assert "no quotes match" in _run(db_url, "--speaker", "Назарбаев").output


@pytest.mark.parametrize("option, value", [("--since", "2025-13-01"), ("--until", "позавчера")])
def test_cli_bad_date_is_a_usage_error(db_url, option, value):
    """The one date type of every command: exit 2, click's usage hint, then one error line."""
    result = _run(db_url, option, value)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("Usage:") and lines[1].startswith("Try ") and len(lines) == 3
    assert option in lines[2] and "is not a date" in lines[2]


def test_cli_dates_are_utc_unless_they_have_an_offset(stored, db_url):
    # Токаев's article is 2025-12-20T10:15+05:00 = 05:15 UTC
    def titles(*args):
        return {row["title"] for row in json.loads(_run(db_url, "--format", "json", *args).output)}

    assert titles("--since", "2025-12-20T05:15") == {"Токаев о выборах акимов"}
    assert titles("--since", "2025-12-20T05:16") == set()
    assert titles("--since", "2025-12-20T10:16+05:00") == set()
    assert titles("--until", "2025-12-05") == {"Тарифы на тепло", "Саммит в Астане"}  # the whole day


def test_counts_and_pages(stored):
    with stored.session() as session:
        # Токаев: two quotes on caravan (Dec 20), one on tengri (Nov 28); decided in Python
        assert count_quotes(session, speaker="Токаев") == 3
        assert [r.text[:6] for r in find_quotes(session, speaker="Токаев", limit=1, offset=1)] == ["Конкур"]
        assert [r.site for r in find_quotes(session, speaker="Токаев", offset=2)] == ["tengri"]
        assert find_quotes(session, speaker="Токаев", offset=3) == []
        # tengri: Токаев, Токарев, then the undated note; decided by SQL alone
        assert count_quotes(session, site="tengri") == 3
        assert [r.speaker for r in find_quotes(session, site="tengri", limit=1, offset=2)] == ["редактор Айгерим Сапарова"]
        assert count_quotes(session, speaker="Назарбаев") == 0


def test_cli_says_how_many_matched_and_how_to_see_the_rest(stored, db_url):
    first = _run(db_url, "--speaker", "Токаев", "--limit", "2")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == "2 of 3 quotes; next: --limit 2 --page 2, all: --all"
    odd = _run(db_url, "--speaker", "Токаев", "--limit", "1", "--offset", "1")  # offset 1 of pages of 1: the next is page 3
    assert odd.stdout.splitlines()[-1] == "quote 2 of 3; next: --limit 1 --page 3, all: --all"
    last = _run(db_url, "--speaker", "Токаев", "--limit", "2", "--page", "2")
    assert "«Водные вопросы" in last.stdout and "Выборы акимов" not in last.stdout
    assert last.stdout.splitlines()[-1] == "quote 3 of 3"
    assert _run(db_url, "--speaker", "Токаев").stdout.splitlines()[-1] == "3 of 3 quotes"
    data = json.loads(_run(db_url, "--speaker", "Токаев", "--limit", "1", "--page", "3", "--format", "json").stdout)
    assert [(d["site"], d["position"], d["total"]) for d in data] == [("tengri", 3, 3)]
    rows = list(csv.DictReader(io.StringIO(_run(db_url, "--site", "tengri", "--offset", "1", "--format", "csv").stdout)))
    assert [(r["speaker"], r["position"], r["total"]) for r in rows] == [
        ("Токарев", "2", "3"), ("редактор Айгерим Сапарова", "3", "3")]


def test_cli_shows_fifty_quotes_unless_told(db_url):
    body = [f"«Это заявление номер {n} о бюджете», — сказал министр финансов Иван Петров." for n in range(1, 56)]
    database = open_database(db_url)
    with database.session() as session:
        api.upsert_article(session, _article("kz", "many", datetime(2025, 12, 1, tzinfo=UTC), "Много цитат", body))
    database.close()
    default = _run(db_url, "--site", "kz")
    assert default.stdout.count("«Это заявление номер") == 50
    assert default.stdout.splitlines()[-1] == "50 of 55 quotes; next: --page 2, all: --all"
    assert _run(db_url, "--site", "kz", "--all").stdout.count("«Это заявление номер") == 55
    assert _run(db_url, "--site", "kz", "--page", "2").stdout.splitlines()[-1] == "quotes 51-55 of 55"
    # off a page boundary the hint is an offset, with the --limit it needs
    assert _run(db_url, "--site", "kz", "--limit", "20", "--offset", "3").stdout.splitlines()[-1] == \
        "quotes 4-23 of 55; next: --limit 20 --offset 23, all: --all"
    assert _run(db_url, "--site", "kz", "--offset", "3").stdout.splitlines()[-1] == \
        "quotes 4-53 of 55; next: --offset 53, all: --all"
