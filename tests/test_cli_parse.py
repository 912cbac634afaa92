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


OTHER_URL = f"https://news.example.org/news/{SEED_PAGE.parent.name}/"


@pytest.mark.parametrize(
    "args, base, layer",
    [
        (["--url", SEED_URL, "--site", "demo"], "http://127.0.0.1:8089/", "profile"),
        (["--url", SEED_URL], "http://127.0.0.1:8089/", "profile"),  # the demo profile, by host
        (["--url", OTHER_URL], "https://news.example.org/", "generic"),  # no profile knows the host
    ],
    ids=["site", "by-host", "generic"],
)
def test_parse_prints_the_contract(args, base, layer):
    result = parse(str(SEED_PAGE), *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(CONTRACT) <= set(data)
    for key, kind in CONTRACT.items():
        assert isinstance(data[key], kind), key
    for key in ("published_at", "modified_at"):
        if data[key]:
            assert datetime.fromisoformat(data[key]).tzinfo is not None, key
    assert data["url"] == args[1] and data["is_article"] is True
    assert all(isinstance(p, str) and p for p in data["body"])
    for quote in data["quotes"]:
        assert isinstance(quote["text"], str) and isinstance(quote["paragraph"], int)
        assert isinstance(quote["speaker"], NULLABLE_STR) and isinstance(quote["speaker_canonical"], NULLABLE_STR)
    for link in data["related"]:
        assert set(link) == {"tag", "title", "url"} and link["url"].startswith(base)
    for image in data["images"]:
        assert set(image) == {"url", "caption"}
    assert all(isinstance(t, str) for t in data["tags"] + data["authors"])
    assert isinstance(data["extraction"]["parser_version"], str)
    assert set(data["extraction"]["layers"].values()) <= {"profile", "metadata", "generic"}
    assert data["extraction"]["layers"]["body"] == layer
    if layer == "generic":
        assert "profile" not in data["extraction"]["layers"].values()
    assert data["source"] == "Акорду"
    assert len(data["related"]) == 17 and len(data["quotes"]) == 2


def _with_absolute_links(tmp_path, *, canonical: bool = True, og_url: bool = True) -> Path:
    """The seed page as its site would serve it: canonical link and og:url absolute.

    (The demo copy in seeds/ writes them root-relative, which is no base for a file.)"""
    html = SEED_PAGE.read_text(encoding="utf-8")
    path = f"/news/{SEED_PAGE.parent.name}/"
    if canonical:
        html = html.replace(f'<link rel="canonical" href="{path}">', f'<link rel="canonical" href="{SEED_URL}">')
    if og_url:
        html = html.replace(f'<meta property="og:url" content="{path}">', f'<meta property="og:url" content="{SEED_URL}">')
    page = tmp_path / "index.html"
    page.write_text(html, encoding="utf-8")
    return page


@pytest.mark.parametrize("canonical, og_url", [(True, True), (False, True)], ids=["canonical", "og-url"])
def test_parse_without_url_takes_the_page_own_url(tmp_path, canonical, og_url):
    page = _with_absolute_links(tmp_path, canonical=canonical, og_url=og_url)
    result = parse(str(page))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["url"] == SEED_URL and data["canonical_url"] == SEED_URL
    assert len(data["related"]) == 17
    assert all(link["url"].startswith("http://127.0.0.1:8089/news/") for link in data["related"])
    assert data["extraction"]["layers"]["body"] == "profile"  # the demo profile, by the declared host


@pytest.mark.parametrize("page", ["relative", "none"])
def test_parse_without_url_or_declared_url_says_so(tmp_path, page):
    if page == "relative":
        path = SEED_PAGE  # seeds/demo writes its canonical link root-relative
    else:
        path = tmp_path / "bare.html"
        path.write_text("<html><head><title>x</title></head><body><h1>Заголовок</h1>"
                        + "<p>Абзац текста статьи о событиях в Алматы и Астане.</p>" * 5 + "</body></html>",
                        encoding="utf-8")
    result = parse(str(path))
    assert result.exit_code == 0, result.output
    notes = result.stderr.splitlines()
    assert len(notes) == 1 and "canonical" in notes[0] and "og:url" in notes[0] and "--url" in notes[0]
    assert "file://" in notes[0]
    data = json.loads(result.stdout)
    assert data["url"] == path.resolve().as_uri()
    assert all(link["url"].startswith("file://") for link in data["related"])


def test_declared_url_prefers_an_absolute_canonical_link():
    from crawler.pages.metadata import declared_url

    def page(head: str) -> bytes:
        return f"<html><head>{head}</head><body><p>x</p></body></html>".encode()

    assert declared_url(page('<link rel="canonical" href=" https://a.kz/1/ "><meta property="og:url" content="https://b.kz/">')) == "https://a.kz/1/"
    assert declared_url(page('<link rel="canonical" href="/1/"><meta property="og:url" content="http://b.kz/2/">')) == "http://b.kz/2/"
    assert declared_url(page('<link rel="alternate canonical" href="https://a.kz/3/">')) == "https://a.kz/3/"
    assert declared_url(page('<link rel="canonical" href="ftp://a.kz/"><meta property="og:url" content="//b.kz/">')) is None
    assert declared_url(page('<link rel="amphtml" href="https://a.kz/amp/">')) is None
    assert declared_url(b"") is None and declared_url(b"<p>no head at all</p>") is None


def test_quotes_switch_from_the_command_line_and_the_environment():
    args = [str(SEED_PAGE), "--url", SEED_URL]
    assert len(json.loads(parse(*args).output)["quotes"]) == 2
    off = parse(*args, "-s", "NEWSDB_QUOTES_ENABLED=False")
    assert off.exit_code == 0, off.output
    data = json.loads(off.output)
    assert data["quotes"] == [] and len(data["related"]) == 17
    env_off = CliRunner().invoke(cli, ["parse", *args], env={"NEWSDB_QUOTES_ENABLED": "False"})
    assert json.loads(env_off.output)["quotes"] == []
    # -s wins over the environment
    env_on = CliRunner().invoke(cli, ["parse", *args, "-s", "NEWSDB_QUOTES_ENABLED=true"],
                                env={"NEWSDB_QUOTES_ENABLED": "False"})
    assert len(json.loads(env_on.output)["quotes"]) == 2
    no_related = json.loads(parse(*args, "--set", "NEWSDB_RELATED_ENABLED=0").output)
    assert no_related["related"] == [] and len(no_related["quotes"]) == 2


def _error_lines(result) -> list[str]:
    """click's usage errors: "Usage:", "Try …", then the error; the error lines only."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith(("Usage:", "Try "))]


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["-s", "NEWSDB_QUOTES_ENABLED=maybe"], {}, "NEWSDB_QUOTES_ENABLED: expected True or False, not 'maybe'"),
        ([], {"NEWSDB_RELATED_ENABLED": "sometimes"}, "NEWSDB_RELATED_ENABLED"),
        (["-s", "NEWSDB_QUOTE_ENABLED=False"], {}, "unknown setting NEWSDB_QUOTE_ENABLED"),
        (["-s", "NEWSDB_QUOTES_ENABLED"], {}, "expected NAME=VALUE"),
    ],
    ids=["not-boolean", "environment", "typo", "no-value"],
)
def test_bad_step_switch_is_a_one_line_usage_error(args, env, message):
    result = CliRunner().invoke(cli, ["parse", str(SEED_PAGE), "--url", SEED_URL, *args], env=env)
    assert result.exit_code == 2, result.output
    lines = _error_lines(result)
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert result.stdout == ""


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
    "site, message",
    [
        ("nosuchsite", "no site profile 'nosuchsite' (known sites: caravan, demo)"),
        ("/nowhere/mysite.toml", "no site profile file /nowhere/mysite.toml"),
    ],
)
def test_an_unknown_site_is_a_usage_error_naming_the_known_ones(site, message):
    result = parse(str(SEED_PAGE), "--url", SEED_URL, "--site", site)
    assert result.exit_code == 2  # as for every --site, and as for a bad date
    assert result.output.strip().splitlines()[-1] == f"Error: Invalid value for '--site': {message}"


@pytest.mark.parametrize(
    "args, message",
    [
        (["/nonexistent/page.html"], "/nonexistent/page.html"),
        (["EMPTY"], "empty input"),
        ([str(SEED_PAGE), "--encoding", "klingon-8"], "unknown encoding 'klingon-8'"),
    ],
)
def test_parse_errors_are_one_line(args, message, tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    args = [str(empty) if a == "EMPTY" else a for a in args]
    result = parse(*args, "--url", SEED_URL)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
