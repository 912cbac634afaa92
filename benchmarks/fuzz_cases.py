"""Fuzz cases for the one parse: hypothesis strategies over the repository's own pages.

One place for both users: tests/test_fuzz_parse.py runs a few hundred cases per
CI run (derandomized, so every run sees the same ones) and benchmarks/fuzz_parse.py
runs 10,000 and more. Each strategy gives a `Case` (bytes, URL, headers, profile,
encoding override, fetch time); `check` runs it through `pipelines.parse.parse_page`
and returns what is wrong with the outcome, `check_cli` does the same through
`newsdb parse` on a file.

Strategy families (the names the benchmark counts by):

    random_bytes   any bytes, bare or after an HTML prefix
    random_text    any text (lone surrogates included) in a random encoding
    mutated:OP+OP  a fixture or demo page after one to three mutations (MUTATIONS)
    tree           a random tree of news-like tags with Russian text and quotes
"""

from __future__ import annotations

import codecs
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parent.parent
FETCHED = datetime(2025, 12, 21, 9, 0, tzinfo=UTC)
KINDS = ("article", "not_article", "failed")
# Errors a page may legitimately end in: the steps refusing an article (no title,
# no body left after normalization) and an --encoding nobody knows. Anything else
# in Outcome.error is an exception parse_page caught: a crash, counted as one.
EXPECTED_ERRORS = ("ValidationError:", "EncodingError:")
SLOW_SECONDS = 2.0  # a case slower than this is a failure (a hang in the making)
MAX_BODY = 1_000_000  # mutations that grow a page stop here: fuzzing, not load testing (1 MB parses in ~1 s)


# -- the pages everything starts from ---------------------------------------------


@dataclass
class Seed:
    name: str  # path in the repository
    body: bytes
    url: str
    headers: dict[str, str]
    site: str | None


@lru_cache(maxsize=1)
def seed_pages() -> tuple[Seed, ...]:
    """tests/fixtures/extraction*/*.html (URL and headers from their .json) and the demo site."""
    seeds = []
    for folder in ("tests/fixtures/extraction", "tests/fixtures/extraction_heldout"):
        for path in sorted((REPO_ROOT / folder).glob("*.html")):
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            seeds.append(Seed(str(path.relative_to(REPO_ROOT)), path.read_bytes(), meta["url"],
                              dict(meta.get("headers") or {}), None))
    demo = REPO_ROOT / "seeds" / "demo"
    for path in sorted(demo.rglob("*.html")):
        rel = path.parent.relative_to(demo).as_posix()
        url = "http://127.0.0.1:8089/" + (f"{rel}/" if rel != "." else "")
        seeds.append(Seed(str(path.relative_to(REPO_ROOT)), path.read_bytes(), url, {}, "demo"))
    return tuple(seeds)


@dataclass
class Case:
    strategy: str
    body: bytes = field(repr=False)
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    site: str | None = None  # a bundled profile name, or None: generic extraction
    encoding: str | None = None  # the --encoding override
    fetched_at: datetime | None = FETCHED

    @property
    def family(self) -> str:
        return self.strategy.split(":")[0]

    def describe(self) -> dict:
        """Everything but the bytes, for a reproducer file beside them."""
        return {"strategy": self.strategy, "url": self.url, "headers": self.headers, "site": self.site,
                "encoding": self.encoding, "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
                "bytes": len(self.body)}


# -- small vocabularies -------------------------------------------------------------

URLS = (
    "https://www.caravan.kz/news/tokaev-vybory-akimov-1145321/",
    "http://127.0.0.1:8089/news/tokaev-vybory-akimov-v-interesah-zhiteley-sel-1145321/",
    "https://example.kz/news/1/",
    "https://www.caravan.kz/?p=1145321",
    "",
    "stdin:",
    "file:///tmp/saved.html",
    "not a url",
    "http://[::1",  # urlsplit raises on it
    "http://[bad-host]/news/1/",
    "https://пример.рф/новости/1/",
    "http://a.kz:99999/x/",
    "//a.kz/protocol-relative/",
    "javascript:alert(1)",
    "https://a.kz/\x00/nul/",
    "https://a.kz/" + "a" * 100_000,
)
CHARSETS = (
    "utf-8", "windows-1251", "cp1251", "koi8-r", "cp866", "iso-8859-1", "latin-1", "ascii", "utf-16",
    "utf-16le", "utf-16-be", "utf-32", "utf-7", "x-user-defined", "klingon", "", "utf8mb4", "gbk",
    "shift_jis", "mac-cyrillic", "iso-8859-5",
    # Python codecs that are not text encodings, or refuse all input: a page may name them.
    "rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "undefined", "idna", "punycode",
    "unicode_escape", "raw_unicode_escape", "utf-8-sig", "mbcs", "oem",
)
CONTENT_TYPES = tuple(
    [f"text/html; charset={c}" for c in CHARSETS]
    + ["text/html", "application/json", "application/xhtml+xml", "image/png", "text/plain", "", ";;;",
       "text/html\x00; charset=utf-8", "text/html; charset=" + "a" * 100_000, "x" * 100_000]
)
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251", "koi8-r", "cp866", "latin-1",
             "utf-8-sig", "utf-7", "mac-cyrillic")
