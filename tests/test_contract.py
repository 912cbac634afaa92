"""One contract: what `newsdb parse` prints is what export, CSV, history and the hash are made of.

An article of the demo site goes through the real `newsdb parse` command and
through the one parse into the database (SQLite and PostgreSQL); what comes
back out must hold every key the command printed, at every depth.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.items import Article, Page
from core.profiles import load_profile
from pipelines.parse import parse_page
from storage import api, history, query
from storage import models as m
from storage.articles import stored_articles

ROOT = Path(__file__).resolve().parent.parent
SLUG = "tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321"  # quotes, related links and an image
PAGE = ROOT / "seeds" / "demo" / "news" / SLUG / "index.html"
URL = f"http://127.0.0.1:8089/news/{SLUG}/"


@pytest.fixture(scope="module")
def printed() -> dict:
    """What `newsdb parse` prints for the page."""
    done = subprocess.run(
        [sys.executable, "-m", "newsdb", "parse", str(PAGE), "--url", URL, "--site", "demo"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def parsed() -> Article:
    """The same page through the one parse, as the crawl stores it."""
    page = Page(url=URL, body=PAGE.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"},
                fetched_at=datetime(2025, 12, 20, 6, 0, tzinfo=UTC), site="demo")
    outcome = parse_page(page, load_profile("demo"))
    assert outcome.kind == "article", outcome.error
    return outcome.article


@pytest.fixture
def stored(db, parsed) -> dict:
    """The parsed article stored, then exported: its one export record."""
    with db.session() as session:
        article_id, outcome = api.upsert_article(session, parsed)
        assert outcome == "new"
    with db.session() as session:
        (record,) = query.iter_export(session)
    assert record["id"] == article_id
    return record


def key_paths(value, prefix: str = "") -> set[str]:
    """Every key at every depth: "quotes[].speaker", "extraction.layers.title", …"""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths |= {prefix + key} | key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, prefix.removesuffix(".") + "[].")
    return paths


def utc(record: dict) -> dict:
    """The record with its datetimes as UTC instants, as the database keeps them."""
    return {
        key: datetime.fromisoformat(value).astimezone(UTC).isoformat()
        if key.endswith("_at") and value else value
        for key, value in record.items()
    }


def test_parse_prints_the_contract_of_the_one_parse(printed, parsed):
    assert printed == parsed.to_json()
    assert printed["quotes"] and printed["related"] and printed["images"]  # nested keys to check
    # the source as the lead wrote it ("со ссылкой на Акорду"), and its base form beside it
    assert (printed["source"], printed["source_base"]) == ("Акорду", "Акорда")
    assert list(printed)[list(printed).index("source") + 1] == "source_base"
    assert list(printed) == list(Article(url="").to_json())  # the same keys for every article


def test_export_holds_every_key_newsdb_parse_prints(printed, stored):
    missing = key_paths(printed) - key_paths(stored)
    assert not missing
    assert {"images", "images[].url", "images[].caption", "quotes[].verb", "related[].tag"} <= key_paths(stored)
    # Not only the keys: the values, datetimes printed as stored (UTC).
    assert {key: value for key, value in stored.items() if key not in ("id", "site")} == utc(printed)
    assert stored["site"] == "demo" and stored["published_at"].endswith("+00:00")
    assert list(stored) == list(query.EXPORT_KEYS)


def test_csv_has_a_column_for_every_export_key(stored):
    assert sorted(query.CSV_COLUMNS) == sorted(stored)  # each key once, none made up
    assert query.CSV_COLUMNS[:14] == (  # the columns CSV had before, in their order
        "id", "site", "url", "canonical_url", "title", "lead", "published_at", "modified_at",
        "authors", "source", "tags", "quotes", "related", "body",
    )
    assert "source_base" in query.CSV_COLUMNS[14:]  # new columns come after the old ones
    row = dict(zip(query.CSV_COLUMNS, query.csv_row(stored), strict=True))
    assert row["body"] == "\n\n".join(stored["body"])
    # nested fields are JSON columns that read back as exported, in readable UTF-8
    for key in ("authors", "tags", "quotes", "related", "images", "extraction"):
        assert json.loads(row[key]) == stored[key], key
        assert row[key] == json.dumps(stored[key], ensure_ascii=False, separators=(",", ":")), key
    assert len(json.loads(row["images"])) == 1 and "\\u" not in row["quotes"]
    assert (row["source"], row["source_base"]) == ("Акорду", "Акорда")
    assert row["is_article"] is True and row["language"] == "ru"
    empty = {"id": 1, "site": "demo", **Article(url="https://demo.example/x/").to_json()}
    flat = dict(zip(query.CSV_COLUMNS, query.csv_row(empty), strict=True))
    assert (flat["quotes"], flat["images"], flat["tags"], flat["body"], flat["source_base"]) == ("[]", "[]", "[]", "", None)


def test_history_and_hash_are_equal_for_a_fresh_article_and_its_stored_row(db, parsed, stored):
    with db.session() as session:
        row = session.get(m.Article, stored["id"])
        assert history.row_fields(row) == history.item_fields(parsed)
        (again,) = stored_articles(session, [row.id])
        assert row.content_hash == api.article_content_hash(parsed) == api.article_content_hash(again)
        assert api.upsert_article(session, parsed) == (row.id, "unchanged")
        assert session.scalar(select(func.count(m.ArticleVersion.id))) == 0
