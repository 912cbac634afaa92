"""Property-based tests of the one parse: random and mutated pages never crash it.

The strategies are benchmarks/fuzz_cases.py's, which benchmarks/fuzz_parse.py runs
10,000 of; here each family runs a few dozen cases, derandomized (and with no
example database) so that every CI run sees the same cases. Properties, in
`fuzz_cases.check`: parse_page returns one of the known outcome kinds and never
catches a crash (only a ValidationError or EncodingError may end a page); an
article's JSON round-trips, has the contract's keys and types, holds no NUL or
lone surrogate, has non-empty body paragraphs, quotes whose words stand in the
body from their offsets on, and dates in ISO 8601 with an offset that convert to UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz_cases import (
    MUTATIONS, Case, check, check_cli, check_json, mutated, random_bytes, random_text, seed_pages, tree,
)
from click.testing import CliRunner

from core.items import Page
from core.profiles import load_profile
from newsdb.cli import cli
from pipelines.parse import page_json, parse_page

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "demo" / "news" / "tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321" / "index.html"
SEED_URL = f"http://127.0.0.1:8089/news/{SEED.parent.name}/"


def fuzz(examples: int):
    """Moderate counts (the suite's fuzzing stays under a minute on two cores), the same cases every run."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


def assert_sound(case: Case) -> None:
    result = check(case)
    assert not result.problems, (case.describe(), result.problems)


@fuzz(100)
@given(random_bytes())
def test_random_bytes_never_crash_the_parse(case):
    assert_sound(case)


@fuzz(100)
@given(random_text())
def test_random_text_in_random_encodings_never_crashes_the_parse(case):
    assert_sound(case)


# Each mutation on its own, so that every run covers all of them, then mixed.
@pytest.mark.parametrize("op", sorted(MUTATIONS))
@fuzz(10)
@given(data=st.data())
def test_each_mutation_of_the_fixture_pages(op, data):
    case = data.draw(mutated((op,)))
    assert set(case.strategy.removeprefix("mutated:").split("+")) == {op}
    assert_sound(case)


@fuzz(100)
@given(mutated())
def test_mixed_mutations_of_the_fixture_pages(case):
    assert_sound(case)


@fuzz(100)
@given(tree())
def test_random_news_trees(case):
    assert_sound(case)


@fuzz(15)
@given(mutated() | tree())
def test_newsdb_parse_on_a_file_prints_json_or_one_line(tmp_path_factory, case):
    problems = check_cli(case, tmp_path_factory.mktemp("fuzz-cli") / "page.html")
    assert not problems, (case.describe(), problems)


def test_newsdb_parse_with_a_url_urllib_cannot_parse(tmp_path):
    """`--url http://[::1` once raised from the profile look-up: now no profile, a clean parse."""
    page = tmp_path / "page.html"
    page.write_bytes(SEED.read_bytes())
    result = CliRunner().invoke(cli, ["parse", str(page), "--url", "http://[::1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["is_article"] is True


def test_the_seed_pages_are_the_fixtures_and_the_demo_site():
    names = [seed.name for seed in seed_pages()]
    assert any(n.startswith("tests/fixtures/extraction/") for n in names)
    assert any(n.startswith("tests/fixtures/extraction_heldout/") for n in names)
    assert sum(n.startswith("seeds/demo/news/") for n in names) >= 40


# -- the property checker is not vacuous ------------------------------------------------


def _good_record() -> dict:
    return page_json(SEED.read_bytes(), SEED_URL, profile="demo", fetched_at=datetime(2025, 12, 21, tzinfo=UTC))


def test_a_sound_record_passes():
    record = _good_record()
    assert record["quotes"] and check_json(record, "article") == []


@pytest.mark.parametrize(
    "spoil, problem",
    [
        (lambda r: r.update(title="a\x00b"), "NUL"),
        (lambda r: r.update(title="a\ud800b"), "lone surrogate"),
        (lambda r: r["body"].append(" "), "body["),
        (lambda r: r.update(published_at="2025-12-21T14:35:00"), "no offset"),
        (lambda r: r.update(published_at="0001-01-01T00:00:00+05:00"), "published_at"),
        (lambda r: r["quotes"][0].update(text="Слов этих в статье нет вовсе"), "not in the body"),
        (lambda r: r["quotes"][0].update(end=10**6), "offsets"),
        (lambda r: r["quotes"][0].update(paragraph=99), "points at paragraph"),
        (lambda r: r.pop("language"), "keys"),
        (lambda r: r["related"][0].update(url="/relative/"), "related[0]"),
        (lambda r: r.update(body=[]), "without a body"),
    ],
    ids=["nul", "surrogate", "empty-paragraph", "naive-date", "no-utc-instant", "quote-text", "quote-offsets",
         "quote-paragraph", "missing-key", "relative-link", "no-body"],
)
def test_the_properties_catch_a_bad_record(spoil, problem):
    record = _good_record()
    spoil(record)
    problems = check_json(record, "article")
    assert any(problem in p for p in problems), problems


def test_a_crash_caught_by_parse_page_counts_as_a_failure(monkeypatch):
    import pipelines.parse

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(pipelines.parse, "extract", broken)
    result = check(Case("test", SEED.read_bytes(), url=SEED_URL, site="demo"))
    assert result.kind == "failed" and any("caught a crash: KeyError" in p for p in result.problems)


# -- NUL bytes and huge values through the Python API -------------------------------------

BIG = 100_000
FETCHED = datetime(2025, 12, 21, 9, tzinfo=UTC)


def _body(transform) -> bytes:
    return transform(SEED.read_bytes())


PAGES = {
    "nul-in-body": dict(body=lambda b: b.replace(b"</p>", b"\x00</p>\x00")),
    "nul-only-body": dict(body=lambda b: b"\x00" * BIG),
    "nul-in-url": dict(url=SEED_URL + "\x00x/"),
    "nul-in-header-value": dict(headers={"Content-Type": "text/html; charset=utf-8\x00"}),
    "nul-in-header-name": dict(headers={"Content\x00-Type": "text/html"}),
    "huge-url": dict(url=SEED_URL + "a" * BIG),
    "huge-header": dict(headers={"Content-Type": "text/html; charset=" + "x" * BIG, "X-" + "a" * BIG: "b" * BIG}),
    "huge-title": dict(body=lambda b: b.replace(b"<h1", b"<h1 title='" + b"t" * BIG + b"'", 1)
                       .replace(b"</h1>", "ы".encode() * BIG + b"</h1>", 1)),
    "huge-paragraph": dict(body=lambda b: b.replace(b"</p>", "а".encode() * BIG + b"</p>", 1)),
    "huge-word-soup": dict(body=lambda b: b.replace(b"</p>", ("«слово» — " * (BIG // 10)).encode() + b"</p>", 1)),
    "nul-character-references": dict(body=lambda b: b.replace(b"</p>", b"&#0;&#1;&#xD800;&#xFFFE;</p>")),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_nul_bytes_and_huge_values_through_the_python_api(name):
    spec = PAGES[name]
    body = _body(spec.get("body", lambda b: b))
    url, headers = spec.get("url", SEED_URL), spec.get("headers", {})
    outcome = parse_page(Page(url=url, body=body, headers=headers, fetched_at=FETCHED), load_profile("demo"))
    assert outcome.kind in ("article", "not_article", "failed")
    if outcome.kind == "failed":
        assert outcome.error and "\n" not in outcome.error and outcome.error.startswith("ValidationError")
    else:
        assert check_json(outcome.article.to_json(), outcome.kind) == []
    try:
        record = page_json(body, url, headers, profile="demo", fetched_at=FETCHED)
    except ValueError as exc:  # page_json's one way to say "no article": a one-line message
        assert outcome.kind == "failed" and len(str(exc).splitlines()) == 1
    else:
        assert check_json(record, "article" if record["is_article"] else "not_article") == []
        assert "\x00" not in json.dumps(record, ensure_ascii=False)
    if name.startswith("nul-in") or name == "nul-character-references":
        # A NUL is dropped, not the page: the article is the same one.
        assert outcome.kind == "article" and outcome.article.title.startswith("Токаев")
        assert len(outcome.article.body) == 6
