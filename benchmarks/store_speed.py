"""Storage throughput: articles/s stored with their quotes, related links, tags and images.

The demo site's 42 article pages go once through the real extraction and
pipelines (the one parse, pipelines.parse.parse_page); the resulting articles are
then stored --articles times in total under distinct ids through the one apply,
storage.api.apply_outcome, one transaction per article as the crawl does
(the SQLite full-text index is written in the same flush). Only the storing
is timed.

    python benchmarks/store_speed.py --articles 2000                 # SQLite file under /tmp
    python benchmarks/store_speed.py --articles 2000 --backend postgresql   # a fresh database on 127.0.0.1
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from core.items import Outcome, Page  # noqa: E402
from core.profiles import load_profile  # noqa: E402
from pipelines.parse import parse_page  # noqa: E402
from storage import api  # noqa: E402
from storage.db import open_database  # noqa: E402

BASE = "http://127.0.0.1:8089"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def demo_articles() -> list:
    profile = load_profile("demo")
    out = []
    for folder in sorted((ROOT / "seeds" / "demo" / "news").iterdir()):
        page_file = folder / "index.html"
        if not page_file.exists():
            continue
        body = page_file.read_bytes().replace(b"__BASE_URL__", BASE.encode())
        page = Page(url=f"{BASE}/news/{folder.name}/", body=body, fetched_at=datetime.now(UTC), site="demo")
        outcome = parse_page(page, profile)
        if outcome.kind == "article":
            out.append(outcome.article)
    return out


def store(url: str, articles: list, count: int) -> tuple[float, int, int]:
    database = open_database(url)
    quotes = links = 0
    try:
        began = time.perf_counter()
        for number in range(count):
            source = articles[number % len(articles)]
            article = dataclasses.replace(
                source,
                site="bench",
                external_id=f"{number}",
                url=f"{source.url}?copy={number}",
                canonical_url=None,
            )
            with database.session() as session:
                api.apply_outcome(session, Outcome(article.url, article=article))
            quotes += len(article.quotes)
            links += len(article.related)
        seconds = time.perf_counter() - began
    finally:
        database.close()
    return seconds, quotes, links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles to store (default 2000)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    articles = demo_articles()
    if args.backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            seconds, quotes, links = store(f"sqlite:///{folder}/store.sqlite", articles, args.articles)
    else:
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        name = f"newsdb_store_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            seconds, quotes, links = store(f"{PG_SERVER}/{name}", articles, args.articles)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    backend = "SQLite" if args.backend == "sqlite" else "PostgreSQL"
    print(
        f"| {backend} | {args.articles:,} | {quotes / args.articles:.1f} | {links / args.articles:.1f} "
        f"| {seconds:.1f} s | {args.articles / seconds:.0f} |"
    )


if __name__ == "__main__":
    main()
