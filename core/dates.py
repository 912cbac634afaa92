"""Publication dates as Russian-language news pages write them, always timezone-aware.

ISO 8601 (metadata) is parsed directly; the Russian forms news sites print are
matched by the patterns below; anything else goes to dateparser. Never a naive
datetime, and never a shifted calendar day:

- a stated zone is kept as stated: an ISO offset, an abbreviation from
  ZONE_ABBREVIATIONS after the time ("16:02:50CDT", "23:30 MSK", "14:35 МСК",
  "GMT+3"), an IANA name ("Europe/Moscow", RFC 9557's "[Asia/Almaty]");
- only a time that states none takes `tz`: the site profile's zone, or for an
  unprofiled page the zone `page_zone` infers from the page, else UTC, which
  keeps the wall time as written (the UTC the database stores shows the same day).

Asia/Almaty is whatever the system tzdata says: +06:00 until 1 March 2024, +05:00
since (Kazakhstan's single zone), so an old date keeps the offset of its day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

ALMATY = ZoneInfo("Asia/Almaty")
MOSCOW = ZoneInfo("Europe/Moscow")
# A time with no zone on a page nothing else places: kept as written, read as UTC.
UNPLACED = UTC


def _fixed(name: str, hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes), name)


# Zone abbreviations as pages print them after a time. A DST pair (CST/CDT) is two
# fixed offsets: the letter says which one. A zone whose offset law changed (Moscow
# +04 in 2011-2014, Kazakhstan +06 -> +05 in 2024, Qyzylorda in 2018) is its IANA
# zone, so the offset is the one in force on the date. Ambiguous ones (IST: India,
# Israel or Ireland; AMT; BST beside Bangladesh) are left out or read as in Europe.
ZONE_ABBREVIATIONS: dict[str, tzinfo] = {
    "UTC": UTC, "GMT": UTC, "UT": UTC, "Z": UTC,
    "WET": _fixed("WET", 0), "WEST": _fixed("WEST", 1), "BST": _fixed("BST", 1),
    "CET": _fixed("CET", 1), "CEST": _fixed("CEST", 2), "EET": _fixed("EET", 2), "EEST": _fixed("EEST", 3),
    "MSK": MOSCOW, "МСК": MOSCOW, "MSD": _fixed("MSD", 4), "TRT": _fixed("TRT", 3),
    "SAMT": _fixed("SAMT", 4), "YEKT": _fixed("YEKT", 5), "OMST": _fixed("OMST", 6),
    "NOVT": _fixed("NOVT", 7), "KRAT": _fixed("KRAT", 7), "IRKT": _fixed("IRKT", 8),
    "YAKT": _fixed("YAKT", 9), "VLAT": _fixed("VLAT", 10), "MAGT": _fixed("MAGT", 11), "PETT": _fixed("PETT", 12),
    "ALMT": ALMATY, "QYZT": ZoneInfo("Asia/Qyzylorda"), "AQTT": _fixed("AQTT", 5), "ORAT": _fixed("ORAT", 5),
    "UZT": _fixed("UZT", 5), "TJT": _fixed("TJT", 5), "TMT": _fixed("TMT", 5), "KGT": _fixed("KGT", 6),
    "AZT": _fixed("AZT", 4), "GET": _fixed("GET", 4),
    "EST": _fixed("EST", -5), "EDT": _fixed("EDT", -4), "CST": _fixed("CST", -6), "CDT": _fixed("CDT", -5),
    "MST": _fixed("MST", -7), "MDT": _fixed("MDT", -6), "PST": _fixed("PST", -8), "PDT": _fixed("PDT", -7),
    "AKST": _fixed("AKST", -9), "AKDT": _fixed("AKDT", -8), "HST": _fixed("HST", -10),
    "JST": _fixed("JST", 9), "KST": _fixed("KST", 9), "HKT": _fixed("HKT", 8), "SGT": _fixed("SGT", 8),
    "AEST": _fixed("AEST", 10), "AEDT": _fixed("AEDT", 11),
}
# The zone in words, as Russian-language datelines say it.
_ZONE_PHRASES = (
    (re.compile(r"по\s+(?:московскому\s+времени|москве|времени\s+москвы)", re.I), MOSCOW),
    (re.compile(r"по\s+(?:астанинскому|алматинскому)\s+времени|по\s+(?:времени\s+)?(?:астаны|алматы|нур-султана)",
                re.I), ALMATY),
)
# The time of day a zone follows, then the zone: an offset with or without UTC/GMT,
# an abbreviation, an IANA name, each maybe in brackets ("(GMT+3)", "[Europe/Moscow]").
_TIME_OF_DAY = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?\s?[Mm]\.?)?"
_ZONE_AFTER_TIME = re.compile(
    _TIME_OF_DAY
    + r"(?P<iso>[+\-−]\d{2}:?\d{2})?\s*[(\[]?\s*(?:"
    r"(?:(?P<base>UTC|GMT)\s*)?(?P<sign>[+\-−])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?(?!\d)"
    r"|(?P<iana>[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)"
    r"|(?P<abbr>[A-ZА-Я]{1,5}|мск|msk|utc|gmt)(?![\w/])"
    r")\s*[)\]]?"
)

_MONTHS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
    # Kazakh, by the first three letters of the full names below
    "қаң": 1, "ақп": 2, "нау": 3, "сәу": 4, "мам": 5, "мау": 6, "шіл": 7, "там": 8,
    "қыр": 9, "қаз": 10, "қар": 11, "жел": 12,
}
# Russian stems; Kazakh month names in full (a stem like "қаз" would take "Қазақстан"),
# with any case ending ("наурызда", "қазанның").
_MONTH = (r"(янв\w*|фев\w*|мар\w*|апр\w*|ма[йя]\w*|июн\w*|июл\w*|авг\w*|сен\w*|окт\w*|ноя\w*|дек\w*|"
          r"қаңтар\w*|ақпан\w*|наурыз\w*|сәуір\w*|мамыр\w*|маусым\w*|шілде\w*|тамыз\w*|қыркүйек\w*|"
          r"қазан\w*|қараша\w*|желтоқсан\w*)\.?")
# After the year: "г.", "года", Kazakh "ж." / "жылы"; then the time ("в 14:35", ", 14:35").
_TIME = r"(?:\s*(?:г\.|года|год|ж\.|жылы)?\s*[,в]?\s*(?:в\s*)?(\d{1,2})[:.](\d{2}))?"

# "01.12.26 18:40": a two-digit year, day first, dots only (a version "1.2.3" has no such
# shape once the time or the word boundary is required); the year is this century's.
_NUMERIC_SHORT = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])(?:\s*(?:,|в)?\s*(\d{1,2}):(\d{2}))?")
# Any date or time in a line ("13.03.2025", "17:40", "2025", "5 февраля"): a dateline or a
# meta line, not a sentence about people.
_DATED = re.compile(r"\d{1,2}[.:/]\d{2}|(?<!\d)(?:19|20)\d{2}(?!\d)|\b\d{1,2}\s+" + _MONTH, re.I)


def has_date(text: str) -> bool:
    return bool(_DATED.search(text))


# "21 декабря 2025, 14:35", "25 Июля 2021"
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+" + _MONTH + r"\s+(\d{4})" + _TIME, re.I)
# "2026 Год 9 Февраля", Kazakh "2025 жылғы 15 наурыз" / "2025 ж. 15 наурыз"
_YEAR_DAY_MONTH = re.compile(r"\b(\d{4})\s+(?:год\w*|жыл\w*|ж\.)\s*(\d{1,2})\s+" + _MONTH + _TIME, re.I)
# "21.12.2025 14:35", "21.12.2025, 14:35", DataLife Engine's "21-12-2025, 14:35", "21/12/2025":
# day first, as Russian-language sites write it; one separator throughout; Drupal's
# "04/08/2025 - 09:15" keeps its time.
_NUMERIC = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:\s*(?:г\.|ж\.)?\s*(?:[,|–—-]|в)?\s*(?:в\s*)?(\d{1,2}):(\d{2}))?")
# The time printed before the date: "11:20, 15.03.2025", "11:20 / 15 марта 2025".
_TIME_BEFORE = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})\s*[,|/·•–—-]?\s*$")
# "Сегодня, 14:35", "Вчера, 09:10"
_RELATIVE = re.compile(r"\b(сегодня|вчера|позавчера)\b\s*(?:,|в)?\s*(?:в\s*)?(\d{1,2}):(\d{2})", re.I)
_RELATIVE_DAYS = {"сегодня": 0, "вчера": 1, "позавчера": 2}


# Weekday names a dateline may carry ("Вт, 04/08/2025"), Monday first: the day it
# names settles a numeric date that reads both ways.
_WEEKDAYS = (
    ("пн", "понедельник", "дс", "дүйсенбі", "mon", "monday"), ("вт", "вторник", "сс", "сейсенбі", "tue", "tuesday"),
    ("ср", "среда", "ср", "сәрсенбі", "wed", "wednesday"), ("чт", "четверг", "бс", "бейсенбі", "thu", "thursday"),
    ("пт", "пятница", "жм", "жұма", "fri", "friday"), ("сб", "суббота", "сн", "сенбі", "sat", "saturday"),
    ("вс", "воскресенье", "жс", "жексенбі", "sun", "sunday"),
)
_WEEKDAY_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,11})\.?(?=[\s,.]|$)")


def _weekday_in(text: str) -> int | None:
    for m in _WEEKDAY_WORD.finditer(text):
        word = m[1].lower()
        for i, names in enumerate(_WEEKDAYS):
            if word in names:
                return i
    return None


def _day_month(day: int, month: int, year: int, text: str) -> tuple[int, int]:
    """Day first, as Russian-language sites write it, unless that cannot be a date
    ("04/18/2025") or the weekday the text names fits only the other reading
    (Drupal's US "Вт, 04/08/2025" is Tuesday 8 April, not Monday 4 August)."""
    if month > 12 >= day:
        return month, day
    if day != month and day <= 12 and month <= 12:
        weekday = _weekday_in(text)
        if weekday is not None:
            try:
                if datetime(year, month, day).weekday() != weekday and datetime(year, day, month).weekday() == weekday:
                    return month, day
            except ValueError:
                pass
    return day, month


def _month(word: str) -> int:
    return _MONTHS[word[:3].lower()]


def _aware(dt: datetime, tz: tzinfo) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)


