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

from typing import NamedTuple

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
_CHROME = re.compile(r"(^|[\s_-])(sidebar|widget|share|social|comments?|banner|ads?|advert\w*|promo|cta|berrors)($|[\s_-])")
_LEAD_CLASS = re.compile(r"lead|preview|announce|anons|intro|standfirst|summary|subtitle|excerpt|overview|dek\b"
                         r"|(?:^|[\s_-])lid(?:$|[\s_-])")
_PROBE = 40  # characters of a line used to find its element


def _collapse(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


_P_HOLDING_BLOCKS = etree.XPath("//p[.//p or .//div or .//table]")


def prepare(root) -> None:
    """Rewrite the tree so the extractor sees what a reader sees (in place)."""
    remove([el for el in root.iter("blockquote", "div") if _EMBED.search(el.get("class", ""))])
    # A <P> left open before the text ("<B>Headline</B><P><FONT><P>…") holds every
    # paragraph after it: a container, which the extractor would read as one paragraph.
    for p in _P_HOLDING_BLOCKS(root):
        p.tag = "div"
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
        blocks = [c.tag for c in cell if c.tag in ("p", "div", "table", "ul", "h1", "h2", "h3")]
        # Several blocks, or a headline over its text: a page column, not a datum.
        if len(blocks) >= 3 or (len(blocks) >= 2 and any(t in ("h1", "h2", "h3") for t in blocks)):
            table.set("data-layout", "1")
            return True
    return False


def extract_lines(root) -> list[str]:
    """trafilatura's body text for the tree, one collapsed line per block ([] when it finds none)."""
    doc = bare_extraction(root, **_OPTIONS)  # works on a copy: our tree stays whole
    if doc is None or doc.body is None:
        return []
    return [line for line in (_collapse(t) for t in xmltotxt(doc.body, False).split("\n")) if line]


def index_text(root) -> dict[str, list]:
    """Prefix of every text run -> [(document position, element it stands in, run text, is a tail)].

    A tail run is filed under the element it follows: that is where it stands in
    document order (a bare-text body starts in the tail of the dateline <span>).
    Every run is kept, short ones too (a menu's "Home"), and every element a prefix
    stands in: a caption and the paragraph repeating it start alike.
    """
    found: dict[str, list] = {}
    for pos, el in enumerate(root.iter()):
        if not isinstance(el.tag, str):
            continue
        for text, tail in ((el.text, False), (el.tail, True)):
            if text and not text.isspace():
                whole = _collapse(text)
                found.setdefault(whole[:_PROBE], []).append((pos, el, whole, tail))
                if "\n" in text.strip():  # the extractor may keep the run's line breaks
                    for part in text.split("\n"):
                        part = _collapse(part)
                        if part:
                            found.setdefault(part[:_PROBE], []).append((pos, el, part, tail))
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


_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*$")


def _link_dense(block) -> bool:
    """Mostly link text: a feed item or a menu, not a paragraph. Big containers are not judged.

    A block inside a link (a card's <a><h3>…</h3></a>) is all link. Prose that
    links much of itself is not dense: a sentence that opens with its own words
    ("The suspect was convicted and <a>sentenced to life</a>."), or eight
    words of its own besides the links, ending a sentence.
    """
    if next(islice(block.iter(), 60, None), None) is not None:
        return False
    text = text_of(block)
    if not text:
        return False
    if any(anc.tag == "a" for anc in islice(block.iterancestors(), 4)):
        return True
    links = sum(len(text_of(a)) for a in block.iter("a"))
    if links / len(text) <= 0.5:
        return False
    if _SENTENCE_END.search(text):
        own = (block.text or "").split()
        if len(own) >= 3 or len(text.split()) - sum(len(text_of(a).split()) for a in block.iter("a")) >= 8:
            return False
    return True


_LIST_MARK = "- "  # xmltotxt writes a list item as "- text"


def find_element(index: dict, line: str, after: int = -1):
    """(position, element, is a tail) of the text run that starts the line, or (None, None, False).

    A line may join several runs, so the longest prefix that names a run wins; of
    the runs sharing it, the one agreeing with the line longest, then the first
    after the previous line's (the extractor keeps document order).
    """
    for probe in (line, line[len(_LIST_MARK):] if line.startswith(_LIST_MARK) else None):
        if not probe:
            continue
        for n in range(min(len(probe), _PROBE), 2, -1):
            # Below 8 characters only a whole word that is a whole run ("Войдите" of
            # "Войдите, чтобы …"): a short key is the run's whole text.
            if n < 8 and n < len(probe) and probe[n].isalnum():
                continue
            runs = index.get(probe[:n])
            if runs:
                best = runs[0] if len(runs) == 1 else max(
                    runs, key=lambda r: (_agreement(r[2], probe), r[0] > after, -r[0]))
                return best[0], best[1], best[3]
    return None, None, False


def _agreement(run: str, line: str) -> int:
    n = min(len(run), len(line), 400)
    for i in range(n):
        if run[i] != line[i]:
            return i
    return n


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
            kept = _drop_headline(list(zip(texts, found, found)), title)
            return [k[0] for k in kept], (kept[0][1] if kept else None), (kept[-1][1] if kept else None)
    if not lines:
        return [], None, None
    index = index_text(root)
    kept: list[tuple[str, object, object]] = []  # (line, element of its run, element it is text of)
    last = -1
    for line in lines:
        if not _LETTER.search(line):
            continue
        pos, el, tail = find_element(index, line, last)
        if pos is not None:
            last = pos
        if el is not None:
            # A tail run is text of the parent (a paragraph after a "read also" box
            # is no part of the box), though it stands after its element.
            owner = el.getparent() if tail and el.getparent() is not None else el
            block = _block(owner)
            if (_is_chrome(owner, block) or _link_dense(block) or _is_caption(el, tail, line)
                    or _whole_link(owner, block, line)):
                continue
            if line.startswith(_LIST_MARK) and (block.tag in ("li", "ul", "ol") or owner.tag == "li"
                                                 or next(owner.iterancestors("li"), None) is not None):
                line = line[len(_LIST_MARK):]  # the extractor's mark, not the page's text
            kept.append((line, el, owner))
        else:
            kept.append((line, None, None))
    kept = _drop_headline(kept, title)
    kept = _trim_edges(kept)
    kept = _with_chunks(kept)
    kept = _with_opening_run(kept)
    kept = _without_labels(kept)
    kept = _with_standfirst(kept, index, title)
    while kept and _is_heading_like(kept[-1][0]):
        kept.pop()  # the heading of a block that was dropped after the text
    located = [k[1] for k in kept if k[1] is not None]
    return [k[0] for k in kept], (located[0] if located else None), (located[-1] if located else None)


def _home(owner):
    """The container a line's text stands in: a paragraph's parent, or the block holding bare text."""
    block = _block(owner)
    if block.tag in ("div", "section", "article", "td", "center", "font") and block is owner:
        return block
    return block.getparent() if block.getparent() is not None else block


def _main_home(kept: list):
    """The container holding most of the kept text (None when no line is located)."""
    weight: dict = {}
    for line, _, owner in kept:
        if owner is not None:
            home = _home(owner)
            weight[home] = weight.get(home, 0) + len(line)
    return max(weight, key=weight.get) if weight else None


_CHUNK_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote")


def _with_chunks(kept: list) -> list:
    """The rest of a body the template cut into chunks around ads or embeds.

    The extractor takes one container; its twins (same tag and class, under a
    common ancestor at most three levels up, by the same path of tags and
    classes: cut from one template, unlike a comment's "content") hold the text
    before and after it.
    Only a classed container has twins, and a twin must carry prose of its own.
    """
    main = _main_home(kept)
    cls = main.get("class") if main is not None else None
    if not cls or main.tag not in ("div", "section"):
        return kept
    twins, common = [], None
    path = []  # (tag, class) of main's ancestors below the common one
    for common in islice(main.iterancestors(), 3):
        twins = [el for el in common.iter(main.tag)
                 if el is not main and el.get("class") == cls and _path(el, common) == path]
        if twins:
            break
        path.append((common.tag, common.get("class")))
    if not twins:
        return kept
    seen = {line for line, _, _ in kept}
    before, after, passed = [], [], False
    # In document order: the common ancestor's walk, not the whole page's.
    order = {el: i for i, el in enumerate(common.iter(main.tag))}
    for el in sorted([main, *twins], key=order.__getitem__):
        if el is main:
            passed = True
            continue
        if any(a is main for a in el.iterancestors()):
            continue
        lines = []
        for block in el.iter(*_CHUNK_BLOCKS):
            if block.find(".//p") is not None or _is_chrome(block, block) or _link_dense(block):
                continue
            if any(a.tag in _CHUNK_BLOCKS for a in block.iterancestors()):
                continue
            text = text_of(block)
            if block.tag == "li" and block.find(".//a") is not None and not _SENTENCE_END.search(text):
                continue  # "More stories": a list of half-linked headlines closing a chunk
            if text and _LETTER.search(text) and text not in seen:
                lines.append((text, block, block))
        if not any(_SENTENCE_END.search(t) and len(t) >= 80 for t, _, _ in lines):
            continue
        (after if passed else before).extend(lines)
    return [*before, *kept, *after] if before or after else kept


# A related block's or a comment section's heading left alone in the text once its
# links went: "Смотрите также:", "Тақырыпқа қатысты / По теме", "Комментарии (2)".
_BLOCK_LABEL = re.compile(
    r"^(?:(?:читайте|смотрите)\s+(?:также|ещё|еще)|(?:ещё|еще|материалы|новости)\s+по\s+теме|по\s+теме|"
    r"похожие\s+(?:новости|материалы|статьи|записи)|другие\s+новости(?:\s+по\s+теме|\s+раздела)?|"
    r"бұл\s+тақырыпта|тақырыпқа\s+қатысты|тағы\s+оқыңыз|related(?:\s+(?:posts|articles|news))?|see\s+also|"
    r"read\s+(?:also|more)|поделиться|бөлісу|share)(?:\s*/\s*[^/:]{2,30})*\s*:?$",
    re.I,
)
_COMMENTS_LABEL = re.compile(r"^(?:комментарии|комментариев|отзывы|пікірлер|comments?)\s*(?:\(\d+\)|\d+)?\s*:?$", re.I)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)", re.I)
# A site's footer line, not an agency's notice the story carries ("© 2019 Associated Press.
# All Rights Reserved. This material may not be published…").
_SITE_RIGHTS = re.compile(r"\d{4}\s*[–—-]\s*\d{4}|реклама|тел\.|\+7|перепечатка|при\s+(?:использовании|цитировании)"
                          r"|использование\s+материалов|редакци[ия]", re.I)


