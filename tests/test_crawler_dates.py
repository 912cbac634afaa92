"""Dates as Russian-language pages print them; never naive."""

from datetime import datetime, timedelta, timezone

import pytest

from core.dates import parse_date

FETCHED = datetime(2025, 12, 21, 9, 0, tzinfo=timezone.utc)  # 14:00 in Almaty
ALMATY = timezone(timedelta(hours=5))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-12-20T10:15:00+05:00", datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY)),
        ("2025-12-20T05:15:00Z", datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY)),
        ("2025-12-20 10:15", datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY)),
        ("21 декабря 2025, 14:35", datetime(2025, 12, 21, 14, 35, tzinfo=ALMATY)),
        ("25 Июля 2025", datetime(2025, 7, 25, tzinfo=ALMATY)),
        ("21.12.2025 14:35", datetime(2025, 12, 21, 14, 35, tzinfo=ALMATY)),
        ("Сегодня, 14:35", datetime(2025, 12, 21, 14, 35, tzinfo=ALMATY)),
        ("Вчера, 09:10", datetime(2025, 12, 20, 9, 10, tzinfo=ALMATY)),
        ("2026 Год 9 Февраля", datetime(2026, 2, 9, tzinfo=ALMATY)),
        ("Опубликовано: 3 марта 2025 г. в 08:05", datetime(2025, 3, 3, 8, 5, tzinfo=ALMATY)),
        # DataLife Engine's default format, and the slash form
        ("21-12-2025, 14:35", datetime(2025, 12, 21, 14, 35, tzinfo=ALMATY)),
        ("21/12/2025", datetime(2025, 12, 21, tzinfo=ALMATY)),
        # Asia/Almaty was +06:00 before March 2024 (zoneinfo knows; keep it)
        ("25 Июля 2021", datetime(2021, 7, 25, tzinfo=timezone(timedelta(hours=6)))),
    ],
)
def test_dates(text, expected):
    found = parse_date(text, now=FETCHED)
    assert found == expected and found.tzinfo is not None


@pytest.mark.parametrize("text", ["", "Новости Казахстана", "31.02.2025", "Сегодня, 14:35 ночью без даты выборки"[:0]])
def test_not_dates(text):
    assert parse_date(text, now=FETCHED) is None


def test_relative_date_needs_a_fetch_time():
    assert parse_date("Сегодня, 14:35") is None


def test_mixed_separators_are_not_a_date():
    assert parse_date("21.12-2025", now=FETCHED, fuzzy=False) is None


def test_fuzzy_false_skips_dateparser():
    # dateparser reads "позавчера утром" style text; our own patterns do not
    assert parse_date("3 days ago", now=FETCHED, fuzzy=False) is None
    assert parse_date("3 days ago", now=FETCHED) is not None


# Found by benchmarks/fuzz_parse.py: dates with no UTC instant (the database stores
# UTC; storage's astimezone raised OverflowError), and a relative date whose time of
# day does not exist ("hour must be in 0..23" escaped parse_date).
@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+23:59", "01.01.0001 00:00", "1 января 0001",
                                  "9999-12-31T23:59:59-23:59", "Сегодня, 99:99", "Вчера, 23:60"])
def test_dates_with_no_utc_instant_or_time_of_day_are_not_dates(text):
    assert parse_date(text, now=FETCHED) is None


def test_a_relative_date_of_a_fetch_at_year_one_is_not_a_date():
    assert parse_date("Позавчера, 10:00", now=datetime(1, 1, 1, tzinfo=timezone.utc)) is None
    assert parse_date("31.12.9999 23:59", now=FETCHED).astimezone(timezone.utc).year == 9999