def _zone_in(text: str) -> tuple[str, tzinfo | None]:
    """(the text without its stated zone, the zone) or (text, None) when it states none."""
    for phrase, zone in _ZONE_PHRASES:
        m = phrase.search(text)
        if m:
            return (text[: m.start()] + text[m.end():]).strip(), zone
    for m in _ZONE_AFTER_TIME.finditer(text):
        zone: tzinfo | None = None
        if m["abbr"]:
            zone = ZONE_ABBREVIATIONS.get(m["abbr"].upper())
        elif m["iana"]:
            try:
                zone = ZoneInfo(m["iana"])
            except (ZoneInfoNotFoundError, ValueError):
                zone = None
        elif m["sign"] and not m["iso"] and (m["base"] or (len(m["oh"]) == 2 and m["om"])):
            # a bare offset needs its full form ("+03:00", "+0300"): "14:35 +5" is no zone
            hours, minutes = int(m["oh"]), int(m["om"] or 0)
            if hours < 24 and minutes < 60:
                sign = 1 if m["sign"] == "+" else -1
                zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        if m["iso"] and m["iana"]:
            # RFC 9557: "…+03:00[Europe/Moscow]": the offset is the instant; drop the name
            return text[: m.start("iana")].rstrip(" ["), None
        if zone is not None:
            start = m.start("abbr") if m["abbr"] else m.start("iana") if m["iana"] else (m.start("base")
                                                                                          if m["base"] else m.start("sign"))
            return (text[:start].rstrip(" ([") + " " + text[m.end():]).strip(), zone
    return text, None


