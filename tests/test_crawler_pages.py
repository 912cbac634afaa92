"""Extraction page objects on saved demo pages, with and without the site profile."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.items import Page
from crawler.pages import extract
from core.profiles import load_profile

DEMO = Path(__file__).resolve().parent.parent / "seeds" / "demo"
BASE = "http://127.0.0.1:8089"


def page(path: str) -> Page:
    file = DEMO / path.strip("/") / "index.html" if not path.endswith(".html") else DEMO / path
    return Page(url=f"{BASE}/{path.strip('/')}/", body=file.read_bytes(), fetched_at=datetime.now(timezone.utc))


def article_folders() -> list[Path]:
    return [p for p in (DEMO / "news").iterdir() if p.name[-1].isdigit() and not p.name.startswith("video-")]


def article_dir(post_id: int) -> str:
    return "news/" + next((DEMO / "news").glob(f"*-{post_id}")).name


@pytest.mark.parametrize("profile", [load_profile("demo"), None], ids=["profile", "generic"])
@pytest.mark.parametrize(
    "path",
    ["rubric/politika", "news", "404.html", article_dir(1145240)],
    ids=["rubric", "listing", "404", "video"],
)
def test_non_articles(path, profile):
    assert extract(page(path), profile).is_article is False


def test_seed_page_fields_with_profile():
    raw = extract(page(article_dir(1145321)), load_profile("demo"))
    assert raw.is_article and raw.external_id == "1145321"
    assert raw.title == "Токаев: выборы акимов проводятся в интересах жителей сел"
    assert raw.published_at == datetime(2025, 12, 20, 5, 15, tzinfo=timezone.utc)
    assert raw.tags == ["выборы акимов", "Касым-Жомарт Токаев", "Акорда"]
    assert len(raw.paragraphs) == 6  # the ad, "Читайте также" and the subscribe line are not body
    assert raw.images and raw.images[0].caption == "Фото - Сaravan.kz"  # raw; the pipeline repairs it
    assert {raw.layers[k] for k in ("title", "body", "related", "tags")} == {"profile"}


def test_windows_1251_article_with_profile():
    profile = load_profile("demo")
    cp1251 = [p for p in article_folders() if b'charset="windows-1251"' in (p / "index.html").read_bytes()[:600]]
    assert cp1251, "the demo site should have windows-1251 pages"
    for folder in cp1251:
        raw = extract(page(f"news/{folder.name}"), profile)
        assert raw.is_article and raw.title and not any("\ufffd" in p for p in raw.paragraphs)


def test_date_only_in_text_takes_the_profile_zone():
    profile = load_profile("demo")
    text_dated = [p for p in article_folders() if b"article:published_time" not in (p / "index.html").read_bytes()]
    assert text_dated
    for folder in text_dated:
        raw = extract(page(f"news/{folder.name}"), profile)
        assert raw.published_at is not None and raw.published_at.utcoffset().total_seconds() == 5 * 3600


def test_amp_twin_gives_the_same_article():
    profile = load_profile("demo")
    amp = next((DEMO / "amp" / "news").iterdir()).name
    twin = extract(Page(url=f"{BASE}/amp/news/{amp}/", body=(DEMO / "amp/news" / amp / "index.html").read_bytes()), profile)
    main = extract(page(f"news/{amp}"), profile)
    assert twin.external_id == main.external_id and twin.title == main.title
    assert twin.canonical_url == main.canonical_url == f"{BASE}/news/{amp}/"


@pytest.mark.parametrize("body", [b"", b"   ", b"<html><body><p>", b"\x00\x01\x02garbage\xff\xfe", b"<" * 10000])
def test_broken_input_is_not_an_article_and_does_not_raise(body):
    assert extract(Page(url=f"{BASE}/news/broken-1/", body=body), load_profile("demo")).is_article is False


@pytest.mark.parametrize("kind", ["application/rss+xml", "application/xml; charset=utf-8", "application/json"])
def test_responses_that_are_not_html_are_not_articles(kind):
    seed = page(article_dir(1145321))
    seed.headers = {"Content-Type": kind}  # the seed page's bytes, served as something else
    assert extract(seed, None).is_article is False
    seed.headers = {"Content-Type": "text/html; charset=utf-8"}
    assert extract(seed, None).is_article is True