OVERRIDES = ("utf-8", "cp1251", "koi8-r", "utf-16", "latin-1", "klingon-8", "utf\x00-8", "rot13", "undefined")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)

WORDS = (
    "Президент", "Казахстана", "заявил", "что", "выборы", "акимов", "проводятся", "в", "интересах", "жителей",
    "сел", "на", "совещании", "в", "Астане", "Алматы", "министр", "энергетики", "тарифы", "не", "вырастут",
    "до", "весны", "по", "данным", "ведомства", "цены", "выросли", "на", "12", "процентов", "и", "Сaravan.kz",
    "тенге", "2025", "года", "декабря", "ёлка", "КазМунайГаз", "COVID-19", "Kaspi.kz", "ул.", "т.е.", "т.д.",
)
NAMES = ("Касым-Жомарт Токаев", "Ерлан Нурланов", "Ажар Гиният", "Алмас Садыков", "Айгуль Сапарова",
         "Токаев", "он", "она", "глава государства", "аким города", "министр", "эксперт", "Кусайын Жанаев")
VERBS = ("сказал", "заявил", "отметила", "подчеркнул", "добавил", "пояснила", "убежден", "улыбается",
         "сообщили", "говорится", "считает")
QUOTE_PAIRS = (("«", "»"), ("„", "“"), ('"', '"'), ("“", "”"), ("«", "„"), ("»", "«"), ("«", ""), ("", "»"))
DASHES = ("—", "–", "-", "‒", "―", "−")
BAD_DATES = (
    "", " ", "0", "-1", "31.02.2025", "00.00.0000", "99.99.9999 99:99", "29.02.2023", "32 декабря 2025",
    "0 января 2025", "1 января 0", "1 января 0001", "01.01.0001 00:00", "31.12.9999 23:59",
    "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "0001-01-01", "9999-12-31", "2025-13-45T25:61:00+99:00",
    "2025-12-21T14:35:00", "2025-12-21T14:35:00Z", "2025-12-21 14:35", "2025-12-21T14:35:00+0500",
    "20251221T143500Z", "Сегодня, 99:99", "Сегодня, 24:00", "Вчера, 23:60", "позавчера в 00:00",
    "21 декабря 2025, 25:70", "2026 Год 31 Февраля", "2026 год 99 декабря", "1e9", "NaN", "null",
    "1735000000", "21/12/2025", "12/31/2025", "21-12-2025, 14:35", "Tue, 21 Dec 2025 14:35:00 +0500",
    "21 декабря 99999", "9" * 60, "декабрь", "сегодня", "10:00", "—", "2025-02-30",
    "2025-12-21T14:35:00+05:00[Asia/Almaty]", "１２.１２.２０２５", "٢١.١٢.٢٠٢٥", "21 декабря 2025 г. в 14:35",
    "2025-W51-7", "+002025-12-21", "-0001-01-01", "21.12.2025\x00 14:35", "21 дек. 2025 в 9.05",
)
CLASSES = ("", "article-body", "entry-content", "news-text", "full-article__text", "td-post-content",
           "sidebar", "related", "related-news", "popular", "comments", "nav", "footer", "share", "lead",
           "preview_text", "detail_text", "news-detail", "widget", "ad", "post", "card")


# -- random input -----------------------------------------------------------------


def _other_fields(draw, url=None, headers=None, site=None) -> dict:
    """URL, headers, profile, override and fetch time: mostly plain, sometimes hostile."""
    if url is None or draw(st.integers(0, 9)) == 0:
        url = draw(st.sampled_from(URLS) | st.text(max_size=40))
    if headers is None or draw(st.integers(0, 9)) == 0:
        headers = draw(st.just({}) | st.builds(lambda v: {"Content-Type": v}, st.sampled_from(CONTENT_TYPES))
                       | st.dictionaries(st.text(max_size=15), st.text(max_size=40), max_size=3))
    if draw(st.integers(0, 5)) == 0:
        site = draw(st.sampled_from([None, "demo", "caravan"]))
    encoding = draw(st.sampled_from(OVERRIDES)) if draw(st.integers(0, 24)) == 0 else None
    fetched_at = draw(st.sampled_from([FETCHED, None, datetime(2026, 3, 1, 0, 30, tzinfo=UTC),
                                       datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)])
                      if draw(st.integers(0, 9)) == 0 else st.just(FETCHED))
    return {"url": url, "headers": headers, "site": site, "encoding": encoding, "fetched_at": fetched_at}


