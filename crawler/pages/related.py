"""Layer 3: the related-headlines blocks on a DOM we have never seen.

Two kinds of block hold an article's related headlines:

* a block that says so: its heading or its class names it ("Читайте также",
  "По теме", "Похожие новости", "Related posts", "Бұл тақырыпта", class
  "related"/"similar"/"see-also"). It may be a line inside the body
  ("<p><b>Смотрите также:</b> <a>…</a></p>") or a grid after it, and one card is
  enough. Every such block after the body's first line counts, in document order.
* when no named block follows the body, the first run of >= 3 headline cards
  after the body's last line that is not page chrome.

Never related: navigation, footers, comments, blocks headed or classed
"popular"/"latest"/"partners", prev/next links, tag and rubric links, other sites.
Language-agnostic, except the headings (Russian, Kazakh and English words below).
"""

from __future__ import annotations

import re

from core.items import RawLink
from core.normalize import join_url, url_host
from crawler.pages.generic import CHROME, CHROME_TAGS, class_words
from crawler.pages.html import class_id, text_of, words


_RELATED_HEADING = re.compile(
    r"по\s+теме|(?:читайте|читать|смотрите|смотри)\s+(?:также|тоже|ещё|еще)|(?:также|тоже)\s+(?:читайте|смотрите)|"
    r"(?:ещё|еще|также|тоже)\s+по\s+теме|похожи[ех]|связанн|материалы\s+по|по\s+этой\s+теме|"
    r"рекоменду|может\s+(?:быть\s+)?(?:вам\s+)?(?:быть\s+)?интересн|будет\s+интересн|заинтересова|понрав|"
    r"бұл\s+тақырып|тақырыпқа|тақырыптас|қатысты|ұқсас|сондай-ақ\s+оқ|тағы\s+(?:да\s+)?оқ|оқи\s+отырыңыз|"
    r"\bв\s+тему\b|(?:материалы|новости|статьи|публикации)\s+сюжета|^сюжет\s*:|хронология\s+событий|"
    r"что\s+(?:ещё\s+|еще\s+)?почитать|(?:больше|подробнее)\s+по\s+теме|"
    r"(?:другие|ещё|еще)\s+(?:материалы|новости|статьи|публикации)\s+(?:по\s+теме|рубрики|раздела)|"
    r"ұнауы\s+мүмкін|сізге\s+ұна|қызықты\s+болуы|сондай-ақ\s+қара|тағы\s+(?:да\s+)?қара|осы\s+тақырып|"
    r"тақырып\s+бойынша|байланысты\s+(?:жаңалық|материал)|ұсынамыз|оқуға\s+кеңес|^оқыңыз\b|"
    r"read\s+(?:also|more|next)|also\s+read|see\s+also|check\s+also|related|more\s+on\s+(?:this|the)|"
    r"further\s+reading|on\s+(?:the\s+same|this)\s+topic|you\s+(?:may|might)\s+also|similar",
    re.I,
)
# Headings of blocks that list the site's other news, not this article's related ones.
_NOT_RELATED_HEADING = re.compile(
    r"попул|читаем|обсужда|последн|свеж|^нов(ое|ые|ости)\b|лента|главное|сейчас|партн|реклам|спонсор|"
    r"из\s+сети|новости\s+сми|в\s+мире|комментар|^теги|^метки|поделит|предыдущ|следующ|архив|"
    r"новости\s+компани|пресс-релиз|актуальн|самое\s+важн|^важное|^топ\b|в\s+тренде|^хроника|^афиша|"
    r"^погода|^курсы?\s+валют|^опрос|подпис|"
    r"көп\s+оқыл|соңғы|танымал|жаңалықтар\s+таспа|выбор\s+редакци|редакция\s+таңда|оқырман\s+таңда|"
    r"^басты|күн\s+жаңалық|жарнама|серіктес|пікір|^те[гг]тер|^тэгтер|бөлісу|алдыңғы|келесі|талқыл|ең\s+көп|"
    r"popular|most[- ]read|most\s+(?:viewed|shared|commented|discussed)|trending|latest|recent|top stories|"
    r"top\s+news|breaking|partner|sponsor|promoted|advertis|comments?|previous|next|around\s+the\s+web|"
    r"from\s+the\s+web|news\s*feed|don'?t\s+miss|must\s+read|stay\s+connected|follow\s+us|newsletter|subscribe|"
    r"editor'?s'?\s+(?:choice|picks?)",
    re.I,
)
# Class names, as substrings: themes write "relatedNews", "jp-relatedposts", "crp_related".
_RELATED_CLASS = re.compile(r"related|similar|see-?also|read-?also|also-?read|po-?teme|yarpp|same-?topic|pohozh|uqsas|"
                            r"(?:^|[\s_-])also(?:$|[\s_-])")
