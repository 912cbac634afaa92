"""Layer 3: the article on a DOM we have never seen.

Main content is the block whose paragraph children carry the most non-link
text; related headlines are the first run of >= 3 headline cards after it that
is not navigation, a sidebar or a footer. Language-agnostic on purpose.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.items import RawLink
from crawler.pages.html import class_id, select, text_of, words

BLOCK_TAGS = ("p", "h2", "h3", "h4", "blockquote", "li")
# Containers that are page chrome, never the article or its related block.
CHROME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|header|footer|sidebar|side-bar|aside|widget|popular|most-read|"
    r"latest|trending|breadcrumbs?|comments?|comment-list|share|social|cookie|banner|ad|ads|advert\w*|subscribe)"
    r"($|[\s_-])"
)
CHROME_TAGS = {"nav", "header", "footer", "aside", "form"}


def is_chrome(element) -> bool:
    for el in (element, *element.iterancestors()):
        if el.tag in CHROME_TAGS or CHROME.search(class_id(el)):
            return True
    return False


def _link_text_len(element) -> int:
    return sum(len(text_of(a)) for a in element.iter("a"))


def find_title(root) -> str | None:
    for h1 in root.iter("h1"):
        text = text_of(h1)
        if words(text) >= 2 and not is_chrome(h1):
            return text
    title = root.find(".//title")
    if title is not None and title.text:
        # "Headline - Site.kz" / "Headline | Site"
        return re.split(r"\s+[|–—-]\s+[^|–—-]+$", title.text.strip())[0] or None
    return None


def find_body(root):
    """Return (container, paragraph elements) of the main text, or (None, [])."""
    scores: dict = {}
    for p in root.iter("p"):
        text = text_of(p)
        if len(text) < 25:
            continue
        parent = p.getparent()
        if parent is None:
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
        return None, []
    paragraphs = [
        el
        for el in best.iter(*BLOCK_TAGS)
        if el is not best
        and not is_chrome(el)
        and text_of(el)
        and not _nested_block(el, best)
        and _link_text_len(el) < 0.6 * max(len(text_of(el)), 1)
    ]
    return best, paragraphs


def _nested_block(el, container) -> bool:
    """A <p> inside an <li> or <blockquote> we already take whole."""
    for anc in el.iterancestors():
        if anc is container:
            return False
        if anc.tag in BLOCK_TAGS:
            return True
    return False


def _same_site(href: str, base_url: str) -> bool:
    host = urlsplit(urljoin(base_url, href)).hostname or ""
    base = urlsplit(base_url).hostname or ""
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


def find_related(root, body, base_url: str) -> list[RawLink]:
    """The first block of >= 3 headline cards after the body, outside page chrome."""
    if body is None:
        return []
    after = False
    body_ancestors = set(body.iterancestors())
    for el in root.iter():
        if el is body:
            after = True
            continue
        if not after or el in body_ancestors or not isinstance(el.tag, str):
            continue
        if el.tag not in ("div", "section", "ul", "ol", "aside", "nav") or is_chrome(el):
            continue
        if body in el.iterancestors():
            continue
        children = [c for c in el if isinstance(c.tag, str)]
        if len(children) < 3:
            continue
        cards = _cards(el, base_url)
        headline_children = sum(1 for c in children if any(_is_headline(a, base_url) for a in c.iter("a")))
        if len(cards) >= 3 and headline_children >= 3:
            return cards
    return []
