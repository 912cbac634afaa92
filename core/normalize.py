"""Text normalization for article fields (DESIGN.md, `body`).

Unicode NFC; every kind of space to one plain space; soft hyphens, zero-width and
direction marks and BOMs removed; mixed-script homoglyph words repaired
(`Сaravan.kz` with a Cyrillic С -> `Caravan.kz`); boilerplate paragraphs
(captions, "Читайте также", share and subscribe lines) dropped, and trailers
("Источник: …", "Автор: …") only at the end of the body. Quote marks and dashes
stay as the author wrote them: normalization must not change meaning.

Search compares text script-insensitively instead: `fold_for_search` maps both
sides to one key (case, ё/е, look-alike letters, quote marks and dashes folded).

`normalize_text` runs on every paragraph of every page, so its common case (a
paragraph that is already clean, in one script) costs a few C-level passes.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urldefrag, urljoin, urlsplit

# Removed outright: soft hyphen, zero-width space/joiners, word joiner, BOM.
# (Also the left-to-right/right-to-left marks and invisible operators that CMS
# editors paste in.)
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"), None
)
# The same characters as a regex: str.translate with a deletion table does a dict
# lookup per character (~10 µs a paragraph), a regex deletes them in C.
# Beside them, what no text holds: NUL and the other C0 controls str.split() does
# not take for spaces, lone surrogates, U+FFFE/U+FFFF. HTML parsing drops them
# already; JSON-LD "\u0000" and "\ud800" escapes bring them back.
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "\x00-\x08\x0e-\x1b\ud800-\udfff\ufffe\uffff]")
_ANY_LATIN = re.compile(r"[A-Za-z]")

# Look-alike letters, Cyrillic -> Latin. Only these letters are ever swapped.
_CYR_TO_LAT = dict(zip("АВЕКМНОРСТХаеорсухіІјЈѕЅ", "ABEKMHOPCTXaeopcyxiIjJsS"))
_LAT_TO_CYR = {lat: cyr for cyr, lat in _CYR_TO_LAT.items() if cyr not in "іІјЈѕЅ"}
# Only letter runs holding a Latin letter are looked at: few words in Russian text
# do. (Anchored at a word start, so a Cyrillic word costs one failed scan.)
_LATIN_RUN = re.compile(r"\b[^\W\d_]*?[A-Za-z][^\W\d_]*")

# A paragraph that is page furniture, not article text.
_BOILERPLATE = re.compile(
    r"""^(?:
        фото\s*(?:[-–—:]|:|из\ открытых|пресс-служб|с\ сайта|предоставлено|автора|\w+\.kz)
      | (?:фото|видео|иллюстрация|коллаж)\s*[-–—:]
      | (?:читайте|смотрите)\ также
      | читайте\ нас\ в
      # a subscribe line names the channel; "Подписывайтесь на прививку заранее…" is text
      | подпи(?:сывайтесь|шитесь)\ на\ (?:наш|нас\b|канал|страниц|аккаунт|рассылк|новост|обновлени
          |telegram|телеграм|instagram|инстаграм|youtube|ютуб|facebook|фейсбук|вконтакте|vk\b|tiktok|тикток
          |whatsapp|дзен|яндекс|twitter|x\b|threads|ok\b|одноклассник)
      | присоединяйтесь\ к\ нам
      | поделиться\b
      | реклама$
      | если\ вы\ нашли\ ошибку
      # a column's disclaimer: "Мнение автора может не совпадать с позицией редакции"
      | (?:мнение|точка\ зрения|позиция)\ автор\w*\ (?:может\ )?не\ (?:совпада|отража)
      | больше\ новостей\ в
      | новости\ по\ теме
      # a comment form's notice: "Уважаемый посетитель, … зарегистрируйтесь", Kazakh "пікір қалдыру үшін тіркеліңіз"
      | (?:уважаемый|құрметті)\ (?:посетитель|гость|читатель|қонақ|оқырман)\b.{0,80}(?:регистр|авториз|войдите|тіркел|кіріңіз)
      | пікір\ қалдыру\s*$
      | (?:оставить|добавить|написать)\ комментарий\s*$
    )""",
    re.I | re.X,
)
# Trailers: boilerplate only as the article's last lines ("Источник: пресс-служба
# акимата"); the same words inside the text ("Источник: по данным ведомства, цены
# выросли…" in the middle) stay. The hyphen leads each class: `[:-–—]` was a range
# from ":" to "–" that holds every Cyrillic letter ("Авторитетный …" was a trailer).
_TRAILER = re.compile(
    r"""^(?:
        источник(?:и)?\s*[-:–—]
      | автор(?:ы)?\s*[-:–—]
      | (?:фото|видео)\s*[-:–—]
      | по\ материалам\b
      | материал\ подготовлен
      | следите\ за\ (?:нашими\ )?новостями
      | подробнее\s*(?:[-:–—]|на\ сайте|читайте|по\ ссылке)
    )""",
    re.I | re.X,
)


def _script(ch: str) -> str | None:
    if "a" <= ch.lower() <= "z":
        return "latin"
    if "\u0400" <= ch <= "\u04ff":
        return "cyrillic"
    return None


def repair_homoglyphs(text: str) -> str:
    """Repair words typed with look-alike letters of the other script.

    A letter run mostly in one script whose few other-script letters all have a
    look-alike is rewritten in the majority script. Runs where the minority
    letters have no look-alike (or there is no clear majority) are left alone,
    so genuinely mixed tokens survive; `COVID-19`, `iPhone`, `Kaspi.kz` are
    single-script and never touched.
    """
    if text.isascii() or not _ANY_LATIN.search(text):
        return text  # nothing to repair without both scripts; most Russian paragraphs stop here

    def fix(match: re.Match) -> str:
        run = match.group(0)
        if run.isascii():
            return run
        latin = cyrillic = 0
        for ch in run:
            script = _script(ch)
            if script == "latin":
                latin += 1
            elif script == "cyrillic":
                cyrillic += 1
        if not latin or not cyrillic or latin == cyrillic:
            return run
        if latin > cyrillic:
            table, minority = _CYR_TO_LAT, "cyrillic"
        else:
            table, minority = _LAT_TO_CYR, "latin"
        if any(_script(ch) == minority and ch not in table for ch in run):
            return run
        return "".join(table.get(ch, ch) if _script(ch) == minority else ch for ch in run)

    return _LATIN_RUN.sub(fix, text)


def normalize_text(text: str | None) -> str:
    """One field's text, normalized. Empty and None give ""."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):  # the check is much cheaper than normalizing
        text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    # str.split() splits on every Unicode space (no-break, thin, ideographic…), in C.
    text = " ".join(text.split())
    return repair_homoglyphs(text)