def _without_labels(kept: list) -> list:
    """Block labels out, and a site footer's copyright line ending the text ("© Иртыш
    Инфо, 2012–2025. Реклама: +7 …"); the text ends where a comment section's heading stands."""
    out = []
    for i, item in enumerate(kept):
        line = item[0].strip()
        if out and _COMMENTS_LABEL.match(line):
            break
        if _BLOCK_LABEL.match(line) or (i >= len(kept) - 2 and out and _COPYRIGHT.match(line) and _SITE_RIGHTS.search(line)):
            continue
        out.append(item)
    return out


_INLINE = {"a", "b", "strong", "i", "em", "span", "u", "font", "sup", "sub", "abbr", "q", "nobr"}


def _with_opening_run(kept: list) -> list:
    """The bare text that opens the body's container, up to the first <br> or block
    ("<div class=content>Following the … <em><a>DigiTimes</a></em>. …<br/>"): the
    extractor may skip a first run that is no child element of its own."""
    main = _main_home(kept)
    if main is None or not main.text or main.text.isspace():
        return kept
    parts = [main.text]
    for child in main:
        if not isinstance(child.tag, str) or child.tag not in _INLINE:
            break
        parts.append(text_of(child))
        if child.tail:
            parts.append(child.tail)
    line = _collapse(" ".join(parts)).replace(" .", ".").replace(" ,", ",")
    if len(line) < 80 or not _SENTENCE_END.search(line) or any(line[:_PROBE] in k[0] for k in kept):
        return kept
    return [(line, main, main), *kept]


