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


# -- found by benchmarks/fuzz_parse.py ---------------------------------------------------

from crawler.pages.metadata import declared_url  # noqa: E402
from pipelines.steps import process_article  # noqa: E402

SEED_ID = 1145321


def _seed_bytes() -> bytes:
    return (DEMO / article_dir(SEED_ID) / "index.html").read_bytes()


@pytest.mark.parametrize(
    "url, body",
    [
        ("http://[::1", _seed_bytes()),  # the page's own URL: urljoin raised "Invalid IPv6 URL"
        (f"{BASE}/{article_dir(SEED_ID)}/", _seed_bytes().replace(b'rel="canonical" href="', b'rel="canonical" href="http://[bad-host]', 1)),
        (f"{BASE}/{article_dir(SEED_ID)}/", _seed_bytes().replace(b'href="/news/', b'href="http://[::1/news/', 5)),
        (f"{BASE}/{article_dir(SEED_ID)}/", _seed_bytes().replace(b'src="', b'src="http://[::1/', 1)),
    ],
    ids=["page-url", "canonical", "related-hrefs", "image-src"],
)
@pytest.mark.parametrize("profile", ["demo", None])
def test_urls_urllib_cannot_parse_cost_their_field_not_the_article(url, body, profile):
    article = process_article(extract(Page(url=url, body=body), load_profile(profile) if profile else None))
    assert article.is_article and article.title.startswith("Токаев")
    assert all(link.url.startswith("http") and "[" not in link.url for link in article.related)
    assert article.canonical_url is None or "[" not in article.canonical_url


def test_declared_url_skips_a_canonical_link_urllib_cannot_parse():
    head = b'<html><head><link rel="canonical" href="http://[bad-host]/x/"><meta property="og:url" content="https://a.kz/1/">'
    assert declared_url(head + b"</head></html>") == "https://a.kz/1/"  # raised ValueError: `newsdb parse` crashed
    assert declared_url(b'<html><head><link rel="canonical" href="http://[::1"></head></html>') is None


@pytest.mark.parametrize("nesting", ["[" * 100_000, '{"@graph":' * 5000 + "{}" + "}" * 5000])
def test_json_ld_nested_too_deep_is_ignored(nesting):
    # json.loads raised RecursionError, which is no ValueError: the page failed.
    body = _seed_bytes().replace(b"<head>", b'<head><script type="application/ld+json">' + nesting.encode() + b"</script>", 1)
    raw = extract(Page(url=f"{BASE}/{article_dir(SEED_ID)}/", body=body), load_profile("demo"))
    assert raw.is_article and raw.title.startswith("Токаев")


@pytest.mark.parametrize("junk", [b"\x00", b"\x01\x0b\x1f", b"&#1;", b"&#x1F;", b"&#xFFFE;", b"&#xD800;"])
def test_control_characters_in_list_text_do_not_break_the_generic_body(junk):
    # maintext.prepare() moves a long <li> text into a new <p>; lxml refused text holding
    # NUL or C0 controls ("All strings must be XML compatible"), from raw bytes or references.
    items = "".join(f"<li>Пункт {i}: жители{junk.decode('utf-8', 'surrogatepass')} получат новые квитанции за отопление.</li>"
                    for i in range(6)).encode("utf-8", "surrogatepass")
    body = (b"<html><body><h1>\xd0\x9d\xd0\xbe\xd0\xb2\xd1\x8b\xd0\xb5 \xd0\xba\xd0\xb2\xd0\xb8\xd1\x82\xd0\xb0\xd0\xbd\xd1\x86\xd0\xb8\xd0\xb8</h1>"
            b"<ul>" + items + b"</ul>" + ("<p>" + "Текст статьи о квитанциях. " * 20 + "</p>").encode() * 2 + b"</body></html>")
    raw = extract(Page(url="https://a.kz/news/1/", body=body), None)
    assert raw.is_article
    text = " ".join(raw.paragraphs)
    assert "Пункт 0: жители" in text and "получат новые квитанции" in text
    assert not any(ch in text for ch in "\x00\x01\x0b\x1f\ufffe\ud800")