# A caption left in the text, its photo credit after it: "Школа в селе Карабулак. Фото: Асхат Нуров".
_CAPTION = re.compile(r"^[^\n]{3,160}?[.!?»\"]\s+(?:фото|фото\s+и\s+видео|видео|сурет)\s*[-:–—]\s*[^.!?]{2,60}\.?$", re.I)


def is_boilerplate(paragraph: str) -> bool:
    return bool(_BOILERPLATE.match(paragraph) or (len(paragraph) <= 220 and _CAPTION.match(paragraph)))


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """Normalize body paragraphs and drop the ones that are page furniture."""
    cleaned = [normalize_text(p) for p in paragraphs]
    cleaned = [p for p in cleaned if p and not is_boilerplate(p)]
    while cleaned and _TRAILER.match(cleaned[-1]):
        cleaned.pop()
    return cleaned


# Search keys: every look-alike letter to its Cyrillic twin (either case), every
# quote mark to ", every dash and hyphen to -, ё to е; then casefold.
_FOLD = str.maketrans(
    {**{lat: cyr for cyr, lat in _CYR_TO_LAT.items()},
     **{lat.lower(): cyr.lower() for cyr, lat in _CYR_TO_LAT.items()},
     **dict.fromkeys("«»„“”‟″\u201a\u2018\u2019\u2039\u203a", '"'),
     **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
     "ё": "е", "Ё": "Е"}
)


def fold_for_search(text: str | None) -> str:
    """A comparison key for search: `Сaravan.kz`, `Caravan.KZ` and `caravan.kz`
    fold alike, as do «Ак жол» and "Ак Жол", Ёлка and елка.

    Never stored or shown: it only makes both sides of a comparison equal. Mixed
    words fold letter by letter, so the key of a Latin word is partly Cyrillic.
    """
    return normalize_text(text).translate(_FOLD).casefold()


_ATTRIBUTION = re.compile(
    r"(?:со\s+ссылкой\s+на|ссылаясь\s+на)\s+(.+?)(?=[.;]\s|[.;]?$|,\s+(?:в\s+котор|где|что)\b)",
    re.I,
)


def source_of(paragraphs: list[str]) -> str | None:
    """The outlet or body the article credits, as written: "… со ссылкой на Акорду." -> "Акорду"."""
    for paragraph in paragraphs[:2]:
        match = _ATTRIBUTION.search(paragraph)
        if match:
            return match.group(1).strip(" ,")
    return None


# -- URLs -----------------------------------------------------------------------
#
# A page's URL, its canonical link and every href are whatever the page says;
# urllib raises ValueError on some ("http://[::1", "http://[host]/"), and one such
# href must cost its link, never the whole article.

# C0 controls, DEL and lone surrogates: never in a URL as written (browsers
# percent-encode them), and a NUL cannot be stored in PostgreSQL text.
_URL_UNSAFE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def clean_url(url: str | None) -> str | None:
    """The URL with control characters and lone surrogates percent-encoded (as UTF-8)."""
    if not url or not _URL_UNSAFE.search(url):
        return url
    return _URL_UNSAFE.sub(lambda m: quote(m.group(0).encode("utf-8", "surrogatepass")), url)


def join_url(base: str, href: str) -> str | None:
    """urljoin(base, href), or None when urllib cannot parse them.

    An absolute href that parses stands on its own when the base does not.
    """
    try:
        return urljoin(base, href)
    except ValueError:
        pass
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    return href if parts.scheme and parts.netloc else None


def url_host(url: str) -> str:
    """The URL's host, lower case; "" when it has none or urllib cannot parse it."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def defragment(url: str) -> str | None:
    """The URL without its #fragment; None when urllib cannot parse it."""
    try:
        return urldefrag(url)[0]
    except ValueError:
        return None


def clip(text: str, limit: int = 80) -> str:
    """At most `limit` characters of what someone typed, for a one-line message."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
