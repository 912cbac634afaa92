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


# -- issue 11: a stated zone is kept; the calendar day never moves -------------

from zoneinfo import ZoneInfo  # noqa: E402

from core.dates import UNPLACED, ZONE_ABBREVIATIONS, date_from_url, page_zone, stated_zone  # noqa: E402
from core.items import Page  # noqa: E402
from crawler.pages.article import ArticlePage  # noqa: E402


def _tz(hours, minutes=0):
    return timezone(timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    "text, wall, offset",
    [
        # the example: was 03:02:50 the next day in Almaty
        ("2020-09-25T16:02:50CDT", datetime(2020, 9, 25, 16, 2, 50), -5),
        ("2020-09-25 16:02:50 CDT", datetime(2020, 9, 25, 16, 2, 50), -5),
        ("Sep 25, 2020 4:02 PM CDT", datetime(2020, 9, 25, 16, 2), -5),
        ("2020-09-25T16:02:50+03:00", datetime(2020, 9, 25, 16, 2, 50), 3),
        ("2020-09-25T16:02:50-0700", datetime(2020, 9, 25, 16, 2, 50), -7),
        ("2020-09-25T23:30:00Z", datetime(2020, 9, 25, 23, 30), 0),
        ("2020-09-25T16:02:50.123+03:00[Europe/Moscow]", datetime(2020, 9, 25, 16, 2, 50, 123000), 3),
        ("25.09.2020 23:30 MSK", datetime(2020, 9, 25, 23, 30), 3),
        ("25.09.2020 23:30 UTC", datetime(2020, 9, 25, 23, 30), 0),
        ("25.09.2020 23:30 GMT+3", datetime(2020, 9, 25, 23, 30), 3),
        ("25.09.2020 23:30 (UTC+06:00)", datetime(2020, 9, 25, 23, 30), 6),
        ("25.09.2020 23:30 +03:00", datetime(2020, 9, 25, 23, 30), 3),
        ("12 марта 2025, 14:35 МСК", datetime(2025, 3, 12, 14, 35), 3),
        ("12 марта 2025 в 14:35 по московскому времени", datetime(2025, 3, 12, 14, 35), 3),
        ("12.03.2025 14:35 по времени Астаны", datetime(2025, 3, 12, 14, 35), 5),
        ("12.03.2025 23:50 CET", datetime(2025, 3, 12, 23, 50), 1),
        ("12.07.2025 23:50 CEST", datetime(2025, 7, 12, 23, 50), 2),
        ("12.07.2025 23:50 EEST", datetime(2025, 7, 12, 23, 50), 3),
        ("12.01.2025 01:10 EST", datetime(2025, 1, 12, 1, 10), -5),
        ("12.07.2025 01:10 PDT", datetime(2025, 7, 12, 1, 10), -7),
        ("2025-03-12 14:35 Europe/Moscow", datetime(2025, 3, 12, 14, 35), 3),
        ("Fri, 25 Sep 2020 16:02:50 +0300", datetime(2020, 9, 25, 16, 2, 50), 3),
        ("Fri, 25 Sep 2020 23:02:50 GMT", datetime(2020, 9, 25, 23, 2, 50), 0),
        # Kazakhstan: ALMT is Asia/Almaty, +06 before 1 March 2024 and +05 since
        ("12.03.2025 23:30 ALMT", datetime(2025, 3, 12, 23, 30), 5),
        ("12.03.2023 23:30 ALMT", datetime(2023, 3, 12, 23, 30), 6),
        ("12.03.2025 23:30 QYZT", datetime(2025, 3, 12, 23, 30), 5),
        # Moscow was +04 in 2011-2014: MSK is Europe/Moscow, not a fixed +03
        ("12.03.2013 10:00 MSK", datetime(2013, 3, 12, 10, 0), 4),
    ],
)
def test_a_stated_zone_is_kept_as_stated(text, wall, offset):
    found = parse_date(text, ALMATY, now=FETCHED)  # the assumed zone must not win over the stated one
    assert found.replace(tzinfo=None) == wall, "the wall time and the day as the page wrote them"
    assert found.utcoffset() == timedelta(hours=offset)
    assert stated_zone(text) is not None


