"""Publication dates as Russian-language news pages write them, always timezone-aware.

ISO 8601 (metadata) is parsed directly; the Russian forms news sites print are
matched by the patterns below; anything else goes to dateparser. A date with no
zone takes the site's zone (Asia/Almaty for Kazakh sites): never a naive datetime.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import dateparser

ALMATY = ZoneInfo("Asia/Almaty")

_MONTHS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}
_MONTH = r"(янв\w*|фев\w*|мар\w*|апр\w*|ма[йя]\w*|июн\w*|июл\w*|авг\w*|сен\w*|окт\w*|ноя\w*|дек\w*)\.?"
_TIME = r"(?:\s*(?:г\.|года|год)?\s*[,в]?\s*(?:в\s*)?(\d{1,2})[:.](\d{2}))?"

# "21 декабря 2025, 14:35", "25 Июля 2021"
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+" + _MONTH + r"\s+(\d{4})" + _TIME, re.I)
# "2026 Год 9 Февраля"
_YEAR_DAY_MONTH = re.compile(r"\b(\d{4})\s+год\w*\s+(\d{1,2})\s+" + _MONTH + _TIME, re.I)
# "21.12.2025 14:35", "21.12.2025, 14:35", DataLife Engine's "21-12-2025, 14:35", "21/12/2025":
# day first, as Russian-language sites write it; one separator throughout.
_NUMERIC = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:\s*[,в]?\s*(\d{1,2}):(\d{2}))?")
# "Сегодня, 14:35", "Вчера, 09:10"
_RELATIVE = re.compile(r"\b(сегодня|вчера|позавчера)\b\s*(?:,|в)?\s*(?:в\s*)?(\d{1,2}):(\d{2})", re.I)
_RELATIVE_DAYS = {"сегодня": 0, "вчера": 1, "позавчера": 2}


def _month(word: str) -> int:
    return _MONTHS[word[:3].lower()]


def _aware(dt: datetime, tz: tzinfo) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)


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
    try:
        m = _DAY_MONTH_YEAR.search(text)
        if m:
            day, month, year, hh, mm = m.groups()
            return datetime(int(year), _month(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        m = _YEAR_DAY_MONTH.search(text)
        if m:
            year, day, month, hh, mm = m.groups()
            return datetime(int(year), _month(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        m = _NUMERIC.search(text)
        if m:
            day, _sep, month, year, hh, mm = m.groups()
            return datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
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


def _dateparser(text: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    if len(text) > 80 or not re.search(r"\d", text):
        return None  # dateparser is slow and guesses on prose; dates are short
    settings = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": str(tz), "PREFER_DATES_FROM": "past"}
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
    found = dateparser.parse(text, languages=["ru", "kk", "en"], settings=settings)
    return _aware(found, tz) if found else None