_NOT_RELATED_CLASS = re.compile(
    r"popular|most-?read|most-?viewed|most-?commented|trending|latest|partner|smi2|24smi|smi24|lentainform|relap|"
    r"taboola|outbrain|mirtesen|infox|sponsor|promo|editors?-?(?:choice|picks?)|breaking|ticker|news-?feed|"
    r"(?:^|[\s_-])(?:comments?|prev|next|previous|pager|pagination|post-navigation|nav-links|navigation|tags?|tag-?cloud)(?:$|[\s_-])"
)
# Teaser networks (SMI2, 24SMI, Relap, Taboola, Outbrain, …): never the article's related headlines.
_NETWORK_CLASS = re.compile(r"smi2|24smi|smi24|lentainform|relap|taboola|outbrain|mirtesen|infox|mediametrics")
# Chrome a named block never sits in (a sidebar or a page builder's widget may hold one).
_HARD_CHROME = class_words("nav", "navbar", "menu", "footer", "breadcrumbs?", "comments?", "comment-list",
                            "cookie", "header")
_PREV_NEXT_CLASS = class_words("prev", "next", "previous", "pager", "pagination", "post-navigation", "nav-links")
_HARD_CHROME_TAGS = {"nav", "footer", "header", "form"}

_BLOCK_TAGS = {"div", "section", "aside", "ul", "ol", "table", "tbody", "p", "li", "nav", "dl", "amp-carousel"}
_RUBRIC_HREF = re.compile(r"/(?:rubric|rubrics|tag|tags|category|categories|section|sections|topic|topics|theme)/", re.I)
_RUBRIC_CLASS = re.compile(r"rubric|categ|(?:^|[\s_-])cat(?:$|[\s_-])|section|kicker|label|topic|(?:^|[\s_-])tag(?:$|[\s_-])")
_TITLE_CLASS = re.compile(r"title|headline|heading|name")
# A card's date or counter, never its rubric ("Налоговый кодекс РК 2026" is a rubric).
_DATE_LIKE = re.compile(
    r"^[\d\s.:/,-]+$|\d{1,2}[.:/]\d{2}|\d+\s*(?:мин|час|дн|min|hour|day)|"
    r"\d{1,2}\s+(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек|қаң|ақп|наур|сәу|мам|мау|шіл|там|қыр|қаз|қар|жел|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)
# "« Назад", "→", "Следующая": not "«Цитата»: заголовок".
_PREV_NEXT = re.compile(r"^\s*(?:[←→‹›]|[«»<>]\s|предыдущ|следующ|previous|next|назад|вперёд|вперед|алдыңғы|келесі)", re.I)


_LEADING_MARKS = re.compile(r"^[\W\d_]+")


# A theme's switch naming a feature it turns off ("jeg_pagination_disable", "no-comments") is
# not that feature: a related grid of JNews carries "jeg_pagination_disable".
_OFF_TOKEN = re.compile(r"\S*(?:pagination|comments?|sidebar)[-_](?:disabled?|none|off|hide|hidden)\S*"
                        r"|(?:^|\s)no[-_](?:pagination|comments?|sidebar)\S*")


def _names(el) -> str:
    names = class_id(el)
    return _OFF_TOKEN.sub(" ", names) if "_" in names or "-" in names else names


def _same_site(href: str, base_url: str) -> bool:
    host = url_host(join_url(base_url, href) or "")
    base = url_host(base_url)
    return bool(host) and host.removeprefix("www.") == base.removeprefix("www.")


def _is_headline(a, base_url: str) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")) or _RUBRIC_HREF.search(href):
        return False
    if "prev" in (a.get("rel") or "") or "next" in (a.get("rel") or ""):
        return False
    text = text_of(a)
    return words(text) >= 3 and not _PREV_NEXT.match(text) and _same_site(href, base_url)


def _is_tag_text(text: str) -> bool:
    return 0 < words(text) <= 4 and len(text) <= 40 and not _DATE_LIKE.search(text) and not _PREV_NEXT.match(text)


def _link_title_and_tag(a) -> tuple[str, str | None]:
    """A card drawn as one link: <a><span rubric>Спорт</span><span title>Заголовок</span></a>."""
    parts = [(c, text_of(c)) for c in a.iter() if c is not a and isinstance(c.tag, str) and len(c) == 0]
    parts = [(c, t) for c, t in parts if t]
    if len(parts) < 2:
        return text_of(a), None
    titled = [(c, t) for c, t in parts if _TITLE_CLASS.search(_names(c))]
    title_el, title = titled[0] if titled else max(parts, key=lambda p: len(p[1]))
    tag = None
    for c, t in parts:
        if c is title_el:
            break
        if _is_tag_text(t) and (_RUBRIC_CLASS.search(_names(c)) or not titled):
            tag = t
            break
    return title, tag


def _card_tag(card, head) -> str | None:
    """The rubric printed in a card beside its headline link: a short rubric link or a rubric-classed label."""
    inside = set(head.iter())
    for el in card.iter():
        if el in inside or not isinstance(el.tag, str) or el is card:
            continue
        text = text_of(el)
        if not _is_tag_text(text):
            continue
        if el.tag == "a" and el.get("href") and (_RUBRIC_HREF.search(el.get("href")) or words(text) <= 3):
            return text
        if el.tag != "a" and _RUBRIC_CLASS.search(_names(el)) and not el.findall(".//a"):
            return text
    return None


def _cards(block, base_url: str) -> list[RawLink]:
    """Headline cards in document order, unique by URL.

    A card is the largest element around a headline link that holds no other
    headline; a rubric in it (a short link or a rubric-classed label, never a
    date) is the card's tag. Cards drawn side by side without wrappers take a
    rubric link just before the headline.
    """
    heads = [a for a in block.iter("a") if _is_headline(a, base_url) and not _in_prev_next(a, block)]
    # A link to a path above another headline's ("/news/sud/" over "/news/sud/delo-…/") is its rubric.
    paths = {_path(a.get("href"), base_url) for a in heads}
    heads = [a for a in heads if not _is_section_of(_path(a.get("href"), base_url), paths)]
    count: dict = {}
    for a in heads:
        for el in a.iterancestors():
            count[el] = count.get(el, 0) + 1
            if el is block:
                break
    cards, seen = [], set()
    for a in heads:
        href = a.get("href").strip()
        if href in seen:
            continue
        seen.add(href)
        card = a
        while card.getparent() is not None and card.getparent() is not block and count.get(card.getparent()) == 1:
            card = card.getparent()
        title, tag = _link_title_and_tag(a)
        if tag is None and card is not a:
            tag = _card_tag(card, a)
        if tag is None:
            before = a.getprevious()
            if before is not None and before.tag == "a" and not _is_headline(before, base_url) and _is_tag_text(text_of(before)):
                tag = text_of(before)
        cards.append(RawLink(title=title, url=href, tag=tag))
    return cards


def _path(href: str, base_url: str) -> str:
    url = join_url(base_url, href.strip()) or ""
    return url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].partition("/")[2].strip("/")


