"""Search latency: 20 typical Russian queries on a large synthetic database.

Builds (or reuses) a database of --articles synthetic articles made from the
demo site's sources (seeds/demo_src/articles/*.toml): each article takes the
topic of one source article (most of its sentences, shuffled) plus a few
sentences of two others, with the source's tags, so a word is as common across
the corpus as it is across the 42 real articles. Rows are bulk-inserted (Core
executemany on SQLite, COPY on PostgreSQL) after the schema is migrated; the
SQLite FTS rows are written from pre-stemmed sentences, exactly what
storage.search.search_shadow computes; PostgreSQL computes its generated tsvector.

Then each query runs --runs times through storage.search.search (limit 20,
snippets included: what `newsdb search` does) and the median and p95 over
all runs are printed as a Markdown table row.

    python benchmarks/search_latency.py --articles 200000                     # SQLite
    python benchmarks/search_latency.py --articles 200000 --db postgresql+psycopg://postgres@127.0.0.1/newsdb_bench
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from storage import models as m  # noqa: E402
from storage import search  # noqa: E402
from storage.db import open_database  # noqa: E402

SOURCES = ROOT / "seeds" / "demo_src" / "articles"
QUERIES = [
    "выборы акимов",
    "базовая ставка",
    "инфляция",
    "Токаев",
    "бюджет на 2026 год",
    "землетрясение",
    "пенсии",
    "Национальный банк",
    "налоговый кодекс",
    "прогноз погоды Алматы",
    "мошенники",
    "ОСМС",
    "Минфин",
    "наркотики",
    "чемпион мира",
    "Центральной Азии",
    "цены в Казахстане",
    "глава государства",
    "аким области",
    "депутаты маслихата",
]
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[А-ЯЁA-Z—«\"])")


def load_sources() -> list[dict]:
    out = []
    for path in sorted(SOURCES.glob("*.toml")):
        post = tomllib.loads(path.read_text(encoding="utf-8"))
        paragraphs = [p.strip() for p in post["body"].split("\n\n") if p.strip()]
        sentences = [s for p in paragraphs[1:] for s in _SENTENCE.split(p) if s.strip()]
        out.append(
            {
                "title": post["title"],
                "lead": paragraphs[0],
                "sentences": sentences or paragraphs,
                "tags": list(post.get("tags", [])),
            }
        )
    return out


class Shadow:
    """Stems and forms per sentence, computed once (search_shadow of a sentence)."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[str, set[str]]] = {}

    def of(self, sentence: str) -> tuple[str, set[str]]:
        found = self.cache.get(sentence)
        if found is None:
            words = search.words(sentence)
            stems = [search.stem(w) for w in words]
            found = (" ".join(stems), {w for w, s in zip(words, stems) if w != s})
            self.cache[sentence] = found
        return found


def generate(count: int, seed: int = 7):
    """Yield (article row, tags, fts row) tuples; ids are 1..count."""
    rng = random.Random(seed)
    sources = load_sources()
    shadow = Shadow()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for article_id in range(1, count + 1):
        topic = rng.choice(sources)
        others = rng.sample(sources, 2)
        own = rng.sample(topic["sentences"], k=max(1, int(len(topic["sentences"]) * 0.7)))
        extra = [rng.choice(o["sentences"]) for o in others for _ in range(2)]
        sentences = own + extra
        rng.shuffle(sentences)
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        published = start + timedelta(minutes=rng.randrange(6 * 365 * 24 * 60))
        row = {
            "id": article_id,
            "site_id": 1 + article_id % 3,
            "key": f"id:{article_id}",
            "url": f"https://bench.example/news/{article_id}/",
            "canonical_url": None,
            "external_id": str(article_id),
            "title": topic["title"],
            "lead": topic["lead"],
            "published_at": published,
            "modified_at": None,
            "authors": [],
            "source": None,
            "body": "\n".join(paragraphs),
            "language": "ru",
            "parser_version": "bench",
            "layers": {"title": "profile", "body": "profile"},
            "content_hash": f"{article_id:064x}",
        }
        title_stems, title_forms = shadow.of(topic["title"])
        lead_stems, lead_forms = shadow.of(topic["lead"])
        text_stems = [lead_stems]
        forms = set(title_forms) | lead_forms
        for sentence in sentences:
            stems, sentence_forms = shadow.of(sentence)
            text_stems.append(stems)
            forms |= sentence_forms
        fts = (article_id, title_stems, " ".join(text_stems), " ".join(sorted(forms)))
        yield row, topic["tags"], fts