@pytest.mark.parametrize(
    "text, wall",
    [
        ("25.09.2020 23:30", datetime(2020, 9, 25, 23, 30)),
        ("2020-09-25T23:30:00", datetime(2020, 9, 25, 23, 30)),
        ("25 сентября 2020, 23:30", datetime(2020, 9, 25, 23, 30)),
        ("Вчера, 23:30", datetime(2025, 12, 20, 23, 30)),  # FETCHED is 21 Dec in every zone below
        ("14:35 +5, 12.03.2025", datetime(2025, 3, 12)),  # "+5" is no zone: a bare offset needs "+05:00"
    ],
)
@pytest.mark.parametrize("tz", [ZoneInfo("Asia/Almaty"), ZoneInfo("Europe/Moscow"), UNPLACED])
def test_a_time_without_a_zone_takes_the_given_zone_and_keeps_its_day(text, wall, tz):
    found = parse_date(text, tz, now=FETCHED)
    assert found.replace(tzinfo=None) == wall and found.tzinfo is tz
    assert stated_zone(text) is None


def test_the_zone_table():
    assert ZONE_ABBREVIATIONS["UTC"].utcoffset(None) == ZONE_ABBREVIATIONS["Z"].utcoffset(None) == timedelta(0)
    fixed = {"CDT": -5, "CST": -6, "EDT": -4, "EST": -5, "PDT": -7, "PST": -8, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3}
    for name, hours in fixed.items():
        assert ZONE_ABBREVIATIONS[name].utcoffset(None) == timedelta(hours=hours), name
    summer_2025 = datetime(2025, 7, 1)
    assert ZONE_ABBREVIATIONS["MSK"].utcoffset(summer_2025) == ZONE_ABBREVIATIONS["МСК"].utcoffset(summer_2025)
    assert ZONE_ABBREVIATIONS["ALMT"].utcoffset(summer_2025) == timedelta(hours=5)


def test_an_unknown_abbreviation_is_no_zone():
    found = parse_date("25.09.2020 23:30 XYZ", ALMATY, fuzzy=False)
    assert found == datetime(2020, 9, 25, 23, 30, tzinfo=ALMATY) and found.tzinfo is ALMATY


@pytest.mark.parametrize(
    "stated, host, language, zone",
    [
        (["2025-03-12T10:00:00+03:00"], "example.com", None, _tz(3)),  # another date's offset first…
        (["2025-03-12T10:00:00+03:00"], "news.kz", "kk", _tz(3)),  # …even over the domain
        (["2025-03-12 10:00"], "tengrinews.kz", None, ZoneInfo("Asia/Almaty")),  # no offset: not a clue
        ([], "www.zakon.kz", "ru", ZoneInfo("Asia/Almaty")),
        ([], "lenta.ru", None, ZoneInfo("Europe/Moscow")),
        ([], "xn--80aswg.xn--p1ai", None, ZoneInfo("Europe/Moscow")),  # .рф
        ([], "news.tut.by", None, ZoneInfo("Europe/Minsk")),
        ([], "www.unian.ua", None, ZoneInfo("Europe/Kyiv")),
        ([], "example.com", "kk", ZoneInfo("Asia/Almaty")),
        ([], "example.com", "ru-KZ", ZoneInfo("Asia/Almaty")),
        ([], "example.com", "ru_RU", ZoneInfo("Europe/Moscow")),
        ([], "example.com", "be-BY", ZoneInfo("Europe/Minsk")),
        ([], "example.com", "ru", UNPLACED),  # Russian is spoken in many zones
        ([], "example.com", None, UNPLACED),
    ],
)
def test_page_zone(stated, host, language, zone):
    summer_2025 = datetime(2025, 7, 1)
    assert page_zone(stated, host, language).utcoffset(summer_2025) == zone.utcoffset(summer_2025)


@pytest.mark.parametrize(
    "url, day",
    [
        ("https://lenta.ru/news/2025/03/12/tarify/", datetime(2025, 3, 12)),
        ("https://x.kz/news/2025/3/7/slug", datetime(2025, 3, 7)),
        ("https://x.kz/2025-03-12-tarify-vyrastut", datetime(2025, 3, 12)),
        ("https://x.kz/news/20250312/tarify.html", datetime(2025, 3, 12)),
        ("https://x.kz/news/tarify-1145321/", None),
        ("https://x.kz/news/12345678/", None),  # an id, not a day
        ("https://x.kz/news/2025/13/45/", None),
        ("https://x.kz/news/?date=2025/03/12", None),  # the query is no path
        (None, None),
    ],
)
def test_date_from_url(url, day):
    found = date_from_url(url, ZoneInfo("Asia/Almaty"))
    assert (found.replace(tzinfo=None) if found else None) == day


