"""The Scrapy project (settings, spider, middlewares) and page extraction.

Extraction (crawler/pages/) is plain code from bytes + URL + headers to fields;
it imports neither Scrapy nor SQLAlchemy, so `newsdb parse` and `newsdb reparse`
run exactly what the crawl runs.
"""

# Bump when extraction or the pipelines change what they produce, so
# `newsdb reparse --older-than-parser` knows which articles to rebuild.
PARSER_VERSION = "0.1.0"
