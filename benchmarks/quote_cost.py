#!/usr/bin/env python
"""What quote extraction adds to the full parse of a page.

Usage::

    python benchmarks/quote_cost.py [--repeat N] [--json]

Every demo page (``seeds/demo/news/*/index.html``, profile ``demo``) goes through
``pipelines.parse.page_json`` twice per round: once as is, once with quote extraction
switched off (``pipelines.steps.extract_quotes`` replaced by a function returning
``[]``). Each page is parsed both ways back to back, in an order that flips every
round, so drift (CPU boost, caches, other load) hits both alike.

Per page, two times are kept: the best of the rounds (the code's own cost, the
``timeit`` convention; robust on a shared machine) and the median of the rounds.
Each figure is the median over pages; the share is ``(with - without) / without``,
and ``p90 page`` is the share of the page at the 90th percentile.

One warm-up parse of every page comes first: it loads the pymorphy3 dictionaries
(a one-off cost per process, printed separately) and fills the word caches, as a
crawl does after its first pages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from core.profiles import load_profile  # noqa: E402
from pipelines.parse import page_json  # noqa: E402
from pipelines import steps  # noqa: E402

PAGES = REPO_ROOT / "seeds" / "demo" / "news"
LIMIT = 0.20  # issue 4: quotes may add at most 20% to the full parse


def _pages() -> list[tuple[str, bytes]]:
    return [(f"http://127.0.0.1:8089/news/{p.parent.name}/", p.read_bytes())
            for p in sorted(PAGES.glob("*/index.html"))]


def _time(body: bytes, url: str, profile) -> float:
    started = time.perf_counter()
    page_json(body, url, profile=profile)
    return time.perf_counter() - started


def _normalize_cost(pages, profile, repeat: int) -> float:
    """Best-of-rounds microseconds of `normalize_text` per raw body paragraph (it
    runs on every paragraph of every page)."""
    from core.items import Page
    from crawler.pages import extract
    from core.normalize import normalize_text

    raw = [p for url, body in pages for p in extract(Page(url=url, body=body), profile).paragraphs]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for paragraph in raw:
            normalize_text(paragraph)
        best = min(best, time.perf_counter() - started)
    return round(best / max(len(raw), 1) * 1e6, 2)


def _no_quotes(paragraphs: list[str]) -> list:
    return []


def measure(repeat: int = 15) -> dict:
    profile = load_profile("demo")
    pages = _pages()
    real = steps.extract_quotes
    started = time.perf_counter()
    quotes = sum(len(page_json(body, url, profile=profile)["quotes"]) for url, body in pages)
    warmup = time.perf_counter() - started
    with_q: dict[str, list[float]] = {url: [] for url, _ in pages}
    without_q: dict[str, list[float]] = {url: [] for url, _ in pages}
    try:
        for round_ in range(repeat):
            for url, body in pages:
                # The second parse of the same bytes runs warmer (CPU caches), so the
                # order flips every round.
                for quotes_on in ((True, False) if round_ % 2 else (False, True)):
                    steps.extract_quotes = real if quotes_on else _no_quotes
                    (with_q if quotes_on else without_q)[url].append(_time(body, url, profile))
    finally:
        steps.extract_quotes = real
    result = {"pages": len(pages), "quotes": quotes, "repeat": repeat,
              "warmup_seconds": round(warmup, 3), "limit": LIMIT,
              "normalize_us_per_paragraph": _normalize_cost(pages, profile, repeat)}
    # Per page: the best of the rounds (what the code costs when nothing else runs,
    # the `timeit` convention) and the median of the rounds (what a busy machine sees).
    for name, per_page in (("best", min), ("median", statistics.median)):
        per_with = [per_page(v) for v in with_q.values()]
        per_without = [per_page(v) for v in without_q.values()]
        w, wo = statistics.median(per_with), statistics.median(per_without)
        shares = sorted((a - b) / b for a, b in zip(per_with, per_without))
        result[name] = {
            "ms_with_quotes": round(w * 1000, 3),
            "ms_without_quotes": round(wo * 1000, 3),
            "share": round((w - wo) / wo, 4),
            "page_share_p90": round(shares[int(0.9 * (len(shares) - 1))], 4),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cost of quote extraction within the full parse.")
    parser.add_argument("--repeat", type=int, default=15, help="rounds over all pages (default 15)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    res = measure(args.repeat)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"pages: {res['pages']} (quotes found: {res['quotes']}), rounds: {res['repeat']}, "
          f"warm-up (loads pymorphy3): {res['warmup_seconds']:.2f} s")
    print("per-page time, median over pages   with quotes  without   share  (p90 page)")
    for name, label in (("best", f"best of {res['repeat']} rounds"), ("median", f"median of {res['repeat']} rounds")):
        row = res[name]
        print(f"  {label:<32} {row['ms_with_quotes']:8.2f} ms {row['ms_without_quotes']:6.2f} ms "
              f"{row['share'] * 100:+6.1f}%  ({row['page_share_p90'] * 100:+.1f}%)")
    print(f"limit: +{LIMIT * 100:.0f}%")
    print(f"normalize_text: {res['normalize_us_per_paragraph']:.1f} µs per body paragraph (best of rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
