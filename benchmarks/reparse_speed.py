"""Re-parse throughput: pages/s with --jobs 1 and --jobs 2 on archived demo-style pages.

The demo site's news pages are replicated into --pages archived pages under
distinct URLs and article ids (the id is rewritten inside the HTML too, so each
copy is its own article), bulk-inserted into a temporary SQLite database. Then
`newsdb.reparse.reparse` (what `newsdb reparse` runs) is timed:

  first parse   every page becomes a new article (a fresh copy of the database per run)
  re-parse      the same pages again, articles already there and unchanged

    python benchmarks/reparse_speed.py                   # 20,000 pages, several minutes
    python benchmarks/reparse_speed.py --pages 1000      # a quick look
    python benchmarks/reparse_speed.py --update-docs     # rewrite "## Re-parse" in docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from newsdb.reparse import reparse  # noqa: E402
from storage import api  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import open_database  # noqa: E402

BASE = "http://127.0.0.1:8089"
DOCS = ROOT / "docs" / "BENCHMARKS.md"
FETCHED = datetime(2025, 12, 21, 9, 0, tzinfo=UTC)


def demo_pages() -> list[tuple[str, int, bytes]]:
    """(slug, article id, html) of each demo news page."""
    found = []
    for path in sorted((ROOT / "seeds" / "demo" / "news").glob("*-[0-9]*/index.html")):
        slug, number = re.fullmatch(r"(.+)-(\d+)", path.parent.name).groups()
        found.append((slug, int(number), path.read_bytes()))
    return found


def build(url: str, count: int) -> None:
    """Bulk-insert `count` archived pages (no articles) into the database at `url`."""
    sources = demo_pages()
    with open_database(url) as db:
        with db.session() as session:
            site_id = api.get_or_create_site(session, "demo", BASE).id
            api.record_site_profile(session, "demo", "demo")  # as a crawl of the demo profile records it
        rows = []
        for n in range(count):
            slug, number, html = sources[n % len(sources)]
            new_id = 5_000_000 + n
            body = html.replace(str(number).encode(), str(new_id).encode())  # canonical URL, links, ids
            fetched = FETCHED + timedelta(seconds=n)
            rows.append({
                "site_id": site_id, "url": f"{BASE}/news/{slug}-{new_id}/", "final_url": f"{BASE}/news/{slug}-{new_id}/",
                "status": 200, "headers": {"Content-Type": "text/html"}, "fetched_at": fetched,
                "last_fetched_at": fetched, "content_hash": hashlib.sha256(body).hexdigest(),
                "body": gzip.compress(body, compresslevel=6, mtime=0), "body_size": len(body),
            })
            if len(rows) == 1000:
                with db.session() as session:
                    session.execute(insert(m.Page), rows)
                rows = []
        if rows:
            with db.session() as session:
                session.execute(insert(m.Page), rows)


def timed(url: str, jobs: int) -> tuple[float, object]:
    with open_database(url) as db:
        started = time.perf_counter()
        report = reparse(db, jobs=jobs)
        return time.perf_counter() - started, report


def copy(source: Path, target: Path) -> str:
    shutil.copyfile(source, target)  # the engine is closed: the WAL is checkpointed into the file
    return f"sqlite:///{target}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000, help="archived pages to build (default 20000)")
    parser.add_argument("--update-docs", action="store_true", help="rewrite the Re-parse section of docs/BENCHMARKS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsdb-reparse-") as folder:
        folder = Path(folder)
        started = time.perf_counter()
        build(f"sqlite:///{folder / 'pages.sqlite'}", args.pages)
        print(f"built {args.pages} archived pages in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        results = {}
        for jobs in (1, 2):
            url = copy(folder / "pages.sqlite", folder / f"first-{jobs}.sqlite")
            results[("first parse", jobs)] = timed(url, jobs)
        parsed = f"sqlite:///{folder / 'first-1.sqlite'}"
        for jobs in (1, 2):
            results[("re-parse", jobs)] = timed(parsed, jobs)

    lines = [
        f"`python benchmarks/reparse_speed.py --pages {args.pages}`: {args.pages:,} archived demo-style pages "
        "(the 43 demo news pages under distinct URLs and article ids), SQLite, one run each.",
        "",
        "| run | --jobs 1 | --jobs 2 | speed-up |",
        "|---|---|---|---|",
    ]
    for kind in ("first parse", "re-parse"):
        (t1, r1), (t2, r2) = results[(kind, 1)], results[(kind, 2)]
        rate1, rate2 = r1.pages / t1, r2.pages / t2
        lines.append(f"| {kind} | {rate1:.0f} pages/s | {rate2:.0f} pages/s | {rate2 / rate1:.2f}× |")
        print(f"{kind}: jobs 1 {r1.summary()}\n{kind}: jobs 2 {r2.summary()}", file=sys.stderr)
    table = "\n".join(lines)
    print(table)
    if args.update_docs:
        update_docs(table)


def update_docs(body: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = re.compile(r"(^## Re-parse\n)(.*?)(?=^## |\Z)", re.S | re.M)
    text = section.sub(lambda match: match.group(1) + "\n" + body + "\n\n", text, count=1)
    DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
