"""Fast CSS selection for the selectors site profiles use, over one page's class index.

lxml's CSSSelector turns `.x` into an XPath that computes
`concat(' ', normalize-space(@class), ' ')` for every element, once per selector;
a profile runs a dozen of them per page and that was most of the extraction time
on the production path (benchmarks/extract_speed.py). Here the page's class
attributes are read once (one XPath call) into token -> elements, and the common
selector shapes are matched right to left against it:

    compound  = [tag] (.class | [attr] | [attr=value])*
    selector  = compound ((" " | " > ") compound)*   , several joined by ","

Anything else (pseudo-classes, ~, +, *, a union whose parts both match)
returns None and the caller uses lxml's CSSSelector, so the results never differ.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from lxml import etree

_COMPOUND = re.compile(
    r"""^(?P<tag>[a-zA-Z][\w-]*)?(?P<rest>(?:\.[\w-]+|\[[\w-]+(?:=(?:"[^"]*"|'[^']*'|[\w-]+))?\])*)$"""
)
_PART = re.compile(r"""\.([\w-]+)|\[([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([\w-]+)))?\]""")


class Compound:
    __slots__ = ("tag", "classes", "attrs")

    def __init__(self, tag: str | None, classes: tuple, attrs: tuple) -> None:
        self.tag, self.classes, self.attrs = tag, classes, attrs

    def matches(self, el) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if self.classes:
            have = (el.get("class") or "").split()
            if any(c not in have for c in self.classes):
                return False
        for name, value in self.attrs:
            got = el.get(name)
            if got is None or (value is not None and got != value):
                return False
        return True


def _compound(text: str) -> Compound | None:
    m = _COMPOUND.match(text)
    if not m or not text:
        return None
    classes, attrs = [], []
    for cls, name, v1, v2, v3 in _PART.findall(m.group("rest") or ""):
        if cls:
            classes.append(cls)
        else:
            value = v1 or v2 or v3
            attrs.append((name, value if (v1 or v2 or v3) else None))
    return Compound((m.group("tag") or "").lower() or None, tuple(classes), tuple(attrs))


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> tuple | None:
    """((compounds, combinators), ...) per comma part, or None when the shape is not supported.

    combinators[i] relates compounds[i] to compounds[i + 1]: " " (ancestor) or ">" (parent).
    """
    parts = []
    for part in selector.split(","):
        tokens = [t for t in re.split(r"\s*(>)\s*|\s+", part.strip()) if t]
        compounds, combinators, pending = [], [], None
        for tok in tokens:
            if tok == ">":
                if not compounds or pending:
                    return None
                pending = ">"
                continue
            c = _compound(tok)
            if c is None:
                return None
            if compounds:
                combinators.append(pending or " ")
            compounds.append(c)
            pending = None
        if not compounds or pending:
            return None
        parts.append((tuple(compounds), tuple(combinators)))
    return tuple(parts)


def _left_match(el, compounds, combinators, i) -> bool:
    """Do compounds[:i + 1] match above `el` (which matched compounds[i + 1])?"""
    if i < 0:
        return True
    comb = combinators[i]
    if comb == ">":
        parent = el.getparent()
        return parent is not None and compounds[i].matches(parent) and _left_match(parent, compounds, combinators, i - 1)
    for anc in el.iterancestors():
        if compounds[i].matches(anc) and _left_match(anc, compounds, combinators, i - 1):
            return True
    return False


def _attached(el, root) -> bool:
    """Still in the document (the profile's `drop` selectors detach elements after indexing)."""
    top = el
    for top in el.iterancestors():
        pass
    return top is root or el is root


@lru_cache(maxsize=64)
def _with_attribute(name: str, subtree: bool) -> etree.XPath:
    """Elements carrying the attribute, in document order.

    Compiled once per name: compiling an XPath costs more than running it. The
    attribute's parent (`//@x/..`) is found in half the time of `//*[@x]`, whose
    predicate libxml2 evaluates as a node-set for every element.
    """
    return etree.XPath(f"descendant-or-self::*/@{name}/.." if subtree else f"//@{name}/..")


_WITH_CLASS = _with_attribute("class", False)


_SPANS_AFTER = 5000  # an ordinary news page checks a few hundred candidates in all


class ClassIndex:
    """Class token -> elements of one document, in document order (one XPath call, one loop)."""

    def __init__(self, root) -> None:
        self.root = root
        self._by_class: defaultdict[str, list] = defaultdict(list)
        for el in _WITH_CLASS(root):
            for token in el.get("class").split():
                self._by_class[token].append(el)
        self._spans: dict | None = None
        self._checked = 0  # candidates walked up from so far: the spans pay off only past _SPANS_AFTER

    def by_class(self, token: str) -> list:
        return self._by_class.get(token, [])

    def _inside(self, candidates: list, within) -> list:
        """The candidates in `within`'s subtree.

        Each element's (first, last) position in document order, numbered on the
        first call, rejects most candidates at once; only those inside the span
        walk up to `within` (the tree may have changed since). A walk up from every
        candidate cost O(depth) each: seconds on a page of thousands of cards nested
        in each other by unclosed tags, where every card selects within itself.
        Numbering costs a walk of the whole tree, more than an ordinary page's few
        walks up, so it waits until _SPANS_AFTER candidates have been walked up from.
        """
        if self._spans is None and self._checked < _SPANS_AFTER:
            self._checked += len(candidates)
            return [el for el in candidates if el is within or within in el.iterancestors()]
        if self._spans is None:
            spans, n = {}, 0
            for event, el in etree.iterwalk(self.root, events=("start", "end")):
                if event == "start":
                    spans[el] = [n, n]
                    n += 1
                else:
                    spans[el][1] = n - 1
            self._spans = spans
        span = self._spans.get(within)
        found = []
        for el in candidates:
            if el is within:
                found.append(el)
                continue
            at = self._spans.get(el)
            if span is not None and at is not None and not span[0] < at[0] <= span[1]:
                continue
            if within in el.iterancestors():
                found.append(el)
        return found

    def _scope(self, compounds, within):
        """The element whose subtree holds every match; None when nothing can match."""
        if within is not None:
            return within
        for compound in compounds[:-1]:
            if compound.classes:
                holders = self.by_class(compound.classes[0])
                if len(holders) == 1:
                    # Matches descend from it (the full match below still checks
                    # every step); with two or more, document order would need a merge.
                    return holders[0]
                if not holders:
                    return None
        return self.root

    def select(self, selector: str, within=None) -> list | None:
        """Matches in document order; `within` limits them to one element's subtree."""
        compiled = compile_selector(selector)
        if compiled is None:
            return None
        results = []
        for compounds, combinators in compiled:
            last = compounds[-1]
            if last.classes:
                candidates = self.by_class(last.classes[0])
                if within is not None:
                    candidates = self._inside(candidates, within)
            elif last.tag:
                # Walk the smallest subtree that must hold every match: the card or
                # figure we select within, or the one element carrying an ancestor's
                # class (".post-tags a" need not test every <a> of the page).
                scope = self._scope(compounds, within)
                candidates = scope.iter(last.tag) if scope is not None else []
            else:  # attributes only: "[itemprop=articleBody]"
                candidates = _with_attribute(last.attrs[0][0], within is not None)(within if within is not None else self.root)
            found = [
                el for el in candidates
                if last.matches(el)
                and _left_match(el, compounds, combinators, len(compounds) - 2)
                # Below `within` means attached: the caller checked that `within` is.
                and (within is not None or _attached(el, self.root))
            ]
            if found and results:
                return None  # two parts matched: document order across them is lxml's job
            results = results or found
        return results