def build(url: str, count: int) -> None:
    database = open_database(url)
    engine = database.engine
    with database.session() as session:
        existing = session.scalar(select(func.count()).select_from(m.Article))
    if existing == count:
        print(f"reusing {count} articles in {database.url}", file=sys.stderr)
        database.close()
        return
    if existing:
        sys.exit(f"{database.url} holds {existing} articles, not {count}: use an empty database")
    began = time.perf_counter()
    sources = load_sources()
    tag_names = sorted({t for s in sources for t in s["tags"]})
    tag_ids = {name: i for i, name in enumerate(tag_names, 1)}
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.execute(insert(m.Site), [{"id": i, "name": f"bench{i}", "base_url": None} for i in (1, 2, 3)])
        connection.execute(insert(m.Tag), [{"id": i, "name": n} for n, i in tag_ids.items()])
        batch, tags, fts = [], [], []

        def flush() -> None:
            if not batch:
                return
            if pg:
                _copy_pg(connection, batch, tags)
            else:
                connection.execute(insert(m.Article), batch)
                connection.execute(insert(m.ArticleTag), tags)
                search._write(connection, fts)
            batch.clear(), tags.clear(), fts.clear()

        for row, row_tags, fts_row in generate(count):
            batch.append(row)
            tags.extend({"article_id": row["id"], "tag_id": tag_ids[t], "position": p} for p, t in enumerate(row_tags))
            fts.append(fts_row)
            if len(batch) >= 5000:
                flush()
                print(f"  {row['id']} articles, {time.perf_counter() - began:.0f} s", file=sys.stderr)
        flush()
        if pg:
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)" % count)
        else:
            connection.exec_driver_sql(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # PostgreSQL: VACUUM also empties the GIN pending list; SQLite only needs statistics.
        connection.exec_driver_sql("VACUUM ANALYZE" if pg else "ANALYZE")
    print(f"built {count} articles in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    database.close()


def _copy_pg(connection, rows: list[dict], tags: list[dict]) -> None:  # type: ignore[no-untyped-def]
    raw = connection.connection.driver_connection
    columns = list(rows[0])
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY articles ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in (row[c] for c in columns)]
                )
        with cursor.copy("COPY article_tags (article_id, tag_id, position) FROM STDIN") as copy:
            for tag in tags:
                copy.write_row([tag["article_id"], tag["tag_id"], tag["position"]])


def measure(url: str, runs: int) -> tuple[float, float, list[tuple[str, float, int]]]:
    database = open_database(url)
    timings: list[float] = []
    per_query = []
    try:
        with database.session() as session:
            for query in QUERIES:  # warm-up: caches as a running server has them
                search.search(session, query, limit=20)
            for query in QUERIES:
                own = []
                for _ in range(runs):
                    began = time.perf_counter()
                    hits = search.search(session, query, limit=20)
                    own.append((time.perf_counter() - began) * 1000)
                timings.extend(own)
                per_query.append((query, statistics.median(own), len(hits)))
    finally:
        database.close()
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000, help="synthetic articles (default 200000)")
    parser.add_argument("--db", default=None, help="database URL (default: sqlite file under /tmp)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-query medians")
    args = parser.parse_args()
    url = args.db or f"sqlite:////tmp/newsdb_search_{args.articles}.sqlite"
    build(url, args.articles)
    median, p95, per_query = measure(url, args.runs)
    if args.verbose:
        for query, ms, hits in per_query:
            print(f"  {ms:7.1f} ms  {hits:>3} hits  {query}", file=sys.stderr)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"| {backend} | {args.articles:,} | {len(QUERIES)} × {args.runs} | {median:.1f} ms | {p95:.1f} ms |")


if __name__ == "__main__":
    main()