@st.composite
def random_bytes(draw) -> Case:
    body = draw(st.binary(max_size=3000))
    if draw(st.booleans()):
        body = draw(st.sampled_from([b"<html><head>", b"<html><body><h1>", b"<!DOCTYPE html><html>",
                                     b"<?xml version='1.0' encoding='utf-8'?>", b"\xef\xbb\xbf<p>"])) + body
    return Case("random_bytes", body, **_other_fields(draw))


_ANY_CHAR = st.characters(exclude_categories=())  # surrogates too: they become invalid bytes


@st.composite
def random_text(draw) -> Case:
    text = draw(st.text(_ANY_CHAR | st.sampled_from("абвгдеёжзийклмнопрстуфхцчшщъыьэюя «»„“—–<>/&;\n"),
                        max_size=2000))
    if draw(st.booleans()):  # the text as a page's headline and paragraphs
        parts = text.split("\n")
        text = (f"<html><head><meta charset=\"{draw(st.sampled_from(CHARSETS))}\"><title>{parts[0]}</title></head>"
                f"<body><h1>{parts[0]}</h1>" + "".join(f"<p>{p}</p>" for p in parts[1:]) + "</body></html>")
    encoding = draw(st.sampled_from(ENCODINGS))
    errors = "surrogatepass" if encoding.startswith("utf-") and encoding not in ("utf-7", "utf-8-sig") else "replace"
    body = text.encode(encoding, errors=errors)
    return Case("random_text", body, **_other_fields(draw))


# -- mutations of real pages ----------------------------------------------------------


def _pos(draw, body: bytes) -> int:
    return draw(st.integers(0, len(body)))


def _insert(draw, body: bytes, chunk: bytes, times: int = 1) -> bytes:
    for _ in range(times):
        at = _pos(draw, body)
        body = body[:at] + chunk + body[at:]
    return body


def m_flip(draw, body):
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 16))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return bytes(data)


def m_truncate(draw, body):
    return body[:_pos(draw, body)]


