"""Layer 2: what the page says about itself in structured metadata.

JSON-LD (NewsArticle/Article, also inside @graph), OpenGraph and article:* meta,
microdata (itemprop) and <time datetime>. Read before noise is stripped, since
JSON-LD lives in <script>.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from core.bylines import clean_authors
from crawler.pages.html import select, text_of

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "WebPageElement"}


@dataclass
class Metadata:
    title: str | None = None
    site_name: str | None = None  # og:site_name, else the JSON-LD publisher: what a <title> suffix may repeat
    canonical_url: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    body: str | None = None  # JSON-LD articleBody, when a site ships it
    og_type: str | None = None
    is_article_type: bool = False  # JSON-LD or og:type says "article"
    # Every date string the page states, best first: `published`/`modified` are the
    # first; a later one answers when the first does not parse. `dates` holds them all
    # (any JSON-LD object, every <time datetime>) for the zone an unprofiled page is in.
    published_candidates: list[str] = field(default_factory=list)
    modified_candidates: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    language: str | None = None  # <html lang>, else og:locale / content-language ("ru-KZ", "kk_KZ")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _jsonld_objects(root) -> list[dict]:
    found: list[dict] = []
    for script in root.iter("script"):  # a plain tag walk in C beats any selector here
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep ("[[[[…")
            continue  # broken JSON-LD is common; the other layers still answer
        stack = _as_list(data)
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                stack.extend(_as_list(item.get("@graph")))
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _types(obj: dict) -> set[str]:
    return {str(t) for t in _as_list(obj.get("@type"))}


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _image_url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value else None


def read_metadata(root) -> Metadata:
    meta = Metadata()
    props: dict[str, list[str]] = {}
    for el in root.iter("meta"):  # one C-level walk; the CSS union costs three
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content:
            props.setdefault(key, []).append(content)

    def first(*keys: str) -> str | None:
        for key in keys:
            if props.get(key):
                return props[key][0]
        return None

    objects = _jsonld_objects(root)
    article = next((o for o in objects if _types(o) & ARTICLE_TYPES), None)
    if article:
        meta.is_article_type = True
        meta.title = _name(article.get("headline")) or _name(article.get("name"))
        meta.published = _name(article.get("datePublished"))
        meta.modified = _name(article.get("dateModified"))
        # An Organization as author is the outlet itself, no person.
        meta.authors = [a for a in (_name(x) for x in _as_list(article.get("author"))
                                    if not (isinstance(x, dict) and any("Organization" in t for t in _types(x)))) if a]
        meta.site_name = _name(article.get("publisher"))
        meta.description = _name(article.get("description"))
        meta.section = _name(article.get("articleSection"))
        keywords = article.get("keywords")
        if isinstance(keywords, str):
            meta.tags = [k.strip() for k in keywords.split(",") if k.strip()]
        elif isinstance(keywords, list):
            meta.tags = [str(k).strip() for k in keywords if str(k).strip()]
        meta.images = [u for u in (_image_url(x) for x in _as_list(article.get("image"))) if u]
        meta.body = _name(article.get("articleBody"))
        main = article.get("mainEntityOfPage")
        meta.canonical_url = _name(main.get("@id") if isinstance(main, dict) else main)

    meta.og_type = first("og:type")
    if meta.og_type and meta.og_type.lower() == "article":
        meta.is_article_type = True
    meta.title = meta.title or first("og:title", "twitter:title", "headline")
    meta.site_name = first("og:site_name", "application-name") or meta.site_name
    meta.published = meta.published or first("article:published_time", "datepublished", "pubdate", "publishdate")
    meta.modified = meta.modified or first("article:modified_time", "datemodified", "og:updated_time")
    if not clean_authors(meta.authors):
        # the first source that names a person: article:author is often a profile URL, the
        # JSON-LD author a CMS login, while <meta name=author> or Dublin Core has the name
        named = next((props[key] for key in AUTHOR_KEYS if props.get(key) and clean_authors(props[key])), None)
        meta.authors = named or meta.authors or props.get("article:author", []) or props.get("author", [])
    meta.description = meta.description or first("og:description", "description")
    meta.section = meta.section or first("article:section")
    meta.tags = meta.tags or props.get("article:tag", [])
    meta.images = meta.images or props.get("og:image", [])

    canonical = [el for el in root.iter("link") if (el.get("rel") or "").lower() == "canonical"]
    if canonical and canonical[0].get("href"):
        meta.canonical_url = canonical[0].get("href").strip()
    meta.canonical_url = meta.canonical_url or first("og:url")

    _read_dates(meta, root, objects, article, props)
    if not meta.body:
        body = select(root, "[itemprop=articleBody]")
        if body:
            meta.is_article_type = True
    return meta


# <meta> names (lower case) that name the author, in the order they are trusted.
AUTHOR_KEYS = ("article:author", "author", "dc.creator", "dcterms.creator", "sailthru.author", "parsely-author",
               "byl", "cxenseparse:author", "mediator_author")
# <meta> names (lower case) for the publication time, in the order they are trusted:
# the Open Graph article tags, schema.org itemprop, then what CMSs and analytics
# tags write (Dublin Core, Sailthru, Parse.ly, Cxense, Mediator).
PUBLISHED_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "article.published", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "date", "sailthru.date",
    "parsely-pub-date", "cxenseparse:recs:publishtime", "mediator_published_time", "datecreated",
)
MODIFIED_KEYS = (
    "article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time",
    "dc.date.modified", "dcterms.modified", "article.updated", "lastmod",
)
_RDFA_PUBLISHED = {"date", "created", "issued", "datepublished", "datecreated", "published_time"}
_JSONLD_DATES = ("datePublished", "dateCreated", "dateModified", "uploadDate")
# itemprop=datePublished, RDFa, <time datetime>, in document order; <meta> was read above,
# in trust order. From the attributes up (`//@x/parent::*`): a third of the time of
# `//*[@x]`, whose predicate libxml2 evaluates on every element, and of the CSS union.
_DATE_ELEMENTS = etree.XPath(
    "//@itemprop[.='datePublished']/parent::*[not(self::meta)] | //@property/parent::*[not(self::meta)]"
    " | //time[@datetime]")


def _path(url: str | None) -> str:
    url = (url or "").split("#", 1)[0].split("?", 1)[0]
    return (url.split("://", 1)[-1].partition("/")[2] if "://" in url else url.lstrip("/")).strip("/")


_BARE_TIME = re.compile(r"\d{1,2}:\d{2}")


def _with_time_beside(el) -> str:
    """An element's visible date, with the time its next sibling prints alone (Elementor's
    post-info: '17 марта 2025' in one item, '21:50' in the next)."""
    text = text_of(el)
    after = el.getnext()
    if text and ":" not in text and after is not None and isinstance(after.tag, str):
        beside = text_of(after)
        if _BARE_TIME.fullmatch(beside):
            return f"{text} {beside}"
    return text


_CHROME_CLASS = re.compile(r"(?:^|[\s_-])(?:sidebar|side-bar|footer|topbar|top-bar|header-top|breaking|ticker)(?:$|[\s_-])")


def _in_teaser(el, own_url: str | None) -> bool:
    """A <time> of a teaser card: inside a link, or up to three levels below a block that
    holds another article's headline link (four words or more; a link to the page itself,
    a rubric or an author name is no headline) and not the article's headline."""
    if next(el.iterancestors("a"), None) is not None:
        return True
    if el.tag != "time":
        return False
    own = _path(own_url)
    for anc in el.iterancestors():
        # page chrome outside the article's header: a header clock, a sidebar or footer list
        if anc.tag in ("body", "html"):
            break
        if (anc.tag in ("aside", "nav", "footer", "header") or _CHROME_CLASS.search(anc.get("class") or "")) \
                and anc.find(".//h1") is None:
            # an <article>'s own footer or header ("Published <time>" in Twenty Twenty-One's
            # footer.entry-footer) is the article's
            return next(anc.iterancestors("article"), None) is None
    for depth, anc in enumerate(el.iterancestors()):
        if depth >= 3 or anc.tag in ("body", "html", "article", "header", "main") or anc.find(".//h1") is not None:
            break  # the article's own header: its links are rubrics, authors, the article itself
        for a in anc.iter("a"):
            href = (a.get("href") or "").strip()
            if href and not href.startswith("#") and len((a.text_content() or "").split()) >= 4 and _path(href) != own:
                return True
    return False


