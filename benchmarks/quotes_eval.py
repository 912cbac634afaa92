#!/usr/bin/env python
"""Direct-quote extraction quality on a folder of hand-labelled articles.

Usage::

    python benchmarks/quotes_eval.py tests/fixtures/quotes [--json] [--verbose]

DIR holds gold files ``*.json`` (a single file path works too) in the shape::

    {"articles": [{"url": "...", "paragraphs": ["...", ...],
                   "quotes": [{"text", "speaker", "speaker_canonical", "style", "paragraph"}],
                   "negatives": [3, 5] }]}

``style`` and ``paragraph`` are optional; ``negatives`` may be paragraph indexes or the
paragraph strings themselves (matched after collapsing whitespace). A file may also be a
bare list of articles or one article object; ``body`` is accepted for ``paragraphs``.

Every article's paragraphs go through the predictor
``pipelines.quotes.extract_quotes(paragraphs) -> list[core.items.Quote]``.

* Matching: a predicted quote matches a gold one when their token-F1 >= 0.8 (tokens:
  ``re.findall(r"\\w+", text.lower())``, bag-of-words F1); one-to-one, greedy by best F1
  within an article.
* Quote precision / recall / F1 pooled over all articles; recall per gold style (A-F).
* Speaker accuracy over matched pairs: correct when the predicted written OR canonical
  speaker names the same person as the gold written OR canonical speaker
  (see ``names_match``: case-insensitive, ё=е, each word equal up to Russian inflection:
  a common prefix of max(len-2, 4) characters of the shorter word, or a shared pymorphy3
  normal form when pymorphy3 is importable; a longer span such as "министра
  здравоохранения Ажар Гиният" matches "Ажар Гиният" when the shorter one's words occur in
  it in order and the last words agree). Gold with no speaker at all expects none.
* Strict resolved speaker over matched pairs (``speaker_accuracy_strict``): the predicted
  ``speaker_canonical`` equals the gold one after casefold and whitespace collapse; a null
  gold canonical (the article never names the person) is right only for a null prediction.
* Quotes predicted in negative paragraphs are counted (they are false positives as well).

The metric functions are importable: ``score(gold_articles, predict)`` returns the dict that
``--json`` prints; ``load_gold(path)`` reads gold files. Exits 0 unless the predictor cannot
be imported (one-line error, exit 2).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

MATCH_THRESHOLD = 0.8
STYLES = ("A", "B", "C", "D", "E", "F")

_TOKEN_RE = re.compile(r"\w+")
_NAME_WORD_RE = re.compile(r"\w+(?:-\w+)*")
_WS_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------- tokens
def tokens(text: str | None) -> list[str]:
    return _TOKEN_RE.findall((text or "").lower())


def token_f1(a: str | None, b: str | None) -> float:
    """Bag-of-words F1 between two texts (both empty -> 1.0, one empty -> 0.0)."""
    ta, tb = Counter(tokens(a)), Counter(tokens(b))
    if not ta and not tb:
        return 1.0
    if not ta or not tb:
        return 0.0
    common = sum((ta & tb).values())
    if common == 0:
        return 0.0
    precision = common / sum(ta.values())
    recall = common / sum(tb.values())
    return 2 * precision * recall / (precision + recall)


def _collapse(text: str) -> str:
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text or "").replace("\u00a0", " ")).strip()


# --------------------------------------------------------------------------- speakers
_MORPH: Any = None
_MORPH_TRIED = False


def _morph():
    global _MORPH, _MORPH_TRIED
    if not _MORPH_TRIED:
        _MORPH_TRIED = True
        try:
            import pymorphy3  # type: ignore

            _MORPH = pymorphy3.MorphAnalyzer()
        except Exception:  # pragma: no cover - optional dependency
            _MORPH = None
    return _MORPH


_NF_CACHE: dict[str, frozenset[str]] = {}


def _normal_forms(word: str) -> frozenset[str]:
    cached = _NF_CACHE.get(word)
    if cached is None:
        morph = _morph()
        if morph is None:
            cached = frozenset()
        else:
            cached = frozenset(p.normal_form.replace("ё", "е") for p in morph.parse(word))
        _NF_CACHE[word] = cached
    return cached


def _norm_word(word: str) -> str:
    return word.lower().replace("ё", "е")


def words_match(a: str, b: str) -> bool:
    """One word, up to Russian inflection (Токаев / Токаева / Токаеву)."""
    a, b = _norm_word(a), _norm_word(b)
    if a == b:
        return True
    if "-" in a or "-" in b:  # Касым-Жомарт, пресс-секретарь: part by part
        pa, pb = a.split("-"), b.split("-")
        return len(pa) == len(pb) and all(words_match(x, y) for x, y in zip(pa, pb))
    n = min(len(a), len(b))
    if n >= 3:
        k = min(max(n - 2, 4), n)
        if a[:k] == b[:k] and abs(len(a) - len(b)) <= 3:
            return True
    fa, fb = _normal_forms(a), _normal_forms(b)
    return bool(fa and fb and fa & fb)


def _name_words(name: str | None) -> list[str]:
    return _NAME_WORD_RE.findall(_collapse(name or ""))


def names_match(a: str | None, b: str | None) -> bool:
    """Same person name or role, case-insensitively and up to inflection.

    Equal-length word sequences must match word by word; otherwise the shorter one's words
    must occur in order in the longer one and the last words must match (span-boundary
    tolerance: "министра здравоохранения Ажар Гиният" ~ "Ажар Гиният",
    "Касым-Жомарт Токаев" ~ "Токаева").
    """
    wa, wb = _name_words(a), _name_words(b)
    if not wa or not wb:
        return False
    if len(wa) == len(wb):
        return all(words_match(x, y) for x, y in zip(wa, wb))
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if not words_match(short[-1], long_[-1]):
        return False
    i = 0
    for word in long_:
        if i < len(short) and words_match(short[i], word):
            i += 1
    return i == len(short)


def canonical_key(name: str | None) -> str | None:
    """A canonical name for the strict comparison: casefolded, whitespace collapsed."""
    key = _collapse(name or "").casefold()
    return key or None


def speaker_strict(pred_canonical: str | None, gold_canonical: str | None) -> bool:
    """Strict resolved speaker: ``speaker_canonical`` equal after casefold and whitespace
    collapse; a null gold canonical (the article never names the person) expects a null
    (unresolved) prediction."""
    return canonical_key(pred_canonical) == canonical_key(gold_canonical)


def speaker_correct(pred_speaker: str | None, pred_canonical: str | None,
                    gold_speaker: str | None, gold_canonical: str | None) -> bool:
    golds = [g for g in (gold_speaker, gold_canonical) if g and g.strip()]
    preds = [p for p in (pred_speaker, pred_canonical) if p and p.strip()]
    if not golds:
        return not preds
    return any(names_match(p, g) for p in preds for g in golds)


# --------------------------------------------------------------------------- gold
def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _normalize_article(raw: dict, source: str) -> dict:
    paragraphs = raw.get("paragraphs")
    if paragraphs is None:
        paragraphs = raw.get("body") or []
    paragraphs = [str(p) for p in paragraphs]
    collapsed = [_collapse(p) for p in paragraphs]
    neg_idx: set[int] = set()
    neg_text: list[str] = []
    for neg in raw.get("negatives") or []:
        if isinstance(neg, bool):
            continue
        if isinstance(neg, int):
            if 0 <= neg < len(paragraphs):
                neg_idx.add(neg)
            else:
                print(f"warning: {source}: negative index {neg} out of range", file=sys.stderr)
            continue
        text = _collapse(str(neg))
        hits = [i for i, p in enumerate(collapsed) if p == text]
        if not hits:
            hits = [i for i, p in enumerate(collapsed) if text and (text in p or p and p in text)]
        if hits:
            neg_idx.update(hits)
        else:
            neg_text.append(text)
    quotes = []
    for q in raw.get("quotes") or []:
        quotes.append({
            "text": q.get("text") or "",
            "speaker": q.get("speaker"),
            "speaker_canonical": q.get("speaker_canonical"),
            "style": (q.get("style") or None),
            "paragraph": q.get("paragraph"),
        })
    return {
        "url": raw.get("url") or source,
        "paragraphs": paragraphs,
        "quotes": quotes,
        "negatives": sorted(neg_idx),
        "negative_texts": neg_text,  # string negatives not found among the paragraphs
    }


def load_gold(path: str | Path) -> list[dict]:
    """Articles from every ``*.json`` in a directory (sorted), or from one file."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    articles: list[dict] = []
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "articles" in data:
            items = data["articles"]
        elif isinstance(data, list):
            items = data
        elif isinstance(data, dict) and ("paragraphs" in data or "body" in data):
            items = [data]
        else:
            print(f"warning: {file}: no articles, skipped", file=sys.stderr)
            continue
        for n, raw in enumerate(items):
            articles.append(_normalize_article(raw, f"{file.name}#{n}"))
    return articles