def m_delete(draw, body):
    start = _pos(draw, body)
    return body[:start] + body[start + draw(st.integers(1, max(1, len(body) // 3))):]


def m_duplicate(draw, body):
    start = _pos(draw, body)
    chunk = body[start:start + draw(st.integers(1, 4000))]
    return _insert(draw, body, chunk * draw(st.integers(1, 3) | st.integers(10, 400)))


def m_splice(draw, body):
    other = draw(st.sampled_from(seed_pages())).body
    return body[:_pos(draw, body)] + other[_pos(draw, other):]


_CLOSE_TAG = re.compile(rb"</\s*([a-zA-Z][a-zA-Z0-9]*)\s*>")
_OPEN_TAG = re.compile(rb"<[a-zA-Z][a-zA-Z0-9]*")


def m_drop_close_tags(draw, body):
    tags = sorted({m.group(1).lower() for m in _CLOSE_TAG.finditer(body)})
    if not tags:
        return body
    only = draw(st.sampled_from([None, *tags]))
    every = draw(st.integers(1, 5))
    count = [0]

    def drop(match):
        if only is not None and match.group(1).lower() != only:
            return match.group(0)
        count[0] += 1
        return b"" if count[0] % every == 0 else match.group(0)

    return _CLOSE_TAG.sub(drop, body)


def m_extra_tags(draw, body):
    chunk = draw(st.sampled_from([
        b"</p>", b"</div>", b"</div></div></div>", b"</body></html>", b"</article>", b"</h1>", b"</script>",
        b"</head>", b"<p>", b"<div>", b"<table>", b"<a href='/news/x/'>", b"<script>", b"<style>", b"<textarea>",
        b"<title>", b"<!--", b"<![CDATA[", b"<plaintext>", b"<xmp>", b"<html>", b"<body>", b"<h1>", b"<li>",
        b"<blockquote>", b"<time datetime='", b"<meta charset=", b"<", b">", b"&", b"<!DOCTYPE html>",
    ]))
    return _insert(draw, body, chunk, draw(st.integers(1, 4) | st.integers(50, 300)))


def m_nul(draw, body):
    if draw(st.integers(0, 3)) == 0:  # every space a NUL: NULs all through the text
        return body.replace(b" ", b"\x00")
    return _insert(draw, body, b"\x00" * draw(st.integers(1, 4)), draw(st.integers(1, 20)))


def m_control(draw, body):
    chunk = draw(st.lists(st.sampled_from([bytes([c]) for c in (*range(1, 32), 127)]
                                          + [b"\xc2" + bytes([c]) for c in range(0x80, 0xA0)]), min_size=1, max_size=8))
    return _insert(draw, body, b"".join(chunk), draw(st.integers(1, 20)))


def m_invalid_utf8(draw, body):
    chunk = draw(st.sampled_from([
        b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80",  # lone and paired surrogates, as UTF-8
        b"\xc0\xaf", b"\xe0\x80\xaf", b"\x80", b"\xbf\xbf", b"\xff", b"\xfe\xff", b"\xd0", b"\xe2\x80",
        b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80",
    ]))
    return _insert(draw, body, chunk, draw(st.integers(1, 4) | st.integers(30, 200)))


def m_char_refs(draw, body):
    chunk = draw(st.sampled_from([
        b"&#0;", b"&#x0;", b"&#xD800;", b"&#xDFFF;", b"&#55296;", b"&#x110000;", b"&#99999999999999;", b"&#1;",
        b"&#x1F;", b"&#x7F;", b"&#x85;", b"&nbsp", b"&", b"&#", b"&#x;", b"&#xFFFE;", b"&#65279;", b"&amp;#0;",
    ]))
    return _insert(draw, body, chunk, draw(st.integers(1, 4) | st.integers(20, 100)))


def m_bom(draw, body):
    bom = draw(st.sampled_from(BOMS))
    return bom + body if draw(st.booleans()) else _insert(draw, body, bom)


def m_reencode(draw, body):
    encoding = draw(st.sampled_from(ENCODINGS))
    return body.decode("utf-8", errors="replace").encode(encoding, errors="replace")


def m_huge_attr(draw, body):
    n = draw(st.sampled_from([1_000, 20_000, 100_000, 200_000]))
    name = draw(st.sampled_from([b"class", b"id", b"href", b"style", b"data-x", b"content", b"datetime", b"src",
                                 b"charset", b"type", b"rel", b"itemprop"]))
    value = draw(st.sampled_from([
        b"a" * n, b" ".join(b"c%d" % i for i in range(n // 6)), b"news-text " * (n // 10), b"\"" * n, b"<" * n,
        b"\xd0\xb0" * (n // 2), b"https://a.kz/" + b"x/" * (n // 2), b"2025-12-21T14:35:00+05:00" * (n // 25),
    ]))
    where = [m.end() for m in _OPEN_TAG.finditer(body)] or [0]
    at = where[draw(st.integers(0, len(where) - 1))]
    if draw(st.booleans()):
        return body[:at] + b" " + name + b'="' + value + b'"' + body[at:]
    text = draw(st.sampled_from([b"\xd0\xb0" * n, b"\xd0\xb0 " * (n // 2), b"\xc2\xab" * n, b"-" * n,
                                 b"\xe2\x80\x94 " * (n // 2), b"1" * n]))
    return _insert(draw, body, b"<p>" + text + b"</p>")


def m_deep_nesting(draw, body):
    depth = draw(st.sampled_from([50, 300, 1000, 5000]))
    open_, close = draw(st.sampled_from([
        (b"<div>", b"</div>"), (b"<b>", b"</b>"), (b"<blockquote>", b"</blockquote>"), (b"<span>", b"</span>"),
        (b"<ul><li>", b"</li></ul>"), (b"<table><tr><td>", b"</td></tr></table>"), (b"<a href='/x/'>", b"</a>"),
        (b"<font>", b"</font>"), (b"<article><section>", b"</section></article>"), (b"<p>", b"</p>"),
    ]))
    closed = draw(st.booleans())
    if draw(st.booleans()):
        return open_ * depth + body + (close * depth if closed else b"")
    start = _pos(draw, body)
    return body[:start] + open_ * depth + body[start:] + (close * depth if closed else b"")


_HEAD = re.compile(rb"<head[^>]*>", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]*charset[^>]*>", re.I)


def m_charset_lie(draw, body):
    charset = draw(st.sampled_from(CHARSETS)).encode()
    tag = draw(st.sampled_from([b'<meta charset="%s">', b"<meta charset=%s>",
                                b'<meta http-equiv="Content-Type" content="text/html; charset=%s">'])) % charset
    if _META_CHARSET.search(body) and draw(st.booleans()):
        return _META_CHARSET.sub(tag, body, count=1)
    head = _HEAD.search(body)
    at = head.end() if head else 0
    return body[:at] + tag + body[at:]


def _json_leaves():
    return (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
            | st.sampled_from(BAD_DATES) | st.sampled_from(WORDS) | st.sampled_from(NAMES))


JSON_VALUES = st.recursive(
    _json_leaves(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["@type", "@id", "@graph", "name", "url", "headline", "author", "datePublished"])
        | st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_ARTICLE_TYPES = st.sampled_from(["NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "WebPage",
                                  "Person", "WebPageElement"])


def _jsonld_object(inner):
    return st.fixed_dictionaries(
        {"@type": _ARTICLE_TYPES | st.lists(_ARTICLE_TYPES, max_size=3) | JSON_VALUES},
        optional={
            "@context": st.just("https://schema.org") | JSON_VALUES,
            "headline": st.sampled_from(NAMES) | JSON_VALUES,
            "name": JSON_VALUES,
            "datePublished": st.sampled_from(BAD_DATES) | JSON_VALUES,
            "dateModified": st.sampled_from(BAD_DATES) | JSON_VALUES,
            "author": JSON_VALUES | st.lists(st.fixed_dictionaries({"name": JSON_VALUES}), max_size=3),
            "image": JSON_VALUES,
            "keywords": JSON_VALUES | st.lists(JSON_VALUES, max_size=4),
            "articleBody": JSON_VALUES | st.text(max_size=400),
            "description": JSON_VALUES,
            "articleSection": JSON_VALUES,
            "mainEntityOfPage": JSON_VALUES,
            "@graph": st.lists(inner, max_size=3) | inner | JSON_VALUES,
        },
    )


JSONLD = st.recursive(st.fixed_dictionaries({"@type": _ARTICLE_TYPES}), _jsonld_object, max_leaves=6)


@st.composite
def jsonld_text(draw) -> str:
    """A JSON-LD script's text: valid, truncated, a list where an object belongs, or deeply nested."""
    shape = draw(st.sampled_from(["object", "list", "truncated", "deep", "script-break", "garbage"]))
    obj = draw(JSONLD)
    if shape == "list":
        obj = [[obj]] if draw(st.booleans()) else [obj, draw(JSON_VALUES)]
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()))  # NaN and Infinity included, as json.loads reads them
    if shape == "truncated":
        text = text[:draw(st.integers(0, len(text)))]
    elif shape == "deep":
        depth = draw(st.sampled_from([100, 2000, 100_000]))
        text = draw(st.sampled_from(["[" * depth + "]" * depth, '{"@graph":' * depth + "{}" + "}" * depth,
                                     '{"a":' * depth + "1" + "}" * depth, "[" * depth]))
    elif shape == "script-break":
        text = text.replace('"', '"</script><p>', 1)
    elif shape == "garbage":
        text = draw(st.text(max_size=200))
    return text


_LD_SCRIPT = re.compile(rb"(<script[^>]*ld\+json[^>]*>)(.*?)(</script>)", re.I | re.S)


def m_jsonld(draw, body):
    script = draw(jsonld_text()).encode("utf-8", errors="surrogatepass")
    if _LD_SCRIPT.search(body) and draw(st.booleans()):  # break the page's own
        return _LD_SCRIPT.sub(lambda m: m.group(1) + script + m.group(3), body, count=1)
    head = _HEAD.search(body)
    at = head.end() if head and draw(st.booleans()) else _pos(draw, body)
    return body[:at] + b'<script type="application/ld+json">' + script + b"</script>" + body[at:]


_DATE = re.compile(
    rb"\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?|\d\d?[./-]\d\d?[./-]\d{4}(?:,? \d\d?:\d\d)?"
    rb"|\d\d? (?:\xd1\x8f\xd0\xbd\xd0\xb2|\xd0\xb4\xd0\xb5\xd0\xba|\xd1\x84\xd0\xb5\xd0\xb2)\w* \d{4}"  # янв, дек, фев
)


def m_dates(draw, body):
    bad = draw(st.sampled_from(BAD_DATES) | st.builds(
        "{}.{}.{} {}:{}".format, *(st.integers(-1, 10_000) for _ in range(5)))).encode()
    if _DATE.search(body) and draw(st.booleans()):
        every = draw(st.integers(1, 3))
        count = [0]

        def swap(match):
            count[0] += 1
            return bad if count[0] % every == 0 else match.group(0)

        return _DATE.sub(swap, body)
    tag = draw(st.sampled_from([b'<time datetime="%s">%s</time>', b'<meta property="article:published_time" content="%s">%s',
                                b'<span class="date">%s %s</span>', b'<meta itemprop="datePublished" content="%s">%s']))
    return _insert(draw, body, tag % (bad, bad))


_BODY_TAG = re.compile(rb"(<body[^>]*>)(.*)(</body>)", re.I | re.S)
EMPTY_PAGES = (
    b"", b" ", b"\n\t\r ", b"\xc2\xa0" * 10, "\u3000\u2003".encode(), b"<html></html>", b"<html><body>   </body></html>",
    b"\xef\xbb\xbf", b"\xef\xbb\xbf   ", b"\xff\xfe", b"\x00", b"\x00" * 100, b"<", b"<!--", b"<!DOCTYPE html>",
    b"<?xml version='1.0' encoding='utf-8'?>", b"<html><head><title></title></head><body><h1></h1><p> </p></body></html>",
    b"<html><head><title> </title></head><body><article><p>\xc2\xa0</p><p>\xe2\x80\x8b</p></article></body></html>",
)


def m_empty(draw, body):
    if _BODY_TAG.search(body) and draw(st.booleans()):  # keep the head, empty the body
        filler = draw(st.sampled_from([b"", b"   ", b"\n\n", b"\xc2\xa0", b"<p></p>" * 5, b"<div> </div>"]))
        return _BODY_TAG.sub(lambda m: m.group(1) + filler + m.group(3), body, count=1)
    return draw(st.sampled_from(EMPTY_PAGES))


MUTATIONS = {
    "flip": m_flip, "truncate": m_truncate, "delete": m_delete, "duplicate": m_duplicate, "splice": m_splice,
    "drop_close_tags": m_drop_close_tags, "extra_tags": m_extra_tags, "nul": m_nul, "control": m_control,
    "invalid_utf8": m_invalid_utf8, "char_refs": m_char_refs, "bom": m_bom, "reencode": m_reencode,
    "huge_attr": m_huge_attr, "deep_nesting": m_deep_nesting, "charset_lie": m_charset_lie, "jsonld": m_jsonld,
    "dates": m_dates, "empty": m_empty,
}


@st.composite
def mutated(draw, ops: tuple[str, ...] | None = None) -> Case:
    """A fixture or demo page after one to three mutations (from `ops`, default all)."""
    seed = draw(st.sampled_from(seed_pages()))
    names = draw(st.lists(st.sampled_from(ops or tuple(MUTATIONS)), min_size=1, max_size=3))
    body = seed.body
    for name in names:
        body = MUTATIONS[name](draw, body)[:MAX_BODY]
    return Case("mutated:" + "+".join(names), body, **_other_fields(draw, seed.url, seed.headers, seed.site))


# -- structural: random trees of news-like tags ----------------------------------------

_WORD = st.sampled_from(WORDS)


@st.composite
def sentence(draw) -> str:
    words = draw(st.lists(_WORD, min_size=1, max_size=14))
    text = " ".join(words)
    return text[:1].upper() + text[1:] + draw(st.sampled_from([".", "!", "?", "…", "", ",", ":"]))


@st.composite
def paragraph_text(draw) -> str:
    """Russian prose with the quote shapes pipelines/quotes.py looks for, balanced or not."""
    s, who, verb = draw(sentence()), draw(st.sampled_from(NAMES)), draw(st.sampled_from(VERBS))
    o, c = draw(st.sampled_from(QUOTE_PAIRS))
    d = draw(st.sampled_from(DASHES))
    template = draw(st.sampled_from([
        "{s}", "{o}{s}{c}, {d} {verb} {who}.", "{who} {verb}: {o}{s}{c}.", "{d} {s}, {d} {verb} {who}. {d} {s2}",
        "По словам {who}, {o}{s}{c}.", "Как {verb} {who}, {o}{s}{c}", "{who}, {s}:", "{d} {s2}",
        "{o}{s} {o}{s2}{c} {s}{c}, {d} {verb} {who}.", "{s} {o}{s2}", "{o}{o}{o}{s}{c}{c}", "{s} {d} {s2} {d}",
        "{o}{s}{c}{o}{s2}{c}{o}{s}{c}, {d} {verb} {who}.",
    ]))
    return template.format(s=s, s2=draw(sentence()), who=who, verb=verb, o=o, c=c, d=d)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def leaf(draw) -> str:
    kind = draw(st.sampled_from(["p", "p", "p", "h1", "h2", "blockquote", "time", "a", "img", "br", "text",
                                 "ld", "li", "noise"]))
    text = _esc(draw(paragraph_text()))
    if kind == "time":
        date = _esc(draw(st.sampled_from(BAD_DATES)))
        return f'<time datetime="{date}">{date}</time>'
    if kind == "a":
        return f'<a href="{draw(st.sampled_from(["/news/x-1/", "https://a.kz/", "", "#", "javascript:0", "/tag/x/"]))}">{text}</a>'
    if kind == "img":
        return f'<figure><img src="/i/{draw(st.integers(0, 9))}.jpg"><figcaption>{text}</figcaption></figure>'
    if kind == "br":
        return "<br>"
    if kind == "text":
        return text
    if kind == "ld":
        return f'<script type="application/ld+json">{draw(jsonld_text())}</script>'
    if kind == "li":
        return f"<ul><li>{text}</li><li>{_esc(draw(paragraph_text()))}</li></ul>"
    if kind == "noise":
        return draw(st.sampled_from(["<script>var x = '<p>не текст</p>';</script>", "<style>p{}</style>",
                                     "<!-- комментарий -->", "<iframe src='/x'></iframe>", "<svg><text>x</text></svg>"]))
    return f"<{kind}>{text}</{kind}>"


def _container(children):
    return st.builds(
        lambda tag, cls, kids: f'<{tag} class="{cls}">' + "".join(kids) + f"</{tag}>",
        st.sampled_from(["article", "div", "div", "section", "main", "aside", "nav", "footer", "header",
                         "blockquote", "figure", "form", "span", "font", "td", "li"]),
        st.sampled_from(CLASSES),
        st.lists(children, max_size=6),
    )


TREES = st.recursive(leaf(), _container, max_leaves=25)


@st.composite
def tree(draw) -> Case:
    title = _esc(draw(sentence()))
    head = [f"<title>{title}</title>"]
    for key in draw(st.lists(st.sampled_from(["og:title", "og:type", "og:url", "article:published_time",
                                              "article:modified_time", "article:author", "article:tag",
                                              "og:image", "description"]), max_size=5)):
        value = {"og:type": "article", "og:url": "https://a.kz/news/1/",
                 "article:published_time": draw(st.sampled_from(BAD_DATES))}.get(key, title)
        head.append(f'<meta property="{key}" content="{_esc(value)}">')
    if draw(st.booleans()):
        head.append(f'<script type="application/ld+json">{draw(jsonld_text())}</script>')
    if draw(st.booleans()):
        head.append('<link rel="canonical" href="%s">' % draw(st.sampled_from(URLS[:12])))
    body = draw(st.lists(TREES, min_size=1, max_size=4))
    if draw(st.booleans()):
        body.insert(0, f"<h1>{title}</h1>")
    html = "<html><head>" + "".join(head) + "</head><body>" + "".join(body) + "</body></html>"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1251", "utf-16"]))
    if encoding != "utf-8" and draw(st.booleans()):
        html = html.replace("<head>", f'<head><meta charset="{encoding}">', 1)
    site = draw(st.sampled_from([None, None, "demo", "caravan"]))
    url = {"demo": URLS[1], "caravan": URLS[0]}.get(site, URLS[2])
    return Case("tree", html.encode(encoding, errors="replace"), url=url, site=site)


STRATEGIES = {"random_bytes": random_bytes(), "random_text": random_text(), "mutated": mutated(), "tree": tree()}


# -- the property ---------------------------------------------------------------------


@dataclass
class Result:
    kind: str | None  # one of KINDS, None when parse_page raised
    problems: list[str]
    seconds: float
    error: str | None = None


def _profile(site: str | None):
    from core.profiles import load_profile

    return load_profile(site) if site else None


_WORD_RE = re.compile(r"\w+")


def _is_subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(word == h for h in it) for word in needle)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_json(data: dict, kind: str) -> list[str]:
    """What is wrong with one `newsdb parse` record (kind: "article" or "not_article")."""
    from core.items import Article

    problems = []
    text = json.dumps(data, ensure_ascii=False)
    if json.loads(text) != data:
        problems.append("JSON does not round-trip")
    strings = list(_strings(data))
    if any("\x00" in value for value in strings):
        problems.append("NUL in the JSON")
    if any(_has_surrogate(value) for value in strings):
        problems.append("lone surrogate in the JSON")
    if list(data) != list(Article(url="").to_json()):
        problems.append(f"keys {list(data)} are not the contract's")
        return problems
    nullable = (str, type(None))
    shape = {"url": str, "canonical_url": nullable, "is_article": bool, "title": nullable, "lead": nullable,
             "published_at": nullable, "modified_at": nullable, "authors": list, "source": nullable, "body": list,
             "quotes": list, "related": list, "tags": list, "images": list, "language": str, "extraction": dict}
    for key, types in shape.items():
        if not isinstance(data[key], types):
            problems.append(f"{key} is {type(data[key]).__name__}")
    if problems:
        return problems
    if data["is_article"] != (kind == "article"):
        problems.append("is_article disagrees with the outcome")
    if kind == "article":
        if not (data["title"] or "").strip():
            problems.append("article without a title")
        if not data["body"]:
            problems.append("article without a body")
    elif data["body"] or data["quotes"]:
        problems.append("a non-article with body or quotes")
    body = data["body"]
    for i, paragraph in enumerate(body):
        if not isinstance(paragraph, str) or not paragraph.strip():
            problems.append(f"body[{i}] is empty or not a string")
    for key in ("published_at", "modified_at"):
        if data[key] is not None:
            try:
                value = datetime.fromisoformat(data[key])
                if value.utcoffset() is None:
                    problems.append(f"{key} {data[key]!r} has no offset")
                else:
                    value.astimezone(UTC)  # as the database stores it
            except (ValueError, OverflowError) as exc:
                problems.append(f"{key} {data[key]!r}: {exc}")
    for n, quote in enumerate(data["quotes"]):
        if set(quote) != {"text", "speaker", "speaker_canonical", "paragraph", "start", "end", "style", "verb"}:
            problems.append(f"quotes[{n}] keys {sorted(quote)}")
            continue
        index = quote["paragraph"]
        if not isinstance(index, int) or not 0 <= index < len(body):
            problems.append(f"quotes[{n}] points at paragraph {index!r} of {len(body)}")
            continue
        paragraph = body[index]
        if not (isinstance(quote["text"], str) and quote["text"].strip()):
            problems.append(f"quotes[{n}] has no text")
            continue
        if not 0 <= quote["start"] <= quote["end"] <= len(paragraph):
            problems.append(f"quotes[{n}] offsets {quote['start']}..{quote['end']} outside paragraph of {len(paragraph)}")
        # A quote's words stand in the body in its order, from its start on: a quote
        # split around its attribution or run over paragraphs joins parts of them.
        rest = _WORD_RE.findall(paragraph[quote["start"]:] + "\n" + "\n".join(body[index + 1:]))
        if not _is_subsequence(_WORD_RE.findall(quote["text"]), rest):
            problems.append(f"quotes[{n}] text {quote['text'][:60]!r} is not in the body from its start")
        if quote["style"] not in tuple("ABCDEF"):
            problems.append(f"quotes[{n}] style {quote['style']!r}")
        for key in ("speaker", "speaker_canonical", "verb"):
            if not isinstance(quote[key], nullable):
                problems.append(f"quotes[{n}].{key} is {type(quote[key]).__name__}")
    for n, link in enumerate(data["related"]):
        if set(link) != {"tag", "title", "url"} or not isinstance(link["url"], str) \
                or not link["url"].startswith(("http://", "https://")) or not link["title"]:
            problems.append(f"related[{n}] {link!r:.120}")
    for n, image in enumerate(data["images"]):
        if set(image) != {"url", "caption"} or not isinstance(image["url"], str):
            problems.append(f"images[{n}] {image!r:.120}")
    if not all(isinstance(t, str) and t for t in data["tags"] + data["authors"]):
        problems.append("a tag or author that is not a non-empty string")
    extraction = data["extraction"]
    if not isinstance(extraction.get("parser_version"), str) or \
            not set(extraction.get("layers", {}).values()) <= {"profile", "metadata", "generic"}:
        problems.append(f"extraction {extraction!r:.120}")
    return problems


def check(case: Case) -> Result:
    """Parse the case in-process; the problems with what came out ([] when all is well).

    Runs what `newsdb parse` runs around the parse too (declared_url on the bytes).
    """
    from core.items import Page
    from crawler.pages.metadata import declared_url
    from pipelines.parse import parse_page

    started = time.perf_counter()
    declared_url(case.body)
    page = Page(url=case.url, body=case.body, headers=dict(case.headers), fetched_at=case.fetched_at)
    outcome = parse_page(page, _profile(case.site), encoding=case.encoding)
    problems = []
    if outcome.kind not in KINDS:
        problems.append(f"unknown outcome kind {outcome.kind!r}")
    if outcome.kind == "failed":
        error = outcome.error or ""
        if not error.startswith(EXPECTED_ERRORS):
            problems.append(f"parse_page caught a crash: {error[:300]}")
        if not error.strip() or "\n" in error:
            problems.append(f"error is not one line: {error[:300]!r}")
    else:
        problems.extend(check_json(outcome.article.to_json(), outcome.kind))
    seconds = time.perf_counter() - started
    if seconds > SLOW_SECONDS:
        problems.append(f"slow: {seconds:.1f} s")
    return Result(outcome.kind, problems, seconds, outcome.error)


def check_cli(case: Case, path: Path) -> list[str]:
    """`newsdb parse PATH` on the case's bytes: exit 0 and the contract JSON, or exit 1 and one line."""
    from click.testing import CliRunner

    from newsdb.cli import cli

    path.write_bytes(case.body)
    args = ["parse", str(path), "--compact"]
    if case.url and not case.url.startswith("-"):
        args += ["--url", case.url]
    if case.site:
        args += ["--site", case.site]
    if case.encoding:
        args += ["--encoding", case.encoding]
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return [f"newsdb parse raised {type(result.exception).__name__}: {result.exception}"[:300]]
    if result.exit_code == 0:
        try:
            data = json.loads(result.stdout)
        except ValueError as exc:
            return [f"newsdb parse printed no JSON: {exc}"]
        return check_json(data, "article" if data.get("is_article") else "not_article")
    # Exit 1: a user error; exit 2: click's usage error (an --url over 4096 characters),
    # printed after its "Usage:" and "Try …" lines. Either way one line says what is wrong.
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("Usage:", "Try "))]
    if result.exit_code not in (1, 2) or len(lines) != 1 or "Traceback" in result.output:
        return [f"newsdb parse exit {result.exit_code}: {result.stderr[:300]!r}"]
    return []
