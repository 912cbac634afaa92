#!/usr/bin/env python
"""Body F1 on the Article Extraction Benchmark: newsdb's generic layer beside trafilatura.

Usage::

    python benchmarks/aeb_eval.py [AEB_DIR] [--systems newsdb,trafilatura] [--worst N] [--json]

AEB_DIR defaults to ``/work/shared/benchmarks/aeb`` (``html/<id>.html.gz`` + ``ground-truth.json``).
Both systems run in the same process on the same bytes, so their figures compare:

* ``newsdb``: ``pipelines.parse.page_json(bytes, url)`` with no site profile (the generic path,
  normalization included); the body is the paragraphs joined by newlines. A page the parser
  calls a non-article has an empty body and scores zero recall: that is part of the figure.
* ``trafilatura``: ``trafilatura.extract(html)`` with its defaults (text output);
* ``trafilatura-nc``: the same with ``include_comments=False`` (comments are not the body;
  this is the setting behind the 0.960 quoted for trafilatura 2.3.1).

The metric follows METRIC.md: word 4-gram shingles (``\\w+`` tokens, case kept), per-page
tp/fp/fn normalised to sum 1, corpus precision and recall as macro means (precision skips
pages with no predicted shingles), F1 of those two means. ``--worst N`` lists the N pages
with the lowest newsdb F1 to look at.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_DIR = Path("/work/shared/benchmarks/aeb")
_TOKEN = re.compile(r"\w+")


def shingles(text: str | None, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_counts(pred: str | None, gold: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page."""
    p, g = shingles(pred), shingles(gold)
    tp = sum((p & g).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_pr(tp: float, fp: float, fn: float) -> tuple[float, float]:
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def corpus_scores(counts: list[tuple[float, float, float]]) -> dict:
    precisions = [page_pr(*c)[0] for c in counts if c[0] + c[1] > 0]
    recalls = [page_pr(*c)[1] for c in counts if c[0] + c[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def load(aeb_dir: Path) -> tuple[dict, dict[str, bytes]]:
    truth = json.loads((aeb_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((aeb_dir / "html" / f"{key}.html.gz").read_bytes()) for key in sorted(truth)}
    return truth, pages


def newsdb_body(html: bytes, url: str) -> str:
    from pipelines.parse import page_json

    return "\n".join(page_json(html, url)["body"])


def trafilatura_body(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_nc_body(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


SYSTEMS = {"newsdb": newsdb_body, "trafilatura": trafilatura_body, "trafilatura-nc": trafilatura_nc_body}


def run(aeb_dir: Path, systems: list[str]) -> dict:
    truth, pages = load(aeb_dir)
    results = {}
    for name in systems:
        extract = SYSTEMS[name]
        per_page, started = {}, time.perf_counter()
        for key, html in pages.items():
            try:
                pred = extract(html, truth[key].get("url") or "")
            except Exception as exc:  # a crash scores zero, the run goes on
                print(f"{name}: {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
                pred = ""
            per_page[key] = page_counts(pred, truth[key]["articleBody"])
        scores = corpus_scores(list(per_page.values()))
        scores["s_per_page"] = (time.perf_counter() - started) / len(pages)
        scores["pages"] = {k: page_pr(*c) for k, c in per_page.items()}
        results[name] = scores
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("aeb_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--systems", default="newsdb,trafilatura,trafilatura-nc")
    ap.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest newsdb F1")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    results = run(args.aeb_dir, args.systems.split(","))
    if args.json:
        print(json.dumps({k: {m: v for m, v in r.items() if m != "pages"} for k, r in results.items()}, indent=2))
    else:
        print(f"{'system':<15} {'F1':>6} {'P':>6} {'R':>6} {'s/page':>7}")
        for name, r in results.items():
            print(f"{name:<15} {r['f1']:6.4f} {r['precision']:6.4f} {r['recall']:6.4f} {r['s_per_page']:7.3f}")
    if args.worst and "newsdb" in results:
        other = results.get("trafilatura", {}).get("pages", {})
        pages = results["newsdb"]["pages"]

        def f1(pr):
            return 2 * pr[0] * pr[1] / (pr[0] + pr[1]) if sum(pr) else 0.0

        for key in sorted(pages, key=lambda k: f1(pages[k]))[: args.worst]:
            p, r = pages[key]
            extra = f"  trafilatura P {other[key][0]:.2f} R {other[key][1]:.2f}" if key in other else ""
            print(f"{key[:16]}  newsdb P {p:.2f} R {r:.2f}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
