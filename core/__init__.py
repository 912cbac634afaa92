"""The bottom layer: the data contract and the pure text code every stage shares.

    core.items      the dataclasses that travel down the one path (Page, RawArticle,
                    Article, Outcome) and the `newsdb parse` JSON they serialize to
    core.profiles   site profiles (seeds/sites/*.toml) and the one profile resolver
    core.dates      dates as Russian-language pages write them
    core.encoding   bytes to text for pages that lie about their charset
    core.normalize  Unicode, spaces, homoglyphs, boilerplate; the search fold
    core.names      Russian morphology for speaker names (pymorphy3)

It imports nothing else of newsdb: storage, the pipeline steps, the Scrapy glue
and the CLI all build on it (see the layers contract in pyproject.toml).
"""

# Bump when extraction or the pipelines change what they produce, so
# `newsdb reparse --older-than-parser` knows which articles to rebuild.
PARSER_VERSION = "0.1.0"
