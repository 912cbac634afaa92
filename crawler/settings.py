"""Scrapy settings for newsdb (`scrapy crawl site -a site=demo` and `newsdb crawl`).

Polite defaults for live news sites; a site profile with `live = false` (the
loopback demo) turns AutoThrottle off. newsdb's own settings start with NEWSDB_.
"""

from importlib.metadata import version  # the installed newsdb; importing the CLI package here would point the layers backwards

BOT_NAME = "newsdb"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Honest identification: a bot, by name and version, never a browser. Operators add
# their contact: `newsdb crawl caravan -s USER_AGENT="newsdb/0.1 (+mailto:desk@example.kz)"`.
USER_AGENT = f"newsdb/{version('newsdb')} (news archive crawler)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # a "news page" larger than this is not one
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Every response is archived after redirects and decompression (order 50 runs
# last on the way back), before any parsing can fail.
# Retries wait (crawler.retry): Retry-After on 429/503, exponential backoff otherwise;
# it takes the place of Scrapy's RetryMiddleware, which retries at once.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ArchiveMiddleware": 50,
    # No request to a private, loopback or metadata address (crawler.ssrf), links, redirects and
    # sitemap entries alike; after the offsite filter (50), before robots.txt is fetched (100).
    "crawler.ssrf.AddressGuardMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.RetryAfterMiddleware": 550,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 10,
    "crawler.progress.ProgressLine": 20,
}
# One pipeline: parse (extract, normalize, quotes, related, validate) and apply
# (upsert in one transaction), the very functions `newsdb reparse` calls.
ITEM_PIPELINES = {
    "crawler.pipelines.ArticlePipeline": 300,
}

# The spider hands non-200 pages (404s) to the archive, not to extraction.
HTTPERROR_ALLOW_ALL = False

NEWSDB_DATABASE_URL = None  # None: $NEWSDB_DATABASE_URL, else sqlite:///data/newsdb.sqlite
NEWSDB_PROGRESS = False  # `newsdb crawl` turns it on: one progress line on stderr
NEWSDB_PROGRESS_INTERVAL = 2.0
# A write to a database that is gone or locked (a restart, a killed connection, another
# SQLite writer) is retried for this many seconds while the crawl waits; then the run stops
# (exit 6) and the next run fetches or parses again what this one could not store.
NEWSDB_DB_RETRY_FOR = 180.0
NEWSDB_HEARTBEAT_INTERVAL = 30.0  # seconds between a run's heartbeats (storage.runs.STALE_AFTER: 5 min)
NEWSDB_RETRY_BACKOFF = 600.0  # seconds before a failed URL is tried again by a later run, doubling each time
# Within a run (crawler.retry): the longest Retry-After waited for (beyond it the URL is left
# to a later run), and the backoff between retries of one request: base, doubling, capped.
NEWSDB_RETRY_AFTER_MAX = 60.0
NEWSDB_RETRY_BACKOFF_BASE = 1.0
NEWSDB_RETRY_BACKOFF_MAX = 30.0
# NEWSDB_RUN_ID: set by `newsdb crawl`, which takes the run lock before Scrapy starts
# The optional steps (pipelines.parse.STEP_SETTINGS): as settings here, `-s NAME=VALUE`,
# or environment variables, honoured alike by crawl, parse, reparse and import-warc.
# Left unset here so that the environment can decide; unset means on.
# NEWSDB_QUOTES_ENABLED = True
# NEWSDB_RELATED_ENABLED = True

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
