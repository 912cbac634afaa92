"""Layer 3: title, bylines and related headlines on a DOM we have never seen.

The body is maintext.py's job. The title is the visible headline (the <h1> in the
article, not the logo's), preferred to a metadata title that only adds a kicker or
a site suffix; bylines come from author markup, "Автор:" lines near the headline
or after the body, or an old page's bare signature; names go through core.bylines.
Related headlines are related.py's job.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from lxml import etree

from core.bylines import clean_authors, decode_entities
from core.dates import has_date
from core.names import is_name_token
from core.normalize import url_host
from crawler.pages.html import class_id, text_of, words


def class_words(*names: str) -> re.Pattern:
    """A class or id that holds one of `names` as a word ("site-footer", "nav_main")."""
    return re.compile(r"(^|[\s_-])(" + "|".join(names) + r")($|[\s_-])")


# Chrome no visible headline sits in either. Not "header" or "widget": an article's own
# <header class="entry-header"> and a page builder's post-title widget hold it.
_NAVIGATION = ("nav", "navbar", "menu", "footer", "sidebar", "side-bar", "aside", "popular", "most-read",
               "latest", "trending", "breadcrumbs?", "comments?", "comment-list", "cookie")
_NOT_HEADLINE = class_words(*_NAVIGATION)
_NOT_HEADLINE_TAGS = {"nav", "footer", "aside", "form"}
# Containers that are page chrome, never the article or its related block.
CHROME = class_words(*_NAVIGATION, "header", "widget", "share", "social", "banner", "ad", "ads",
                      r"advert\w*", "subscribe")
CHROME_TAGS = {*_NOT_HEADLINE_TAGS, "header"}


# A class naming the page's layout ("layout-right-sidebar", "with-sidebar", "sidebar-left")
# describes the wrapper around article and sidebar alike, no sidebar itself.
# So does a sticky-sidebar plugin's wrapper ("theiaStickySidebar"), set on every column, and
# a wrapper that says it is one ("container … penci_sidebar", "… sticky-sidebar main").
_LAYOUT_TOKEN = re.compile(r"\S*(?:layout|has|with|no|left|right|col)[-_]sidebar\S*|\S*sidebar[-_](?:left|right|layout)\S*"
                           r"|\S*sticky[-_]?sidebar\S*")
_WRAPPER = re.compile(r"(?:^|\s)(?:main|container|wrapper|wrap|row|primary)(?:\s|$)")
_SIDEBAR_TOKEN = re.compile(r"\S*side-?bar\S*")


def _layout_free(names: str) -> str:
    names = _LAYOUT_TOKEN.sub(" ", names)
    return _SIDEBAR_TOKEN.sub(" ", names) if _WRAPPER.search(names) else names


def is_chrome(element, *, classes: re.Pattern = CHROME, tags: set[str] = CHROME_TAGS) -> bool:
    for el in (element, *element.iterancestors()):
        if el.tag in ("body", "html"):
            return False  # page-wide classes ("has-sidebar") say nothing about one block
        if el.tag in tags:
            return True
        names = class_id(el)
        if classes.search(names) and classes.search(_layout_free(names)):
            return True
    return False


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—:»/-]|::)\s+")
# Content wrappers a visible headline sits in, and the site-logo blocks it does not.
_CONTENT = re.compile(r"article|post|entry|news|story|content|material|publication|detail|single|headline|main")
_LOGO = re.compile(r"logo|brand|site-?title|site-?name|masthead")


def _headline_score(h1) -> int:
    """2: inside the article (an <article>/<main>, a content wrapper); 1: anywhere
    else outside chrome; 0: the site logo (a <h1> around the home link or the logo)."""
    score = 1
    for el in (h1, *h1.iterancestors()):
        if el.tag in ("body", "html"):
            break
        cls = class_id(el)
        if _LOGO.search(cls):
            return 0
        if el.tag in ("article", "main") or el.get("itemprop") in ("articleBody", "headline") or _CONTENT.search(cls):
            score = 2
    links = h1.findall(".//a[@href]")
    if links and all((a.get("href") or "").strip() in ("/", "./", "#") for a in links):
        return 0  # <h1><a href="/">Site</a></h1>
    return score


def headline_element(root):
    """The visible headline's element: the <h1> inside the article content, else the
    first <h1> that is neither page chrome nor the site's logo."""
    best, best_score = None, 0
    for h1 in root.iter("h1"):
        if words(text_of(h1)) < 2 or is_chrome(h1, classes=_NOT_HEADLINE, tags=_NOT_HEADLINE_TAGS):
            continue
        score = _headline_score(h1)
        if score > best_score:
            best, best_score = h1, score
            if score == 2:
                break
    return best


