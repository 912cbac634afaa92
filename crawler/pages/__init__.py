"""Page objects: one page's bytes + URL + headers in, article fields out.

No Scrapy, no database: `extract()` is what the crawl, `newsdb parse` and
`newsdb reparse` all call.
"""

from crawler.pages.article import ArticlePage, extract

__all__ = ["ArticlePage", "extract"]