def _is_section_of(path: str, paths: set[str]) -> bool:
    return any(other != path and other.startswith(path + "/") for other in paths) if path else True


def _sibling_run(heading, base_url: str) -> list[RawLink]:
    """Links printed after a bare heading in the same parent: "<b>Читайте также:</b><br>» <a>…</a><br>» <a>…</a>"."""
    cards: list[RawLink] = []
    for sib in heading.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        if sib.tag in ("br", "img", "span", "i", "em", "font", "small"):
            if sib.tag == "font" and sib.findall(".//a"):
                cards.extend(_cards(sib, base_url))
            continue
        if sib.tag == "a":
            if _is_headline(sib, base_url):
                title, tag = _link_title_and_tag(sib)
                cards.append(RawLink(title=title, url=sib.get("href").strip(), tag=tag))
                continue
            break
        if sib.tag in ("li", "p", "div", "ul", "ol") and sib.findall(".//a"):
            found = _cards(sib, base_url)
            if not found:
                break
            cards.extend(found)
            continue
        break  # a rule, a heading or prose ends the run
    return cards


_INLINE_LEAD = {"b", "strong", "em", "i", "span", "font"}
_HEADING_TAGS = {"b", "strong", "h2", "h3", "h4", "h5", "h6", "span", "div", "p", "font", "em"}