def find_headline(root) -> str | None:
    """The visible headline's text, entities decoded."""
    h1 = headline_element(root)
    return decode_entities(text_of(h1)) if h1 is not None else None


# "ФОТО | ", "ВИДЕО: ", "Эксклюзив. ", "Срочно! ", "[ВИДЕО] ": a kicker ends in its mark.
_KICKER = re.compile(r"^(?:[^.!?|:]{1,40}?\s*[|:.!—–/»-]|\[[^\]]{1,30}\]|\([^)]{1,30}\))$")
# " | Site.kz", " — Новости Казахстана", " - Tengrinews", " (ФОТО)": not ":" (a subtitle).
_SUFFIX = re.compile(r"^(?:[|—–/·•-]|::)\s*\S.{0,60}$|^\([^)]{1,30}\)$")
_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟″"} | {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})


def _comparable(text: str) -> str:
    return " ".join(text.translate(_QUOTES).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def is_decorated(title: str, headline: str) -> bool:
    """True when `title` is `headline` with a kicker before it and/or a site suffix after it."""
    t, h = _comparable(title), _comparable(headline)
    if not h or t == h:
        return False
    at = t.find(h)
    if at < 0:
        return False
    prefix, suffix = t[:at].strip(), t[at + len(h):].strip()
    if prefix and not _KICKER.match(prefix):
        return False
    if suffix and (not _SUFFIX.match(suffix) or len(suffix.split()) > 6):
        return False
    return True


def is_cut(title: str, headline: str) -> bool:
    """The metadata title is the visible headline cut short for sharing ("Пустеющие
    окраины: как …" of "… теряют жителей и что с этим делают")."""
    t, h = _comparable(title).rstrip(" .…"), _comparable(headline)
    return len(t) >= 20 and len(h) > len(t) and h.startswith(t)


def site_names(site_name: str | None, url: str) -> set[str]:
    """What a site calls itself, folded: og:site_name, the host, the host's first label."""
    host = url_host(url).removeprefix("www.")
    names = {host, host.split(".")[0]} if host else set()
    if site_name:
        names.add(_comparable(site_name))
    return {n for n in names if len(n) >= 3}


def _is_site_name(part: str, names: set[str]) -> bool:
    folded = _comparable(part)
    if not folded or len(folded.split()) > 5:
        return False
    squeezed = folded.replace(" ", "")
    # "Tengrinews.kz — новости Казахстана" names tengrinews.kz by its first label.
    return folded in names or squeezed in names or any("." not in n and len(n) >= 4 and n in squeezed for n in names)


def strip_site_name(title: str, names: set[str]) -> str:
    """The title without a leading or trailing part that names the site ("… | Site.kz")."""
    if not names:
        return title
    parts = list(_TITLE_SEPARATORS.finditer(title))
    if not parts:
        return title
    last, first = parts[-1], parts[0]
    if _is_site_name(title[last.end():], names) and title[: last.start()].strip():
        return title[: last.start()].strip()
    if _is_site_name(title[: first.start()], names) and title[first.end():].strip():
        return title[first.end():].strip()
    return title


_BIG_FONT = re.compile(r"^\s*(?:[4-7]|\+[1-4])\s*$")


def _big_type(root) -> str | None:
    """An old page's headline: the first text in big type (<FONT SIZE=4>, <h2>) of four
    words or more that is no link, no chrome and no sentence."""
    for el in root.iter("font", "h2", "h3"):
        if el.tag == "font" and not _BIG_FONT.match(el.get("size") or ""):
            continue
        text = decode_entities(text_of(el))
        if (4 <= words(text) <= 30 and not text.endswith(".") and el.find(".//a") is None
                and next(el.iterancestors("a"), None) is None and not is_chrome(el)):
            return text
    return None


_COLON_PREFIX = re.compile(r"^[^:.!?]{3,40}:\s+(?=\S)")


def find_title(root, names: set[str] = frozenset()) -> str | None:
    """The visible headline; else the part of <title> the page also shows as a block of its own.

    <title> carries the site name before or after the headline ("Site :: Headline",
    "Headline | Site"): a part that names the site (`names`, from `site_names`) goes;
    failing that, the headline is the part repeated in the page (a <b>, <font>,
    heading), failing that the longest part.
    """
    headline = find_headline(root)
    if headline:
        return headline
    title = root.find(".//title")
    if title is None or not title.text or not title.text.strip():
        return None
    full = " ".join(decode_entities(title.text).split())
    stripped = strip_site_name(full, names)
    parts = [p for p in _TITLE_SEPARATORS.split(full) if p]
    if len(parts) >= 2 and all(words(p) <= 2 for p in parts):
        # "Иртыш-Вести :: Новости": the site and its rubric, the headline only in the page
        found = _big_type(root)
        if found:
            return found
    if stripped != full:
        return stripped
    # "Актобе-Старт: Заголовок": a site or rubric prefix with its colon and no space before it
    colon = _COLON_PREFIX.match(full)
    if colon:
        parts.append(full[colon.end():])
    if len(parts) < 2:
        return full
    # Runs of neighbouring parts, separators kept: a headline may hold a separator of
    # its own ("«…» — интервью с главврачом | Site").
    runs = set(parts)
    if len(parts) <= 8 and len(full) <= 400:  # a real <title>; a hostile one holds thousands of parts
        cuts = [0, *(x for m in _TITLE_SEPARATORS.finditer(full) for x in (m.start(), m.end())), len(full)]
        starts, ends = cuts[0::2], cuts[1::2]
        runs |= {full[a:b].strip() for i, a in enumerate(starts) for b in ends[i:] if (a, b) != (0, len(full))}
    body = root.find("body")
    shown = set()
    if body is not None:
        for el in body.iter("h2", "h3", "b", "strong", "font", "div", "td", "span"):
            text = text_of(el)
            if text in runs:
                shown.add(text)
    candidates = shown or parts
    return max(candidates, key=len)


# -- bylines --------------------------------------------------------------------

# Blocks whose author elements belong to other texts: comments, teaser cards, feeds.
# "widget" as a class of its own (a sidebar widget), not a page builder's "elementor-widget-post-info".
_NOT_BYLINE = re.compile(r"comment|sidebar|(?:^|\s)widget(?:$|\s|_|-area)|related|popular|recommend|most-read|teaser|feed|lenta|reply|review")
_BYLINE_XPATH = etree.XPath(
    "//*[@rel='author' or contains(@rel, 'author') or @itemprop='author' or contains(@class, 'author')"
    " or contains(@class, 'byline') or contains(@class, 'avtor') or contains(@class, 'createdby')"
    " or contains(@id, 'author') or contains(@id, 'byline')]"
)
# "Автор: …", "Текст: …", "Фото и текст: …", "Материал подготовила …", "Беседовала Имя …":
# a byline line. The label needs its colon ("Автор проекта, инженер …" is a sentence), the
# verb does not; an interviewer's verb needs a name after it ("Беседовали мы час" is text).
BYLINE_LINE = re.compile(
    r"^(?:(?:авторы?|текст|текст\s+и\s+фото|фото\s+и\s+текст|корр\.?|корреспондент|собкор|мәтін|дайындаған)\s*[:\-–—]"
    r"|(?:материал\s+)?подготовил[аи]?[\s:]|(?:беседовал[аи]?|записал[аи]?|интервью\s+взял[аи]?|корреспондент|собкор|спецкор)\s+(?=[А-ЯЁA-Z]))",
    re.I,
)


def _authors_of_line(text: str) -> list[str]:
    """The people a byline line names; a line too long for one names nobody."""
    return clean_authors([text]) if len(text) <= _MAX_BYLINE else []


def _byline_part(text: str) -> str | None:
    """The "Автор: …" part of a line: the whole line, or one part of a meta line
    ("21.11.2025 18:20 | Корр.: Д. Амантаева | Прочитано: 348")."""
    if BYLINE_LINE.match(text):
        return text
    if len(text) <= 240:
        return next((part for part in meta_parts(text) if BYLINE_LINE.match(part)), None)
    return None


_MAX_BYLINE = 120
# "Андрей Волков", "А. Волков", "Сергей ВЕТРОВ" (a surname in capitals, as old papers sign).
_SIGNATURE_WORD = r"[А-ЯЁӘҒҚҢӨҰҮҺІ](?:[а-яёәғқңөұүһі-]+|[А-ЯЁӘҒҚҢӨҰҮҺІ-]+)"
_SIGNATURE = re.compile(rf"^(?:[А-ЯЁӘҒҚҢӨҰҮҺІ]\.\s?){{0,2}}{_SIGNATURE_WORD}(?:\s{_SIGNATURE_WORD}){{1,2}}$")


def _byline_context_ok(el, article: frozenset = frozenset()) -> bool:
    """el stands outside comments, sidebars and teaser cards; wrappers in `article`
    (the headline's ancestors) hold the article whatever their class says
    ("theiaStickySidebar" around a theme's main column)."""
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("body", "html") or anc in article:
            return True
        if anc.tag in ("aside", "nav") or _NOT_BYLINE.search(class_id(anc)):
            return False
        if "Comment" in (anc.get("itemtype") or ""):
            return False
    return True


def find_byline(root) -> list[str]:
    """Authors from the page's author markup: a[rel=author], itemprop=author, an
    element whose class or id says author/byline; the first that names someone."""
    hits = [el for el in _BYLINE_XPATH(root) if el.tag not in ("meta", "link", "img", "body", "html", "article")]
    if not hits:
        return []
    inner = {anc for el in hits for anc in el.iterancestors()}
    headline = headline_element(root)
    article = frozenset(headline.iterancestors()) if headline is not None else frozenset()
    for el in hits:
        # An author box's own name element, not the box with the job title and the bio
        if el in inner or not _byline_context_ok(el, article):
            continue
        people = clean_authors(_author_text(item) for item in _fellow_authors(el))
        if people:
            return people
    return []


def _fellow_authors(el) -> list:
    """el and the elements beside it marked the same way: a second author is a second
    itemprop=author, rel=author or class="…author" element under the same parent."""
    parent = el.getparent()
    if parent is None:
        return [el]
    if el.get("itemprop") == "author":
        return parent.findall("./*[@itemprop='author']") or [el]
    if "author" in (el.get("rel") or ""):
        return [a for a in parent.findall(f"./{el.tag}") if "author" in (a.get("rel") or "")] or [el]
    if el.get("class"):
        return [a for a in parent.findall(f"./{el.tag}") if a.get("class") == el.get("class")] or [el]
    return [el]


def _author_text(el) -> str:
    named = el.find(".//*[@itemprop='name']") if el.get("itemprop") == "author" else None
    text = text_of(named if named is not None else el)
    return text if len(text) <= _MAX_BYLINE else ""


def _own(el) -> str:
    return (el.text or "").strip()


def byline_lines_near(root, first, last) -> list[str]:
    """A "Автор: …" / "Текст: …" line between the headline and the body's first
    element (nearest it), else within the 30 elements after the body's last."""
    nearest = None
    if first is not None:
        part = None
        for el in root.iter("p", "div", "span", "font", "td", "b", "strong", "em", "i", "small", "li", "dd", "address"):
            if el is first:
                break
            found = _byline_part(" ".join(_own(el).split()))
            if found and _byline_context_ok(el):
                nearest, part = el, found
        if part is not None and part != " ".join(_own(nearest).split()):
            return _authors_of_line(part)  # from a meta line
    if nearest is None and last is not None:
        # The body's last run may itself be the byline's ("<br />Автор:&nbsp;<b>…</b>"):
        # the extractor keeps the bare label as a line, so the anchor is that <br>.
        line = _tail_line(last)
        if line and _byline_context_ok(last):
            return _authors_of_line(line)
        for el in last.xpath("following::*[position() <= 30]"):
            if BYLINE_LINE.match(_own(el)) and _byline_context_ok(el):
                nearest = el
                break
            line = _tail_line(el)
            if line and _byline_context_ok(el):
                return _authors_of_line(line)
    if nearest is None:
        return []
    return _authors_of_line(_line_text(nearest))


def _line_text(el) -> str:
    """The text of the line el stands in: a label element alone ("<strong>Дайындаған:</strong>
    Д. Омаров и Ж. Ким") names nobody, its line does."""
    text = text_of(el)
    if not BYLINE_LINE.fullmatch(text):
        return text
    for anc in el.iterancestors():
        if anc.tag in _LINE_TAGS:
            return text_of(anc)
    return text


# -- the lines between the headline and the text -----------------------------------

# Elements that end a line of text, and the ones whose text no reader sees as a line.
_LINE_TAGS = frozenset({
    "p", "div", "td", "th", "tr", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "tbody",
    "section", "header", "footer", "article", "ul", "ol", "dl", "figure", "figcaption", "address", "blockquote",
    "hr", "main", "center"})
_UNSEEN_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "iframe", "nav",
                          "aside", "form"})
