"""The one database handle a crawl's components share, opened from settings."""

from __future__ import annotations

from functools import lru_cache

from storage.db import Database, open_database, resolve_url


@lru_cache(maxsize=8)
def _open(url: str) -> Database:
    return open_database(url)


def database_for(settings) -> Database:
    """The archive middleware, the store pipeline and the run recorder all write
    through one engine per URL, so SQLite sees a single writer."""
    return _open(resolve_url(settings.get("NEWSDB_DATABASE_URL")))
