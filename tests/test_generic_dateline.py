"""A visible dateline with no year, on a page no profile knows (crawler/pages/article.py)."""
from __future__ import annotations

from datetime import datetime, timezone

from core.items import Page
from crawler.pages import extract

_TEXT = "".join(f"<p>Жители Самары выбрали проект сквера у речного вокзала, голосование номер {i} шло две недели "
                f"на городском портале, в нём приняли участие тысячи человек.</p>" for i in range(4))


def _page(dateline: str, data: str) -> bytes:
    return (f'<html lang="ru"><head><title>Сквер на набережной</title></head><body><main><h1>Волжане выбрали сквер</h1>'
            f'<span class="date">{dateline}</span><div class="body">{_TEXT}</div></main>'
            f'<script>self.__next_f.push([1,"{data}"])</script></body></html>').encode()


def test_the_year_comes_from_an_instant_in_the_page_data_for_the_same_day_and_time():
    data = '4:{\\"publishedAt\\":\\"2025-10-03T15:05:00.000Z\\",\\"updatedAt\\":\\"2026-01-10T09:00:00.000Z\\"}'
    raw = extract(Page(url="https://volga.example.ru/city/skver", body=_page("3 октября, 18:05", data),
                       fetched_at=datetime(2026, 11, 20, tzinfo=timezone.utc)))
    assert raw.published_at.isoformat() == "2025-10-03T18:05:00+03:00"


def test_without_a_matching_instant_the_year_stays_the_fetch_dates_guess():
    data = '4:{\\"updatedAt\\":\\"2024-10-03T11:00:00.000Z\\"}'  # same day, another time: not this dateline's
    raw = extract(Page(url="https://volga.example.ru/city/skver", body=_page("3 октября, 18:05", data),
                       fetched_at=datetime(2026, 11, 20, tzinfo=timezone.utc)))
    assert raw.published_at.isoformat() == "2026-10-03T18:05:00+03:00"


def test_a_dateline_with_its_year_is_not_touched():
    data = '4:{\\"publishedAt\\":\\"2024-10-03T15:05:00.000Z\\"}'
    raw = extract(Page(url="https://volga.example.ru/city/skver", body=_page("3 октября 2025, 18:05", data)))
    assert raw.published_at.isoformat() == "2025-10-03T18:05:00+03:00"