_HEADER_CHARS = 1500  # a dateline block is short; past this the text has begun


def _lines_after(start, first, body_start: str) -> list[str]:
    """The text lines after `start` (the headline) in document order, up to the body:
    until its first element `first` opens, or a line opens with the body's first words
    (an old table page's body has no element of its own)."""
    lines: list[str] = []
    current: list[str] = []
    size = 0

    def push(text: str | None) -> None:
        nonlocal size
        if text:
            current.append(text)
            size += len(text)

    def end_line() -> bool:
        """Close the current line; True when the body has begun."""
        line = " ".join("".join(current).replace("\xa0\xa0", " ¦ ").split())
        current.clear()
        if not line:
            return False
        if body_start and line.startswith(body_start):
            return True
        lines.append(line)
        return False

    push(start.tail)
    el = start
    while el is not None and size < _HEADER_CHARS:
        for sib in el.itersiblings():
            walker = etree.iterwalk(sib, events=("start", "end"))
            for event, node in walker:
                if not isinstance(node.tag, str):
                    if event == "end":
                        push(node.tail)
                    continue
                if event == "start":
                    if node is first and (not body_start or " ".join(text_of(first).split()).startswith(body_start)):
                        end_line()  # (a meta line the body's container holds is no body)
                        return lines
                    if node.tag in _UNSEEN_TAGS or _NOT_BYLINE.search(class_id(node)):
                        walker.skip_subtree()
                        continue
                    if node.tag in _LINE_TAGS and end_line():
                        return lines
                    push(node.text)
                else:
                    if node.tag in _LINE_TAGS and end_line():
                        return lines
                    push(node.tail)
            if size >= _HEADER_CHARS:
                break
        el = el.getparent()
        if el is None or el.tag == "body":
            break
        if end_line():
            return lines
        push(el.tail)
    end_line()
    return lines


