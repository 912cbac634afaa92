"""Fallback main-text finder: the block whose <p> children carry the most non-link text.

trafilatura (maintext.py) gives up on some short or repetitive pages (it keeps one
copy of a repeated paragraph and drops texts under its minimum size); this plain
scorer still finds the paragraphs there. Language-agnostic.
"""

from __future__ import annotations

from crawler.pages.html import text_of

BLOCK_TAGS = ("p", "h2", "h3", "h4", "blockquote", "li")


def _link_text_len(element) -> int:
    return sum(len(text_of(a)) for a in element.iter("a"))


def find_body(root, is_chrome) -> list:
    """Paragraph elements of the main text, in order ([] when nothing scores)."""
    scores: dict = {}
    for p in root.iter("p"):
        text = text_of(p)
        parent = p.getparent()
        if len(text) < 25 or parent is None:
            continue
        own = len(text) - _link_text_len(p)
        if own <= 0:
            continue
        # Parent gets the full score, grandparent half: bodies wrapped in an inner div still win.
        scores[parent] = scores.get(parent, 0) + own
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + own // 2
    best, best_score = None, 0
    for el, score in scores.items():
        if is_chrome(el):
            score //= 4
        if score > best_score:
            best, best_score = el, score
    if best is None:
        return []
    return [
        el
        for el in best.iter(*BLOCK_TAGS)
        if el is not best
        and text_of(el)
        and not is_chrome(el)
        and not _nested_block(el, best)
        and _link_text_len(el) < 0.6 * len(text_of(el))
    ]


def _nested_block(el, container) -> bool:
    """A <p> inside an <li> or <blockquote> we already take whole."""
    for anc in el.iterancestors():
        if anc is container:
            return False
        if anc.tag in BLOCK_TAGS:
            return True
    return False
