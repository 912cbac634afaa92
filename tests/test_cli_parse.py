"""`newsdb parse`: the JSON contract of DESIGN.md, and one-line errors on bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsdb.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = next((ROOT / "seeds" / "demo" / "news").glob("*-1145321")) / "index.html"
SEED_URL = f"http://127.0.0.1:8089/news/{SEED_PAGE.parent.name}/"

NULLABLE_STR = (str, type(None))
CONTRACT = {
    "url": str, "canonical_url": NULLABLE_STR, "is_article": bool, "title": str, "lead": NULLABLE_STR,
    "published_at": NULLABLE_STR, "modified_at": NULLABLE_STR, "authors": list, "source": NULLABLE_STR,
    "body": list, "quotes": list, "related": list, "tags": list, "images": list, "language": str,
    "extraction": dict,
}


def parse(*args: str):
    return CliRunner().invoke(cli, ["parse", *args])


@pytest.mark.parametrize("site", [["--site", "demo"], []], ids=["profile", "generic"])
def test_parse_prints_the_contract(site):
    result = parse(str(SEED_PAGE), "--url", SEED_URL, *site)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(CONTRACT) <= set(data)
    for key, kind in CONTRACT.items():
        assert isinstance(data[key], kind), key
    for key in ("published_at", "modified_at"):
        if data[key]:
            assert datetime.fromisoformat(data[key]).tzinfo is not None, key
    assert data["url"] == SEED_URL and data["is_article"] is True
    assert all(isinstance(p, str) and p for p in data["body"])
    for quote in data["quotes"]:
        assert isinstance(quote["text"], str) and isinstance(quote["paragraph"], int)
        assert isinstance(quote["speaker"], NULLABLE_STR) and isinstance(quote["speaker_canonical"], NULLABLE_STR)
    for link in data["related"]:
        assert set(link) == {"tag", "title", "url"} and link["url"].startswith("http://127.0.0.1:8089/")
    for image in data["images"]:
        assert set(image) == {"url", "caption"}
    assert all(isinstance(t, str) for t in data["tags"] + data["authors"])
    assert isinstance(data["extraction"]["parser_version"], str)
    assert set(data["extraction"]["layers"].values()) <= {"profile", "metadata", "generic"}
    assert data["extraction"]["layers"]["body"] == ("profile" if site else "generic")
    assert data["source"] == "Акорду"
    assert len(data["related"]) == 17 and len(data["quotes"]) == 2


def test_parse_reads_stdin():
    result = CliRunner().invoke(cli, ["parse", "-", "--url", SEED_URL, "--compact"], input=SEED_PAGE.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["title"].startswith("Токаев")


def test_parse_a_non_article_page():
    rubric = ROOT / "seeds" / "demo" / "rubric" / "politika" / "index.html"
    data = json.loads(parse(str(rubric), "--url", "http://127.0.0.1:8089/rubric/politika/", "--site", "demo").output)
    assert data["is_article"] is False and data["body"] == [] and data["quotes"] == []


def test_parse_windows_1251_page_without_a_declared_charset(tmp_path):
    page = tmp_path / "old.html"
    text = "<html><body><h1>Старый сайт без кодировки</h1><div class='text'>" + (
        "<p>В Караганде прошло совещание по отопительному сезону, сообщили в акимате города.</p>" * 5
    ) + "</div></body></html>"
    page.write_bytes(text.encode("cp1251"))
    data = json.loads(parse(str(page), "--url", "https://example.kz/news/1/").output)
    assert data["title"] == "Старый сайт без кодировки"
    assert data["body"][0].startswith("В Караганде прошло совещание")
    # --encoding wins over detection
    forced = json.loads(parse(str(page), "--url", "https://example.kz/news/1/", "--encoding", "latin-1").output)
    assert forced["title"] != data["title"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["/nonexistent/page.html"], "/nonexistent/page.html"),
        (["EMPTY"], "empty input"),
        ([str(SEED_PAGE), "--encoding", "klingon-8"], "unknown encoding 'klingon-8'"),
        ([str(SEED_PAGE), "--site", "nosuchsite"], "no site profile 'nosuchsite'"),
    ],
)
def test_parse_errors_are_one_line(args, message, tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    args = [str(empty) if a == "EMPTY" else a for a in args]
    result = parse(*args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