# One part of a meta line from the next: "|", "·", "•", "/", a long dash between spaces, a
# run of no-break spaces (written "¦" by _lines_after), or a "Label:" opening mid-line
# ("… 16:45 Автор: …", "… Просмотров: 932"). Not a hyphen: "13.03.2025 - 17:40" is one date.
_LINE_PARTS = re.compile(r"\s*[|¦]\s*|\s[·•/]\s|\s[—–]\s|\s(?=[А-ЯЁA-Z][а-яёa-z]{2,}\.?\s?:(?:\s|$))")


def meta_parts(line: str) -> list[str]:
    """The parts of a meta line (date, byline, counters), each stripped, empty ones out."""
    return [part.strip() for part in _LINE_PARTS.split(line) if part.strip()]


_NAME_WORD = r"[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+(?:-[А-ЯЁӘҒҚҢӨҰҮҺІ]?[а-яёәғқңөұүһі]+)?"
_INITIAL = r"[А-ЯЁӘҒҚҢӨҰҮҺІ]\."
# A name standing alone in a dateline: "Е. Ибраев", "А.Кенжебаев", "Айгуль Сарсенова", "Ибраев Е.".
_BARE_NAME = re.compile(
    rf"^(?:(?:{_INITIAL}\s?){{1,2}}(?P<a>{_NAME_WORD})|(?P<b>{_NAME_WORD}(?:\s{_NAME_WORD}){{1,2}})"
    rf"|(?P<c>{_NAME_WORD})(?:\s{_INITIAL}){{1,2}})$")


