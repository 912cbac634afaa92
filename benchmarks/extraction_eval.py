#!/usr/bin/env python
"""Extraction quality on a folder of hand-labelled pages.

Usage::

    python benchmarks/extraction_eval.py tests/fixtures/extraction [--profile NAME] [--json] [--verbose]

For every ``X.html`` with a sibling ``X.json`` (the expected output, written by hand)
the page bytes are run through ``pipelines.parse.page_json`` and compared field by field:

* body token-F1: tokens are ``re.findall(r"\\w+", text)`` over the joined paragraphs;
  multiset precision / recall / F1 (both empty -> 1.0);
* related links: a predicted link is correct when its absolute URL equals a gold link's URL
  (precision / recall per page, macro mean and pooled micro figures); tag+title exactness is
  reported separately, over the gold links whose URL was found;
* title exact (after collapsing whitespace);
* published date exact: same instant, and the predicted value must carry an offset
  (gold null -> prediction must be null as well);
* is_article accuracy over ALL pages; non-article pages count only there.

A page whose parse raises scores 0 on every figure (it is reported, the run goes on).

The expected JSON may carry ``url`` (required), ``headers`` (dict passed to the parser) and
``fetched_at`` (ISO datetime, for relative dates such as "Сегодня, 14:35").

The metric functions are importable: ``evaluate_dir(path, parse)`` returns the dict that
``--json`` prints. The script always exits 0 unless the parser cannot be imported.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import traceback
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

_TOKEN_RE = re.compile(r"\w+")
_WS_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------- metrics
def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def _join_body(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return "\n".join(str(p) for p in body if p is not None)


def body_prf(pred_body: Any, gold_body: Any) -> tuple[float, float, float]:
    """Multiset token precision, recall, F1 of the joined paragraphs."""
    pred = Counter(tokens(_join_body(pred_body)))
    gold = Counter(tokens(_join_body(gold_body)))
    if not pred and not gold:
        return 1.0, 1.0, 1.0
    if not pred or not gold:
        return 0.0, 0.0, 0.0
    common = sum((pred & gold).values())
    p = common / sum(pred.values())
    r = common / sum(gold.values())
    f = 0.0 if common == 0 else 2 * p * r / (p + r)
    return p, r, f


def collapse(text: Any) -> str | None:
    if text is None:
        return None
    return _WS_RE.sub(" ", str(text)).strip()


def title_exact(pred: Any, gold: Any) -> bool:
    return collapse(pred) == collapse(gold)


def _parse_dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    s = str(value).strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    return datetime.fromisoformat(s)


def date_exact(pred: Any, gold: Any) -> bool:
    """Same instant; the prediction must carry an offset. Gold null -> pred must be null."""
    try:
        g = _parse_dt(gold)
    except ValueError:
        return False
    try:
        p = _parse_dt(pred)
    except (ValueError, TypeError):
        return False
    if g is None:
        return p is None
    if p is None or p.tzinfo is None or p.utcoffset() is None:
        return False
    return p == g


def _links(items: Any) -> list[dict]:
    out = []
    for it in items or []:
        if isinstance(it, dict):
            out.append(it)
    return out


def related_scores(pred: Any, gold: Any) -> dict:
    """URL-based precision/recall plus tag+title exactness over matched gold links.

    Precision with no predictions is 1.0 (nothing wrong was claimed); recall with no gold
    links is 1.0. Duplicated URLs are counted as a multiset.
    """
    pl, gl = _links(pred), _links(gold)
    pc = Counter(str(x.get("url")) for x in pl)
    gc = Counter(str(x.get("url")) for x in gl)
    tp = sum((pc & gc).values())
    n_pred, n_gold = sum(pc.values()), sum(gc.values())
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_gold if n_gold else 1.0
    by_url: dict[str, list[dict]] = {}
    for x in pl:
        by_url.setdefault(str(x.get("url")), []).append(x)
    pair_ok = 0
    matched = 0
    mism = []
    for g in gl:
        cands = by_url.get(str(g.get("url")))
        if not cands:
            continue
        matched += 1
        c = cands.pop(0)
        if collapse(c.get("tag")) == collapse(g.get("tag")) and collapse(c.get("title")) == collapse(g.get("title")):
            pair_ok += 1
        else:
            mism.append({"url": g.get("url"), "gold": [g.get("tag"), g.get("title")],
                         "pred": [c.get("tag"), c.get("title")]})
    order_ok = [str(x.get("url")) for x in pl if str(x.get("url")) in gc] == \
        [str(x.get("url")) for x in gl if str(x.get("url")) in pc]
    return {
        "precision": precision, "recall": recall, "tp": tp, "n_pred": n_pred, "n_gold": n_gold,
        "pair_exact": (pair_ok / matched) if matched else None,
        "pair_ok": pair_ok, "matched": matched, "order_ok": order_ok, "pair_mismatches": mism,
    }


def _norm_list(v: Any) -> list[str]:
    return [collapse(x) or "" for x in (v or [])]


# --------------------------------------------------------------------------- running
def load_cases(path: str | Path) -> list[tuple[str, Path, Path]]:
    d = Path(path)
    cases = []
    for html in sorted(d.glob("*.html")):
        js = html.with_suffix(".json")
        if js.exists():
            cases.append((html.stem, html, js))
    return cases


def _call(parse: Callable, body: bytes, gold: dict, profile: str | None) -> dict:
    kwargs: dict[str, Any] = {}
    if gold.get("fetched_at"):
        kwargs["fetched_at"] = _parse_dt(gold["fetched_at"])
    if profile is not None:
        kwargs["profile"] = profile
    return parse(body, gold["url"], gold.get("headers"), **kwargs)


def evaluate_page(name: str, pred: dict | None, gold: dict, error: str | None = None) -> dict:
    pred = pred or {}
    gold_art = bool(gold.get("is_article", True))
    pred_art = bool(pred.get("is_article", False)) if error is None else None
    row: dict[str, Any] = {"name": name, "is_article_gold": gold_art, "is_article_pred": pred_art,
                           "is_article_ok": (pred_art == gold_art), "error": error}
    if not gold_art:
        return row
    bp, br, bf = body_prf(pred.get("body"), gold.get("body"))
    rel = related_scores(pred.get("related"), gold.get("related"))
    row.update({
        "body_p": bp, "body_r": br, "body_f1": bf,
        "related_p": rel["precision"], "related_r": rel["recall"],
        "related_pair_exact": rel["pair_exact"], "related_order_ok": rel["order_ok"],
        "related_counts": {k: rel[k] for k in ("tp", "n_pred", "n_gold", "pair_ok", "matched")},
        "related_pair_mismatches": rel["pair_mismatches"],
        "title_ok": title_exact(pred.get("title"), gold.get("title")),
        "date_ok": date_exact(pred.get("published_at"), gold.get("published_at")),
    })
    if error is not None:  # a crashed page scores zero everywhere, not vacuous 1.0s
        row.update({"body_p": 0.0, "body_r": 0.0, "body_f1": 0.0, "related_p": 0.0, "related_r": 0.0,
                    "related_pair_exact": None, "related_order_ok": False,
                    "title_ok": False, "date_ok": False})
    # secondary fields, reported but not part of the headline figures
    extra: dict[str, Any] = {}
    if "canonical_url" in gold:
        extra["canonical_ok"] = pred.get("canonical_url") == gold.get("canonical_url")
    if "authors" in gold:
        extra["authors_ok"] = _norm_list(pred.get("authors")) == _norm_list(gold.get("authors"))
    if "tags" in gold:
        extra["tags_ok"] = _norm_list(pred.get("tags")) == _norm_list(gold.get("tags"))
    if gold.get("lead") is not None:
        extra["lead_ok"] = collapse(pred.get("lead")) == collapse(gold.get("lead"))
    row["extra"] = extra
    return row


def _mean(vals: list) -> float | None:
    vals = [float(v) for v in vals if v is not None]
    return sum(vals) / len(vals) if vals else None


def summarize(rows: list[dict]) -> dict:
    arts = [r for r in rows if r["is_article_gold"]]
    tp = sum(r["related_counts"]["tp"] for r in arts)
    npred = sum(r["related_counts"]["n_pred"] for r in arts)
    ngold = sum(r["related_counts"]["n_gold"] for r in arts)
    pok = sum(r["related_counts"]["pair_ok"] for r in arts)
    matched = sum(r["related_counts"]["matched"] for r in arts)
    extras: dict[str, list] = {}
    for r in arts:
        for k, v in r.get("extra", {}).items():
            extras.setdefault(k, []).append(v)
    return {
        "pages": len(rows), "article_pages": len(arts), "errors": sum(1 for r in rows if r["error"]),
        "is_article_accuracy": _mean([r["is_article_ok"] for r in rows]),
        "body_f1": _mean([r["body_f1"] for r in arts]),
        "body_precision": _mean([r["body_p"] for r in arts]),
        "body_recall": _mean([r["body_r"] for r in arts]),
        "related_precision": _mean([r["related_p"] for r in arts]),
        "related_recall": _mean([r["related_r"] for r in arts]),
        "related_precision_micro": (tp / npred) if npred else 1.0,
        "related_recall_micro": (tp / ngold) if ngold else 1.0,
        "related_pair_exact": _mean([r["related_pair_exact"] for r in arts]),
        "related_pair_exact_micro": (pok / matched) if matched else None,
        "related_order_ok": _mean([r["related_order_ok"] for r in arts]),
        "title_exact": _mean([r["title_ok"] for r in arts]),
        "date_exact": _mean([r["date_ok"] for r in arts]),
        **{k: _mean(v) for k, v in sorted(extras.items())},
    }


def evaluate_dir(path: str | Path, parse: Callable, *, profile: str | None = None,
                 keep_predictions: bool = False) -> dict:
    """Evaluate every X.html/X.json pair in *path* with *parse* (page_json's signature)."""
    rows = []
    preds: dict[str, Any] = {}
    golds: dict[str, Any] = {}
    for name, html, js in load_cases(path):
        gold = json.loads(js.read_text(encoding="utf-8"))
        gold.setdefault("url", f"https://example.invalid/{name}")
        golds[name] = gold
        pred, err = None, None
        try:
            pred = _call(parse, html.read_bytes(), gold, profile)
            if not isinstance(pred, dict):
                err, pred = f"parse returned {type(pred).__name__}, not dict", None
        except Exception as exc:  # noqa: BLE001 - a crash on one page must not stop the run
            err = f"{type(exc).__name__}: {exc}"
            if "--traceback" in sys.argv:
                traceback.print_exc()
        preds[name] = pred
        rows.append(evaluate_page(name, pred, gold, err))
    out = {"dir": str(path), "profile": profile, "pages": rows, "mean": summarize(rows)}
    if keep_predictions:
        out["_predictions"], out["_gold"] = preds, golds
    return out


# --------------------------------------------------------------------------- output
def _f(v: Any) -> str:
    if v is None:
        return "   -"
    if isinstance(v, bool):
        return " ok " if v else "MISS"
    return f"{v:.3f}"


def print_table(res: dict) -> None:
    hdr = f"{'page':<34} {'art':>4} {'bodyF1':>6} {'relP':>5} {'relR':>5} {'pair':>5} {'title':>5} {'date':>5}"
    print(hdr)
    print("-" * len(hdr))
    for r in res["pages"]:
        art = _f(r["is_article_ok"])
        if r["is_article_gold"]:
            print(f"{r['name'][:34]:<34} {art:>4} {_f(r['body_f1']):>6} {_f(r['related_p']):>5} "
                  f"{_f(r['related_r']):>5} {_f(r['related_pair_exact']):>5} {_f(r['title_ok']):>5} "
                  f"{_f(r['date_ok']):>5}" + (f"  ERROR {r['error']}" if r["error"] else ""))
        else:
            print(f"{r['name'][:34]:<34} {art:>4}  (non-article)" + (f"  ERROR {r['error']}" if r["error"] else ""))
    m = res["mean"]
    print("-" * len(hdr))
    print(f"{'MEAN':<34} {_f(m['is_article_accuracy']):>4} {_f(m['body_f1']):>6} {_f(m['related_precision']):>5} "
          f"{_f(m['related_recall']):>5} {_f(m['related_pair_exact']):>5} {_f(m['title_exact']):>5} "
          f"{_f(m['date_exact']):>5}")
    print()
    print(f"pages {m['pages']} (articles {m['article_pages']}), errors {m['errors']}")
    print(f"is_article accuracy      {_f(m['is_article_accuracy'])}")
    print(f"body token-F1            {_f(m['body_f1'])}  (P {_f(m['body_precision'])}, R {_f(m['body_recall'])})")
    print(f"related precision/recall {_f(m['related_precision'])} / {_f(m['related_recall'])}  "
          f"(micro {_f(m['related_precision_micro'])} / {_f(m['related_recall_micro'])})")
    print(f"related tag+title exact  {_f(m['related_pair_exact'])}  (micro {_f(m['related_pair_exact_micro'])}), "
          f"order ok {_f(m['related_order_ok'])}")
    print(f"title exact              {_f(m['title_exact'])}")
    print(f"published date exact     {_f(m['date_exact'])}")
    for k in ("canonical_ok", "authors_ok", "tags_ok", "lead_ok"):
        if k in m:
            print(f"{k:<24} {_f(m[k])}")


def print_verbose(res: dict) -> None:
    preds, golds = res["_predictions"], res["_gold"]
    for r in res["pages"]:
        name = r["name"]
        gold, pred = golds[name], preds.get(name) or {}
        bad = not r["is_article_ok"] or r["error"]
        if r["is_article_gold"]:
            bad = bad or r["body_f1"] < 1.0 or r["related_p"] < 1.0 or r["related_r"] < 1.0 \
                or not r["title_ok"] or not r["date_ok"] or (r["related_pair_exact"] not in (None, 1.0))
        if not bad:
            continue
        print(f"\n=== {name} ===")
        if r["error"]:
            print(f"  error: {r['error']}")
        if not r["is_article_ok"]:
            print(f"  is_article: gold {r['is_article_gold']} pred {r['is_article_pred']}")
        if not r["is_article_gold"]:
            continue
        if not r["title_ok"]:
            print(f"  title: gold {gold.get('title')!r}\n         pred {pred.get('title')!r}")
        if not r["date_ok"]:
            print(f"  published_at: gold {gold.get('published_at')!r} pred {pred.get('published_at')!r}")
        if r["body_f1"] < 1.0:
            print(f"  body F1 {r['body_f1']:.3f} (P {r['body_p']:.3f} R {r['body_r']:.3f}); diff gold -> pred:")
            g = [collapse(p) or "" for p in (gold.get("body") or [])]
            p = [collapse(x) or "" for x in (pred.get("body") or [])]
            for line in difflib.unified_diff(g, p, "gold", "pred", lineterm="", n=0):
                if line.startswith(("---", "+++")):
                    continue
                print("    " + (line if len(line) < 220 else line[:217] + "..."))
        if r["related_p"] < 1.0 or r["related_r"] < 1.0:
            gu = [x.get("url") for x in _links(gold.get("related"))]
            pu = [x.get("url") for x in _links(pred.get("related"))]
            for u in gu:
                if u not in pu:
                    print(f"  related missing: {u}")
            for u in pu:
                if u not in gu:
                    print(f"  related extra:   {u}")
        for mm in r.get("related_pair_mismatches") or []:
            print(f"  related tag/title: {mm['url']}\n      gold {mm['gold']}\n      pred {mm['pred']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="folder of X.html + X.json pairs")
    ap.add_argument("--profile", default=None, help="site profile name passed as profile=NAME")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", action="store_true", help="print diffs for pages below 1.0")
    ap.add_argument("--traceback", action="store_true", help="print tracebacks of parser crashes")
    args = ap.parse_args(argv)
    try:
        from pipelines.parse import page_json  # noqa: PLC0415
    except Exception as exc:  # noqa: BLE001
        print(f"extraction_eval: cannot import pipelines.parse.page_json: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 2
    res = evaluate_dir(args.dir, page_json, profile=args.profile, keep_predictions=args.verbose)
    if args.json:
        out = {k: v for k, v in res.items() if not k.startswith("_")}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print_table(res)
    if args.verbose:
        print_verbose(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
