"""How the commands print values: one spelling of a point in time, one JSON.

Every datetime a command prints, in any format (table, text, JSON, CSV), is ISO 8601
with its offset, in UTC as stored: `2025-12-20T05:15:00+00:00`. A table column that
shows only a day shows the UTC day (`2025-12-20`), also ISO 8601. JSON is UTF-8 as
written (`ensure_ascii=False`): Cyrillic stays readable, never `\\u0410`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def iso(value: datetime | None) -> str | None:
    """`value` as ISO 8601 with its offset, in UTC, to the second; None stays None."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


def day(value: datetime | None) -> str:
    """The UTC day of `value` (YYYY-MM-DD), or "-", for table columns."""
    return value.astimezone(UTC).date().isoformat() if value is not None else "-"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON with readable UTF-8 and every datetime as `iso` spells it."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_default)
