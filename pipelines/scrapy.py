"""Thin Scrapy item pipelines around the pure steps in pipelines/steps.py.

Each class does one step, reads its NEWSDB_<STEP>_* settings once, counts
stats under `newsdb/<step>/…`, and calls the same function `newsdb reparse`
calls. Items travel as: Page -> (Article, RawArticle) pair -> Article.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import DropItem, NotConfigured

from core import PARSER_VERSION
from crawler.database import database_for
from core.items import Article, Page, RawArticle
from crawler.pages import extract
from pipelines import steps
from storage import api


@dataclass
class InProgress:
    """An article between steps, with the raw fields later steps still need."""

    article: Article
    raw: RawArticle

    @property
    def page_id(self) -> int | None:
        return self.raw.page_id


class _Step:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class ExtractPipeline(_Step):
    """Page -> raw fields. A failure is recorded against the archived page; the crawl goes on."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.db = database_for(crawler.settings)

    def process_item(self, item, spider=None):
        if not isinstance(item, Page):
            return item
        profile = getattr(self.crawler.spider, "profile", None)
        try:
            raw = extract(item, profile)
        except Exception as exc:  # a parser bug must not stop the crawl or lose the page
            self._record(item, f"{type(exc).__name__}: {exc}")
            self.stats.inc_value("newsdb/extract/failed")
            raise DropItem(f"extraction failed for {item.url}: {exc}") from exc
        for field, layer in raw.layers.items():
            self.stats.inc_value(f"newsdb/extract/layer/{field}/{layer}")
        if not raw.is_article:
            with self.db.session() as session:
                api.mark_page_parsed(session, item.page_id, is_article=False, parser_version=PARSER_VERSION)
            self.stats.inc_value("newsdb/extract/not_article")
            raise DropItem(f"not an article: {item.url}", log_level="INFO")
        self.stats.inc_value("newsdb/extract/articles")
        return raw

    def _record(self, page: Page, message: str) -> None:
        if page.page_id is None:
            return
        with self.db.session() as session:
            api.record_page_error(session, page.page_id, message[:2000], parser_version=PARSER_VERSION)


class NormalizePipeline(_Step):
    def process_item(self, item, spider=None):
        if not isinstance(item, RawArticle):
            return item
        article, raw = steps.normalize(item)
        self.stats.inc_value("newsdb/normalize/articles")
        return InProgress(article, raw)


class QuotesPipeline(_Step):
    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("NEWSDB_QUOTES_ENABLED"):
            raise NotConfigured
        super().__init__(crawler)

    def process_item(self, item, spider=None):
        if isinstance(item, InProgress):
            steps.add_quotes(item.article)
            self.stats.inc_value("newsdb/quotes/found", len(item.article.quotes))
        return item


class RelatedPipeline(_Step):
    def __init__(self, crawler) -> None:
        if not crawler.settings.getbool("NEWSDB_RELATED_ENABLED"):
            raise NotConfigured
        super().__init__(crawler)

    def process_item(self, item, spider=None):
        if isinstance(item, InProgress):
            steps.add_related(item.article, item.raw)
            self.stats.inc_value("newsdb/related/found", len(item.article.related))
        return item


class ValidatePipeline(_Step):
    def process_item(self, item, spider=None):
        if isinstance(item, InProgress):
            return steps.validate(item.article)  # ValidationError -> item_error -> recorded on the page
        return item


class StorePipeline(_Step):
    """Article + quotes + links + tags + images in one transaction, upserted by key."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.db = database_for(crawler.settings)

    def process_item(self, item, spider=None):
        if not isinstance(item, Article):
            return item
        with self.db.session() as session:
            _, outcome = api.upsert_article(session, item)
            api.mark_page_parsed(session, item.page_id, is_article=True, parser_version=item.parser_version)
        self.stats.inc_value(f"newsdb/store/{outcome}")
        self.stats.inc_value("newsdb/store/quotes", len(item.quotes))
        self.stats.inc_value("newsdb/store/related", len(item.related))
        return item
