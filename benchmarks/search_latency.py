"""Search latency: 20 typical Russian queries on a large synthetic database.

Builds (or reuses) a database of --articles synthetic articles made from the
demo site's sources (seeds/demo_src/articles/*.toml): each article takes the
topic of one source article (most of its sentences, shuffled) plus a few
sentences of two others, with the source's tags, so a word is as common across
the corpus as it is across the 42 real articles. Rows are bulk-inserted (Core
executemany on SQLite, COPY on PostgreSQL) after the schema is migrated. The
search index rows are written from pre-stemmed sentences: on SQLite exactly
what storage.search.search_shadow computes, on PostgreSQL the vectors the
trigger's newsdb_search_vector makes (the trigger is off during the COPY, and
500 articles are checked against the function afterwards: the build stops if
one differs). A million articles take about half an hour.

Then each query runs --runs times through storage.search.search (limit 20,
snippets included: what `newsdb search` does) and storage.search.count (which
`newsdb search` adds when the page is full); the median and p95 over all runs
are printed as a Markdown table row, once per --repeats. With --baseline FILE
another copy of storage/search.py is timed too, taking turns with this one on
every run, so a busy moment of a shared machine falls on both.

    python benchmarks/search_latency.py --articles 200000                     # SQLite
    python benchmarks/search_latency.py --articles 200000 --db postgresql+psycopg://postgres@127.0.0.1/newsdb_bench
    git show REV:storage/search.py > /tmp/search_old.py
    python benchmarks/search_latency.py --repeats 3 --baseline /tmp/search_old.py -v
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import statistics
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
        self.cache: dict[str, tuple[str, set[str], list[str]]] = {}

    def of(self, sentence: str) -> tuple[str, set[str], list[str]]:
        found = self.cache.get(sentence)
        if found is None:
            words = search.words(sentence)
            stems = [search.stem(w) for w in words]
            found = (" ".join(stems), {w for w, s in zip(words, stems) if w != s}, stems)
            self.cache[sentence] = found
        return found


def pg_vector(fields: list[tuple[str, list[list[str]]]]) -> str:
    """The tsvector literal newsdb_search_vector (migration 0007) makes of these
    fields, each (weight, stems of its sentences in order): the words numbered from
    1 across the fields, the ones after the title one further on, at most 16383."""
    positions: dict[str, list[str]] = {}
    number = 0
    for field, (weight, parts) in enumerate(fields):
        for stems in parts:
            for one in stems:
                number += 1
                positions.setdefault(one, []).append(f"{min(number + (field > 0), 16383)}{weight}")
    return " ".join(f"'{one}':{','.join(found)}" for one, found in positions.items())


def generate(count: int, seed: int = 7, pg: bool = False):
    """Yield (article row, tags, index row) tuples; ids are 1..count. The index row
    is the FTS5 row (SQLite) or the article_search row (pg)."""
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
        title_stems, title_forms, title_list = shadow.of(topic["title"])
        lead_stems, lead_forms, lead_list = shadow.of(topic["lead"])
        if pg:
            body = [shadow.of(sentence)[2] for sentence in sentences]
            yield row, topic["tags"], (
                article_id, published, pg_vector([("A", [title_list])]),
                pg_vector([("A", [title_list]), ("B", [lead_list]), ("C", body)]))
            continue
        text_stems = [lead_stems]
        forms = set(title_forms) | lead_forms
        for sentence in sentences:
            stems, sentence_forms, _ = shadow.of(sentence)
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
        if pg:
            # The trigger's SQL folding costs some 1.5 ms an article (40 minutes for a
            # million): write the vectors it would make, computed here from pre-stemmed
            # sentences, and check a sample against the trigger's function afterwards.
            # The GIN index is built once at the end, not row by row.
            connection.exec_driver_sql("ALTER TABLE articles DISABLE TRIGGER article_search_sync")
            connection.exec_driver_sql(f"DROP INDEX {PG_GIN}")
        batch, tags, index_rows = [], [], []

        def flush() -> None:
            if not batch:
                return
            if pg:
                _copy_pg(connection, batch, tags, index_rows)
            else:
                connection.execute(insert(m.Article), batch)
                connection.execute(insert(m.ArticleTag), tags)
                search._write(connection, index_rows)
            batch.clear(), tags.clear(), index_rows.clear()

        for row, row_tags, index_row in generate(count, pg=pg):
            batch.append(row)
            tags.extend({"article_id": row["id"], "tag_id": tag_ids[t], "position": p} for p, t in enumerate(row_tags))
            index_rows.append(index_row)
            if len(batch) >= 5000:
                flush()
                if row["id"] % 50000 == 0:
                    print(f"  {row['id']} articles, {time.perf_counter() - began:.0f} s", file=sys.stderr)
        flush()
        if pg:
            connection.exec_driver_sql("ALTER TABLE articles ENABLE TRIGGER article_search_sync")
            connection.exec_driver_sql(f"CREATE INDEX {PG_GIN} ON {search.PG_TABLE} USING gin (search_vector)")
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)" % count)
            _check_pg_vectors(connection, count)
        else:
            connection.exec_driver_sql(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # PostgreSQL: VACUUM also sets the visibility map; SQLite only needs statistics.
        connection.exec_driver_sql("VACUUM ANALYZE" if pg else "ANALYZE")
    print(f"built {count} articles in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    database.close()


PG_GIN = "ix_article_search_search_vector"


def _check_pg_vectors(connection, count: int) -> None:  # type: ignore[no-untyped-def]
    """Exit unless the vectors written equal what the trigger makes, on 500 articles."""
    step = max(1, count // 500)
    wrong = connection.exec_driver_sql(
        f"SELECT count(*), min(a.id) FROM articles AS a JOIN {search.PG_TABLE} AS s ON s.article_id = a.id "
        f"WHERE mod(a.id, {step}) = 0 AND (s.search_vector <> newsdb_search_vector(a.title, a.lead, a.body) "
        "OR s.title_vector <> newsdb_search_vector(a.title, NULL, NULL) "
        "OR s.published_at IS DISTINCT FROM a.published_at)"
    ).one()
    if wrong[0]:
        sys.exit(f"{wrong[0]} articles (the first #{wrong[1]}) have other vectors than the trigger makes")


def _copy_pg(connection, rows: list[dict], tags: list[dict], index_rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
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
        with cursor.copy(
            f"COPY {search.PG_TABLE} (article_id, published_at, title_vector, search_vector) FROM STDIN"
        ) as copy:
            for index_row in index_rows:
                copy.write_row(index_row)


def load_baseline(path: str):  # type: ignore[no-untyped-def]
    """Another version of storage/search.py (say `git show REV:storage/search.py`), as a module."""
    spec = importlib.util.spec_from_file_location("storage._baseline_search", path)
    if spec is None or spec.loader is None:
        sys.exit(f"--baseline {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _p95(timings: list[float]) -> float:
    timings = sorted(timings)
    return timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]


def measure(url: str, runs: int, versions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per version: search and count timings (ms) and per-query search medians.
    The versions take turns on every run of every query, so a busy moment of a
    shared machine falls on all of them alike."""
    database = open_database(url)
    out: dict[str, dict[str, Any]] = {
        name: {"search": [], "count": [], "queries": []} for name in versions
    }
    try:
        with database.session() as session:
            for module in versions.values():  # warm-up: caches as a running server has them
                for query in QUERIES:
                    module.search(session, query, limit=20)
                    module.count(session, query)
            for query in QUERIES:
                own: dict[str, list[float]] = {name: [] for name in versions}
                hits: dict[str, int] = {}
                for _ in range(runs):
                    for name, module in versions.items():
                        began = time.perf_counter()
                        found = module.search(session, query, limit=20)
                        own[name].append((time.perf_counter() - began) * 1000)
                        began = time.perf_counter()
                        module.count(session, query)
                        out[name]["count"].append((time.perf_counter() - began) * 1000)
                        hits[name] = len(found)
                for name in versions:
                    out[name]["search"].extend(own[name])
                    out[name]["queries"].append((query, statistics.median(own[name]), hits[name]))
    finally:
        database.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    parser.add_argument("--articles", type=int, default=200_000, help="synthetic articles (default 200000)")
    parser.add_argument("--db", default=None, help="database URL (default: sqlite file under /tmp)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query (default 5)")
    parser.add_argument("--repeats", type=int, default=1, help="measure this many times, a row each (default 1)")
    parser.add_argument("--baseline", metavar="FILE", help="also time this copy of storage/search.py, in turns")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-query medians")
    args = parser.parse_args()
    url = args.db or f"sqlite:////tmp/newsdb_search_{args.articles}.sqlite"
    build(url, args.articles)
    versions: dict[str, Any] = {"this": search}
    if args.baseline:
        versions = {"baseline": load_baseline(args.baseline), "this": search}
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print("| backend | articles | code | timings | search median | search p95 | count median | count p95 |")
    print("|---|---|---|---|---|---|---|---|")
    for _ in range(args.repeats):
        results = measure(url, args.runs, versions)
        for name, result in results.items():
            if args.verbose:
                for query, ms, hits in result["queries"]:
                    print(f"  {name:8} {ms:7.1f} ms  {hits:>3} hits  {query}", file=sys.stderr)
            timings = result["search"]
            print(f"| {backend} | {args.articles:,} | {name} | {len(QUERIES)} × {args.runs} "
                  f"| {statistics.median(timings):.1f} ms | {_p95(timings):.1f} ms "
                  f"| {statistics.median(result['count']):.1f} ms | {_p95(result['count']):.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