def stated_zone(text: str | None) -> tzinfo | None:
    """The zone a date string states (an ISO offset, an abbreviation, a name), else None."""
    if not text:
        return None
    text, zone = _zone_in(text.replace("\xa0", " ").strip())
    if zone is not None:
        return zone
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo
    except ValueError:
        return None


def parse_iso(value: str, tz: tzinfo = ALMATY) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
    except ValueError:
        return None


def parse_date(
    text: str | None, tz: tzinfo = ALMATY, now: datetime | None = None, *, fuzzy: bool = True
) -> datetime | None:
    """Find a date in `text` (metadata value or a line of page text).

    `now` (the fetch time) anchors "Сегодня"/"Вчера"; without it those give None.
    `fuzzy=False` skips dateparser (slow: it compiles regexes per call), for callers
    that scan many candidate strings and try our own patterns on all of them first.
    A date that has no UTC instant ("0001-01-01T00:00:00+05:00", a day before year 1
    there) is no date: the database stores UTC, and the JSON says what it stores.
    """
    try:
        found = _parse(text, tz, now, fuzzy)
        if found is not None:
            found.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 across a zone offset, or "вчера" of a fetch at year 1
        return None
    return found


def _parse(text: str | None, tz: tzinfo, now: datetime | None, fuzzy: bool) -> datetime | None:
    if not text:
        return None
    text = text.replace("\xa0", " ").strip()
    iso = parse_iso(text, tz)
    if iso:
        return iso
    text, stated = _zone_in(text)
    if stated is not None:
        tz = stated  # the zone the page states beats any we would assume
        iso = parse_iso(text, tz)
        if iso:
            return iso
    rfc = _rfc2822(text, tz)
    if rfc:
        return rfc
    try:
        m = _DAY_MONTH_YEAR.search(text)
        if m:
            day, month, year, hh, mm = m.groups()
            hh, mm = _time_before(text, m, hh, mm)
            return datetime(int(year), _month(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        m = _YEAR_DAY_MONTH.search(text)
        if m:
            year, day, month, hh, mm = m.groups()
            return datetime(int(year), _month(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        m = _NUMERIC.search(text)
        if m:
            day, _sep, month, year, hh, mm = m.groups()
            day, month = _day_month(int(day), int(month), int(year), text)
            hh, mm = _time_before(text, m, hh, mm)
            return datetime(int(year), month, day, int(hh or 0), int(mm or 0), tzinfo=tz)
        m = _NUMERIC_SHORT.search(text)
        if m:
            day, month, year, hh, mm = m.groups()
            hh, mm = _time_before(text, m, hh, mm)
            return datetime(2000 + int(year), int(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
    except (ValueError, KeyError):
        return None  # "31.02.2025" and friends: not a date
    m = _RELATIVE.search(text)
    if m:
        if now is None:
            return None
        word, hh, mm = m.groups()
        local = now.astimezone(tz) - timedelta(days=_RELATIVE_DAYS[word.lower()])
        try:
            return local.replace(hour=int(hh), minute=int(mm), second=0, microsecond=0)
        except ValueError:
            return None  # "Сегодня, 99:99": no time of day
    return _dateparser(text, tz, now) if fuzzy else None


def _time_before(text: str, m: re.Match, hh: str | None, mm: str | None) -> tuple[str | None, str | None]:
    """A date with no time after it takes the time printed just before it, if any."""
    if hh is None and m.start():
        before = _TIME_BEFORE.search(text, 0, m.start())
        if before and int(before[1]) < 24 and int(before[2]) < 60:  # "99:20": a score, no time
            return before[1], before[2]
    return hh, mm


_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


def _rfc2822(text: str, tz: tzinfo) -> datetime | None:
    # "Fri, 25 Sep 2020 16:02:50 +0300" (feeds, some <meta>): the stdlib reads it exactly
    if not _RFC2822.match(text):
        return None
    try:
        return _aware(parsedate_to_datetime(text), tz)
    except (TypeError, ValueError, IndexError):
        return None


_NAMES_A_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\b\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")


def _dateparser(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    if len(text) > 80 or not re.search(r"\d", text):
        return None  # dateparser is slow and guesses on prose; dates are short
    # No TIMEZONE setting: with one, dateparser converts a zone it reads into it and
    # the calendar day moves ("16:02 CDT" came back as 03:02 the next day in Almaty).
    if now is None and not _NAMES_A_YEAR.search(text):
        # "3 октября, 18:05", "2 часа назад": only the fetch time places them; without it
        # dateparser takes today's year and clock, a date the page never stated
        return None
    settings = {"PREFER_DATES_FROM": "past"}
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
    found = dateparser.parse(text, languages=["ru", "kk", "en"], settings=settings)
    return _aware(found, tz) if found else None


# Where a page with no profile and no stated offset is: its country domain, then
# its language. Kazakhstan is one zone (+05:00) since March 2024; Asia/Almaty
# gives the older +06:00 to older dates. Russia's news runs on Moscow time.
_DOMAIN_ZONES = {
    "kz": ALMATY, "xn--80ao21a": ALMATY, "қаз": ALMATY,
    "ru": MOSCOW, "su": MOSCOW, "xn--p1ai": MOSCOW, "рф": MOSCOW,
    "by": ZoneInfo("Europe/Minsk"), "xn--90ais": ZoneInfo("Europe/Minsk"), "бел": ZoneInfo("Europe/Minsk"),
    "ua": ZoneInfo("Europe/Kyiv"), "uz": ZoneInfo("Asia/Tashkent"), "kg": ZoneInfo("Asia/Bishkek"),
    "tj": ZoneInfo("Asia/Dushanbe"), "tm": ZoneInfo("Asia/Ashgabat"), "az": ZoneInfo("Asia/Baku"),
    "ge": ZoneInfo("Asia/Tbilisi"), "am": ZoneInfo("Asia/Yerevan"), "md": ZoneInfo("Europe/Chisinau"),
}
# A language, or a region after it ("ru-KZ", "ru_RU"): "ru" alone says no place.
_LANGUAGE_ZONES = {"kk": ALMATY, "be": _DOMAIN_ZONES["by"], "uk": _DOMAIN_ZONES["ua"], "uz": _DOMAIN_ZONES["uz"],
                   "ky": _DOMAIN_ZONES["kg"], "tg": _DOMAIN_ZONES["tj"], "tk": _DOMAIN_ZONES["tm"],
                   "az": _DOMAIN_ZONES["az"], "ka": _DOMAIN_ZONES["ge"], "hy": _DOMAIN_ZONES["am"]}
_REGION_ZONES = {"kz": ALMATY, "ru": MOSCOW, "by": _DOMAIN_ZONES["by"], "ua": _DOMAIN_ZONES["ua"],
                 "uz": _DOMAIN_ZONES["uz"], "kg": _DOMAIN_ZONES["kg"], "md": _DOMAIN_ZONES["md"]}


def _is_utc(zone: tzinfo) -> bool:
    return zone is UTC or (isinstance(zone, timezone) and zone.utcoffset(None) == timedelta(0))


def page_zone(stated: Iterable[str] = (), host: str = "", language: str | None = None) -> tzinfo:
    """The zone for a page's times that state none, when no site profile gives one.

    In order: the offset another date on the page states (JSON-LD, meta: the site's
    CMS knows its zone), the country domain, the language's region or the language;
    else UNPLACED (UTC), which keeps the wall time and the day as written.
    A stated UTC ("…T06:30:00.000Z", "+00:00") places nothing: it is how JavaScript and
    many CMSs serialize any instant, while the page prints its local time (a Next.js
    page's "03.07.2025, 11:30" beside dateTime="…T06:30:00.000Z" on a .kz site).
    """
    for value in stated:
        zone = stated_zone(value)
        if zone is not None and not _is_utc(zone):
            return zone
    tld = host.lower().rstrip(".").rsplit(".", 1)[-1] if host else ""
    if tld in _DOMAIN_ZONES:
        return _DOMAIN_ZONES[tld]
    parts = re.split(r"[-_]", (language or "").strip().lower())
    if len(parts) > 1 and parts[1] in _REGION_ZONES:
        return _REGION_ZONES[parts[1]]
    return _LANGUAGE_ZONES.get(parts[0], UNPLACED)


# "/2025/03/12/", "/2025-03-12/", "/20250312/" as a path segment: the day only.
_URL_DATE = re.compile(r"/((?:19|20)\d{2})([/-]?)(\d{2})\2(\d{2})(?=[/_.-]|$)|/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=/|$)")


def date_from_url(url: str | None, tz: tzinfo = UNPLACED) -> datetime | None:
    """The day a URL's path names, at midnight in `tz`; None when it names none."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    for m in _URL_DATE.finditer(path):
        year, _sep, month, day = m.group(1, 2, 3, 4) if m.group(1) else (m[5], "", m[6], m[7])
        try:
            found = datetime(int(year), int(month), int(day), tzinfo=tz)
        except ValueError:
            continue  # "/2025/13/45/": an id, not a day
        return found
    return None