# -- pages: where dates are read, and in which zone ----------------------------

BODY = "".join(f"<p>Абзац {i}: в Алматы обсудили новые тарифы на коммунальные услуги, "
               f"которые вырастут с первого апреля, сообщили в акимате города.</p>" for i in range(4))


def _page(head="", dateline="", url="https://example.com/news/tarify/", lang="ru", fetched=FETCHED):
    html = (f'<html lang="{lang}"><head><title>Тарифы вырастут</title>{head}</head><body>'
            f'<h1>Тарифы на коммунальные услуги вырастут с апреля</h1>{dateline}<article>{BODY}</article>'
            f'</body></html>')
    return ArticlePage(Page(url=url, body=html.encode("utf-8"), fetched_at=fetched))


def _jsonld(**fields):
    import json

    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


@pytest.mark.parametrize(
    "page, wall, offset, layer",
    [
        # the issue: a zone name in JSON-LD, no profile; the day stays the 25th
        (_page(_jsonld(datePublished="2020-09-25T16:02:50CDT")), datetime(2020, 9, 25, 16, 2, 50), -5, "metadata"),
        (_page(_jsonld(datePublished="2025-03-12T23:30:00+03:00")), datetime(2025, 3, 12, 23, 30), 3, "metadata"),
        # no zone at 23:30 on a .kz domain: read in Almaty, still the 12th
        (_page(_jsonld(datePublished="2025-03-12T23:30:00"), url="https://tengrinews.kz/news/tarify-1/"),
         datetime(2025, 3, 12, 23, 30), 5, "metadata"),
        # no zone, but dateModified states +03:00: the page's CMS runs on Moscow time
        (_page(_jsonld(datePublished="2025-03-12T23:30:00", dateModified="2025-03-13T08:00:00+03:00")),
         datetime(2025, 3, 12, 23, 30), 3, "metadata"),
        # <html lang="kk">, a .com domain
        (_page('<meta property="article:published_time" content="2025-03-12 23:30">', lang="kk"),
         datetime(2025, 3, 12, 23, 30), 5, "metadata"),
        # nothing places the page: the wall time as written, in UTC
        (_page('<meta property="article:published_time" content="2025-03-12 23:30">'),
         datetime(2025, 3, 12, 23, 30), 0, "metadata"),
        # the <meta> variants CMSs write
        (_page('<meta property="og:published_time" content="2025-03-12T10:15:00+05:00">'),
         datetime(2025, 3, 12, 10, 15), 5, "metadata"),
        (_page('<meta name="DC.date.issued" content="2025-03-12T10:15:00+03:00">'),
         datetime(2025, 3, 12, 10, 15), 3, "metadata"),
        (_page('<meta name="sailthru.date" content="2025-03-12 10:15:00 MSK">'),
         datetime(2025, 3, 12, 10, 15), 3, "metadata"),
        (_page('<meta name="parsely-pub-date" content="2025-03-12T05:15:00Z">'),
         datetime(2025, 3, 12, 5, 15), 0, "metadata"),
        (_page('<meta name="pubdate" content="2025-03-12T10:15:00+06:00">'),
         datetime(2025, 3, 12, 10, 15), 6, "metadata"),
        (_page('<meta name="date" content="2025-03-12">', url="https://vlast.kz/novosti/1.html"),
         datetime(2025, 3, 12), 5, "metadata"),
        # a JSON-LD date that does not parse: the <meta> one after it answers
        (_page(_jsonld(datePublished="скоро") + '<meta property="article:published_time" content="2025-03-12T10:15:00+05:00">'),
         datetime(2025, 3, 12, 10, 15), 5, "metadata"),
        # <time datetime> keeps its offset
        (_page(dateline='<time datetime="2025-03-12T23:30:00+03:00">12 марта, 23:30</time>', url="https://x.kz/a/"),
         datetime(2025, 3, 12, 23, 30), 3, "metadata"),
        # visible datelines near the headline, in the page's zone
        (_page(dateline='<div class="meta">12 марта 2025, 14:35</div>', url="https://x.kz/a/"),
         datetime(2025, 3, 12, 14, 35), 5, "generic"),
        (_page(dateline='<span>12.03.2025 23:35</span>', url="https://lenta.ru/a/"),
         datetime(2025, 3, 12, 23, 35), 3, "generic"),
        (_page(dateline='<span>Вчера, 09:10</span>', url="https://x.kz/a/"),
         datetime(2025, 12, 20, 9, 10), 5, "generic"),
        (_page(dateline='<span>12.03.2025 23:35 МСК</span>', url="https://x.kz/a/"),
         datetime(2025, 3, 12, 23, 35), 3, "generic"),
        # the day in the URL, when nothing else dates the page
        (_page(url="https://x.kz/news/2025/03/12/tarify/"), datetime(2025, 3, 12), 5, "generic"),
        (_page(url="https://example.com/2025/03/12/tarify/"), datetime(2025, 3, 12), 0, "generic"),
    ],
)
def test_page_dates(page, wall, offset, layer):
    found = page.published_at
    assert found is not None and found.replace(tzinfo=None) == wall
    assert found.utcoffset() == timedelta(hours=offset)
    assert page.layers["published_at"] == layer


