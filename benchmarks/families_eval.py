#!/usr/bin/env python
"""Extraction on the fixture families (issue 11), no site profile, dev and heldout apart.

Usage::

    python benchmarks/families_eval.py [tests/fixtures/families] [--split dev|heldout] [--worst N]
                                       [--no-trafilatura] [--json]

For every split folder (``dev/``, ``heldout/``, ``blind/``) each ``X.html`` with its label ``X.json`` is
run through ``pipelines.parse.page_json`` with no profile, and (as the baseline, in the same
run) through ``trafilatura.extract`` with metadata. Printed per split and per family:

* body token-F1 (mean over article pages; ``extraction_eval.body_prf``);
* related precision / recall, micro over links by URL (``extraction_eval.related_scores``),
  and the share of pages with gold related links where none were found;
* title exact after whitespace normalisation (``extraction_eval.title_exact``);
* date right day: the predicted instant, read in the gold offset, falls on ``published_day``;
* authors F1: multiset F1 of the author names (case-folded, whitespace collapsed; both
  empty -> 1.0);
* is_article accuracy over all pages.

trafilatura has no related links and no is_article: those columns are "-" for it.
Then the worst pages per field. heldout/ and blind/ are for measuring only: never tune on
them, and read blind/ with ``--worst 0`` only (see tests/fixtures/families/README.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
for p in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from extraction_eval import (  # noqa: E402
    _call, _parse_dt, body_prf, collapse, load_cases, related_scores, title_exact,
)

DEFAULT_DIR = REPO_ROOT / "tests/fixtures/families"
SPLITS = ("dev", "heldout", "blind", "blind2", "blind3")


# --------------------------------------------------------------------------- metrics
def right_day(pred: Any, gold: dict) -> bool:
    """The predicted published_at falls on the gold day, read in the gold offset."""
    day = gold.get("published_day") or (str(gold.get("published_at") or "")[:10] or None)
    if day is None:
        return pred in (None, "")
    try:
        p = _parse_dt(pred)
    except (ValueError, TypeError):
        return False
    if p is None:
        return False
    if p.tzinfo is not None:
        g = _parse_dt(gold.get("published_at")) if gold.get("published_at") else None
        tz = g.tzinfo if g is not None and g.tzinfo is not None else timezone(timedelta(hours=5))
        p = p.astimezone(tz)
    return p.date() == date.fromisoformat(day)


def _names(v: Any) -> Counter:
    if isinstance(v, str):
        v = [v]
    return Counter((collapse(x) or "").casefold() for x in (v or []) if collapse(x))


def authors_f1(pred: Any, gold: Any) -> float:
    p, g = _names(pred), _names(gold)
    if not p and not g:
        return 1.0
    common = sum((p & g).values())
    if not common:
        return 0.0
    pr, rc = common / sum(p.values()), common / sum(g.values())
    return 2 * pr * rc / (pr + rc)


# --------------------------------------------------------------------------- extractors
def newsdb_extract(html: bytes, gold: dict) -> dict:
    from pipelines.parse import page_json  # noqa: PLC0415
    return _call(page_json, html, gold, None)


def trafilatura_extract(html: bytes, gold: dict) -> dict:
    """trafilatura.extract with metadata: body, title, date, author only."""
    import trafilatura  # noqa: PLC0415
    out = trafilatura.extract(html, url=gold["url"], output_format="json", with_metadata=True,
                              include_comments=False, include_tables=True)
    if not out:
        return {"is_article": None, "title": None, "published_at": None, "authors": [], "body": [], "related": None}
    d = json.loads(out)
    authors = [a.strip() for a in (d.get("author") or "").split(";") if a.strip()]
    return {"is_article": None, "title": d.get("title"), "published_at": d.get("date"),
            "authors": authors, "body": (d.get("text") or "").split("\n"), "related": None}


EXTRACTORS: dict[str, Callable[[bytes, dict], dict]] = {"newsdb": newsdb_extract, "trafilatura": trafilatura_extract}


# --------------------------------------------------------------------------- running
def score_page(name: str, gold: dict, pred: dict | None, error: str | None) -> dict:
    pred = pred or {}
    gold_art = bool(gold.get("is_article", True))
    pa = pred.get("is_article")
    row: dict[str, Any] = {"name": name, "family": gold.get("family", "?"), "article": gold_art, "error": error,
                           "is_article_ok": None if (pa is None and error is None) else (bool(pa) == gold_art and error is None)}
    if not gold_art:
        return row
    _, _, bf = body_prf(pred.get("body"), gold.get("body"))
    row["body_f1"] = bf if error is None else 0.0
    row["title_ok"] = error is None and title_exact(pred.get("title"), gold.get("title"))
    row["day_ok"] = error is None and right_day(pred.get("published_at"), gold)
    row["authors_f1"] = authors_f1(pred.get("authors"), gold.get("authors")) if error is None else 0.0
    if pred.get("related") is not None or error is not None:
        rel = related_scores(pred.get("related") if error is None else [], gold.get("related"))
        row["related"] = {k: rel[k] for k in ("tp", "n_pred", "n_gold")}
    row["pred"] = {k: pred.get(k) for k in ("title", "published_at", "authors")}
    row["pred_related"] = [x.get("url") for x in (pred.get("related") or []) if isinstance(x, dict)]
    return row


def run_split(folder: Path, extractor: Callable) -> list[dict]:
    rows = []
    for name, html, js in load_cases(folder):
        gold = json.loads(js.read_text(encoding="utf-8"))
        pred, err = None, None
        try:
            pred = extractor(html.read_bytes(), gold)
        except Exception as exc:  # noqa: BLE001 - one page must not stop the run
            err = f"{type(exc).__name__}: {exc}"
        rows.append(score_page(name, gold, pred, err))
    return rows


def _mean(v: list) -> float | None:
    v = [float(x) for x in v if x is not None]
    return sum(v) / len(v) if v else None


def summarize(rows: list[dict]) -> dict:
    arts = [r for r in rows if r["article"]]
    rel = [r["related"] for r in arts if "related" in r]
    tp, npred, ngold = (sum(x[k] for x in rel) for k in ("tp", "n_pred", "n_gold"))
    with_gold = [x for x in rel if x["n_gold"]]
    return {
        "pages": len(rows), "articles": len(arts), "errors": sum(1 for r in rows if r["error"]),
        "body_f1": _mean([r["body_f1"] for r in arts]),
        "related_p": (tp / npred if npred else 1.0) if rel else None,
        "related_r": (tp / ngold if ngold else 1.0) if rel else None,
        "related_none_found": (sum(1 for x in with_gold if x["tp"] == 0) / len(with_gold)) if with_gold else None,
        "title": _mean([r["title_ok"] for r in arts]),
        "day": _mean([r["day_ok"] for r in arts]),
        "authors_f1": _mean([r["authors_f1"] for r in arts]),
        "is_article": _mean([r["is_article_ok"] for r in rows]),
    }


def evaluate(root: Path, splits: list[str], tools: list[str]) -> dict:
    out: dict[str, Any] = {}
    for split in splits:
        for tool in tools:
            rows = run_split(root / split, EXTRACTORS[tool])
            fams: dict[str, list] = defaultdict(list)
            for r in rows:
                fams[r["family"]].append(r)
            out.setdefault(split, {})[tool] = {"all": summarize(rows),
                                               "families": {f: summarize(v) for f, v in sorted(fams.items())},
                                               "rows": rows}
    return out


# --------------------------------------------------------------------------- output
COLS = [("body_f1", "bodyF1"), ("related_p", "relP"), ("related_r", "relR"), ("related_none_found", "relNone"),
        ("title", "title"), ("day", "day"), ("authors_f1", "authF1"), ("is_article", "isArt")]


def _f(v: Any) -> str:
    return "    -" if v is None else f"{v:.3f}"


def print_report(res: dict, worst: int) -> None:
    for split, tools in res.items():
        print(f"\n=== {split} ===")
        hdr = f"{'tool':<12} {'family':<14} {'pages':>5} " + " ".join(f"{h:>7}" for _, h in COLS)
        print(hdr)
        print("-" * len(hdr))
        for tool, r in tools.items():
            for fam, s in [("ALL", r["all"]), *r["families"].items()]:
                print(f"{tool:<12} {fam:<14} {s['pages']:>2}/{s['articles']:<2} "
                      + " ".join(f"{_f(s[k]):>7}" for k, _ in COLS)
                      + (f"  errors {s['errors']}" if s["errors"] else ""))
            print()
        rows = tools.get("newsdb", next(iter(tools.values())))["rows"]
        print(f"worst {split} pages (newsdb):")
        arts = [x for x in rows if x["article"]]
        for key, label in (("body_f1", "body F1"), ("authors_f1", "authors F1")):
            bad = sorted((x for x in arts if x[key] < 1.0), key=lambda x: x[key])[:worst]
            for x in bad:
                extra = f" pred {x['pred'].get('authors')}" if key == "authors_f1" else ""
                print(f"  {label:<11} {x[key]:.3f}  {x['name']}{extra}")
        for key, label in (("title_ok", "title"), ("day_ok", "date day")):
            for x in [x for x in arts if not x[key]][:worst]:
                v = x["pred"].get("title" if key == "title_ok" else "published_at")
                print(f"  {label:<11} MISS   {x['name']}  pred {v!r}")
        relbad = sorted((x for x in arts if "related" in x and (x["related"]["tp"] < max(x["related"]["n_gold"], x["related"]["n_pred"]))),
                        key=lambda x: (x["related"]["tp"] - x["related"]["n_gold"] - x["related"]["n_pred"]))[:worst]
        for x in relbad:
            c = x["related"]
            print(f"  {'related':<11} tp {c['tp']}/{c['n_gold']} gold, {c['n_pred']} pred  {x['name']}")
        for x in [x for x in rows if x["is_article_ok"] is False]:
            print(f"  {'is_article':<11} MISS   {x['name']} (gold {x['article']})" + (f" {x['error']}" if x["error"] else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", default=str(DEFAULT_DIR))
    ap.add_argument("--split", choices=SPLITS, action="append")
    ap.add_argument("--worst", type=int, default=6)
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    tools = ["newsdb"]
    if not a.no_trafilatura:
        try:
            import trafilatura  # noqa: F401, PLC0415
            tools.append("trafilatura")
        except ImportError:
            print("families_eval: trafilatura not installed, baseline skipped", file=sys.stderr)
    res = evaluate(Path(a.dir), a.split or list(SPLITS), tools)
    if a.json:
        print(json.dumps({s: {t: {k: v for k, v in r.items() if k != "rows"} for t, r in ts.items()} for s, ts in res.items()},
                         ensure_ascii=False, indent=2))
    else:
        print_report(res, a.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
