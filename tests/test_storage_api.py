"""storage.api on SQLite and PostgreSQL: the archive, articles, summaries."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import exc, func, select

from core.items import Article, Image, Page, Quote, RelatedLink
from storage import api, models, runs
from storage.types import UTCDateTime

ALMATY = timezone(timedelta(hours=5))
PUBLISHED = datetime(2025, 12, 20, 10, 15, tzinfo=ALMATY)


def make_page(body: bytes = "<html><p>Глава государства</p></html>".encode(), **changes) -> Page:
    page = Page(
        url="https://www.caravan.kz/news/tokaev-1234/",
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8"},
        final_url="https://www.caravan.kz/news/tokaev-1234/",
        fetched_at=datetime(2025, 12, 20, 11, 0, tzinfo=ALMATY),
        site="caravan",
    )
    return dataclasses.replace(page, **changes)


def make_article(**changes) -> Article:
    article = Article(
        url="https://www.caravan.kz/news/tokaev-1234/",
        canonical_url="https://www.caravan.kz/news/tokaev-1234/",
        is_article=True,
        title="Токаев провел совещание по развитию энергетики",
        lead=(
            "Глава государства поручил ускорить модернизацию ТЭЦ, "
            "передает Caravan.kz со ссылкой на Акорду."
        ),
        published_at=PUBLISHED,
        modified_at=None,
        authors=["Айгуль Сериккызы"],
        source="Акорду",
        body=[
            "Президент провел совещание в Акорде.",
            "— Уверен, что мы справимся с этой задачей, — убежден глава государства.",
        ],
        quotes=[
            Quote(
                text="Уверен, что мы справимся с этой задачей",
                speaker="глава государства",
                speaker_canonical="Касым-Жомарт Токаев",
                paragraph=1,
                start=2,
                end=41,
                style="A",
                verb="убежден",
                verb_lemma="убедить",
            )
        ],
        related=[
            RelatedLink(
                title="В Алматы открыли новую школу",
                url="https://www.caravan.kz/news/shkola-99/",
                tag="Общество",
            ),
            RelatedLink(
                title="Курс тенге на 20 декабря",
                url="https://www.caravan.kz/news/kurs-98/",
                tag="Экономика",
            ),
        ],
        tags=["Токаев", "энергетика"],
        images=[Image(url="https://www.caravan.kz/img/tokaev.jpg", caption="Фото: Акорда")],
        language="ru",
        parser_version="1.0",
        layers={"title": "metadata", "body": "generic"},
        external_id="1234",
        site="caravan",
    )
    return dataclasses.replace(article, **changes)


def counts(session) -> dict[str, int]:
    return api.table_counts(session)


# -- sites and runs ----------------------------------------------------------


def test_get_or_create_site_is_idempotent_and_fills_base_url(db):
    with db.session() as session:
        first = api.get_or_create_site(session, "caravan")
        again = api.get_or_create_site(session, "caravan", "https://www.caravan.kz/")
        assert first.id == again.id
        assert again.base_url == "https://www.caravan.kz/"
        assert counts(session)["sites"] == 1


def test_crawl_run_start_and_finish(db):
    with db.session() as session:
        run_id = runs.start_run(session, "demo")
    with db.session() as session:
        run = session.get(models.CrawlRun, run_id)
        assert (run.status, run.finished_at, run.stats) == ("running", None, {})
        assert run.started_at.tzinfo is not None
        runs.finish_run(session, run_id, status="finished", stats={"pages": 3, "articles": 2})
    with db.session() as session:
        run = session.get(models.CrawlRun, run_id)
        assert run.status == "finished"
        assert run.stats == {"pages": 3, "articles": 2}
        assert run.finished_at.tzinfo == UTC
        with pytest.raises(ValueError):
            runs.finish_run(session, run_id, status="done", stats={})
        with pytest.raises(LookupError):
            runs.finish_run(session, run_id + 100, status="failed", stats={})


# -- the page archive --------------------------------------------------------


def test_identical_bytes_are_archived_once(db):
    with db.session() as session:
        run_id = runs.start_run(session, "caravan")
        page_id, created = api.archive_page(session, make_page(), crawl_run_id=run_id)
        assert created
    later = datetime(2025, 12, 21, 9, 0, tzinfo=UTC)
    with db.session() as session:
        again_id, created = api.archive_page(session, make_page(fetched_at=later))
        assert (again_id, created) == (page_id, False)
    with db.session() as session:
        assert counts(session)["pages"] == 1
        row = session.get(models.Page, page_id)
        assert row.fetched_at == datetime(2025, 12, 20, 6, 0, tzinfo=UTC)
        assert row.last_fetched_at == later
        assert row.crawl_run_id == run_id


def test_changed_bytes_make_a_new_version(db):
    with db.session() as session:
        first, _ = api.archive_page(session, make_page())
        second, created = api.archive_page(session, make_page(body="<p>Обновлено</p>".encode()))
        assert created and second != first
        assert api.iter_page_ids(session) == [first, second]
        assert api.iter_page_ids(session, site="caravan") == [first, second]
        assert api.iter_page_ids(session, site="demo") == []


def test_load_page_round_trips_body_and_metadata(db):
    body = "<html><meta charset=windows-1251><p>Привет</p></html>".encode("cp1251") * 50
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page(body=body, status=203))
    with db.session() as session:
        row = session.get(models.Page, page_id)
        assert row.body_size == len(body)
        assert len(row.body) < len(body)  # stored gzip-compressed
        page = api.load_page(session, page_id)
    assert page == make_page(body=body, status=203, page_id=page_id,
                             fetched_at=datetime(2025, 12, 20, 6, 0, tzinfo=UTC))


def test_page_error_then_successful_parse(db):
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page())
        assert session.get(models.Page, page_id).is_article is None
        api.record_page_error(session, page_id, "no title found", parser_version="1.0")
    with db.session() as session:
        row = session.get(models.Page, page_id)
        assert (row.error, row.parser_version) == ("no title found", "1.0")
        assert row.error_at is not None
        api.mark_page_parsed(session, page_id, is_article=True, parser_version="1.1")
    with db.session() as session:
        row = session.get(models.Page, page_id)
        assert (row.is_article, row.error, row.error_at, row.parser_version) == (True, None, None, "1.1")
        assert row.parsed_at is not None
        with pytest.raises(LookupError):
            api.load_page(session, page_id + 1)


# -- datetimes ---------------------------------------------------------------


def test_aware_datetimes_round_trip_as_the_same_instant(db):
    moscow = timezone(timedelta(hours=3))
    fetched = datetime(2025, 12, 31, 23, 30, tzinfo=moscow)
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page(fetched_at=fetched))
        article_id, _ = api.upsert_article(session, make_article(page_id=page_id))
    with db.session() as session:
        page_row = session.get(models.Page, page_id)
        article_row = session.get(models.Article, article_id)
        assert page_row.fetched_at.tzinfo == UTC
        assert page_row.fetched_at == fetched  # same instant...
        assert page_row.fetched_at.replace(tzinfo=None) == datetime(2025, 12, 31, 20, 30)  # ...in UTC
        assert article_row.published_at == PUBLISHED
        assert article_row.published_at.hour == 5 and article_row.published_at.tzinfo == UTC


def test_naive_datetimes_are_refused(db):
    naive = datetime(2025, 12, 20, 10, 15)
    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime().process_bind_param(naive, db.engine.dialect)
    with pytest.raises(ValueError, match="timezone-aware"):
        with db.session() as session:
            api.archive_page(session, make_page(fetched_at=naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        with db.session() as session:
            api.upsert_article(session, make_article(published_at=naive))
    with pytest.raises(exc.StatementError) as caught:  # the column type itself refuses too
        with db.session() as session:
            site = api.get_or_create_site(session, "demo")
            session.add(models.CrawlRun(site_id=site.id, status="running", stats={}, finished_at=naive))
    assert isinstance(caught.value.orig, ValueError)
    with db.session() as session:
        assert counts(session)["pages"] == counts(session)["articles"] == 0
        assert counts(session)["crawl_runs"] == 0


# -- articles ----------------------------------------------------------------


def test_new_article_is_stored_with_all_its_parts(db):
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page())
        article_id, outcome = api.upsert_article(session, make_article(page_id=page_id))
        assert outcome == "new"
    with db.session() as session:
        row = session.get(models.Article, article_id)
        assert row.key == "id:1234"
        assert row.page_id == page_id
        assert row.site.name == "caravan"
        assert row.body.split("\n") == make_article().body
        assert row.authors == ["Айгуль Сериккызы"]
        assert row.layers == {"title": "metadata", "body": "generic"}
        quotes = [(q.speaker_canonical, q.verb_lemma, q.start_offset, q.end_offset) for q in row.quotes]
        assert quotes == [("Касым-Жомарт Токаев", "убедить", 2, 41)]
        assert [(link.position, link.tag, link.title) for link in row.related_links] == [
            (0, "Общество", "В Алматы открыли новую школу"),
            (1, "Экономика", "Курс тенге на 20 декабря"),
        ]
        assert [link.tag.name for link in row.tag_links] == ["Токаев", "энергетика"]
        assert [(image.url, image.caption) for image in row.images] == [
            ("https://www.caravan.kz/img/tokaev.jpg", "Фото: Акорда")
        ]


def test_second_identical_upsert_is_unchanged_and_writes_no_rows(db):
    with db.session() as session:
        article_id, _ = api.upsert_article(session, make_article())
    with db.session() as session:
        before = counts(session)
        updated_at = session.get(models.Article, article_id).updated_at
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page(body=b"<p>AMP</p>"))
        # Same content at another offset and from another parser run: still unchanged.
        same = make_article(
            published_at=PUBLISHED.astimezone(UTC), parser_version="1.1", page_id=page_id
        )
        assert api.upsert_article(session, same) == (article_id, "unchanged")
    with db.session() as session:
        after = counts(session)
        row = session.get(models.Article, article_id)
        assert after == {**before, "pages": before["pages"] + 1}
        assert row.page_id == page_id  # points at the newest page
        assert row.parser_version == "1.0"  # nothing else was written
        assert row.updated_at == updated_at


def _earlier_scheme_hash(article: Article) -> str:
    """The content hash as storage.api computed it before the contract serializer."""
    content = {
        "title": article.title, "lead": article.lead,
        "published_at": article.published_at.astimezone(UTC).isoformat() if article.published_at else None,
        "modified_at": article.modified_at.astimezone(UTC).isoformat() if article.modified_at else None,
        "authors": list(article.authors), "source": article.source, "body": list(article.body),
        "quotes": [[q.text, q.speaker, q.speaker_canonical, q.paragraph, q.start, q.end, q.style,
                    q.verb, q.verb_lemma] for q in article.quotes],
        "related": [[link.tag, link.title, link.url] for link in article.related],
        "tags": list(article.tags),
        "images": [[image.url, image.caption] for image in article.images],
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def test_a_hash_of_the_earlier_scheme_is_refreshed_and_keeps_no_version(db):
    """A database written before the hash followed the contract: the same content
    re-parsed is "unchanged"; only the hash and the page pointer move."""
    article = make_article()
    with db.session() as session:
        article_id, _ = api.upsert_article(session, article)
        row = session.get(models.Article, article_id)
        row.content_hash = _earlier_scheme_hash(article)
        assert row.content_hash != api.article_content_hash(article)
    with db.session() as session:
        before = counts(session)
        updated_at = session.get(models.Article, article_id).updated_at
        quote_ids = [q.id for q in session.get(models.Article, article_id).quotes]
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page(body=b"<p>re-fetched</p>"))
        assert api.upsert_article(session, make_article(page_id=page_id)) == (article_id, "unchanged")
    with db.session() as session:
        row = session.get(models.Article, article_id)
        assert row.content_hash == api.article_content_hash(article)
        assert row.page_id == page_id and row.updated_at == updated_at
        assert [q.id for q in row.quotes] == quote_ids  # the children were not rewritten
        assert counts(session) == {**before, "pages": before["pages"] + 1}  # and no version kept
    with db.session() as session:  # a real change afterwards is still an update with its version
        assert api.upsert_article(session, make_article(title="Новый заголовок")) == (article_id, "updated")
        assert counts(session)["article_versions"] == 1


def test_update_replaces_the_children(db):
    with db.session() as session:
        article_id, _ = api.upsert_article(session, make_article())
    changed = make_article(
        title="Токаев провел совещание по энергетике (обновлено)",
        quotes=[
            Quote("Работы много", "министр", None, paragraph=0, start=0, end=12),
            Quote("Сроки не сорвем", "аким", "Ерболат Досаев", paragraph=1, start=3, end=18),
        ],
        related=[RelatedLink(title="Новая ТЭЦ в Кокшетау", url="https://www.caravan.kz/news/tec-7/")],
        tags=["энергетика", "ТЭЦ", "энергетика"],
        images=[],
    )
    with db.session() as session:
        assert api.upsert_article(session, changed) == (article_id, "updated")
    with db.session() as session:
        row = session.get(models.Article, article_id)
        assert row.title.endswith("(обновлено)")
        assert [q.text for q in row.quotes] == ["Работы много", "Сроки не сорвем"]
        assert [link.title for link in row.related_links] == ["Новая ТЭЦ в Кокшетау"]
        assert [link.tag.name for link in row.tag_links] == ["энергетика", "ТЭЦ"]
        assert row.images == []
        assert row.updated_at >= row.created_at
        assert counts(session) == {
            "sites": 1, "tags": 3, "crawl_runs": 0, "pages": 0, "articles": 1,
            "article_tags": 2, "images": 0, "quotes": 2, "related_links": 1,
            "article_versions": 1,  # the replaced version, kept as history
            "urls": 0, "fetch_failures": 0,
        }
        # The old tag "Токаев" stays in tags: other articles may use it.


def test_articles_are_keyed_per_site(db):
    with db.session() as session:
        first, _ = api.upsert_article(session, make_article())
        other_site, outcome = api.upsert_article(session, make_article(site="demo"))
        assert outcome == "new" and other_site != first
        by_url, _ = api.upsert_article(session, make_article(external_id=None))
        assert by_url not in (first, other_site)
        assert session.get(models.Article, by_url).key == "https://www.caravan.kz/news/tokaev-1234/"


def test_failed_child_leaves_no_half_written_article(db):
    bad_quote = Quote(text="Сломано", speaker=None, speaker_canonical=None, paragraph=0, start=10, end=2)
    with pytest.raises(exc.IntegrityError):
        with db.session() as session:
            api.archive_page(session, make_page())
            api.upsert_article(session, make_article(quotes=[bad_quote]))
    with db.session() as session:
        assert set(counts(session).values()) == {0}


def test_articles_that_cannot_be_stored_are_refused(db):
    with db.session() as session:
        with pytest.raises(ValueError, match="newline"):
            api.upsert_article(session, make_article(body=["первый\nвторой"]))
        with pytest.raises(ValueError, match="not an article"):
            api.upsert_article(session, make_article(is_article=False))
        with pytest.raises(ValueError, match="no site"):
            api.upsert_article(session, make_article(site=None))
        assert counts(session)["articles"] == 0


def test_deleting_an_article_cascades_to_its_parts(db):
    with db.session() as session:
        article_id, _ = api.upsert_article(session, make_article())
    with db.session() as session:
        session.execute(models.Article.__table__.delete().where(models.Article.id == article_id))
    with db.session() as session:
        for table in ("quotes", "related_links", "images", "article_tags"):
            assert counts(session)[table] == 0, table


# -- summaries ---------------------------------------------------------------


def test_table_counts_and_site_summary(db):
    with db.session() as session:
        assert counts(session) == dict.fromkeys(
            ["sites", "tags", "crawl_runs", "pages", "articles", "article_tags",
             "images", "quotes", "related_links", "article_versions", "urls", "fetch_failures"], 0
        )
        run_id = runs.start_run(session, "caravan")
        api.archive_page(session, make_page(), crawl_run_id=run_id)
        api.upsert_article(session, make_article())
        later = make_article(external_id="1235", published_at=PUBLISHED + timedelta(days=2))
        api.upsert_article(session, later)
        runs.finish_run(session, run_id, status="finished", stats={"articles": 2})
        api.get_or_create_site(session, "demo", "http://127.0.0.1:8080/")
    with db.session() as session:
        summary = api.site_summary(session)
        finished_at = session.get(models.CrawlRun, run_id).finished_at
        assert session.scalar(select(func.count()).select_from(models.Quote)) == 2
    assert summary == [
        {
            "name": "caravan", "base_url": None, "pages": 1, "articles": 2, "quotes": 2,
            "related_links": 4, "first_published_at": PUBLISHED,
            "last_published_at": PUBLISHED + timedelta(days=2), "last_run_finished_at": finished_at,
        },
        {
            "name": "demo", "base_url": "http://127.0.0.1:8080/", "pages": 0, "articles": 0,
            "quotes": 0, "related_links": 0, "first_published_at": None,
            "last_published_at": None, "last_run_finished_at": None,
        },
    ]
    assert summary[0]["first_published_at"].tzinfo == UTC


def test_two_articles_with_a_new_tag_in_one_session(db):
    """Tags are looked up in one query without autoflush; a tag the first article
    created in the same transaction is reused by the second, not inserted twice."""
    from dataclasses import replace

    base = make_article()
    one = replace(base, url=base.url + "a/", external_id="9001", tags=["Новый тег", "Акорда"])
    two = replace(base, url=base.url + "b/", external_id="9002", tags=["Акорда", "Новый тег"])
    with db.session() as session:
        api.upsert_article(session, one)
        api.upsert_article(session, two)
    with db.session() as session:
        counts = api.table_counts(session)
    assert counts["tags"] == 2 and counts["article_tags"] == 4


def test_source_base_is_stored_and_a_reparse_refreshes_it_without_a_version(db):
    with db.session() as session:
        article_id, _ = api.upsert_article(session, make_article(source_base=None))  # as older code stored it
    with db.session() as session:
        # the same content with a base form: "unchanged", no history version, but the base form is written
        assert api.upsert_article(session, make_article(source_base="Акорда")) == (article_id, "unchanged")
    with db.session() as session:
        row = session.get(models.Article, article_id)
        assert (row.source, row.source_base) == ("Акорду", "Акорда")
        assert session.scalar(select(func.count(models.ArticleVersion.id))) == 0


def test_stored_json_columns_are_readable_text(db):
    from sqlalchemy import text

    with db.session() as session:
        article_id, _ = api.upsert_article(session, make_article())
        run = runs.start_run(session, "caravan")
        runs.finish_run(session, run, status="finished", stats={"причина": "тест"})
    with db.session() as session:
        authors, layers = session.execute(
            text("SELECT CAST(authors AS TEXT), CAST(layers AS TEXT) FROM articles WHERE id = :id"), {"id": article_id}
        ).one()
        stats = session.execute(text("SELECT CAST(stats AS TEXT) FROM crawl_runs")).scalar_one()
    assert authors == '["Айгуль Сериккызы"]'
    assert layers == '{"title": "metadata", "body": "generic"}'
    assert '"причина": "тест"' in stats
