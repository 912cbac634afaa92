"""Small lxml helpers shared by the extraction layers."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.pages.css import ClassIndex

# Elements whose text is never article text.
# Not <form>: ASP.NET pages wrap the whole page, article included, in one.
NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "button", "select")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>", re.I)
# Characters XML has no place for: NUL, C0 controls but tab and newlines, lone
# surrogates (UTF-7 decodes to them). libxml2 keeps them in text nodes, and then
# lxml refuses that very text when it is set back on a node (maintext.prepare,
# trafilatura): "All strings must be XML compatible". A NUL is also no text
# PostgreSQL can store. No reader sees them, so they go before parsing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters written as references ("&#1;", "&#xFFFE;"), which libxml2
# decodes into the text (it makes "&#0;" and surrogates U+FFFD itself).
_NOT_XML_REF = re.compile(
    r"&#(?:0*(?:[1-8]|1[124-9]|2\d|3[01]|6553[45])(?!\d)|[xX]0*(?:[1-8bBcCeEfF]|1[\da-fA-F]|[fF]{3}[eEfF])(?![\da-fA-F]));?"
)
# Comments and processing instructions never carry article text; dropping them at
# parse time is cheaper than walking the tree for them afterwards.
_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)


def _html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """The element classes lxml.html gives (HtmlElement, FormElement for <form>, …),
    looked up in C: lxml.html's own lookup is a Python method called for every
    element proxy, a few percent of a whole parse on the profile path."""
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    lookup.get_namespace(None).update({
        "form": lxml.html.FormElement,
        "input": lxml.html.InputElement,
        "label": lxml.html.LabelElement,
        "select": lxml.html.SelectElement,
        "textarea": lxml.html.TextareaElement,
    })
    return lookup


_PARSER.set_element_class_lookup(_html_class_lookup())


def parse_html(text: str) -> etree._Element:
    """Parse decoded HTML; an empty or markup-free document still gives a tree."""
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    if "&#" in text:
        text = _NOT_XML_REF.sub("", text)
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    # libxml2 mis-parses some doctypes (lxml bug 1955915) and loses the document after them.
    text = _DOCTYPE.sub("", text[:1024], count=1) + text[1024:]
    if not text or text.isspace():  # no copy of the page, as strip() would make
        text = "<html><body></body></html>"
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER)
    # A line break separates words: "Текст: Г. Ибраева<br>Фото автора" is two lines, and
    # every text read of the tree (one C call, tostring(method="text")) must see it.
    for br in root.iter("br"):
        br.tail = "\n" + br.tail if br.tail else "\n"
    return root


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """Compiled selectors are cached: compiling costs more than matching."""
    return CSSSelector(selector)


_INDEX: list = [None]  # the ClassIndex of the last document selected from


def select(root, selector: str | None) -> list:
    """Elements matching a CSS selector, in document order.

    Whole-document selections go through the page's class index (crawler/pages/css.py),
    which answers the usual profile selectors without one tree walk each.
    """
    if not selector:
        return []
    index = _INDEX[0]
    if root.getparent() is None:
        if index is None or index.root is not root:
            index = _INDEX[0] = ClassIndex(root)
        found = index.select(selector)
    elif index is not None and _in_document(root, index.root):
        found = index.select(selector, within=root)  # a related card, an image figure
    else:
        found = None
    return css(selector)(root) if found is None else found


def _in_document(el, root) -> bool:
    top = el
    for top in el.iterancestors():
        pass
    return top is root


def select_one(root, selector: str | None):
    found = select(root, selector)
    return found[0] if found else None


def text_of(element) -> str:
    """Visible text of an element, whitespace collapsed (no-break spaces kept for normalization)."""
    if element is None:
        return ""
    if not len(element):  # a leaf (a link, a headline): its text is all there is
        return _collapse(element.text or "")
    # The text serializer gives what "".join(itertext()) gives (comment and PI text
    # left out, tails inside kept) in one C call; it runs on every field and paragraph.
    return _collapse(etree.tostring(element, method="text", encoding=str, with_tail=False))


# Collapse ordinary whitespace only; \xa0 and friends are the normalizer's business.
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def _collapse(text: str) -> str:
    return _ASCII_SPACE.sub(" ", text).strip()


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
    remove([el for el in root.iter(*NOISE_TAGS)])  # comments and PIs never reach the tree (_PARSER)


def class_id(element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def words(text: str) -> int:
    return len(text.split())
