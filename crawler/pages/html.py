"""Small lxml helpers shared by the extraction layers."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

# Elements whose text is never article text.
NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select")
_SPACE = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_html(text: str) -> etree._Element:
    """Parse decoded HTML; an empty or markup-free document still gives a tree."""
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        text = "<html><body></body></html>"
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """Compiled selectors are cached: compiling costs more than matching."""
    return CSSSelector(selector)


def select(root, selector: str | None) -> list:
    if not selector:
        return []
    return css(selector)(root)


def select_one(root, selector: str | None):
    found = select(root, selector)
    return found[0] if found else None


def text_of(element) -> str:
    """Visible text of an element, whitespace collapsed (no-break spaces kept for normalization)."""
    if element is None:
        return ""
    parts = []
    for piece in element.itertext():
        parts.append(piece)
    return _collapse("".join(parts))


def _collapse(text: str) -> str:
    # Collapse ordinary whitespace only; \xa0 and friends are the normalizer's business.
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def remove(elements) -> None:
    """Detach elements but keep their tail text in the parent."""
    for el in elements:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def strip_noise(root) -> None:
    remove([el for el in root.iter(*NOISE_TAGS)])
    remove([el for el in root.iter(etree.Comment)])


def class_id(element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def words(text: str) -> int:
    return len(text.split())