def test_metadata_beats_the_url_and_the_dateline():
    page = _page('<meta property="article:published_time" content="2025-03-11T10:00:00+05:00">',
                 dateline="<span>12.03.2025 14:35</span>", url="https://x.kz/2025/03/13/a/")
    assert page.published_at == datetime(2025, 3, 11, 10, 0, tzinfo=_tz(5))


def test_a_profile_zone_applies_only_to_times_without_one():
    from dataclasses import replace

    from core.profiles import load_profile

    demo = replace(load_profile("demo"), timezone=ZoneInfo("Europe/Moscow"))
    page = _page(_jsonld(datePublished="2020-09-25T16:02:50CDT", dateModified="2020-09-25T23:30:00"),
                 url="https://x.kz/a/")
    page = ArticlePage(page.page, demo)
    assert page.published_at.utcoffset() == timedelta(hours=-5)
    assert page.modified_at == datetime(2020, 9, 25, 23, 30, tzinfo=ZoneInfo("Europe/Moscow"))


def test_a_page_with_no_date_anywhere_has_none():
    assert _page().published_at is None


def test_a_time_inside_a_teaser_link_is_not_the_articles_date():
    # a "Главное за сутки" ticker above the headline: its <time dateTime> are other articles'
    ticker = ('<div class="ticker"><a href="/news/a-1"><time dateTime="2025-07-02T17:45:00.000Z">22:45</time>'
              '<span>Многодетным семьям компенсируют покупку формы</span></a></div>')
    html = (f'<html lang="ru"><head><title>Тарифы вырастут</title></head><body>{ticker}'
            f'<h1>Тарифы на коммунальные услуги вырастут с апреля</h1><time>03.07.2025, 11:30</time>'
            f'<article>{BODY}</article></body></html>')
    page = ArticlePage(Page(url="https://x.kz/a/", body=html.encode("utf-8"), fetched_at=FETCHED))
    assert page.published_at == datetime(2025, 7, 3, 11, 30, tzinfo=_tz(5))
    assert page.layers["published_at"] == "generic"


def test_a_stated_utc_does_not_place_a_page_its_domain_places():
    # JavaScript writes every instant in UTC ("…Z"); the .kz page prints Almaty time
    from core.dates import page_zone

    assert page_zone(["2025-07-02T17:45:00.000Z"], "qalam.kz", "ru") == ZoneInfo("Asia/Almaty")
    assert page_zone(["2025-07-02T17:45:00+00:00"], "example.com", "ru") == timezone.utc
    assert page_zone(["2025-07-02T17:45:00Z", "2025-07-02T20:45:00+03:00"], "x.kz", "ru") == timezone(timedelta(hours=3))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15 наурыз 2025, 11:20", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("3 желтоқсан 2025 ж. 09:15", datetime(2025, 12, 3, 9, 15, tzinfo=ALMATY)),
        ("2025 жылғы 15 наурыз, 11:20", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("2025 ж. 3 қазанда", datetime(2025, 10, 3, tzinfo=ALMATY)),
        ("Сенбі, 22 мамыр 2025", datetime(2025, 5, 22, tzinfo=ALMATY)),
        ("1 маусым 2025", datetime(2025, 6, 1, tzinfo=ALMATY)),
        ("12 қараша 2021", datetime(2021, 11, 12, tzinfo=timezone(timedelta(hours=6)))),
    ],
)
def test_kazakh_month_names_by_our_own_patterns(text, expected):
    # without dateparser (fuzzy=False): the fast path every dateline candidate takes first
    assert parse_date(text, now=FETCHED, fuzzy=False) == expected