def _path(el, top) -> list | None:
    """(tag, class) of el's ancestors below top, nearest first (None when top is not above el)."""
    path = []
    for anc in el.iterancestors():
        if anc is top:
            return path
        path.append((anc.tag, anc.get("class")))
    return None


def _trim_edges(kept: list) -> list:
    """Short unpunctuated lines outside the body's container at either end go: the
    dateline and byline strip under the headline ("Опубликовано: 25.06.2025",
    "Текст: …"), a view counter or a "log in to comment" after the text.

    The container is the one holding most of the text; a sentence outside it stays
    (a standfirst, a last paragraph in a box of its own).
    """
    if len(kept) < 2:
        return kept
    main = _main_home(kept)
    if main is None:
        return kept
    homes = [_home(owner) if owner is not None else None for _, _, owner in kept]

    def short(i):
        line = kept[i][0]
        return not _SENTENCE_END.search(line) and len(line.split()) < 12

    def loose(i, step):
        """Short, outside the main container, and not in the box of the nearest sentence
        towards the text (a paragraph's first words broken off by the extractor)."""
        home = homes[i]
        if not short(i) or (home is not None and (home is main or any(a is main for a in home.iterancestors()))):
            return False
        j = i + step
        while 0 <= j < len(kept) and short(j):
            j += step
        return home is None or not (0 <= j < len(kept)) or homes[j] is not home

    start, end = 0, len(kept)
    while start < end and loose(start, 1):
        start += 1
    while end > start and loose(end - 1, -1):
        end -= 1
    return kept[start:end]


