"""storage.search on SQLite (FTS5 over a stemmed shadow) and PostgreSQL (tsvector)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select

from core.items import Article, Quote, RelatedLink
from storage import api, models, search

ALMATY = timezone(timedelta(hours=5))


def make_article(number: int, title: str, lead: str | None, body: list[str], **changes) -> Article:
    article = Article(
        url=f"https://demo.example/news/{number}/",
        canonical_url=None,
        is_article=True,
        title=title,
        lead=lead,
        published_at=datetime(2025, 12, number, 10, 0, tzinfo=ALMATY),
        modified_at=None,
        authors=[],
        source=None,
        body=body,
        quotes=[],
        related=[],
        tags=[],
        images=[],
        language="ru",
        parser_version="test",
        layers={"title": "profile", "body": "generic"},
        external_id=str(number),
        site="demo",
    )
    return dataclasses.replace(article, **changes)


CORPUS = [
    make_article(
        1,
        "В Казахстане пройдут выборы акимов районов",
        "Выборы сельских акимов назначены на весну, передает Caravan.kz.",
        ["ЦИК утвердил календарь. Кандидаты в акимы подают документы до марта."],
        tags=["Политика"],
        quotes=[
            Quote(
                text="Выборы пройдут честно",
                speaker="председатель ЦИК",
                speaker_canonical="Нурлан Абдиров",
                paragraph=0,
                start=0,
                end=21,
            )
        ],
        related=[RelatedLink(title="Курс тенге укрепился", url="https://demo.example/news/2/", tag="Экономика")],
    ),
    make_article(
        2,
        "Курс тенге укрепился к доллару",
        "Национальный банк сообщил о росте резервов.",
        ["На бирже доллар подешевел на три тенге.", "Аналитики ждут стабильности до конца года."],
        tags=["Экономика"],
        related=[RelatedLink(title="Выборы акимов", url="https://demo.example/news/1/", tag="Политика")],
    ),
    make_article(
        3,
        "Аким города встретился с жителями",
        None,
        [
            "Разговор шел о дорогах и ремонте школ.",
            "Жители спросили аким Алматы о выборах акима района в следующем году.",
        ],
        tags=["Политика", "Алматы"],
    ),
    make_article(
        4,
        "Погода: в Астане похолодает",
        "Синоптики обещают снег «на выходных» — до −20 градусов.",
        ["Ёлочные базары откроются в декабре."],
        site="other",
    ),
]


def add_corpus(session, corpus=CORPUS) -> dict[int, int]:
    """Store the corpus; return {number: article id}."""
    return {int(a.external_id): api.upsert_article(session, a)[0] for a in corpus}


@pytest.fixture
def corpus_db(db):
    with db.session() as session:
        ids = add_corpus(session)
    db.ids = ids
    return db


def titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_inflected_forms_match_through_stemming(corpus_db):
    with corpus_db.session() as session:
        hits = search.search(session, "выборы акимов")
    ids = corpus_db.ids
    assert {hit.id for hit in hits} == {ids[1], ids[3]}
    # article 3 has only "выборах акима": other forms of both words
    assert any(hit.id == ids[3] for hit in hits)


def test_title_match_ranks_above_body_match(corpus_db):
    with corpus_db.session() as session:
        hits = search.search(session, "выборы")  # 1: title and lead; 3: body only
    assert [hit.id for hit in hits] == [corpus_db.ids[1], corpus_db.ids[3]]
    assert hits[0].rank > hits[1].rank


def test_snippet_highlights_matching_words(corpus_db):
    with corpus_db.session() as session:
        hits = search.search(session, "акимов", highlight=("<b>", "</b>"))
    by_id = {hit.id: hit for hit in hits}
    snippet = by_id[corpus_db.ids[3]].snippet
    assert "<b>аким</b>" in snippet and "<b>акима</b>" in snippet
    assert "<b>выборах</b>" not in snippet  # not asked for
    assert by_id[corpus_db.ids[1]].snippet.startswith("Выборы сельских [акимов]".replace("[", "<b>").replace("]", "</b>"))


def test_filters_site_dates_and_tag(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        assert [h.id for h in search.search(session, "аким", tag="Алматы")] == [ids[3]]
        assert [h.id for h in search.search(session, "аким", site="other")] == []
        since = datetime(2025, 12, 2, tzinfo=UTC)
        assert [h.id for h in search.search(session, "аким", since=since)] == [ids[3]]
        until = datetime(2025, 12, 2, tzinfo=UTC)
        assert [h.id for h in search.search(session, "аким", until=until)] == [ids[1]]
        assert len(search.search(session, "аким", limit=1)) == 1 < len(search.search(session, "аким"))
        # bounds are inclusive to the microsecond (SQLite compares the stored text)
        third = datetime(2025, 12, 3, 10, 0, tzinfo=ALMATY)
        assert [h.id for h in search.search(session, "аким", since=third)] == [ids[3]]
        assert search.search(session, "аким", since=third + timedelta(microseconds=1)) == []
        assert search.count(session, "аким", since=third) == 1
        assert search.count(session, "аким", since=third + timedelta(microseconds=1)) == 0


def test_quotes_dashes_and_homoglyphs_are_folded(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        # Latin "a" and "e" inside a Cyrillic word; ё written as е and back
        assert [h.id for h in search.search(session, "aкимов вeсной")] == [ids[1]]
        assert [h.id for h in search.search(session, "елочные")] == [ids[4]]
        assert [h.id for h in search.search(session, '"на выходных"')] == [ids[4]]


def test_phrase_or_and_exclusion(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        assert {h.id for h in search.search(session, "тенге OR погода")} == {ids[2], ids[4]}
        assert [h.id for h in search.search(session, "аким -алматы")] == [ids[1]]
        assert [h.id for h in search.search(session, '"курс тенге"')] == [ids[2]]
        assert [h.id for h in search.search(session, '"тенге курс"')] == []


def test_index_follows_updates_and_deletes(corpus_db):
    ids = corpus_db.ids
    changed = dataclasses.replace(CORPUS[1], title="Нацбанк повысил базовую ставку")
    with corpus_db.session() as session:
        assert api.upsert_article(session, changed) == (ids[2], "updated")
    with corpus_db.session() as session:
        assert search.search(session, "ставки") and search.search(session, "ставки")[0].id == ids[2]
        assert [h.id for h in search.search(session, "доллару")] == [ids[2]]  # body kept
        assert search.search(session, "курс") == []
        session.execute(delete(models.Article).where(models.Article.id == ids[2]))
    with corpus_db.session() as session:
        assert search.search(session, "ставки") == []


def test_query_without_words_is_an_error(corpus_db):
    with corpus_db.session() as session, pytest.raises(ValueError, match="nothing to search"):
        search.search(session, "  — « » и в ")


def test_rebuild_restores_a_lost_sqlite_index(tmp_path):
    from storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with db.session() as session:
            ids = add_corpus(session)
            session.execute(select(1))
        with db.engine.begin() as connection:
            # the whole index: the articles' FTS table and the titles' one (migration 0008)
            connection.exec_driver_sql("DELETE FROM articles_fts")
            connection.exec_driver_sql("DELETE FROM articles_fts_title")
        with db.session() as session:
            assert search.search(session, "тенге") == []
        with db.engine.begin() as connection:
            assert search.rebuild_search_index(connection) == len(CORPUS)
        with db.session() as session:
            assert [h.id for h in search.search(session, "тенге")] == [ids[2]]
    finally:
        db.close()


def test_datasette_style_search_finds_words_as_written(tmp_path):
    # Datasette matches the user's words against every FTS column, unstemmed.
    from storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with db.session() as session:
            ids = add_corpus(session)
        with db.engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ('"выборах"',)
            ).all()
        assert [row[0] for row in found] == [ids[3]]
    finally:
        db.close()


def test_order_is_title_parts_then_newest(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        # both titles hold a form of аким (Аким города; акимов районов): the newer first
        assert [h.id for h in search.search(session, "аким")] == [ids[3], ids[1]]
        # article 2's title holds both words, so its rank is 2
        assert [(h.id, h.rank) for h in search.search(session, "тенге доллар")] == [(ids[2], 2.0)]
        # 1: выборы in the title; 3: выборах in the body only
        assert [(h.id, h.rank) for h in search.search(session, "выборы")] == [(ids[1], 1.0), (ids[3], 0.0)]


def test_prefix_not_and_explicit_and(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        hits = search.search(session, "выбор*")
        assert [h.id for h in hits] == [ids[1], ids[3]]
        assert "[выборах]" in hits[1].snippet  # a prefix match is highlighted too
        assert [h.id for h in search.search(session, "аким NOT алматы")] == [ids[1]]
        assert [h.id for h in search.search(session, "NOT алматы аким")] == [ids[1]]
        assert [h.id for h in search.search(session, "курс AND тенге")] == [ids[2]]
        assert search.search(session, "курс AND выборы") == []
        assert [h.id for h in search.search(session, "caravan.kz")] == [ids[1]]  # "передает Caravan.kz"


def test_count_offset_and_no_limit(corpus_db):
    ids = corpus_db.ids
    with corpus_db.session() as session:
        assert search.count(session, "аким") == 2
        assert search.count(session, "аким", tag="Алматы") == 1
        assert [h.id for h in search.search(session, "аким", limit=1, offset=1)] == [ids[1]]
        assert search.search(session, "аким", offset=2) == []
        assert len(search.search(session, "аким OR тенге OR погода", limit=None)) == 4
        for bad in ({"offset": -1}, {"limit": 0}, {"offset": True}):
            with pytest.raises(search.QueryError):
                search.search(session, "аким", **bad)
