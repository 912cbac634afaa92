#!/usr/bin/env python
"""Extraction speed, in-process: newsdb's full parse beside lxml alone and trafilatura.

Usage::

    python benchmarks/extract_speed.py [--rounds N]

Two page sets, every system timed on the same bytes in the same run, interleaved
page by page so that load from other processes hits all of them alike:

* demo: ``seeds/demo/news/*/index.html`` with the ``demo`` profile (the production path):
  ``pipelines.parse.page_json`` (extraction + normalization + quotes + related) against a
  bare ``lxml.html.fromstring`` of the same bytes; target ratio <= 6 (extraction alone,
  ``crawler.pages.extract`` without the pipelines, is timed beside them to show the split);
* fixtures: ``tests/fixtures/extraction/*.html`` with no profile (the generic layer):
  ``page_json`` against ``trafilatura.extract(html, with_metadata=True)``; target ratio <= 1.

Per page the median over the rounds is taken; the figure is the median over pages
(mean beside it). One warm-up round runs first (imports, pymorphy3 dictionaries, caches).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

FETCHED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def demo_pages() -> list[tuple[bytes, str, dict]]:
    pages = []
    for path in sorted((REPO_ROOT / "seeds/demo/news").glob("*/index.html")):
        pages.append((path.read_bytes(), f"http://127.0.0.1:8089/news/{path.parent.name}/", {}))
    return pages


def fixture_pages() -> list[tuple[bytes, str, dict]]:
    pages = []
    for path in sorted((REPO_ROOT / "tests/fixtures/extraction").glob("*.html")):
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((path.read_bytes(), meta["url"], meta.get("headers") or {}))
    return pages


def time_systems(pages, systems: dict, rounds: int) -> dict[str, dict[str, float]]:
    """ms/page per system: median and mean over pages of each page's median over rounds."""
    samples = {name: [[] for _ in pages] for name in systems}
    for round_no in range(rounds + 1):
        for i, page in enumerate(pages):
            for name, run in systems.items():
                started = time.perf_counter()
                run(*page)
                elapsed = (time.perf_counter() - started) * 1000
                if round_no:  # round 0 warms up
                    samples[name][i].append(elapsed)
    out = {}
    for name, per_page in samples.items():
        medians = [statistics.median(s) for s in per_page]
        out[name] = {"median": statistics.median(medians), "mean": statistics.fmean(medians)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)

    import lxml.html
    import trafilatura

    from core.items import Page
    from crawler.pages import extract
    from core.profiles import load_profile
    from pipelines.parse import page_json

    demo = load_profile("demo")
    report = {}
    report["demo"] = time_systems(
        demo_pages(),
        {
            "newsdb parse_html (profile demo)": lambda b, u, h: page_json(b, u, h, profile=demo, fetched_at=FETCHED),
            "lxml.html.fromstring": lambda b, u, h: lxml.html.fromstring(b),
            # where the time goes: extraction alone, without the pipelines (normalize, quotes, related)
            "crawler.pages.extract only": lambda b, u, h: extract(Page(url=u, body=b, headers=h, fetched_at=FETCHED), demo),
        },
        args.rounds,
    )
    report["fixtures"] = time_systems(
        fixture_pages(),
        {
            "newsdb parse_html (no profile)": lambda b, u, h: page_json(b, u, h, fetched_at=FETCHED),
            "trafilatura.extract(with_metadata=True)": lambda b, u, h: trafilatura.extract(b, url=u, with_metadata=True),
        },
        args.rounds,
    )
    for set_name, figures in report.items():
        print(f"{set_name}:")
        for name, f in figures.items():
            print(f"  {name:<42} median {f['median']:7.2f} ms/page   mean {f['mean']:7.2f}")
        (ours, ours_f), (other, other_f), *rest = figures.items()
        print(f"  ratio newsdb / {other.split('(')[0]}: {ours_f['median'] / other_f['median']:.2f} (median)")
        for name, f in rest:
            print(f"  ratio {name} / {other.split('(')[0]}: {f['median'] / other_f['median']:.2f} (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
