"""The fixture families of issue 11 are well-formed (NOT how well the extractor scores).

tests/fixtures/families/{dev,heldout}/X.html + X.json: every page has a label, labels parse
and carry the keys the figures need, the two splits share no site, and pages labelled
cp1251 really are windows-1251 bytes (not valid UTF-8). Scores: benchmarks/families_eval.py.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent / "fixtures" / "families"
SPLITS = ("dev", "heldout", "blind", "blind2", "blind3")
FAMILIES = {"wordpress", "bitrix", "drupal", "nextjs", "nuxt", "amp", "table_cp1251", "dle", "joomla", "custom"}
PAGES = sorted(p for s in SPLITS for p in (ROOT / s).glob("*.html"))
ARTICLE_KEYS = {"url", "family", "site", "is_article", "title", "canonical_url", "published_at",
                "published_day", "authors", "body", "related", "tags"}


def _label(html: Path) -> dict:
    return json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))


def _host(url: str) -> str:
    h = (urlsplit(url).hostname or "").lower()
    return h[4:] if h.startswith("www.") else h


def test_both_splits_have_pages_and_non_articles():
    for s in SPLITS:
        pages = list((ROOT / s).glob("*.html"))
        assert len(pages) >= 12, s
        non = [p for p in pages if not _label(p)["is_article"]]
        # some non-articles to tell apart, but mostly articles, as a crawl sees them
        assert len(non) >= 2 and len(non) <= 0.35 * len(pages), (s, [p.name for p in non])
        fams = {_label(p)["family"] for p in pages}
        assert {"wordpress", "bitrix", "drupal", "amp", "table_cp1251"} <= fams and fams & {"nextjs", "nuxt"}, (s, fams)


def test_every_file_is_paired():
    for s in SPLITS:
        stems_html = {p.stem for p in (ROOT / s).glob("*.html")}
        stems_json = {p.stem for p in (ROOT / s).glob("*.json")}
        assert stems_html == stems_json, (s, stems_html ^ stems_json)


@pytest.mark.parametrize("html", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_well_formed(html):
    lab = _label(html)
    assert lab["family"] in FAMILIES
    assert isinstance(lab["is_article"], bool)
    assert urlsplit(lab["url"]).scheme in ("http", "https") and _host(lab["url"]) == lab["site"]
    assert lab.get("notes"), "say what the page exercises"
    if not lab["is_article"]:
        return
    assert ARTICLE_KEYS <= set(lab), ARTICLE_KEYS - set(lab)
    assert lab["title"] and lab["title"] == " ".join(lab["title"].split())
    assert "&" not in lab["title"] or ";" not in lab["title"], "entities must be decoded in labels"
    published = datetime.fromisoformat(lab["published_at"])
    assert published.utcoffset() is not None
    assert published.date() == date.fromisoformat(lab["published_day"])
    assert isinstance(lab["authors"], list) and all(isinstance(a, str) and a.strip() for a in lab["authors"])
    assert isinstance(lab["body"], list) and lab["body"] and all(isinstance(p, str) and p.strip() for p in lab["body"])
    urls = [r["url"] for r in lab["related"]]
    assert len(urls) == len(set(urls)), "related URLs are unique"
    for r in lab["related"]:
        assert set(r) == {"tag", "title", "url"} and r["title"]
        assert _host(r["url"]) == lab["site"] and r["url"] != lab["url"]
    if lab["canonical_url"] is not None:
        assert _host(lab["canonical_url"]) == lab["site"]


@pytest.mark.parametrize("html", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_encoding(html):
    lab, raw = _label(html), html.read_bytes()
    if lab.get("encoding") == "cp1251":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp1251")
        assert lab["family"] == "table_cp1251" or "windows-1251" in text.lower()
    else:
        assert "encoding" not in lab
        text = raw.decode("utf-8")
    if lab["is_article"]:  # the labelled text is on the page (labels come from the page, not from a parser)
        flat = " ".join(text.split())
        for p in lab["body"][:2]:
            assert p[:40] in flat, p[:40]
    if lab["family"] == "table_cp1251":
        assert lab.get("encoding") == "cp1251"


def test_splits_share_no_site():
    hosts = {s: set() for s in SPLITS}
    for p in PAGES:
        lab = _label(p)
        hosts[p.parent.name].add(lab["site"])
        hosts[p.parent.name].update(_host(r["url"]) for r in lab.get("related") or [])
    assert not hosts["dev"] & hosts["heldout"]
    assert not hosts["blind"] & (hosts["dev"] | hosts["heldout"])
    assert not hosts["blind2"] & (hosts["dev"] | hosts["heldout"] | hosts["blind"])
    assert not hosts["blind3"] & (hosts["dev"] | hosts["heldout"] | hosts["blind"] | hosts["blind2"])
    for s in SPLITS:  # no site of the older fixture sets either
        old = set()
        for folder in ("extraction", "extraction_heldout"):
            for js in (ROOT.parent / folder).glob("*.json"):
                old.add(_host(json.loads(js.read_text(encoding="utf-8")).get("url", "")))
        assert not hosts[s] & old, (s, hosts[s] & old)