def _bare_heading(el) -> bool:
    if el.tag not in _HEADING_TAGS or el.findall(".//a"):
        return False
    text = _LEADING_MARKS.sub("", text_of(el))
    return 0 < len(text) <= 60 and bool(_RELATED_HEADING.match(text)) and not _NOT_RELATED_HEADING.search(text)


def _in_prev_next(a, stop) -> bool:
    for el in (a, *a.iterancestors()):
        if el is stop:
            return False
        if _PREV_NEXT_CLASS.search(_names(el)):
            return True
    return False


def _links_away(el) -> bool:
    """Holds a link that goes somewhere: a heading may hold a close or tab button (href="#")."""
    return any(not (a.get("href") or "").strip().startswith(("#", "javascript:")) for a in el.iter("a") if a.get("href"))


def _heading_of(el) -> str:
    """The text that introduces a block: its leading text, its first short child, or the sibling before it."""
    lead = (el.text or "").strip()
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if not lead and first is not None and first.tag in _INLINE_LEAD and (first.text or "").strip():
        # "<p><strong>Читайте также: <a>…</a></strong></p>": the line is the bold run's own text
        lead = first.text.strip()
    if lead:
        # Only a line that starts with its title: "Читайте также: <a>…</a>", not a paragraph of prose.
        lead = _LEADING_MARKS.sub("", lead)[:80]
        return lead if _RELATED_HEADING.match(lead) else ""
    for cand in (first, el.getprevious()):
        if cand is not None and isinstance(cand.tag, str) and cand.tag != "a" and not _links_away(cand):
            text = text_of(cand)
            if 0 < len(text) <= 80:
                return text
    return ""


def _signal(el, stop: set) -> int:
    """+1 when the block names itself related, -1 when it or a wrapper names itself a feed, else 0."""
    heading = _heading_of(el)
    if _NOT_RELATED_HEADING.search(heading) and not _RELATED_HEADING.search(heading):
        return -1
    if _NOT_RELATED_CLASS.search(_names(el)) and not _RELATED_CLASS.search(_names(el)):
        return -1
    if _RELATED_HEADING.search(heading) or _RELATED_CLASS.search(_names(el)):
        # a teaser network's widget titles itself "Рекомендуем" / "Related": its wrapper says whose it is
        return -1 if _in_network(el, stop) else 1
    for wrapper in el.iterancestors():
        if wrapper in stop or wrapper.tag in ("body", "html"):
            break
        if wrapper.tag in ("div", "section", "aside"):
            heading = _heading_of(wrapper)
            if _NOT_RELATED_HEADING.search(heading) or _NOT_RELATED_CLASS.search(_names(wrapper)):
                return -1
    return 0


_LABEL_SPLIT = re.compile(r"^(.{0,40}?)\s*[:—–-]\s*(?=\S)")


def _labelled_link(a, base_url: str) -> RawLink | None:
    """A link whose own text opens with the label: "<a><b>Читайте также: Заголовок</b></a>"
    (the editor linked the whole line). The headline is the text after the label."""
    head = (a.text or "").strip() or next((c.text or "" for c in a if isinstance(c.tag, str)), "").strip()
    if not head or not _RELATED_HEADING.match(_LEADING_MARKS.sub("", head[:60])):
        return None  # most links: one look at their first words
    text = _LEADING_MARKS.sub("", text_of(a))
    m = _LABEL_SPLIT.match(text)
    if not m or not _RELATED_HEADING.fullmatch(_LEADING_MARKS.sub("", m[1]).strip()):
        return None
    title = text[m.end():].strip()
    href = (a.get("href") or "").strip()
    if words(title) < 3 or not href or href.startswith(("#", "javascript:")) or not _same_site(href, base_url) \
            or _RUBRIC_HREF.search(href):
        return None
    return RawLink(title=title, url=href, tag=None)


def _in_network(el, stop: set) -> bool:
    for wrapper in el.iterancestors():
        if wrapper in stop or wrapper.tag in ("body", "html"):
            return False
        if _NETWORK_CLASS.search(_names(wrapper)):
            return True
    return False


def _mostly_links(el) -> bool:
    """A named line or block is its links (plus its heading), not prose that happens to hold one."""
    if el.tag not in ("p", "li", "div"):
        return True
    text = len(text_of(el))
    linked = sum(len(text_of(a)) for a in el.iter("a"))
    return linked * 2 >= text - 80


