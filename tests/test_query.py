"""storage.query on SQLite and PostgreSQL: show, related, export, stats, the analyst API."""

from __future__ import annotations

import dataclasses
import tracemalloc
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert
from test_search import CORPUS, add_corpus

from core import items
from storage import api, models, open_db, query, runs
from storage.search import SearchHit


@pytest.fixture
def corpus_db(db):
    with db.session() as session:
        db.ids = add_corpus(session)
        run = runs.start_run(session, "demo")
        runs.finish_run(session, run, status="finished", stats={})
    return db


def test_find_article_by_id_and_by_url(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        by_id = query.find_article(session, ids[1])
        by_text_id = query.find_article(session, str(ids[1]))
        by_url = query.find_article(session, "https://demo.example/news/1")  # no trailing slash
        assert query.find_article(session, "https://demo.example/news/99/") is None
        assert query.find_article(session, 99999) is None
    assert by_id == by_text_id == by_url
    assert by_id.title == CORPUS[0].title
    assert by_id.body == CORPUS[0].body
    assert by_id.tags == ["Политика"]
    assert by_id.quotes == [query.QuoteView(
        position=0, text="Выборы пройдут честно", speaker="председатель ЦИК",
        speaker_canonical="Нурлан Абдиров", verb=None, paragraph=0, start=0, end=21, style="A",
    )]
    assert by_id.related == [query.LinkView(  # the link resolves to the stored article
        position=0, tag="Экономика", title="Курс тенге укрепился", url="https://demo.example/news/2/",
        article_id=ids[2], article_title=CORPUS[1].title,
    )]
    # What `newsdb show` prints besides: the row's and the Article's own fields.
    assert (by_id.id, by_id.site, by_id.url, by_id.published_at) == (
        ids[1], "demo", "https://demo.example/news/1/", CORPUS[0].published_at,
    )
    assert by_id.published_at.tzinfo == UTC and by_id.updated_at is not None
    assert (by_id.images, by_id.layers, by_id.parser_version) == ([], CORPUS[0].layers, "test")


def test_related_resolves_outgoing_and_finds_incoming(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        report = query.related_links(session, "https://demo.example/news/2/")
        unlinked = query.related_links(session, ids[4])
    assert [(link.title, link.article_id) for link in report.outgoing] == [("Выборы акимов", ids[1])]
    assert [(link.article_id, link.link_title) for link in report.incoming] == [
        (ids[1], "Курс тенге укрепился")
    ]
    assert unlinked.outgoing == [] and unlinked.incoming == []


def test_export_streams_every_article_with_children(corpus_db):
    with corpus_db.session() as session:
        records = list(query.iter_export(session, batch=2))  # two batches of two
    assert [r["id"] for r in records] == sorted(corpus_db.ids.values())
    assert all(list(r) == list(query.EXPORT_KEYS) for r in records)  # the contract's keys, images too
    first = records[0]
    assert first["quotes"][0]["text"] == "Выборы пройдут честно"
    assert first["related"] == [{"tag": "Экономика", "title": "Курс тенге укрепился", "url": "https://demo.example/news/2/"}]
    assert records[2]["tags"] == ["Политика", "Алматы"]
    assert first["body"] == CORPUS[0].body
    assert first["published_at"] == "2025-12-01T05:00:00+00:00"  # as stored: UTC
    assert first["images"] == []
    assert first["extraction"] == {"parser_version": "test", "layers": CORPUS[0].layers}


def test_export_filters(corpus_db):
    with corpus_db.session() as session:
        assert len(list(query.iter_export(session, site="other"))) == 1
        since = datetime(2025, 12, 3, tzinfo=UTC)
        assert [r["title"] for r in query.iter_export(session, since=since)] == [
            CORPUS[2].title,
            CORPUS[3].title,
        ]
        # The Python API reads dates as the CLI does: a string, a date, a DD.MM.YYYY day.
        assert [r["title"] for r in query.iter_export(session, since="2025-12-03")] == [CORPUS[2].title, CORPUS[3].title]
        assert [r["title"] for r in query.iter_export(session, since="03.12.2025")] == [CORPUS[2].title, CORPUS[3].title]
        upto = [r["title"] for r in query.iter_export(session, until=date(2025, 12, 1))]
        assert upto == [r["title"] for r in query.iter_export(session, until="2025-12-01")] and CORPUS[0].title in upto
        with pytest.raises(ValueError, match="'1 декабря' is not a date: use YYYY-MM-DD"):
            query.iter_export(session, since="1 декабря")  # at the call, before any row


def _bulk_articles(session, count: int, first: int = 0) -> None:
    site = api.get_or_create_site(session, "bulk")
    body = "\n".join(["Абзац новости о бюджете и выборах акимов. " * 8] * 6)
    session.execute(
        insert(models.Article),
        [
            {
                "site_id": site.id, "key": f"k{i}", "url": f"https://bulk.example/{i}/", "title": f"Новость {i}",
                "body": body, "authors": [], "language": "ru", "parser_version": "t", "layers": {},
                "content_hash": str(i),
            }
            for i in range(first, first + count)
        ],
    )


def _peak_while_exporting(session) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in query.iter_export(session, batch=50))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_memory_does_not_grow_with_the_database(db):
    with db.session() as session:
        _bulk_articles(session, 200)
    with db.session() as session:
        small_count, small_peak = _peak_while_exporting(session)
    with db.session() as session:
        _bulk_articles(session, 1000, first=200)
    with db.session() as session:
        large_count, large_peak = _peak_while_exporting(session)
    assert (small_count, large_count) == (200, 1200)
    # Six times the rows; a list-building export would need about six times the memory.
    assert large_peak < 2 * small_peak


def test_site_stats_count_quotes_dates_crawls_and_layers(corpus_db):
    with corpus_db.session() as session:
        stats = {s.site: s for s in query.site_stats(session)}
    demo = stats["demo"]
    assert (demo.articles, demo.quotes) == (3, 1)
    assert demo.first_published_at.date().isoformat() == "2025-12-01"
    assert demo.last_published_at.date().isoformat() == "2025-12-03"
    assert demo.last_crawl_status == "finished" and demo.last_crawl_at is not None
    assert demo.layers == {"body": {"generic": 3}, "title": {"profile": 3}}
    assert stats["other"].articles == 1 and stats["other"].last_crawl_at is None


def test_analyst_api_returns_plain_dataclasses(db, db_url):
    with open_db(db_url) as newsdb:  # it only reads: the database must exist (the `db` fixture made it)
        with newsdb.database.session() as session:
            ids = add_corpus(session)
        hits = newsdb.search("выборы акимов", site="demo")
        assert all(isinstance(hit, SearchHit) for hit in hits)
        by_id = {hit.id: hit for hit in hits}
        assert set(by_id) == {ids[1], ids[3]} and "[акимов]" in by_id[ids[1]].snippet
        quotes = newsdb.quotes(speaker="Абдиров")
        assert [q.text for q in quotes] == ["Выборы пройдут честно"]
        assert all(dataclasses.is_dataclass(q) for q in quotes)
        assert newsdb.quotes(speaker="Токаев") == []
        article = newsdb.article(ids[3])
        assert dataclasses.is_dataclass(article) and article.tags == ["Политика", "Алматы"]
        assert len(list(newsdb.export(site="demo"))) == 3
        assert {s.site for s in newsdb.stats()} == {"demo", "other"}


def test_analyst_api_counts_and_pages(db, db_url):
    with open_db(db_url) as newsdb:
        with newsdb.database.session() as session:
            ids = add_corpus(session)
        # `аким`: articles 3 (Dec 3) and 1 (Dec 1), both with it in the title: newest first
        assert newsdb.search_count("аким") == 2
        assert newsdb.search_count("аким", site="other") == 0
        assert [h.id for h in newsdb.search("аким", limit=1, offset=1)] == [ids[1]]
        assert [h.id for h in newsdb.search("аким", limit=None)] == [ids[3], ids[1]]
        assert newsdb.quote_count(speaker="Абдиров") == 1 and newsdb.quote_count(site="other") == 0
        assert newsdb.quotes(speaker="Абдиров", offset=1) == []


# -- any URL form of a stored article --------------------------------------------------

CARAVAN_URL = "https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/"


def _caravan_articles(session) -> dict[str, int]:
    """A caravan article (id 1145321 in its profile's URL patterns), a demo article
    with the same site id on another host, an article no profile keys (its URL is its
    key), and one whose related block links to the caravan article's AMP twin."""
    from test_search import make_article

    caravan = make_article(1, "Токаев провел совещание по экономике", None, ["Президент провел совещание."],
                           url=CARAVAN_URL, external_id="1145321", site="caravan")
    demo = make_article(2, "Совещание в акимате", None, ["Аким провел совещание."],
                        url="http://127.0.0.1:8089/news/soveshchanie-1145321/", external_id="1145321", site="demo")
    plain = make_article(3, "Погода на выходные", None, ["Синоптики обещают снег."],
                         url="https://weather.example/story/snow", external_id=None, site="weather")
    linking = make_article(
        4, "Бюджет на следующий год", None, ["Депутаты обсудили бюджет."], external_id="1145400", site="caravan",
        url="https://www.caravan.kz/news/byudzhet-1145400/",
        related=[items.RelatedLink(title="Токаев провел совещание",
                                   url="https://www.caravan.kz/amp/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/",
                                   tag="Политика"),
                 items.RelatedLink(title="Снег", url="http://weather.example/story/snow/", tag=None)],
    )
    return {name: api.upsert_article(session, article)[0]
            for name, article in (("caravan", caravan), ("demo", demo), ("plain", plain), ("linking", linking))}


@pytest.mark.parametrize("form", [
    CARAVAN_URL,
    "https://www.caravan.kz/amp/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/",  # the AMP twin
    "https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/amp/",
    "https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/?amp",
    "https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/?amp=1",
    "https://amp.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/",
    "https://www.caravan.kz/?p=1145321",  # the WordPress short link
    "http://caravan.kz/?p=1145321",
    "http://caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321",  # http, no www, no slash
    "https://caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/",
    "https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321/#comments",
    "  https://www.caravan.kz/news/tokaev-provel-soveshchanie-po-ehkonomike-1145321  ",
    "https://www.caravan.kz/news/drugoi-zagolovok-1145321/",  # the slug changed, the id did not
])
def test_find_article_by_any_url_form(db, form):
    with db.session() as session:
        ids = _caravan_articles(session)
        assert query.resolve_article_id(session, form) == ids["caravan"]
        assert query.find_article(session, form).url == CARAVAN_URL


def test_url_forms_stay_within_the_site_and_the_key(db):
    with db.session() as session:
        ids = _caravan_articles(session)
        # the same profile id on the demo host is the demo article, not caravan's
        assert query.resolve_article_id(session, "http://127.0.0.1:8089/?p=1145321") == ids["demo"]
        assert query.resolve_article_id(session, "http://127.0.0.1:8089/amp/news/x-1145321/") == ids["demo"]
        assert query.resolve_article_id(session, "http://127.0.0.1:9000/?p=1145321") is None  # another server
        assert query.resolve_article_id(session, "https://other.example/?p=1145321") is None
        assert query.resolve_article_id(session, "https://www.caravan.kz/?p=999") is None
        assert query.resolve_article_id(session, "https://www.caravan.kz/news/page/2/") is None
        # no profile keys the weather site: its URL forms still find it
        assert query.resolve_article_id(session, "http://www.weather.example/story/snow/") == ids["plain"]
        assert query.resolve_article_id(session, "https://weather.example/story/rain") is None
        assert query.resolve_article_id(session, "http://[::1") is None  # urllib cannot parse it


def test_related_links_by_url_forms(db):
    with db.session() as session:
        ids = _caravan_articles(session)
        outgoing = query.related_links(session, ids["linking"]).outgoing
        assert [(link.article_id, link.article_title) for link in outgoing] == [
            (ids["caravan"], "Токаев провел совещание по экономике"), (ids["plain"], "Погода на выходные"),
        ]
        # the link went to the AMP twin; it is found from the short link too
        incoming = query.related_links(session, "https://caravan.kz/?p=1145321").incoming
        assert [(link.article_id, link.link_title) for link in incoming] == [(ids["linking"], "Токаев провел совещание")]
        assert [link.article_id for link in query.related_links(session, ids["plain"]).incoming] == [ids["linking"]]


def test_analyst_api_finds_an_article_by_its_short_link(db, db_url):
    with db.session() as session:
        ids = _caravan_articles(session)
    with open_db(db_url) as newsdb:
        assert newsdb.article("http://caravan.kz/?p=1145321").id == ids["caravan"]
        assert newsdb.related("https://amp.caravan.kz/news/x-1145321/").article_id == ids["caravan"]
        assert newsdb.article("https://www.caravan.kz/?p=1") is None