def _whole_link(el, block, line: str) -> bool:
    """The line is one link's text: a menu entry, a tag, a share button, a headline card.

    Judged on the line, not its block: a menu's <li> holding a submenu is too big
    for _link_dense, but each of its entries is still a bare link. A bare address
    ("http://…") is the text citing it.
    """
    if line.startswith(("http://", "https://", "www.")):
        return False
    for anc in (el, *el.iterancestors()):
        if anc.tag == "a":
            return len(text_of(anc)) >= 0.9 * len(line.removeprefix(_LIST_MARK))
        if anc is block:
            return False
    return False


def _is_caption(el, tail: bool, line: str) -> bool:
    """A short unpunctuated line right after a picture: its caption or photo credit.

    A heading or a sentence after a picture is text ("One chapter over", "… side.").
    """
    if len(line.split()) > 8 or el.tag in _HEADINGS or line.endswith((".", "!", "?")):
        return False
    prev = el if tail else el.getprevious()
    while prev is not None and prev.tag == "br":
        prev = prev.getprevious()
    return prev is not None and prev.tag in ("img", "picture", "figure", "amp-img")


def _is_heading_like(line: str) -> bool:
    """Short and without closing punctuation (any script: "。" and "»" count)."""
    return len(line) <= 40 and len(line.split()) <= 4 and not unicodedata.category(line[-1]).startswith("P")


def _drop_headline(kept: list, title: str | None) -> list:
    """The headline, with the rubric/date/byline line around it, is not body text,
    and nor is what comes before it when none of that is prose (a menu, breadcrumbs).

    Some themes put them in one block, so a line counts as the headline's when
    it holds the title plus at most a dozen other words, unless it is a sentence
    going on past the title (a lead opening with the headline's words); a line
    from an <h1> is the headline too (the SEO title may differ from it).
    """
    title = _collapse(title) if title else ""
    for i, (line, el, _) in enumerate(kept):
        if i >= 3 and _is_prose(line):
            break  # the text has begun: a headline-like line after it is a related link
        if (title and title in line and len(line.split()) - len(title.split()) <= 12
                and not (_SENTENCE_END.search(line) and not line.endswith(title))) or _in_h1(el):
            return kept[i + 1:]
    return kept


