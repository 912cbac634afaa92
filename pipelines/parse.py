"""The one parse: a fetched page to an Outcome, whatever the bytes came from.

    outcome = parse_page(page, profile)              # a core.items.Outcome
    outcome.kind                                     # "article" | "not_article" | "failed"
    outcome.article.to_json()                        # the `newsdb parse` contract

The crawl's item pipeline, `newsdb reparse`, `newsdb import-warc` and `newsdb
parse` all call `parse_page`, and `storage.api.apply_outcome` is the one way
its result reaches the database. Extraction (crawler/pages/) gives raw fields;
the steps (pipelines/steps.py) normalize them, find quotes and related links,
and validate. A failure anywhere is caught and becomes `Outcome.error`, so a
parser bug is recorded against its page and never stops a crawl or a re-parse.

Which optional steps run is `Steps`, read from the NEWSDB_<STEP>_ENABLED
settings by `steps_from_settings`, the same way for every entry point.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.items import Outcome, Page
from core.profiles import SiteProfile, load_profile
from crawler.pages import extract
from pipelines.steps import process_article

# Setting name -> Steps field. Scrapy settings, `-s NAME=VALUE` and the environment use these names.
STEP_SETTINGS = {"NEWSDB_QUOTES_ENABLED": "quotes", "NEWSDB_RELATED_ENABLED": "related"}
_FALSE = {"0", "false", "no", "off", ""}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Steps:
    """The optional pipeline steps; normalization and validation always run."""

    quotes: bool = True
    related: bool = True


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}: expected True or False, not {value!r}")


def steps_from_settings(
    get: Callable[[str], Any] | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Steps:
    """The Steps that NEWSDB_<STEP>_ENABLED settings ask for.

    `get` looks a setting up (Scrapy's `settings.get`, or a dict of `-s`
    overrides); a setting it lacks comes from the environment, else the default
    (on). ValueError, naming the setting, for a value that is not a boolean.
    """
    lookup = get.get if isinstance(get, Mapping) else get
    environ = os.environ if environ is None else environ
    chosen = {}
    for name, field_name in STEP_SETTINGS.items():
        value = lookup(name) if lookup is not None else None
        if value is None:
            value = environ.get(name)
        if value is not None:
            chosen[field_name] = _flag(name, value)
    return Steps(**chosen)


def parse_page(
    page: Page,
    profile: SiteProfile | None = None,
    *,
    steps: Steps = Steps(),
    encoding: str | None = None,
) -> Outcome:
    """Page (bytes, URL, headers, fetch time) + the site's profile -> Outcome."""
    try:
        raw = extract(page, profile, encoding=encoding)
        article = process_article(raw, quotes=steps.quotes, related=steps.related)
    except Exception as exc:  # recorded against the page; the caller goes on
        return Outcome(page.url, page.page_id, error=f"{type(exc).__name__}: {exc}"[:2000])
    return Outcome(page.url, page.page_id, article)


def page_json(
    body: bytes,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    profile: SiteProfile | str | None = None,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
    steps: Steps = Steps(),
) -> dict:
    """The `newsdb parse` JSON of one page's bytes; ValueError if parsing failed.

    For scripts, tests and benchmarks: `parse_page` with the Page built for you.
    """
    if isinstance(profile, str):
        profile = load_profile(profile)
    page = Page(url=url, body=body, headers=dict(headers or {}), fetched_at=fetched_at or datetime.now(UTC))
    outcome = parse_page(page, profile, steps=steps, encoding=encoding)
    if outcome.article is None:
        raise ValueError(f"{url}: {outcome.error}")
    return outcome.article.to_json()
