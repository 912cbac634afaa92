"""Layer 3: the related-headlines block on a DOM we have never seen.

Related headlines are the first run of >= 3 headline cards after the body's last
line that is not navigation, a sidebar, a footer or a "popular"/"latest" block.
Language-agnostic, except the headings that name such blocks (_NOT_RELATED_HEADING).
"""

from __future__ import annotations

import re

from core.items import RawLink
from core.normalize import join_url, url_host
from crawler.pages.generic import is_chrome
from crawler.pages.html import text_of, words


def _same_site(href: str, base_url: str) -> bool:
    host = url_host(join_url(base_url, href) or "")
    base = url_host(base_url)
    return host.removeprefix("www.") == base.removeprefix("www.")


def _is_headline(a, base_url: str) -> bool:
    return words(text_of(a)) >= 3 and bool(a.get("href")) and _same_site(a.get("href"), base_url)


_RUBRIC_HREF = re.compile(r"/(?:rubric|rubrics|tag|tags|category|categories|section|sections|topic|topics|theme)/", re.I)


def _is_rubric(a) -> bool:
    return bool(_RUBRIC_HREF.search(a.get("href", ""))) or 0 < words(text_of(a)) <= 3


def _cards(container, base_url: str) -> list[RawLink]:
    """Rubric + headline pairs in document order.

    A card is a child element: its last headline link is the headline and an
    earlier link in it is the rubric. Cards without wrappers (links side by
    side) pair a rubric-looking link with the headline link after it.
    """
    cards: list[RawLink] = []
    pending_tag = None
    for child in container:
        if not isinstance(child.tag, str):
            continue
        links = [child] if child.tag == "a" else [a for a in child.iter("a") if a.get("href")]
        headlines = [a for a in links if _is_headline(a, base_url) and not _RUBRIC_HREF.search(a.get("href", ""))]
        if child.tag == "a" or not headlines:
            if links and _is_rubric(links[0]) and not headlines:
                pending_tag = text_of(links[0])
                continue
        if not headlines:
            continue
        head = headlines[-1]
        rubric = next((a for a in links if a is not head and _is_rubric(a)), None)
        tag = text_of(rubric) if rubric is not None else pending_tag
        cards.append(RawLink(title=text_of(head), url=head.get("href").strip(), tag=tag or None))
        pending_tag = None
    return cards


# Headings of blocks that list the site's other news, not this article's related ones.
_NOT_RELATED_HEADING = re.compile(
    r"попул|читаем|обсужда|последн|свеж|^нов(ое|ые|ости)\b|лента|главное|сейчас|"
    r"popular|most[- ]read|trending|latest|recent|top stories",
    re.I,
)


def _heading_before(el) -> str:
    """Text of the heading that introduces a block: its first short child or the sibling before it."""
    for cand in (next((c for c in el if isinstance(c.tag, str)), None), el.getprevious()):
        if cand is not None and isinstance(cand.tag, str) and not cand.findall(".//a[@href]"):
            text = text_of(cand)
            if 0 < len(text) <= 60:
                return text
    return ""


def find_related(root, anchor, base_url: str) -> list[RawLink]:
    """The first block of >= 3 headline cards after the article text, outside page chrome.

    `anchor` is the element holding the last body line: blocks before it (a news
    feed placed before the article) and its ancestors (the article wrapper) are
    never candidates; a block whose heading names it "popular"/"latest" is skipped.
    """
    if anchor is None:
        return []
    after = False
    anchor_ancestors = set(anchor.iterancestors())
    for el in root.iter():
        if el is anchor:
            after = True
            continue
        if not after or el in anchor_ancestors or not isinstance(el.tag, str):
            continue
        if el.tag not in ("div", "section", "ul", "ol", "aside", "nav", "table", "tbody") or is_chrome(el):
            continue
        children = [c for c in el if isinstance(c.tag, str)]
        if len(children) < 3:
            continue
        cards = _cards(el, base_url)
        headline_children = sum(1 for c in children if any(_is_headline(a, base_url) for a in c.iter("a")))
        if len(cards) >= 3 and headline_children >= 3 and not _named_site_feed(el, anchor_ancestors):
            return cards
    return []


def _named_site_feed(block, stop: set) -> bool:
    """The block, or a wrapper of it below the article's own ancestors, is headed "popular"/"latest"."""
    wrappers = [a for a in block.iterancestors() if a not in stop and a.tag in ("div", "section", "aside")]
    return any(_NOT_RELATED_HEADING.search(_heading_before(el)) for el in (block, *wrappers))