def _in_h1(el) -> bool:
    return el is not None and (el.tag == "h1" or next(el.iterancestors("h1"), None) is not None)


def _is_prose(line: str) -> bool:
    return len(line.split()) >= 12


def _with_standfirst(kept: list, index: dict, title: str | None):
    """A text-dense block right before the first body block: a standfirst outside the
    body div, or beside the first paragraph in it ("article__text__overview")."""
    if not kept or kept[0][1] is None:
        return kept
    first = _block(kept[0][1])
    container = first.getparent()
    while container is not None and container.getprevious() is None and container.getparent() is not None:
        container = container.getparent()
    for start in (first, container):
        prev = start.getprevious() if start is not None else None
        for _ in range(3):  # the standfirst may sit above a picture or a dateline
            if prev is None:
                break
            # the article's header block holds the headline and, under it, the lead
            for cand in ([prev] if prev.find(".//h1") is None else _after_headline(prev)):
                text = text_of(cand)
                if (
                    len(text) >= 80
                    and cand.tag not in ("h1", "h2", "table", "ul", "ol")
                    and not _link_dense(cand)
                    and not _is_chrome(cand, cand)
                    and (not title or _collapse(title) not in text)
                    and _LEAD_CLASS.search(class_id(cand))
                    and cand.find(".//p") is None
                ):
                    return [(_collapse(text), cand, cand), *kept]
            prev = prev.getprevious()
    return kept


def _after_headline(header) -> list:
    """The elements after the <h1> of a header block, in document order."""
    h1 = header.find(".//h1")
    return [el for el in h1.itersiblings()] if h1 is not None else []


class Teasers(NamedTuple):
    count: int  # stand-alone headline links, a linked heading counting double
    row_chars: int  # text of the rows that hold a headline line over its own excerpt


def teasers(root, first, last, related: frozenset = frozenset()) -> Teasers:
    """How listing-like the body span is: stand-alone headline links (>= 3 words, their
    block mostly link) from the first body element to the last, a linked heading
    counting double. A listing interleaves them with its excerpts; an article has
    at most an inline "read also" or two, and its related block (the hrefs in
    `related`) is no teaser however many headlines it lists."""
    if first is None or last is None:
        return Teasers(0, 0)
    count, rows, inside = 0, 0, False
    for el in root.iter():
        if el is first:
            inside = True
        if (inside and el.tag == "a" and el.get("href") and el.get("href").strip() not in related
                and len(text_of(el).split()) >= 3):
            block = _block(el)
            if block.tag in _HEADINGS or next(el.iter(*_HEADINGS), None) is not None:
                count += 2
            elif _link_dense(block):
                count += 1
            elif _headline_line(el, block):
                count += 1
                rows += len(text_of(block))
        if el is last:
            break
    return Teasers(count, rows)


def _headline_line(a, block) -> bool:
    """The link is a line of its own opening its block, over an excerpt: a listing row
    ("<td>23.10.2025<br><a><b>Headline</b></a><br>Excerpt…</td>"). At most a date before it."""
    top = a
    while (top.getparent() is not None and top.getparent() is not block
           and top.getparent().tag in _INLINE and not (top.getparent().text or "").strip()
           and len(top.getparent()) == 1):
        top = top.getparent()
    if (top.tail or "").strip():
        return False
    after = top.getnext()
    if after is None or after.tag != "br":
        return False
    before = [top.getparent().text or ""] if top.getparent() is not None else []
    for sib in top.itersiblings(preceding=True):
        before += [text_of(sib), sib.tail or ""]
    return len(" ".join(before).split()) <= 3