def test_a_word_that_starts_like_a_kazakh_month_is_no_month():
    assert parse_date("2 Қазақстан 2025", fuzzy=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15.03.2025 г., 11:20", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("15.03.2025г. 11:20", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("15.03.2025 в 11:20", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        # the time printed before the date
        ("11:20, 15.03.2025", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("11:20 / 15 марта 2025", datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)),
        ("99:20, 15.03.2025", datetime(2025, 3, 15, tzinfo=ALMATY)),  # a score, not a time
    ],
)
def test_the_time_beside_a_numeric_or_worded_date(text, expected):
    assert parse_date(text, now=FETCHED, fuzzy=False) == expected


def _state_page(state: str, dateline: str = '<span class="date">3 октября, 18:05</span>'):
    html = (f'<html lang="ru"><head><title>Сквер на набережной</title></head><body>'
            f'<h1>Волжане проголосовали за новый сквер на набережной</h1>{dateline}<article>{BODY}</article>'
            f'<script>{state}</script></body></html>')
    return ArticlePage(Page(url="https://volga.ru/city/skver", body=html.encode("utf-8")))


def test_an_app_states_publication_time_next_to_the_articles_title():
    # Next.js App Router: the data lives in a flight chunk's string, quotes escaped
    state = ('self.__next_f.push([1,"4:[\\"$\\",\\"article\\",null,{\\"data\\":{\\"id\\":58112,'
             '\\"title\\":\\"Волжане проголосовали за новый сквер на набережной\\",'
             '\\"publishedAt\\":\\"2025-10-03T15:05:00.000Z\\"}}]\\n"])')
    page = _state_page(state)
    assert page.published_at == datetime(2025, 10, 3, 15, 5, tzinfo=timezone.utc)
    assert page.layers["published_at"] == "metadata"


def test_a_state_date_far_from_the_title_is_a_teasers():
    feed = ",".join(f'{{"title":"Новость ленты номер {i} о городских делах","publishedAt":"2024-0{i}-01T10:00:00Z"}}'
                    for i in range(1, 9))
    state = ('window.__NUXT__={data:[{feed:[' + feed + ']}],' + " " * 2000
             + 'article:{title:"Волжане проголосовали за новый сквер на набережной"}}')
    from crawler.pages.metadata import _STATE_DATE, _nearest, _state_spots
    import lxml.html

    def state_date(page):
        return _nearest(_state_spots(lxml.html.document_fromstring(page), None), _STATE_DATE)

    assert state_date(_state_page(state).text) is None
    no_title = 'window.__NUXT__={data:[{title:"Другая статья о погоде в городе",publishedAt:"2024-01-01T10:00:00Z"}]}'
    assert state_date(_state_page(no_title).text) is None


@pytest.mark.parametrize("text", ["3 октября, 18:05", "2 часа назад"])
def test_a_date_without_a_year_needs_the_fetch_time(text):
    # without it dateparser would take today's year and clock: a day the page never stated
    assert parse_date(text) is None
    assert parse_date(text, now=FETCHED) is not None


def test_a_two_digit_year_still_names_its_year():
    assert parse_date("15.03.25 11:20") == datetime(2025, 3, 15, 11, 20, tzinfo=ALMATY)


