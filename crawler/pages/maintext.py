"""Layer 3, body: the article text on a DOM we have never seen.

trafilatura's extractor finds the main text (measured on real pages in
benchmarks/aeb_eval.py); it runs on the tree we already parsed, so the page is
parsed once. Around it sit our own rules, all language-agnostic:

* before: social embeds (tweets, Instagram, Telegram posts) go, layout tables
  become divs (trafilatura reads a table as data rows), text-only list items get
  a paragraph (trafilatura drops list items that hold bare text);
* after: every line is traced back to its element in our tree, and a line is
  dropped when that element is page chrome or a link-dense block (a news feed
  the extractor swept up), when it has no letters (galleries' "1 / 3",
  datelines), or when it repeats the headline; a text-dense standfirst just
  before the body (Bitrix `preview_text`) is taken back in.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice

from lxml import etree
from trafilatura.core import bare_extraction
from trafilatura.xml import xmltotxt

from crawler.pages import density
from crawler.pages.html import class_id, remove, text_of

# The fast path (no readability/justext fallback) without comments scored higher on
# the AEB pages than the defaults, at a third of the cost.
_OPTIONS = {"fast": True, "include_comments": False, "with_metadata": False, "include_tables": True}
_EMBED = re.compile(r"twitter-tweet|instagram-media|tiktok-embed|telegram-post|fb-post|reddit-embed")
_LETTER = re.compile(r"[^\W\d_]")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = {*_HEADINGS, "p", "li", "div", "td", "th", "dd", "blockquote", "section", "article", "font", "center"}
_CHROME = re.compile(r"(^|[\s_-])(sidebar|widget|share|social|comments?|banner|ads?|advert\w*|promo|berrors)($|[\s_-])")
_LEAD_CLASS = re.compile(r"lead|preview|announce|intro|standfirst|summary|subtitle|excerpt|dek\b")
_PROBE = 40  # characters of a line used to find its element


def _collapse(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def prepare(root) -> None:
    """Rewrite the tree so the extractor sees what a reader sees (in place)."""
    remove([el for el in root.iter("blockquote", "div") if _EMBED.search(el.get("class", ""))])
    for table in list(root.iter("table")):
        if _is_layout(table):
            for el in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
                if el is table or _owner_table(el) is table:
                    el.tag = "div"
    for li in root.iter("li"):
        if len(li) == 0 and li.text and len(li.text.strip()) > 20:
            p = etree.SubElement(li, "p")
            p.text, li.text = li.text, None


def _owner_table(el):
    return next((a for a in el.iterancestors("table", "div") if a.tag == "table" or a.get("data-layout")), None)


def _is_layout(table) -> bool:
    """A table used for page layout: one row or one column, nested tables, or cells holding several blocks."""
    rows = table.findall(".//tr")
    if len(rows) < 2 or max(len(r.findall("td")) + len(r.findall("th")) for r in rows) < 2:
        table.set("data-layout", "1")
        return True
    if table.find(".//table") is not None:
        table.set("data-layout", "1")
        return True
    for cell in table.iter("td", "th"):
        if sum(1 for c in cell if c.tag in ("p", "div", "table", "ul", "h1", "h2", "h3")) >= 3:
            table.set("data-layout", "1")
            return True
    return False


def extract_lines(root) -> list[str]:
    """trafilatura's body text for the tree, one collapsed line per block ([] when it finds none)."""
    doc = bare_extraction(root, **_OPTIONS)  # works on a copy: our tree stays whole
    if doc is None or doc.body is None:
        return []
    return [line for line in (_collapse(t) for t in xmltotxt(doc.body, False).split("\n")) if line]


def index_text(root) -> dict[str, object]:
    """Prefix of every text run -> the block element it stands in (first one wins)."""
    found: dict[str, object] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        # A tail run is filed under the element it follows: that is where it stands in
        # document order (a bare-text body starts in the tail of the dateline <span>).
        for text, owner in ((el.text, el), (el.tail, el)):
            text = _collapse(text)
            if len(text) >= 8 and owner is not None:
                found.setdefault(text[:_PROBE], owner)
    return found


def _block(el):
    for anc in (el, *el.iterancestors()):
        if anc.tag in _BLOCKS:
            return anc
    return el


def _is_chrome(el, block) -> bool:
    """Chrome by tag anywhere above; by class name only up to the line's own block.

    Wrappers far above carry page-wide classes ("container penci_sidebar",
    "m-advertisement-off-canvas--pusher") that say nothing about the text in them.
    """
    by_class = True
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("nav", "footer", "aside", "figcaption"):
            return True
        if by_class and _CHROME.search(class_id(anc)):
            return True
        if anc is block:
            by_class = False
    return False