def _read_dates(meta: Metadata, root, objects: list[dict], article: dict | None, props: dict) -> None:
    """The page's date strings, best first: JSON-LD, then <meta>, then itemprop
    datePublished and <time datetime> elements in document order (as before)."""
    published = [_name(article.get("datePublished")), _name(article.get("dateCreated"))] if article else []
    modified = [_name(article.get("dateModified"))] if article else []
    published += [v for key in PUBLISHED_KEYS for v in props.get(key, [])]
    modified += [v for key in MODIFIED_KEYS for v in props.get(key, [])]
    elements, teasers = [], []
    for el in _DATE_ELEMENTS(root):
        if el.get("property") is not None and el.get("itemprop") != "datePublished" and el.tag != "time":
            # RDFa (Drupal 7's "dc:date dc:created", schema:datePublished): the content
            # attribute is the machine-readable instant beside the visible text
            if not el.get("content") or not _RDFA_PUBLISHED & {p.rsplit(":", 1)[-1].lower()
                                                               for p in el.get("property").split()}:
                continue
        value = el.get("datetime") or el.get("content") or _with_time_beside(el)
        if value:
            # a <time> inside a link dates a teaser card (a ticker, a "more news" grid), not
            # this article: it still tells the zone the site's CMS writes in
            (teasers if _in_teaser(el, meta.canonical_url) else elements).append(value.strip())
    published += elements
    states = _state_spots(root, meta.title)
    published += [found] if (found := _nearest(states, _STATE_DATE)) else []
    if not clean_authors(meta.authors) and (found := _nearest(states, _STATE_AUTHOR)):
        meta.authors = [found]  # an author the page prints nowhere else
    meta.published_candidates = list(dict.fromkeys(v for v in published if v))
    meta.modified_candidates = list(dict.fromkeys(v for v in modified if v))
    meta.published = meta.published or next(iter(meta.published_candidates), None)
    meta.modified = meta.modified or next(iter(meta.modified_candidates), None)
    others = [_name(o.get(key)) for o in objects for key in _JSONLD_DATES]
    meta.dates = list(dict.fromkeys(v for v in [*meta.published_candidates, *meta.modified_candidates, *others, *teasers]
                                    if v))
    html = root if root.tag == "html" else next(root.iter("html"), None)
    lang = html.get("lang") or html.get("xml:lang") if html is not None else None
    if not lang:
        lang = next((el.get("content") for el in root.iter("meta")
                     if (el.get("http-equiv") or "").lower() == "content-language"), None)
    meta.language = (lang or (props.get("og:locale") or [None])[0] or "").strip() or None