def _bare_name(name: str) -> bool:
    match = _BARE_NAME.match(name)
    if not match:
        return False
    full = match.group("a") or match.group("c") or match.group("b")
    return any(is_name_token(w) for w in full.split())


def headline_like(root, title: str | None):
    """The element that shows `title` when the page has no <h1> for it (an old page's
    <FONT><B>): a short element whose text is the title."""
    if not title:
        return None
    for el in root.iter("h2", "h3", "h4", "b", "strong", "font", "span", "div", "td", "p"):
        if len(el) <= 3 and text_of(el) == title:
            return el
    return None


def _text_start(paragraphs: list[str]) -> str:
    """The opening words of the body's first sentence-like paragraph: the extractor's
    first lines may be the dateline itself."""
    for text in paragraphs:
        if len(text) > 240 or (words(text) >= 6 and text.rstrip()[-1:] in ".!?…»\"”)"):
            return " ".join(text[:40].split())
    return ""


def dateline_names(line: str) -> list[str]:
    """The people a dateline names with no label: a part of the line that is names and
    nothing else ("Чт, 13.03.2025 - 17:40 — Е. Ибраев", "КАРАГАНДА, 5 февраля — Ержан
    Калиев, Kazinform"). A line with no date, or a long one, is a sentence."""
    if len(line) > 240 or not has_date(line):
        return []
    for part in meta_parts(line):
        names = clean_authors([part]) if 3 < len(part) <= 80 and not has_date(part) else []
        if names and all(_bare_name(n) for n in names):
            return names
    return []