def _link_dense(block) -> bool:
    """Mostly link text: a feed item or a menu, not a paragraph. Big containers are not judged."""
    if next(islice(block.iter(), 60, None), None) is not None:
        return False
    total = len(text_of(block))
    links = sum(len(text_of(a)) for a in block.iter("a"))
    return total > 0 and links / total > 0.5


def find_element(index: dict, line: str):
    """The element whose text run starts the line (a line may join several runs)."""
    for n in range(min(len(line), _PROBE), 7, -1):
        el = index.get(line[:n])
        if el is not None:
            return el
    return None


# Below this much text the extractor has likely given up; the density scorer gets a say.
_SHORT = 200


def main_text(root, title: str | None = None, is_chrome=None) -> tuple[list[str], object, object]:
    """(body lines, element of the first line, element of the last line)."""
    prepare(root)
    lines = extract_lines(root)
    if sum(map(len, lines)) < _SHORT and is_chrome is not None:
        found = [el for el in density.find_body(root, is_chrome)]
        texts = [text_of(el) for el in found]
        if sum(map(len, texts)) > sum(map(len, lines)):
            kept = _drop_headline(list(zip(texts, found)), title)
            return [t for t, _ in kept], (kept[0][1] if kept else None), (kept[-1][1] if kept else None)
    if not lines:
        return [], None, None
    index = index_text(root)
    kept: list[tuple[str, object]] = []
    for line in lines:
        el = find_element(index, line)
        if not _LETTER.search(line):
            continue
        if el is not None:
            block = _block(el)
            if _is_chrome(el, block) or _link_dense(block) or _is_caption(el, line):
                continue
        kept.append((line, el))
    kept = _drop_headline(kept, title)
    kept = _with_standfirst(kept, index, title)
    while kept and _is_heading_like(kept[-1][0]):
        kept.pop()  # the heading of a block that was dropped after the text
    located = [el for _, el in kept if el is not None]
    return [line for line, _ in kept], (located[0] if located else None), (located[-1] if located else None)


def _is_caption(el, line: str) -> bool:
    """A short unpunctuated line right after a picture: its caption or photo credit.

    A heading or a sentence after a picture is text ("One chapter over", "… side.").
    """
    if len(line.split()) > 8 or el.tag in _HEADINGS or line.endswith((".", "!", "?")):
        return False
    prev = el.getprevious()
    while prev is not None and prev.tag == "br":
        prev = prev.getprevious()
    return prev is not None and prev.tag in ("img", "picture", "figure", "amp-img")


def _is_heading_like(line: str) -> bool:
    """Short and without closing punctuation (any script: "。" and "»" count)."""
    return len(line) <= 40 and len(line.split()) <= 4 and not unicodedata.category(line[-1]).startswith("P")


def _drop_headline(kept: list, title: str | None) -> list:
    """The headline, with the rubric/date/byline line around it, is not body text.

    Some themes put them in one block, so a line counts as the headline's when
    it holds the title plus at most a dozen other words.
    """
    if not title:
        return kept
    title = _collapse(title)
    for i, (line, _) in enumerate(kept[:3]):
        if title in line and len(line.split()) - len(title.split()) <= 12:
            return kept[i + 1:]
    return kept


def _with_standfirst(kept: list, index: dict, title: str | None):
    """A text-dense block right before the first body block (a standfirst outside the body div)."""
    if not kept or kept[0][1] is None:
        return kept
    first = _block(kept[0][1])
    container = first.getparent()
    while container is not None and container.getprevious() is None and container.getparent() is not None:
        container = container.getparent()
    if container is None:
        return kept
    prev = container.getprevious()
    for _ in range(3):  # the standfirst may sit above a picture or a dateline
        if prev is None:
            break
        text = text_of(prev)
        if (
            len(text) >= 80
            and prev.tag not in ("h1", "h2", "table", "ul", "ol")
            and not _link_dense(prev)
            and not _is_chrome(prev, prev)
            and (not title or _collapse(title) not in text)
            and prev.find(".//h1") is None
            and _LEAD_CLASS.search(class_id(prev))
            and prev.find(".//p") is None
        ):
            return [(_collapse(text), prev), *kept]
        prev = prev.getprevious()
    return kept


def teasers(root, first, last) -> int:
    """How listing-like the body span is: stand-alone headline links (>= 3 words, their
    block mostly link) from the first body element to the last, a linked heading
    counting double. A listing interleaves them with its excerpts; an article has
    at most an inline "read also" or two."""
    if first is None or last is None:
        return 0
    count, inside = 0, False
    for el in root.iter():
        if el is first:
            inside = True
        if inside and el.tag == "a" and el.get("href") and len(text_of(el).split()) >= 3:
            block = _block(el)
            if block.tag in _HEADINGS or next(el.iter(*_HEADINGS), None) is not None:
                count += 2
            elif _link_dense(block):
                count += 1
        if el is last:
            break
    return count
