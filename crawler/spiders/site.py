"""One generic spider for every site profile: `scrapy crawl site -a site=demo`.

Discovers article URLs through the profile's sitemaps, RSS feeds and listing
pages (and, if the profile says so, links between articles), requests each
article once (AMP twins and ?p=<id> short links share an id), and hands every
article response over as a `Page` item. Robots.txt and politeness are Scrapy's.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import scrapy
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from core.dates import parse_date
from core.items import Page
from crawler.middlewares import page_from_response
from core.profiles import load_profile


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(
        self,
        site: str | None = None,
        base_url: str | None = None,
        limit: int | str | None = None,
        since: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the site spider needs a site profile: -a site=NAME")
        profile = load_profile(site)
        if base_url:
            profile = profile.with_base_url(base_url)
        self.profile = profile
        self.site_name = profile.name
        self.allowed_domains = list(profile.allowed_domains)
        self.limit = int(limit) if limit else None
        # Scheduled runs: only what was published (or changed) since this moment.
        self.since = parse_date(since, profile.timezone) if since else None
        if since and self.since is None:
            raise ValueError(f"since: not a date: {since!r}")
        self.seen_ids: set[str] = set()
        self.listing_pages = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.profile.live:
            # Loopback demo: no reason to wait between requests. (Settings are
            # frozen only after the spider is built, so the profile can decide.)
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            crawler.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
        return spider

    async def start(self):
        p = self.profile
        for path in p.sitemaps:
            yield scrapy.Request(p.absolute(path), callback=self.parse_sitemap, priority=10)
        for path in p.feeds:
            yield scrapy.Request(p.absolute(path), callback=self.parse_feed, priority=10)
        for path in p.listings:
            yield scrapy.Request(p.absolute(path), callback=self.parse_listing, priority=5)

    # -- discovery -------------------------------------------------------------

    def article_request(self, url: str) -> scrapy.Request | None:
        """A request for an article URL we have not asked for yet, or None."""
        article_id = self.profile.article_id(url)
        if article_id is None or article_id in self.seen_ids:
            return None
        if self.limit is not None and len(self.seen_ids) >= self.limit:
            return None
        self.seen_ids.add(article_id)
        return scrapy.Request(url, callback=self.parse_article)

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body)
        try:
            sitemap = Sitemap(body)
        except Exception:
            self.logger.warning("not a sitemap: %s", response.url)
            return
        for entry in sitemap:
            if not self.recent(entry.get("lastmod")):
                continue
            url = response.urljoin(entry["loc"])
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, priority=10)
            else:
                request = self.article_request(url)
                if request:
                    yield request

    def parse_feed(self, response):
        items = response.xpath("//item | //*[local-name()='entry']")
        for item in items:
            link = item.xpath("link/text() | *[local-name()='link']/@href").get()
            when = item.xpath("pubDate/text() | *[local-name()='published' or local-name()='updated']/text()").get()
            if link and self.recent(when):
                request = self.article_request(response.urljoin(link.strip()))
                if request:
                    yield request

    def parse_listing(self, response):
        dated = self._listing_dates(response)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if dated and not self.recent(dated.get(url), undated=False):
                continue  # older than --since, or an undated sidebar link on a dated listing
            request = self.article_request(url)
            if request:
                yield request
        if self.since and dated and not any(self.recent(d) for d in dated.values()):
            return  # the whole page is older than --since: the next pages are older still
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.profile.is_listing_url(url) and self.listing_pages < self.profile.max_listing_pages:
                self.listing_pages += 1
                yield response.follow(url, callback=self.parse_listing, priority=5)

    def _listing_dates(self, response) -> dict[str, str]:
        """Article URL -> the <time datetime> of its listing item (the nearest enclosing
        element, up to three levels up, that holds both)."""
        if self.since is None:
            return {}
        dated = {}
        for time_el in response.css("time[datetime]"):
            item = time_el
            for _ in range(3):
                item = item.xpath("..")
                links = [response.urljoin(h) for h in item.css("a::attr(href)").getall()]
                articles = [u for u in links if self.profile.is_article_url(u)]
                if articles:
                    for url in articles:
                        dated.setdefault(url, time_el.attrib["datetime"])
                    break
        return dated

    def recent(self, when: str | None, *, undated: bool = True) -> bool:
        """True unless --since is set and `when` is a date before it; an entry with no
        date passes when `undated` (a sitemap or feed that gives none)."""
        if self.since is None:
            return True
        if not when:
            return undated
        try:
            found = parsedate_to_datetime(when.strip())  # RSS: "Sat, 20 Dec 2025 10:15:00 +0500"
        except (TypeError, ValueError):
            found = parse_date(when, self.profile.timezone)  # ISO (sitemaps, <time>) and Russian forms
        if found is None:
            return True
        if found.tzinfo is None:
            found = found.replace(tzinfo=self.profile.timezone)
        return found >= self.since

    def _follow_articles(self, response):
        for href in response.css("a::attr(href)").getall():
            request = self.article_request(response.urljoin(href))
            if request:
                yield request

    # -- hand-over -------------------------------------------------------------

    def parse_article(self, response):
        # The archive middleware built and stored this page; without it (a bare
        # Scrapy setup) build it here, unarchived.
        yield response.meta.get("newsdb_page") or page_from_response(response, self.site_name)
        # Links between articles lead back in time: a --since run keeps to dated sources.
        if self.profile.follow_article_links and self.since is None:
            yield from self._follow_articles(response)
