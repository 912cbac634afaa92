"""The crawl's item pipeline: each archived page through the one parse and the one apply.

The spider yields the archived `Page` of every article response (the archive
middleware stored it first). This pipeline calls `pipelines.parse.parse_page`
with the spider's profile and the Steps the NEWSDB_<STEP>_ENABLED settings ask
for, then `storage.api.apply_outcome` in one transaction: exactly what
`newsdb reparse` and `newsdb import-warc` run on archived pages. Stats count
outcomes under `newsdb/parse/<kind>`, writes under `newsdb/store/<result>`,
and which layer answered each field under `newsdb/extract/layer/<field>/<layer>`.

When the spider opens, the pages an earlier run archived but did not store
(killed in between, or stopped by the database) go through the same two
functions first, counted under `newsdb/resume/<result>`. A write waits out a
database that is briefly away (storage.db.Database.write); one that stays
away stops the crawl, and the page, archived already, waits for the next run.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from core.items import Page
from crawler.database import database_for, stop_for_database
from pipelines.parse import parse_page, steps_from_settings
from storage import api
from storage.db import DatabaseUnavailable


class ArticlePipeline:
    """Page -> Outcome -> rows. Not-articles and failures are recorded on their page and dropped."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db = database_for(crawler.settings)
        self.steps = steps_from_settings(crawler.settings.get)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        site = getattr(spider, "site_name", None)
        if site is None:
            return
        try:
            pending = self.db.write(lambda session: api.unparsed_pages(session, site))
            if pending:
                spider.logger.info("storing %d pages an earlier run archived but did not store", len(pending))
            for page_id in pending:
                page = self.db.write(lambda session, page_id=page_id: api.load_page(session, page_id))
                outcome = parse_page(page, getattr(spider, "profile", None), steps=self.steps)
                result = self.db.write(lambda session, outcome=outcome: api.apply_outcome(session, outcome))
                self.stats.inc_value(f"newsdb/resume/{result}")
        except DatabaseUnavailable as error:
            stop_for_database(self.crawler, error)

    def process_item(self, item, spider=None):
        if not isinstance(item, Page):
            return item
        spider = spider or self.crawler.spider
        outcome = parse_page(item, getattr(spider, "profile", None), steps=self.steps)
        try:
            result = self.db.write(lambda session: api.apply_outcome(session, outcome))
        except DatabaseUnavailable as error:
            stop_for_database(self.crawler, error)
            raise DropItem(f"not stored: {error}; archived, it is parsed again by the next run") from None
        self.stats.inc_value(f"newsdb/parse/{outcome.kind}")
        self.stats.inc_value(f"newsdb/store/{result}")
        article = outcome.article
        if article is not None and article.is_article:
            for field, layer in article.layers.items():
                self.stats.inc_value(f"newsdb/extract/layer/{field}/{layer}")
        if result == "failed":
            raise DropItem(f"parse failed for {item.url}: {outcome.error or 'the database refused the article'}")
        if result == "not_article":
            raise DropItem(f"not an article: {item.url}", log_level="INFO")
        self.stats.inc_value("newsdb/store/quotes", len(article.quotes))
        self.stats.inc_value("newsdb/store/related", len(article.related))
        return article
