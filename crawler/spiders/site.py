"""One generic spider for every site profile: `scrapy crawl site -a site=demo`.

Discovers article URLs through the profile's sitemaps, RSS feeds and listing
pages (and, if the profile says so, links between articles), requests each
article once (AMP twins and ?p=<id> short links share an id), and hands every
article response over as a `Page` item. Robots.txt and politeness are Scrapy's.

Incremental: what earlier runs fetched comes from the database (`seen`, given
by the run recorder when the spider opens). A known article is not fetched
again, unless it is younger than the profile's refresh window: then it is
revalidated with a conditional request (its ETag / Last-Modified), and a 304
costs no parse. URLs whose last fetch failed are asked for again once their
backoff is over, until storage.runs gives them up. A listing page that holds
only known articles ends the walk down the listing; sitemap entries whose
lastmod is older than the last successful run are skipped.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import scrapy
from scrapy import signals
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from core.dates import parse_date
from core.profiles import load_profile
from crawler.middlewares import page_from_response, record_failure
from crawler.retry import sleep

SITEMAP_MAX_ENTRIES = 50_000  # sitemaps.org: at most 50,000 URLs in one sitemap
SITEMAP_BATCH = 1_000  # entries read between two turns of the reactor


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
        self.limit = int(limit) if limit else None  # new articles to store, at most
        # --limit: new-article requests in flight, and those held back until one ends.
        self.in_flight: set[str] = set()
        self.held: deque[str] = deque()
        # Scheduled runs: only what was published (or changed) since this moment.
        self.since = parse_date(since, profile.timezone) if since else None
        if since and self.since is None:
            raise ValueError(f"since: not a date: {since!r}")
        self.seen_ids: set[str] = set()
        self.listing_pages = 0
        # Filled by the run recorder from the database when the spider opens (see `remember`).
        self.known_ids: set[str] = set()  # article ids fetched before (any twin URL)
        self.revisit: dict = {}  # url -> storage.runs.UrlState: young (revalidate) or failed (retry)
        self.last_success: datetime | None = None  # start of the last run that did its job
        self.new_requests = 0

    def remember(self, known_ids: set[str], revisit: dict, last_success: datetime | None) -> None:
        """What earlier runs fetched (storage.runs.seen_ids, storage.runs.revisits) and
        when one last did its job."""
        self.known_ids, self.revisit, self.last_success = known_ids, revisit, last_success

    def young_since(self, now: datetime) -> datetime:
        """Articles first fetched after this are revalidated (the profile's refresh window)."""
        return now - timedelta(hours=self.profile.refresh_hours)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.profile.live:
            # Loopback demo: no reason to wait between requests. (Settings are
            # frozen only after the spider is built, so the profile can decide.)
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            crawler.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
        if spider.limit is not None:
            for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
                crawler.signals.connect(spider.new_article_done, signal=signal)
        return spider

    def request(self, url: str, callback, kind: str, *, start: bool = False, priority: int = 0,
                headers: dict | None = None) -> scrapy.Request:
        """Every request of the spider: its kind and errback let each outcome be recorded."""
        meta = {"newsdb_kind": kind, "newsdb_start": start}
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, priority=priority,
                              meta=meta, headers=headers, dont_filter=start)

    async def start(self):
        p = self.profile
        for path in p.sitemaps:
            yield self.request(p.absolute(path), self.parse_sitemap, "sitemap", start=True, priority=10)
        for path in p.feeds:
            yield self.request(p.absolute(path), self.parse_feed, "feed", start=True, priority=10)
        for path in p.listings:
            yield self.request(p.absolute(path), self.parse_listing, "listing", start=True, priority=5)
        # Known articles young enough to revalidate, and those whose fetch failed and whose
        # backoff is over: asked for whether discovery finds them again or not (a 304
        # leads to no links, so an article found only through another one would be lost).
        now = datetime.now(UTC)
        for url, state in self.revisit.items():
            due = state.retry_at is not None and state.retry_at <= now if not state.fetched else self.young(state, now)
            if due:
                request = self.article_request(url)
                if request:
                    yield request

    def fetch_failed(self, failure):
        """No response (or an HTTP error, or a refusal): recorded against the URL, in one
        log line. For a redirect that failed on the way (a refused address, too many hops,
        a timeout at the target) that is the URL first asked for, where the archive
        middleware records a redirect that worked."""
        request = failure.request
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        record_failure(self.crawler, self, request if first == request.url else request.replace(url=first),
                       failure.value)
        if self.limit is not None and failure.request.meta.get("newsdb_id"):
            self.new_article_done(failure.request)

    # -- discovery -------------------------------------------------------------

    def young(self, state, now: datetime) -> bool:
        """First fetched within the profile's refresh window: worth revalidating."""
        first = state.first_seen_at
        return first is not None and now - first < timedelta(hours=self.profile.refresh_hours)

    def is_known(self, url: str) -> bool:
        """True for an article URL (or a twin of it) an earlier run fetched."""
        article_id = self.profile.article_id(url)
        return article_id is not None and article_id in self.known_ids

    def article_request(self, url: str) -> scrapy.Request | None:
        """A request for an article URL this run has not asked for yet, or None:
        a known article only when it is young enough to revalidate, a failed one
        only once its backoff is over."""
        article_id = self.profile.article_id(url)
        if article_id is None or article_id in self.seen_ids:
            return None
        state = self.revisit.get(url)
        headers = None
        now = datetime.now(UTC)
        if article_id in self.known_ids:
            if not (state is not None and state.fetched and self.young(state, now)):
                self.seen_ids.add(article_id)
                self.crawler.stats.inc_value("newsdb/skip/known")
                return None
            headers = {k: v for k, v in (("If-None-Match", state.etag),
                                         ("If-Modified-Since", state.last_modified)) if v}
            self.crawler.stats.inc_value("newsdb/request/revalidate")
        elif state is not None and (state.retry_at is None or state.retry_at > now):
            self.seen_ids.add(article_id)  # given up, or backing off: a later run retries
            self.crawler.stats.inc_value("newsdb/skip/backoff")
            return None
        else:
            if self.limit is not None:
                # Never more new-article requests than the articles still wanted: one that
                # turns out to be no article (a video post) lets a held-back URL go.
                if self.crawler.stats.get_value("newsdb/store/new", 0) + len(self.in_flight) >= self.limit:
                    self.held.append(url)
                    return None
                self.in_flight.add(article_id)
            self.crawler.stats.inc_value("newsdb/request/new")
        self.seen_ids.add(article_id)
        request = self.request(url, self.parse_article, "article", headers=headers)
        request.meta["newsdb_stored"] = bool(state and state.stored)
        request.meta["newsdb_id"] = article_id
        return request

    def new_article_done(self, response=None, **_):
        """--limit: a new-article request ended (stored, dropped, failed); let held ones go."""
        article_id = response.meta.get("newsdb_id") if response is not None else None
        self.in_flight.discard(article_id)
        while self.held and self.crawler.stats.get_value("newsdb/store/new", 0) + len(self.in_flight) < self.limit:
            request = self.article_request(self.held.popleft())
            if request:
                self.crawler.engine.crawl(request)

    async def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            # A sitemap.xml.gz is gzip in the body, not Content-Encoding, so the compression
            # middleware's size limit does not see it: the same limit, here (a gzip bomb).
            limit = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
            try:
                body = gunzip(body, max_size=limit)
            except _DecompressionMaxSizeExceeded as exc:
                record_failure(self.crawler, self, response.request, exc)
                return
            except (OSError, EOFError):
                self.logger.warning("not a sitemap (broken gzip): %s", response.url)
                return
        try:
            # lxml with resolve_entities=False: no entity is expanded, no external one read.
            sitemap = Sitemap(body)
        except Exception:
            self.logger.warning("not a sitemap: %s", response.url)
            return
        for number, entry in enumerate(sitemap):
            if number == SITEMAP_MAX_ENTRIES:  # the protocol's limit; beyond it, not a sitemap we follow
                self.crawler.stats.inc_value("newsdb/sitemap/over_limit")
                self.logger.warning("sitemap %s: more than %d entries, the rest ignored", response.url,
                                    SITEMAP_MAX_ENTRIES)
                return
            if number and not number % SITEMAP_BATCH:
                # A 50,000-entry sitemap is seconds of work: let the reactor serve the downloads
                # in flight meanwhile, or their DOWNLOAD_TIMEOUT runs out while nothing reads them.
                await sleep(0)
            if not self.recent(entry.get("lastmod")):
                continue
            loc = entry["loc"]
            url = loc if loc.startswith(("http://", "https://")) else response.urljoin(loc)  # urljoin is the slow part
            if sitemap.type == "sitemapindex":
                if self.older_than_last_success(entry.get("lastmod")):
                    self.crawler.stats.inc_value("newsdb/skip/sitemap")
                    continue  # unchanged since a run that read it all
                yield self.request(url, self.parse_sitemap, "sitemap", priority=10)
            else:
                request = self.article_request(url)
                if request:
                    yield request

    def parse_feed(self, response):
        # parsel's XML parser does not resolve entities (no billion laughs, no external
        # files), and DOWNLOAD_MAXSIZE bounds the feed: tests/test_crawl_hostile.py.
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
        links = [response.urljoin(href) for href in response.css("a::attr(href)").getall()]
        articles = [url for url in links if self.profile.is_article_url(url)]
        if self.known_ids and articles and all(self.is_known(url) for url in articles):
            self.crawler.stats.inc_value("newsdb/skip/listing_known")
            return  # only known articles here: the older pages hold no new ones either
        for url in links:
            if self.profile.is_listing_url(url) and self.listing_pages < self.profile.max_listing_pages:
                self.listing_pages += 1
                yield self.request(url, self.parse_listing, "listing", priority=5)

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

    def older_than_last_success(self, when: str | None) -> bool:
        """True for a lastmod before the start of the last run that did its job."""
        if self.last_success is None or not when:
            return False
        found = parse_date(when, self.profile.timezone)
        if found is None:
            return False
        if found.tzinfo is None:
            found = found.replace(tzinfo=self.profile.timezone)
        return found < self.last_success

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
