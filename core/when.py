"""A point in time as people write it on a command line or in a Python call.

One reading for every command's --since/--until and for the Python API:
an aware datetime as is, a naive one in UTC, a date as the start (or, for an
upper bound, the end) of that UTC day, and text in these forms:

    2025-12-01, 2025-12-01T10:15, 2025-12-01T10:15+05:00   ISO 8601
    01.12.2025                                            day.month.year
    today, yesterday (also "сегодня", "вчера")            that UTC day
    24h, 7d, 2w                                           that long before now
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

FORMS = ("YYYY-MM-DD, DD.MM.YYYY, an ISO datetime such as 2025-12-20T10:15+05:00, "
         "today, yesterday, or an age such as 24h, 7d, 2w; times without an offset are UTC")

_AGE = re.compile(r"^(\d{1,5})\s*(h|d|w)$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DAYS = {"today": 0, "сегодня": 0, "yesterday": 1, "вчера": 1}


def parse_when(value: datetime | date | str, *, end_of_day: bool = False, now: datetime | None = None) -> datetime:
    """An aware datetime for `value`; ValueError (with the forms accepted) for anything else.

    `end_of_day` makes a bare day mean its last instant: `--until 2025-12-01` holds
    the whole of December 1st. An age ("7d") is a moment, never a day.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return _day(value, end_of_day)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date: use {FORMS}")
    text = value.strip().lower()
    now = now or datetime.now(UTC)
    if text in _DAYS:
        return _day(now.astimezone(UTC).date() - timedelta(days=_DAYS[text]), end_of_day)
    age = _AGE.match(text)
    if age:
        return now - int(age.group(1)) * _UNITS[age.group(2)]
    dotted = _DOTTED.match(text)
    try:
        if dotted:
            return _day(date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1))), end_of_day)
        if len(text) == 10:
            return _day(date.fromisoformat(text), end_of_day)
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use {FORMS}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _day(day: date, end_of_day: bool) -> datetime:
    return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
