"""The article page object: every field from the first layer that answers.

Layers, in order (DESIGN.md): the site profile's selectors, the page's
structured metadata, generic detection. `layers` in the result names the one
that answered each field, so a site that changed its theme shows up as
"profile" turning into "metadata"/"generic" in `newsdb stats`, not as empty rows.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import cached_property
from core.bylines import clean_authors, decode_entities
from core.dates import date_from_url, page_zone, parse_date
from core.encoding import decode_html
from core.items import Image, Page, RawArticle, RawLink
from core.normalize import join_url, url_host
from crawler.pages import generic, maintext
from crawler.pages.related import find_related
from crawler.pages.html import parse_html, remove, select, select_one, strip_noise, text_of
from crawler.pages.metadata import Metadata, read_metadata
from core.profiles import SiteProfile

_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)|(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")
_ISO_INSTANT = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-][0-2]\d:?[0-5]\d)?")
# Elements a dateline is printed in, from <time> to an old theme's <font>.
_DATELINE_TAGS = ("time", "span", "div", "p", "li", "font", "td", "small", "b", "em", "i", "dd")


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def _own_text(el) -> str:
    return " ".join((el.text or "").split())


def _in_link(el) -> bool:
    """Inside a link: a teaser's date, another article's."""
    return next(el.iterancestors("a"), None) is not None


# Below this much body text a page is a listing, a video or a stub, not an article.
MIN_ARTICLE_CHARS = 200


class ArticlePage:
    """Fields of one page. Construct from a `Page`; read fields or call `to_item()`."""

    def __init__(
        self,
        page: Page,
        profile: SiteProfile | None = None,
        *,
        encoding: str | None = None,
    ) -> None:
        self.page = page
        self.profile = profile
        self.url = page.final_url or page.url
        self.text, self.encoding = decode_html(page.body, page.headers, encoding)
        self.layers: dict[str, str] = {}

    # -- parsing -------------------------------------------------------------

    @cached_property
    def tree(self):
        root = parse_html(self.text)
        # One parse serves both: metadata first (JSON-LD lives in <script>), then
        # the noise goes before any text is read.
        self.__dict__["metadata"] = read_metadata(root)
        strip_noise(root)
        return root

    @cached_property
    def metadata(self) -> Metadata:
        self.tree
        return self.__dict__["metadata"]

    @cached_property
    def tz(self) -> tzinfo:
        """The zone for times the page writes without one (a stated zone always wins):
        the profile's; for an unprofiled page the one its other dates, domain or
        language place it in, else UTC (core.dates.page_zone): the day never moves."""
        if self.profile:
            return self.profile.timezone
        return page_zone(self.metadata.dates, url_host(self.url), self.metadata.language)

    @property
    def selectors(self):
        return self.profile.selectors if self.profile else None

    def _answer(self, name: str, layer: str, value):
        self.layers[name] = layer
        return value

    # -- fields --------------------------------------------------------------

    @cached_property
    def title(self) -> str | None:
        if self.selectors:
            text = decode_entities(text_of(select_one(self.tree, self.selectors.title)))
            if text:
                return self._answer("title", "profile", text)
        names = generic.site_names(self.metadata.site_name, self.url)
        meta = " ".join(decode_entities(self.metadata.title).split())
        if meta:
            # The SEO title is often the visible headline plus "ФОТО | " or " | Site.kz":
            # the headline the reader sees wins then; with none, the site's name goes.
            headline = generic.find_headline(self.tree)
            if headline and (generic.is_decorated(meta, headline) or generic.is_cut(meta, headline)):
                return self._answer("title", "generic", headline)
            # A social title reworded for sharing loses to the headline when the page's
            # own <title> is that headline (plus a kicker or the site's name).
            own = " ".join(decode_entities(text_of(self.tree.find(".//title"))).split())
            if headline and own and own != meta and (own == headline or generic.is_decorated(own, headline)):
                return self._answer("title", "generic", headline)
            return self._answer("title", "metadata", meta if headline else generic.strip_site_name(meta, names))
        found = generic.find_title(self.tree, names)
        return self._answer("title", "generic", found) if found else None

    @cached_property
    def canonical_url(self) -> str | None:
        if self.metadata.canonical_url:
            url = join_url(self.url, self.metadata.canonical_url)
            if url:
                return self._answer("canonical_url", "metadata", url)
        return None

    def _date(self, name: str, selector: str | None, meta_values: list[str]) -> datetime | None:
        now = self.page.fetched_at
        if self.selectors and selector:
            el = select_one(self.tree, selector)
            if el is not None:
                value = parse_date(el.get("datetime") or text_of(el), self.tz, now)
                if value:
                    return self._answer(name, "profile", value)
        for meta_value in meta_values:  # JSON-LD, then <meta> variants: the first that parses
            value = parse_date(meta_value, self.tz, now)
            if value:
                return self._answer(name, "metadata", value)
        return None

    @cached_property
    def published_at(self) -> datetime | None:
        """Profile selector; JSON-LD and <meta> (metadata.PUBLISHED_KEYS); the dateline
        near the headline (<time datetime>, "12 марта 2025, 14:35", "Вчера, 09:10");
        the day in the URL ("/2025/03/12/")."""
        found = self._date("published_at", self.selectors and self.selectors.published,
                           self.metadata.published_candidates)
        if found is None and self.anchors[0] is not None:
            found = self._generic_date()
        if found is None:
            for url in (self.url, self.canonical_url):
                found = date_from_url(url, self.tz)
                if found:
                    return self._answer("published_at", "generic", found)  # the contract names three layers
        return found

    def _generic_date(self) -> datetime | None:
        # The dateline sits between the headline and the text: look at short text
        # nodes before the first body element, nearest first. The first element
        # itself counts with its own text only (bare-text bodies start in the
        # tail of the dateline's <span>).
        # The walk stops at the first body element whatever its tag (an <img>, a
        # <br>): dates after it are the related list's. A date inside a link (a
        # teaser's) is some other article's.
        first = self.anchors[0]
        candidates = []
        for el in self.tree.iter():
            if el.tag in _DATELINE_TAGS:
                text = _own_text(el) if el is first else text_of(el)
                if len(text) > 60:  # "Добавлено: 14.01.2023 10:20 ALMT | Автор: … | Просмотров: …"
                    parts = generic.meta_parts(text)
                    text = next((p for p in parts if any(ch.isdigit() for ch in p) and 6 <= len(p) <= 60), text)
                if 6 <= len(text) <= 60 and any(ch.isdigit() for ch in text) and not _in_link(el):
                    candidates.append(text)
            if el is first:
                break
        nearest = list(reversed(candidates[-20:]))
        for fuzzy in (False, True):  # our patterns on every candidate before dateparser on any
            for text in nearest:
                value = parse_date(text, self.tz, self.page.fetched_at, fuzzy=fuzzy)
                if value:
                    if not _YEAR.search(text):
                        value = self._year_from_data(value)
                    return self._answer("published_at", "generic", value)
        return None

    def _year_from_data(self, value: datetime) -> datetime:
        """A dateline without a year ("3 октября, 18:05") takes it from an instant the
        page's own data carries for the same day and time (a framework's JSON state,
        "2025-10-03T15:05:00.000Z"); the year guessed from the fetch date is kept else."""
        for m in _ISO_INSTANT.finditer(self.text):
            try:
                instant = datetime.fromisoformat(m.group(0).replace("Z", "+00:00"))
            except ValueError:
                continue
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=value.tzinfo)
            local = instant.astimezone(value.tzinfo)
            timed = (value.hour, value.minute) != (0, 0)  # a dateline with no time matches by day
            if (local.month, local.day) == (value.month, value.day) and (
                    not timed or (local.hour, local.minute) == (value.hour, value.minute)):
                try:
                    return value.replace(year=local.year)
                except ValueError:  # 29 February
                    return value
        return value

    @cached_property
    def modified_at(self) -> datetime | None:
        return self._date("modified_at", self.selectors and self.selectors.modified,
                          self.metadata.modified_candidates)

    @cached_property
    def authors(self) -> list[str]:
        # Every source goes through one cleaner (core/bylines.py): lists split,
        # labels, roles, e-mails and agencies out.
        if self.selectors:
            found = clean_authors(text_of(el) for el in select(self.tree, self.selectors.authors))
            if found:
                return self._answer("authors", "profile", found)
        found = clean_authors(self.metadata.authors)
        if found:
            # A co-authors plugin prints every author where the metadata names the first one
            shown = generic.find_byline(self.tree)
            if len(shown) > len(found) and {_fold(a) for a in found} <= {_fold(a) for a in shown}:
                return self._answer("authors", "generic", shown)
            return self._answer("authors", "metadata", found)
        self.paragraphs  # a byline line at the body's edge is taken out of the body there
        first, last = self.anchors
        found = (self._body_bylines[1] or generic.find_byline(self.tree)
                 or generic.bylines_under_headline(self._headline, first, self._raw_paragraphs)
                 or generic.byline_lines_near(self.tree, first, last) or generic.signature_after(last, self._related_urls))
        return self._answer("authors", "generic", found) if found else []

    @cached_property
    def _headline(self):
        """The element the reader sees the headline in (the bylines stand under it)."""
        h1 = generic.headline_element(self.tree)
        return h1 if h1 is not None else generic.headline_like(self.tree, self.title)

    @cached_property
    def _body_bylines(self) -> tuple[set[int], list[str]]:
        """"Автор: …" / "Текст: …" lines opening or closing the body: (their indexes, the names)."""
        texts = self._raw_paragraphs
        edges = sorted({0, len(texts) - 2, len(texts) - 1} - {-1, -2}) if len(texts) > 1 else []
        drop, names = set(), []
        for i in edges:
            if len(texts[i]) <= 120 and generic.BYLINE_LINE.match(texts[i]):
                found = clean_authors([texts[i]])
                if found or generic.BYLINE_LINE.fullmatch(texts[i].strip()):
                    drop.add(i)  # a bare "Автор:" whose name sits in markup the body left out, too
                    names.extend(found)
            elif i == 0 and (found := generic.dateline_names(texts[i])):
                drop.add(i)  # an agency's dateline opens the text: "АСТАНА, 5 февраля — Имя Фамилия"
                names.extend(found)
        return drop, list(dict.fromkeys(names))

    @cached_property
    def _profile_body(self) -> list | None:
        if not self.selectors or not self.selectors.body:
            return None
        for selector in self.selectors.drop:
            remove(select(self.tree, selector))
        found = select(self.tree, self.selectors.body)
        return found or None

    @cached_property
    def _generic_body(self) -> tuple[list[str], object, object]:
        return maintext.main_text(self.tree, self.title, generic.is_chrome)

    @cached_property
    def anchors(self) -> tuple:
        """(first, last) element of the body in our tree: the dateline is before the
        first, the related block after the last."""
        if self._profile_body:
            return self._profile_body[0], self._profile_body[-1]
        return self._generic_body[1], self._generic_body[2]

    @cached_property
    def _raw_paragraphs(self) -> list[str]:
        if self._profile_body:
            texts = [text_of(el) for el in self._profile_body]
            return self._answer("body", "profile", [t for t in texts if t])
        if self._generic_body[0]:
            return self._answer("body", "generic", list(self._generic_body[0]))
        if self.metadata.body:
            return self._answer("body", "metadata", [p for p in self.metadata.body.split("\n") if p.strip()])
        return []

    @cached_property
    def paragraphs(self) -> list[str]:
        drop = self._body_bylines[0]  # a byline is no body text
        return [p for i, p in enumerate(self._raw_paragraphs) if i not in drop] if drop else self._raw_paragraphs

    @cached_property
    def tags(self) -> list[str]:
        if self.selectors:
            found = [text_of(el) for el in select(self.tree, self.selectors.tags)]
            found = [t for t in found if t]
            if found:
                return self._answer("tags", "profile", list(dict.fromkeys(found)))
        if self.metadata.tags:
            return self._answer("tags", "metadata", list(dict.fromkeys(self.metadata.tags)))
        return []

    @cached_property
    def images(self) -> list[Image]:
        if self.selectors and self.selectors.images:
            found = []
            for figure in select(self.tree, self.selectors.images):
                img = figure if figure.tag in ("img", "amp-img") else select_one(figure, "img, amp-img")
                if img is None or not (img.get("src") or img.get("data-src")):
                    continue
                caption = text_of(select_one(figure, "figcaption, .wp-caption-text")) or None
                url = join_url(self.url, img.get("src") or img.get("data-src"))
                if url:
                    found.append(Image(url=url, caption=caption))
            if found:
                return self._answer("images", "profile", found)
        if self.metadata.images:
            found = [Image(url=url) for url in (join_url(self.url, u) for u in self.metadata.images) if url]
            if found:
                return self._answer("images", "metadata", found)
        return []

    @cached_property
    def related(self) -> list[RawLink]:
        sel = self.selectors
        if sel and sel.related:
            cards = []
            for card in select(self.tree, sel.related):
                head = select_one(card, sel.related_title) if sel.related_title else card
                if head is None:
                    continue
                link = head if head.tag == "a" else select_one(head, "a")
                if link is None or not link.get("href"):
                    continue
                tag = text_of(select_one(card, sel.related_tag)) if sel.related_tag else ""
                cards.append(RawLink(title=text_of(head), url=link.get("href").strip(), tag=tag or None))
            if cards:
                return self._answer("related", "profile", cards)
        found = find_related(self.tree, *self.anchors, self.url)
        return self._answer("related", "generic", found) if found else []

    @cached_property
    def _related_urls(self) -> frozenset:
        """The related links' hrefs as written: their block is no teaser list and no signature."""
        return frozenset(link.url for link in self.related)

    @cached_property
    def is_article(self) -> bool:
        if not is_html(self.page.headers):
            return False  # a feed, sitemap, JSON or image the archive also holds
        text = sum(len(p) for p in self.paragraphs)
        if text < MIN_ARTICLE_CHARS or not self.title:
            return False
        if generic.is_service_page(self.title, self.url):
            return False  # contacts, about, advertising: marked up as articles by SEO plugins
        if self.layers.get("body") == "profile" or self.metadata.is_article_type:
            return True
        if self.profile and self._article_id(self.url):
            return True
        teasers = maintext.teasers(self.tree, *self.anchors, self._related_urls)
        if teasers.count >= 3 and (teasers.count * 1000 >= 3 * text or 2 * teasers.row_chars >= text):
            # headlines interleaved with short excerpts, or rows of headline + excerpt
            # holding most of the text: a listing, rubric or search page
            return False
        # Generic text with no other sign: demand a real article's worth of prose.
        return len(self.paragraphs) >= 2 and text >= 2 * MIN_ARTICLE_CHARS

    def to_item(self) -> RawArticle:
        if not self.is_article:
            return RawArticle(url=self.page.url, is_article=False, title=self.title,
                              canonical_url=self.canonical_url, page_id=self.page.page_id,
                              site=self.page.site, layers=dict(self.layers))
        paragraphs = self.paragraphs
        return RawArticle(
            url=self.page.url,
            is_article=True,
            canonical_url=self.canonical_url,
            title=self.title,
            lead=paragraphs[0] if paragraphs else None,
            published_at=self.published_at,
            modified_at=self.modified_at,
            authors=self.authors,
            paragraphs=paragraphs,
            related=self.related,
            tags=self.tags,
            images=self.images,
            layers=dict(self.layers),
            external_id=self._external_id(),
            page_id=self.page.page_id,
            site=self.page.site,
        )

    def _external_id(self) -> str | None:
        if not self.profile:
            return None
        for url in (self.canonical_url, self.url, self.page.url):
            found = self._article_id(url)
            if found:
                return found
        return None

    def _article_id(self, url: str | None) -> str | None:
        # The profile parses the URL; one urllib cannot parse ("http://[::1") has no id.
        if not url:
            return None
        try:
            return self.profile.article_id(url)
        except ValueError:
            return None


_NOT_HTML = ("xml", "json", "image/", "video/", "audio/", "font/", "javascript", "css", "pdf", "zip", "octet-stream")


def is_html(headers: dict[str, str] | None) -> bool:
    """False when the response says it is something else; no Content-Type means "maybe HTML"."""
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            kind = value.split(";")[0].strip().lower()
            return "html" in kind or not any(marker in kind for marker in _NOT_HTML)
    return True


def extract(page: Page, profile: SiteProfile | None = None, *, encoding: str | None = None) -> RawArticle:
    """Bytes + URL + headers (a `Page`) to raw article fields."""
    return ArticlePage(page, profile, encoding=encoding).to_item()