def test_a_sidebar_teasers_time_beside_its_headline_link_is_not_the_articles():
    # tagDiv 'Latest articles': <h3><a>headline</a></h3><div><time datetime></div>; the article's
    # own <time> has no datetime, its header holds the <h1>
    teaser = ('<aside><div class="td_module_6"><h3><a href="/2025/01/28/dtp-al-farabi-nochyu/">Ночное ДТП на Аль-Фараби: '
              'пострадали три человека</a></h3><div class="td-editor-date"><span><time datetime="2025-01-28T23:05:00+05:00">'
              'January 28, 2025</time></span></div></div></aside>')
    html = (f'<html lang="ru"><head><title>Фестиваль</title></head><body>'
            f'<header><h1>Тарифы на коммунальные услуги вырастут с апреля</h1><div class="meta"><a href="/author/d/">Дарья Серикова</a>'
            f'<time>January 28, 2025 at 11:40 pm</time></div></header><article>{BODY}</article>{teaser}</body></html>')
    page = ArticlePage(Page(url="https://x.kz/2025/01/28/festival/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 1, 28, 23, 40, tzinfo=_tz(5))


def test_the_articles_own_time_beside_its_headline_and_author_links_counts():
    html = (f'<html lang="ru"><head><title>Тарифы</title></head><body><div itemscope itemtype="https://schema.org/NewsArticle">'
            f'<h1>Тарифы на коммунальные услуги вырастут с апреля</h1><div class="byline"><a href="/author/madina-tulegenova/">'
            f'Мадина Тулегенова</a>, <time datetime="2025-06-02T15:20:00+05:00">2 июня 2025</time></div>'
            f'<div>{BODY}</div><div><a href="/news/other-article-about-prices/">Цены на бензин выросли снова в июне</a></div></div>'
            f'</body></html>')
    page = ArticlePage(Page(url="https://x.kz/news/tarify/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 6, 2, 15, 20, tzinfo=_tz(5))


@pytest.mark.parametrize("chrome", [
    '<header class="site-header"><div class="topbar"><time datetime="2025-03-22">Сенбі, 22 наурыз 2025</time></div></header>',
    '<div class="top-bar"><time datetime="2025-03-22T09:00:00+05:00">22.03.2025</time></div>',
])
def test_a_header_clock_with_a_datetime_is_not_the_articles_date(chrome):
    html = (f'<html lang="ru"><head><title>Тарифы</title></head><body>{chrome}'
            f'<div class="post"><h1>Тарифы на коммунальные услуги вырастут с апреля</h1>'
            f'<div class="meta"><time datetime="2025-03-15T11:20:00+05:00">15.03.2025</time></div>'
            f'<article>{BODY}</article></div></body></html>')
    page = ArticlePage(Page(url="https://x.kz/news/tarify/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 3, 15, 11, 20, tzinfo=_tz(5))


def test_the_articles_own_header_time_counts():
    html = (f'<html lang="ru"><head><title>Тарифы</title></head><body><article><header class="entry-header">'
            f'<h1>Тарифы на коммунальные услуги вырастут с апреля</h1><time datetime="2025-03-15T11:20:00+05:00">'
            f'15.03.2025</time></header>{BODY}</article></body></html>')
    page = ArticlePage(Page(url="https://x.kz/news/tarify/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 3, 15, 11, 20, tzinfo=_tz(5))


def test_the_time_in_an_articles_own_footer_counts():
    # Twenty Twenty-One: <footer class="entry-footer"><span class="posted-on">Published <time …></span></footer>
    html = (f'<html lang="ru"><head><title>Тарифы</title></head><body><header class="site-header"><a href="/">Сайт</a></header>'
            f'<article class="post"><header class="entry-header"><h1>Тарифы на коммунальные услуги вырастут с апреля</h1>'
            f'</header><div class="entry-content">{BODY}</div><footer class="entry-footer"><span class="posted-on">Published '
            f'<time class="entry-date published" datetime="2025-03-15T11:20:00+05:00">15.03.2025</time></span></footer>'
            f'</article></body></html>')
    page = ArticlePage(Page(url="https://x.kz/news/tarify/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 3, 15, 11, 20, tzinfo=_tz(5))


def test_a_date_item_takes_the_time_its_next_item_prints_alone():
    # Elementor Pro post-info: the date and the time are two list items
    meta = ('<ul class="elementor-post-info"><li itemprop="datePublished"><a href="/2025/03/17/"><span>17 марта 2025'
            '</span></a></li><li><span><time>21:50</time></span></li></ul>')
    html = (f'<html lang="ru"><head><title>Тарифы</title></head><body><h1>Тарифы на коммунальные услуги вырастут с апреля</h1>'
            f'{meta}<article>{BODY}</article></body></html>')
    page = ArticlePage(Page(url="https://x.kz/news/tarify/", body=html.encode("utf-8")))
    assert page.published_at == datetime(2025, 3, 17, 21, 50, tzinfo=_tz(5))


@pytest.mark.parametrize("text, expected", [
    ("01.12.26 18:40", "2026-12-01T18:40:00+05:00"),  # day first, two-digit year, as Russian sites print it
    ("03.12.25", "2025-12-03T00:00:00+05:00"),
])
def test_a_two_digit_year_is_day_first(text, expected):
    assert parse_date(text, fuzzy=False).isoformat() == expected


def test_a_version_number_is_no_date():
    assert parse_date("версия 1.2.3", fuzzy=False) is None
