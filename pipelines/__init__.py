"""Pure steps from raw extracted fields to a stored-ready article.

    normalize  ->  quotes  ->  related  ->  validate

`process_article()` runs them all; the Scrapy pipeline classes in
pipelines/scrapy.py run them one by one; `newsdb reparse` calls
`process_article()` on archived pages. One path, whatever the bytes came from.
"""

from pipelines.steps import ValidationError, normalize, process_article, add_quotes, add_related, validate

__all__ = ["ValidationError", "add_quotes", "add_related", "normalize", "process_article", "validate"]