def bylines_under_headline(headline, first, paragraphs: list[str]) -> list[str]:
    """Authors on the lines between the headline and the text: a "Автор: …" /
    "Текст: …" part of any line, else the names a dateline carries. A line this
    region holds is short: a long one is the lead."""
    if headline is None:
        return []
    bare: list[str] = []
    for line in _lines_after(headline, first, _text_start(paragraphs))[:12]:
        if len(line) > 240:
            continue
        part = _byline_part(line)
        found = _authors_of_line(part) if part else []
        if found:
            return found
        bare = bare or dateline_names(line)
    return bare


def _tail_line(el) -> str | None:
    """A byline printed as bare text after an element, up to the next <br>:
    "<br />Автор:&nbsp;<b>М. Сейтказина</b><br />" (a Bitrix detail template)."""
    tail = " ".join((el.tail or "").replace("\xa0", " ").split())
    if not tail or not BYLINE_LINE.match(tail):
        return None
    parts = [tail]
    for sib in el.itersiblings():
        if not isinstance(sib.tag, str) or sib.tag == "br" or sib.tag in ("div", "p", "table", "ul"):
            break
        parts.append(text_of(sib))
        if "\n" in (sib.tail or "") or (sib.tail or "").strip():
            parts.append(" ".join((sib.tail or "").split()))
            break
    return " ".join(p for p in parts if p).replace("\xa0", " ")


