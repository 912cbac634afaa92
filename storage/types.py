"""Column types shared by the models.

`UTCDateTime` keeps every stored instant in UTC: PostgreSQL gets a
`timestamptz`, SQLite (which has no time zones) gets the naive UTC wall time,
and both hand back aware UTC datetimes. Naive datetimes are refused, because
nobody can tell later which zone they meant (site pages are in Asia/Almaty,
the crawler host may be anywhere).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, Dialect, text
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


def ensure_utc(value: datetime, *, what: str = "datetime") -> datetime:
    """Return `value` converted to UTC; raise ValueError if it is naive."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = ensure_utc(value)
        if dialect.name == "sqlite":
            # SQLite's DATETIME format has no offset: store the UTC wall time.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: the wall time was written as UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Reusable annotated column types (see "Mapping Whole Column Declarations" in the
# SQLAlchemy docs): the annotation carries the type, nullability and defaults.
intpk = Annotated[int, mapped_column(primary_key=True)]
created_now = Annotated[
    datetime,
    # CURRENT_TIMESTAMP is UTC on SQLite and an aware instant on PostgreSQL.
    mapped_column(UTCDateTime(), server_default=text("CURRENT_TIMESTAMP")),
]
