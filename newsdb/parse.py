"""`newsdb parse`: one page from bytes to the contract JSON, no database, no network."""

from __future__ import annotations

from datetime import datetime, timezone

from core.items import Page
from crawler.pages import extract
from core.profiles import SiteProfile, load_profile
from pipelines import process_article


def parse_html(
    body: bytes,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    profile: SiteProfile | str | None = None,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
) -> dict:
    """The `newsdb parse` JSON object for one page (see DESIGN.md)."""
    if isinstance(profile, str):
        profile = load_profile(profile)
    page = Page(url=url, body=body, headers=dict(headers or {}), fetched_at=fetched_at or datetime.now(timezone.utc))
    return process_article(extract(page, profile, encoding=encoding)).to_json()
