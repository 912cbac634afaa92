"""The Scrapy project (settings, spider, middlewares, the item pipeline) and page extraction.

Extraction (crawler/pages/) is plain code from bytes + URL + headers to fields;
it imports neither Scrapy nor SQLAlchemy, so `newsdb parse` and `newsdb reparse`
run exactly what the crawl runs.
"""