_RELATED_BOX = ("table", "ul", "ol", "div", "section", "aside", "dl")


def _in_related_box(el, above: set, related: frozenset) -> bool:
    """el stands in a block holding the article's related links (a "Смотрите также"
    table between the text and its signature), below the text's own containers (`above`)."""
    for anc in el.iterancestors():
        if anc in above:
            return False
        if anc.tag in _RELATED_BOX and any((a.get("href") or "").strip() in related for a in anc.iter("a")):
            return True
    return False


def signature_after(last, related: frozenset = frozenset()) -> list[str]:
    """The bare name an old page signs its text with, right after the body's last
    line ("<P ALIGN=right><B>Андрей Волков</B>"): the first text after the body,
    when it is two or three capitalized Cyrillic words and a name by the dictionary.
    The article's related block (its links' hrefs in `related`) may stand between."""
    if last is None:
        return []
    seen = 0
    above = set(last.iterancestors()) if related else set()
    for el in last.xpath("following::*[position() <= 80]"):
        if related and _in_related_box(el, above, related):
            continue
        seen += 1
        if seen > 8:
            return []
        text = _own(el)
        if not text:
            continue
        if el.tag == "a" or el.xpath("ancestor::a") or not _byline_context_ok(el):
            return []  # a tag, a rubric, a related headline, a comment
        text = " ".join(text.split())
        # "Наталья Гришина, фото автора": the name, then lower-case credits.
        name, *credits = [part.strip() for part in text.split(",")]
        # "Гульмира Ахметова, Тараз": one capitalised word after the name is the town it was filed from
        town = len(credits) == 1 and words(credits[0]) == 1 and credits[0][:1].isupper()
        if credits and not town and not all(c and c[0].islower() and words(c) <= 4 for c in credits):
            return []
        if _SIGNATURE.match(name) and any(is_name_token(w.capitalize()) for w in name.split() if "." not in w):
            return clean_authors([name])  # "Беседовала Дарина Ким": the role word goes there
        return []
    return []


# A site's own service pages: SEO plugins mark them articles, and they hold enough text.
_SERVICE_TITLE = re.compile(
    r"^(?:контакты(?: редакции)?|наши контакты|связаться с нами|обратная связь|о нас|о проекте|о редакции|о сайте|"
    r"об издании|редакция|реклама(?: на сайте)?|рекламодателям|вакансии|политика конфиденциальности|"
    r"пользовательское соглашение|правила (?:сайта|комментирования|использования материалов)|подписка|"
    r"байланыс|біз туралы|жарнама|редакция туралы|"
    r"contacts?(?: us)?|about(?: us)?|advertis(?:e|ing)|privacy policy|terms of (?:use|service)|imprint|impressum)$"
)
_SERVICE_SLUG = re.compile(
    r"^(?:kontakty|kontakt|contacts?|contact-us|o-nas|o-proekte|o-redakcii|about|about-us|reklama|advertising|"
    r"vakansii|privacy(?:-policy)?|politika-konfidencialnosti|terms|impressum|imprint|bailanys)(?:\.\w+)?$"
)


def is_service_page(title: str | None, url: str) -> bool:
    """The site's contacts, about, advertising or privacy page, by its headline or its address."""
    name = " ".join(re.sub(r"[^\w\s-]", " ", (title or "").lower().replace("ё", "е")).split())
    if name and _SERVICE_TITLE.match(name):
        return True
    try:
        path = urlsplit(url).path.rstrip("/")
    except ValueError:  # "http://[::1": no path to judge
        return False
    return bool(path) and path.count("/") <= 2 and bool(_SERVICE_SLUG.match(path.rsplit("/", 1)[-1].lower()))
