"""The data that travels down the one path: fetched page -> raw fields -> article.

Plain dataclasses, so extraction, the pipelines, storage and `newsdb reparse`
share them without importing Scrapy or SQLAlchemy.

    Page        what the downloader fetched (or the archive holds)
    RawArticle  what extraction found in the page, text as written
    Article     what the pipelines made of it, ready to store
    Outcome     what parsing one page gave: an article, not an article, or a failure

`pipelines.parse.parse_page` turns a Page into an Outcome and
`storage.api.apply_outcome` writes an Outcome: the crawl, `newsdb reparse`,
`newsdb import-warc` and `newsdb parse` use those two and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core import PARSER_VERSION


@dataclass
class Page:
    """One fetched response, as archived."""

    url: str
    body: bytes = field(repr=False)  # logs show the page, not its megabytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    fetched_at: datetime | None = None
    site: str | None = None
    page_id: int | None = None  # set once the archive has stored it


@dataclass
class RawLink:
    """A related-headline card as found in the page: rubric + headline + href."""

    title: str
    url: str
    tag: str | None = None


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class RawArticle:
    """Fields extracted from one page, before normalization.

    `paragraphs` are the body paragraphs as they stand in the markup (still
    with no-break spaces, soft hyphens, captions or "Читайте также" lines that
    the page put inside its body); the pipelines clean them.
    `layers` says which extraction layer answered each field:
    "profile", "metadata" or "generic".
    """

    url: str
    is_article: bool
    canonical_url: str | None = None
    title: str | None = None
    lead: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    related: list[RawLink] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    language: str = "ru"
    layers: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None  # the site's own article id (caravan: the number in the slug)
    page_id: int | None = None
    site: str | None = None


@dataclass
class Quote:
    """Direct speech found in the normalized body.

    `start`/`end` are character offsets of `text` inside body[paragraph]
    (for a quote split around its attribution, the span of its first part's
    start to its last part's end). `style` is one of A-F (see pipelines/quotes.py).
    """

    text: str
    speaker: str | None
    speaker_canonical: str | None
    paragraph: int
    start: int = 0
    end: int = 0
    style: str = "A"
    verb: str | None = None
    verb_lemma: str | None = None


@dataclass
class RelatedLink:
    title: str
    url: str  # absolute
    tag: str | None = None


@dataclass
class Article:
    """A normalized article, ready for storage and for the `newsdb parse` JSON.

    Every field but `url` has a default, so `Article(url="")` is the empty
    article whose `to_json()` keys say what every contract record holds.
    """

    url: str
    canonical_url: str | None = None
    is_article: bool = True
    title: str | None = None
    lead: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None  # as written: "Акорду"
    source_base: str | None = None  # its nominative base form, core.sources.source_base: "Акорда"
    body: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    language: str = "ru"
    parser_version: str = PARSER_VERSION
    layers: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None
    page_id: int | None = None
    site: str | None = None

    @property
    def key(self) -> str:
        """Identity of the article within its site: AMP twins and ?p=<id> short
        links of one article share it, so re-crawls update instead of adding."""
        if self.external_id:
            return f"id:{self.external_id}"
        return self.canonical_url or self.url

    def to_json(self) -> dict:
        """The `newsdb parse` contract (see DESIGN.md), and the one serializer of it:
        `newsdb export` (JSON lines and CSV), article history and the content hash
        are derived from this dict, so a key added here appears in all of them."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "is_article": self.is_article,
            "title": self.title,
            "lead": self.lead,
            "published_at": iso(self.published_at),
            "modified_at": iso(self.modified_at),
            "authors": list(self.authors),
            "source": self.source,
            "source_base": self.source_base,
            "body": list(self.body),
            "quotes": [
                {
                    "text": q.text,
                    "speaker": q.speaker,
                    "speaker_canonical": q.speaker_canonical,
                    "paragraph": q.paragraph,
                    "start": q.start,
                    "end": q.end,
                    "style": q.style,
                    "verb": q.verb,
                }
                for q in self.quotes
            ],
            "related": [{"tag": link.tag, "title": link.title, "url": link.url} for link in self.related],
            "tags": list(self.tags),
            "images": [{"url": image.url, "caption": image.caption} for image in self.images],
            "language": self.language,
            "extraction": {"parser_version": self.parser_version, "layers": dict(self.layers)},
        }


@dataclass
class Outcome:
    """What parsing one page gave, ready to be applied to the database.

    `article` is set whenever parsing succeeded (`article.is_article` tells an
    article from a listing or a video post); `error` ("ExceptionType: message")
    when it failed, in which case `article` is None. It carries the page's id and
    URL but not its bytes: re-parse workers send outcomes back to one writer.
    """

    url: str
    page_id: int | None = None
    article: Article | None = None
    error: str | None = None

    @property
    def kind(self) -> str:
        """"article", "not_article" or "failed"."""
        if self.error is not None or self.article is None:
            return "failed"
        return "article" if self.article.is_article else "not_article"