# A server-rendered app's state (Next.js __NEXT_DATA__ and App Router flight chunks,
# Nuxt's __NUXT__, Redux/Apollo state): the article object's publication time, when the
# page prints a date without a year or none at all. Keys as JS and JSON write them, quotes
# maybe escaped inside a flight chunk's string.
_STATE_MARKERS = ("__NEXT_DATA__", "__next_f", "__NUXT__", "__INITIAL_STATE__", "__APOLLO_STATE__",
                  "__PRELOADED_STATE__")
_STATE_DATE = re.compile(
    r"""\\?["']?(?:publishedAt|published_at|datePublished|date_published|publishDate|publish_date|publishedDate|"""
    r"""pubDate|publicationDate|published|createdAt|created_at|date_create)\\?["']?\s*:\s*\\?["']"""
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)")
_STATE_NEAR = 1500  # characters between the article's title and its date in one state object


def _state_spots(root, title: str | None) -> list[tuple[str, list[int]]]:
    """Each app-state script with the places its text holds the article's title (the
    page's <h1>, else its metadata title): a state holds feeds and teasers too, so only
    what stands near the title is the article's."""
    states = []
    for script in root.iter("script"):
        raw = script.text or ""
        if len(raw) >= 40 and (script.get("id") in ("__NEXT_DATA__", "__NUXT_DATA__")
                               or any(m in raw[:200] for m in _STATE_MARKERS)):
            states.append(raw)
    if not states:
        return []
    h1 = next(root.iter("h1"), None)
    titles = [t for t in (text_of(h1) if h1 is not None else "", title or "") if len(t) >= 12]
    found = []
    for raw in states:
        spots = []
        for t in titles:
            for needle in {t[:40], json.dumps(t[:40])[1:-1]}:
                at = raw.find(needle)
                while at >= 0:
                    spots.append(at)
                    at = raw.find(needle, at + 1)
        if spots:
            found.append((raw, spots))
    return found


def _nearest(states: list[tuple[str, list[int]]], pattern: re.Pattern) -> str | None:
    """The first group of the match of `pattern` nearest the title, within _STATE_NEAR."""
    found: list[tuple[int, str]] = []
    for raw, spots in states:
        for m in pattern.finditer(raw):
            gap = min(abs(m.start() - at) for at in spots)
            if gap <= _STATE_NEAR:
                found.append((gap, m[1]))
    return min(found)[1] if found else None


# The article object's author in the state: "author": {"name"/"fullName"/…: "…"} or "author": "…".
_STATE_AUTHOR = re.compile(
    r"""\\?["']?(?:author|authors|byline)\\?["']?\s*:\s*\[?\s*(?:\{[^{}]{0,300}?\\?["']?"""
    r"""(?:fullName|full_name|displayName|display_name|name)\\?["']?\s*:\s*)?\\?["']([^"'\\{}]{3,80})\\?["']""")


_HEAD_END = re.compile(rb"</head\s*>", re.I)


def declared_url(body: bytes) -> str | None:
    """The absolute http(s) URL a page gives for itself: its canonical link, else og:url.

    For `newsdb parse FILE` without --url, so related links resolve against the
    page's real address. Only the <head> is parsed (the tags live there); a
    relative or non-http URL is no base and gives None.
    """
    end = _HEAD_END.search(body)
    head = body[: end.end()] if end else body
    if not head.strip():
        return None
    try:
        root = lxml.html.document_fromstring(head)
    except (etree.ParserError, ValueError):
        return None
    canonical = [el.get("href") for el in root.iter("link") if "canonical" in (el.get("rel") or "").lower().split()]
    og_url = [el.get("content") for el in root.iter("meta") if (el.get("property") or "").strip().lower() == "og:url"]
    for candidate in canonical + og_url:
        url = (candidate or "").strip()
        try:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.hostname:
                return url
        except ValueError:  # "http://[::1": no base either
            continue
    return None