# --------------------------------------------------------------------------- matching
def match_quotes(gold: list[dict], pred: list[Any],
                 threshold: float = MATCH_THRESHOLD) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching by best token-F1; returns (gold_i, pred_j, f1)."""
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            f1 = token_f1(_field(p, "text"), g["text"])
            if f1 >= threshold:
                same_par = g.get("paragraph") is not None and g["paragraph"] == _field(p, "paragraph")
                pairs.append((f1, same_par, -i, -j))
    pairs.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for f1, _same, mi, mj in pairs:
        i, j = -mi, -mj
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j, f1))
    out.sort()
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _short(text: str | None, limit: int = 110) -> str:
    text = _collapse(text or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score(gold_articles: Iterable[dict], predict: Callable[[list[str]], list[Any]],
          threshold: float = MATCH_THRESHOLD) -> dict:
    """Run ``predict(paragraphs)`` on every gold article and compute the figures.

    ``gold_articles`` are dicts as ``load_gold`` returns them (raw gold dicts work too).
    The result holds the figures plus ``misses``, ``false_positives``,
    ``speaker_errors`` and ``negative_hits`` (lists of dicts with the article URL).
    """
    n_gold = n_pred = tp = 0
    speaker_ok = 0
    strict_ok = 0
    par_ok = par_total = 0
    style_gold: Counter = Counter()
    style_hit: Counter = Counter()
    neg_hits: list[dict] = []
    misses: list[dict] = []
    fps: list[dict] = []
    speaker_errors: list[dict] = []
    strict_errors: list[dict] = []
    errors: list[dict] = []
    n_articles = n_neg = 0
    elapsed = 0.0

    for art in gold_articles:
        if "negative_texts" not in art:
            art = _normalize_article(art, art.get("url") or "?")
        n_articles += 1
        url = art["url"]
        gold = art["quotes"]
        negatives = set(art["negatives"])
        n_neg += len(negatives) + len(art["negative_texts"])
        started = time.perf_counter()
        try:
            pred = list(predict(list(art["paragraphs"])) or [])
        except Exception as exc:  # a crash on one article must not stop the run
            pred = []
            errors.append({"url": url, "error": f"{type(exc).__name__}: {exc}"})
        elapsed += time.perf_counter() - started

        n_gold += len(gold)
        n_pred += len(pred)
        for g in gold:
            style_gold[g.get("style") or "?"] += 1

        matches = match_quotes(gold, pred, threshold)
        matched_g = {i for i, _, _ in matches}
        matched_p = {j for _, j, _ in matches}
        tp += len(matches)
        for i, j, f1 in matches:
            g, p = gold[i], pred[j]
            style_hit[g.get("style") or "?"] += 1
            ps, pc = _field(p, "speaker"), _field(p, "speaker_canonical")
            strict = speaker_strict(pc, g.get("speaker_canonical"))
            strict_ok += int(strict)
            if not strict:
                strict_errors.append({
                    "url": url, "paragraph": g.get("paragraph"), "style": g.get("style"),
                    "text": g["text"], "gold_canonical": g.get("speaker_canonical"), "pred_canonical": pc,
                })
            if speaker_correct(ps, pc, g.get("speaker"), g.get("speaker_canonical")):
                speaker_ok += 1
            else:
                speaker_errors.append({
                    "url": url, "paragraph": g.get("paragraph"), "style": g.get("style"),
                    "text": g["text"], "gold_speaker": g.get("speaker"),
                    "gold_canonical": g.get("speaker_canonical"),
                    "pred_speaker": ps, "pred_canonical": pc,
                })
            if g.get("paragraph") is not None:
                par_total += 1
                par_ok += int(_field(p, "paragraph") == g["paragraph"])
        for i, g in enumerate(gold):
            if i not in matched_g:
                best = max((token_f1(_field(p, "text"), g["text"]) for p in pred), default=0.0)
                misses.append({"url": url, "paragraph": g.get("paragraph"), "style": g.get("style"),
                               "text": g["text"], "speaker": g.get("speaker"),
                               "best_f1": round(best, 3)})
        for j, p in enumerate(pred):
            par = _field(p, "paragraph")
            text = _field(p, "text") or ""
            in_neg = par in negatives or any(
                _collapse(text) and _collapse(text) in nt for nt in art["negative_texts"])
            if in_neg:
                neg_hits.append({"url": url, "paragraph": par, "text": text,
                                 "speaker": _field(p, "speaker")})
            if j not in matched_p:
                fps.append({"url": url, "paragraph": par, "text": text,
                            "speaker": _field(p, "speaker"), "style": _field(p, "style"),
                            "in_negative": in_neg})

    precision, recall, f1 = _prf(tp, n_pred, n_gold)
    per_style = {}
    for style in list(STYLES) + sorted(k for k in style_gold if k not in STYLES):
        total = style_gold.get(style, 0)
        if total or style in STYLES:
            per_style[style] = {
                "gold": total, "found": style_hit.get(style, 0),
                "recall": (style_hit.get(style, 0) / total) if total else None,
            }
    return {
        "articles": n_articles,
        "gold_quotes": n_gold,
        "predicted_quotes": n_pred,
        "matched": tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "per_style_recall": per_style,
        "speaker_accuracy": (speaker_ok / tp) if tp else None,
        "speaker_correct": speaker_ok,
        "speaker_accuracy_strict": (strict_ok / tp) if tp else None,
        "speaker_correct_strict": strict_ok,
        "paragraph_accuracy": (par_ok / par_total) if par_total else None,
        "negative_paragraphs": n_neg,
        "negative_hits": len(neg_hits),
        "predict_errors": len(errors),
        "predict_seconds": round(elapsed, 4),
        "threshold": threshold,
        "details": {
            "misses": misses,
            "false_positives": fps,
            "speaker_errors": speaker_errors,
            "strict_speaker_errors": strict_errors,
            "negative_hits": neg_hits,
            "errors": errors,
        },
    }


def evaluate_dir(path: str | Path, predict: Callable[[list[str]], list[Any]] | None = None) -> dict:
    if predict is None:
        predict = load_predictor()
    return score(load_gold(path), predict)


def load_predictor() -> Callable[[list[str]], list[Any]]:
    from pipelines.quotes import extract_quotes  # noqa: WPS433

    return extract_quotes


# --------------------------------------------------------------------------- report
def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{value * 100:5.1f}%"


def format_report(res: dict, verbose: bool = False) -> str:
    lines = [
        f"articles: {res['articles']}   gold quotes: {res['gold_quotes']}   "
        f"predicted: {res['predicted_quotes']}   matched: {res['matched']} "
        f"(token-F1 >= {res['threshold']})",
        "",
        "recall per style:",
    ]
    for style, row in res["per_style_recall"].items():
        lines.append(f"  {style}: {_pct(row['recall'])}  ({row['found']}/{row['gold']})")
    lines += [
        "",
        f"precision:          {_pct(res['precision'])}",
        f"recall:             {_pct(res['recall'])}",
        f"F1:                 {_pct(res['f1'])}",
        f"speaker accuracy:   {_pct(res['speaker_accuracy'])}  "
        f"({res['speaker_correct']}/{res['matched']} matched, lenient)   "
        f"strict: {_pct(res['speaker_accuracy_strict'])}  "
        f"({res['speaker_correct_strict']}/{res['matched']}, canonical exact)",
        f"paragraph accuracy: {_pct(res['paragraph_accuracy'])}",
        f"quotes in negative paragraphs: {res['negative_hits']} "
        f"(of {res['negative_paragraphs']} negative paragraphs)",
        f"predictor errors:   {res['predict_errors']}   time: {res['predict_seconds']:.3f}s",
    ]
    if verbose:
        d = res["details"]
        lines.append("")
        for m in d["misses"]:
            lines.append(f"MISS  [{m['style'] or '?'}] {m['url']} p{m['paragraph']}: "
                         f"{_short(m['text'])} — {m['speaker']} (best F1 {m['best_f1']})")
        for fp in d["false_positives"]:
            neg = " [NEGATIVE]" if fp["in_negative"] else ""
            lines.append(f"FP{neg}  {fp['url']} p{fp['paragraph']}: {_short(fp['text'])} — {fp['speaker']}")
        for se in d["speaker_errors"]:
            lines.append(f"SPEAKER [{se['style'] or '?'}] {se['url']} p{se['paragraph']}: "
                         f"{_short(se['text'], 60)} — gold {se['gold_speaker']!r}/{se['gold_canonical']!r}, "
                         f"pred {se['pred_speaker']!r}/{se['pred_canonical']!r}")
        for se in d["strict_speaker_errors"]:
            lines.append(f"STRICT [{se['style'] or '?'}] {se['url']} p{se['paragraph']}: "
                         f"{_short(se['text'], 60)} — gold {se['gold_canonical']!r}, pred {se['pred_canonical']!r}")
        for err in d["errors"]:
            lines.append(f"ERROR {err['url']}: {err['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate direct-quote extraction on gold JSON files.")
    parser.add_argument("dir", help="directory of gold *.json files (or one file)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and false positive")
    args = parser.parse_args(argv)

    try:
        predict = load_predictor()
    except Exception as exc:
        print(f"error: cannot import pipelines.quotes.extract_quotes: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 2
    try:
        gold = load_gold(args.dir)
    except (OSError, ValueError) as exc:
        print(f"error: cannot read gold from {args.dir}: {exc}", file=sys.stderr)
        return 2

    res = score(gold, predict)
    if args.json:
        out = dict(res)
        if not args.verbose:
            out.pop("details")
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_report(res, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