def _in_chrome(el, stop: set, classes=CHROME, tags=CHROME_TAGS) -> bool:
    """Inside page chrome, as generic.is_chrome; but a wrapper that holds the article's
    text (`stop`, the body's ancestors) is no chrome whatever its class: a theme's page
    wrapper "wrapper-boxed header-style-header-6" holds the whole page."""
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("body", "html"):
            return False
        if anc in stop:
            continue
        if anc.tag in ("footer", "header") and next(anc.iterancestors("article"), None) is not None:
            continue  # an <article>'s own footer (its tags, its related list), no page footer
        if anc.tag in tags or classes.search(_names(anc)):
            return True
    return False


def _in_hard_chrome(el, stop: set) -> bool:
    return _in_chrome(el, stop, _HARD_CHROME, _HARD_CHROME_TAGS)


def _prose(el) -> bool:
    return el is not None and isinstance(el.tag, str) and len(text_of(el)) >= 80 and not _mostly_links(el)


def _inline_card(el) -> bool:
    """A link card set between paragraphs of the text (a "read also" embed with no
    heading): mostly link, with prose among the two blocks before it and after it."""
    if not _mostly_links(el) or el.find(".//a") is None:
        return False
    before = [el.getprevious(), el.getprevious().getprevious() if el.getprevious() is not None else None]
    after = [el.getnext(), el.getnext().getnext() if el.getnext() is not None else None]
    return any(_prose(b) for b in before) and any(_prose(a) for a in after)


def find_related(root, first, last, base_url: str) -> list[RawLink]:
    """The related headlines of the article whose body runs from `first` to `last`.

    Blocks before the body's first line (a news feed above the article) and the
    article's own wrappers are never candidates. With no located body only named
    blocks count.
    """
    # Without a located body (text in <br>-separated runs) only named blocks count.
    stop = set(last.iterancestors()) if last is not None else set()
    named: list[RawLink] = []
    fallback: list[RawLink] | None = None
    named_after = False
    started = first is None
    after = False
    taken = None  # the last named block: its descendants are in it already
    for el in root.iter():
        if el is first:
            started = True
        if el is last:
            after = True
        if not started or not isinstance(el.tag, str) or el in stop:
            continue
        if taken is not None and taken in el.iterancestors():
            continue
        if _bare_heading(el) and not _in_hard_chrome(el, stop) and not _in_network(el, stop):
            run = _sibling_run(el, base_url)
            if run:
                named.extend(run)
                named_after = named_after or after
                continue
        if el.tag == "a":
            line = _labelled_link(el, base_url)
            if line is not None and not _in_hard_chrome(el, stop) and not _in_network(el, stop):
                named.append(line)
                named_after = named_after or after
            continue
        if el.tag not in _BLOCK_TAGS:
            continue
        signal = _signal(el, stop)
        if signal < 0:
            continue
        if signal > 0 and not _in_hard_chrome(el, stop):
            cards = _cards(el, base_url)
            if cards and _mostly_links(el):
                named.extend(cards)
                taken = el
                named_after = named_after or after
                continue
        if not after and el.tag in ("div", "section", "aside", "figure") and _inline_card(el):
            cards = _cards(el, base_url)
            if 1 <= len(cards) <= 2 and not _in_hard_chrome(el, stop) and not _in_network(el, stop):
                named.extend(cards)  # an editor's card between two paragraphs of the text
                taken = el
                continue
        if after and fallback is None and not _in_chrome(el, stop):
            children = [c for c in el if isinstance(c.tag, str)]
            with_headline = sum(1 for c in children if any(_is_headline(a, base_url) for a in c.iter("a")))
            if with_headline >= 3:
                cards = _cards(el, base_url)
                if len(cards) >= 3:
                    fallback = cards
    found = named if named_after or fallback is None else named + fallback
    # A headline named twice (an in-body line, then a card) keeps its first place and the card's rubric.
    unique: dict[str, RawLink] = {}
    for link in found:
        key = join_url(base_url, link.url) or link.url
        known = unique.get(key)
        if known is None:
            unique[key] = link
        elif known.tag is None and link.tag:
            unique[key] = RawLink(title=known.title, url=known.url, tag=link.tag)
    return list(unique.values())
