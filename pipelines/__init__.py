"""The steps from extracted fields to an article, and the one parse that runs them.

    extract (crawler/pages/)  ->  normalize  ->  quotes  ->  related  ->  validate

`pipelines.parse.parse_page` is the one way from a fetched page to an Outcome:
the crawl's item pipeline (crawler/pipelines.py), `newsdb reparse`, `newsdb
import-warc` and `newsdb parse` all call it. The steps themselves are plain
functions in pipelines/steps.py (text in core.normalize, quotes in
pipelines/quotes.py, links in pipelines/related.py).
"""
