"""One search language on both backends: the same articles stored in SQLite and
in the real PostgreSQL, the same queries, the same answers in the same order.

The expected answers are written by hand from the texts below (which article
holds which word form, which title holds which part of the query, which date
breaks a tie); both backends must give exactly them. Order: more of the
query's required parts in the title first, then newest first, undated last.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from core.items import Article
from storage import api, search
from storage.db import head_revision, open_database
from test_search import make_article

from conftest import fresh_pg_database

ALMATY = timezone(timedelta(hours=5))


def day(n: int) -> datetime:
    return datetime(2025, 12, n, 9, 0, tzinfo=ALMATY)


def article(key: str, title: str, lead: str | None, body: list[str], published: datetime | None) -> Article:
    made = make_article(1, title, lead, body)
    return dataclasses.replace(made, url=f"https://kz.example/news/{key}/", external_id=key, site="kz",
                               published_at=published)


# Keys A..K; A is stored first (the lowest id), K last.
ARTICLES = [
    article("A", "Курс тенге укрепился к доллару", "Нацбанк сообщил о росте резервов, передает Caravan.kz.",
            ["На бирже доллар подешевел на 3 тенге.", "Аналитики ждут стабильности."], day(1)),
    article("B", "Тенге и рубль: итоги недели", None,
            ["Рубль ослаб, тенге остался на месте.", "Прогноз аналитиков осторожный."], day(2)),
    article("C", "Доллар подорожал на бирже", "Курс доллара вырос до 520 тенге.",
            ["Эксперты Halyk Finance ждут новых колебаний курса тенге."], day(3)),
    article("D", "Ёлочный базар открылся в Астане", "Ёлки привезли из Бурабая.",
            ["Цены на елки выросли на 10%."], day(4)),
    article("E", "Mobile-приложение Kaspi обновилось", "Приложение Kaspi.kz получило новый раздел.",
            ["Пользователи mobile-банка увидят изменения в декабре."], day(5)),
    article("F", "Пресс-служба акимата сообщила о выборах", None,
            ["Выборы акимов сельских округов пройдут весной, сообщает caravan.kz."], day(6)),
    # "Aкорды": the first letter is a Latin A
    article("G", "Президент подписал закон", None,
            ["Президент Казахстана подписал закон о бюджете на 2026 год.", "Документ опубликован на сайте Aкорды."],
            day(7)),
    article("H", "Қазақстан и Узбекистан подписали соглашение", None,
            ["Стороны обсудили транзит грузов через Қазақстан.", "Сумма сделки — 1,5 млрд долларов."], day(8)),
    article("I", "Погода: в Астане похолодает", None,
            ["Синоптики обещают снег «на выходных» — до −20 градусов."], None),
    article("J", "Кафе в центре Алматы", None, ["Новое café открылось на проспекте Абая."], day(9)),
    # "Сaravan": the first letter is a Cyrillic С, the rest Latin
    article("K", "Сaravan: обзор прессы", None, ["Главное за день: курс доллара и погода."], day(10)),
]

# (query, the articles it finds, best first), worked out by hand from ARTICLES.
QUERIES = [
    # Latin words, domains, case
    ("caravan", "K F A"),  # K's title (Сaravan, mostly Latin); then F (Dec 6), A (Dec 1)
    ("Caravan.kz", "F A"),  # the phrase caravan kz; K's "Сaravan:" is followed by обзор
    ("CARAVAN.KZ", "F A"),
    ("Mobile", "E"),  # title Mobile-приложение, body mobile-банка
    ("kaspi", "E"),
    # implicit and explicit AND, NOT, -word (also first)
    ("тенге доллар", "A C"),  # A's title holds both, C's one
    ("тенге AND доллар", "A C"),
    ("тенге NOT доллар", "B"),
    ("-доллар тенге", "B"),
    ("тенге -рубль", "A C"),
    ("тенге or рубль", ""),  # "or" in lower case is a word no article holds
    ("AND тенге OR", "B A C"),  # stray operators are dropped; B and A: title, B newer
    # OR, phrases
    ("рубль OR Kaspi", "E B"),  # both in the title: newer first
    ('"курс тенге"', "A C"),  # C: "курса тенге" in the body
    ('"тенге курс"', ""),
    ('"курс тенге" OR Kaspi -прогноз', "E A C"),
    ('погода OR "курс доллара"', "I K C"),  # I's title first although it has no date
    ('"на выходных"', "I"),  # stop words inside a phrase count
    ("пресс-служба", "F"),
    # any grammatical form
    ("выборы акимов", "F"),  # "выборах", "Выборы акимов"; "акимата" is another word
    ("акорда", "G"),  # "Aкорды" with a Latin A
    ("Кaзaхстана", "G"),  # Latin a's typed in the query; Қазақстан is another spelling
    ("қазақстан", "H"),
    # ё and е
    ("елка", "D"),
    ("ёлки", "D"),
    ("ЁЛОЧНЫЙ", "D"),
    # prefixes
    ("прези*", "G"),
    ("подпис*", "H G"),  # both titles: newer first
    ("сообщ*", "F A"),
    # digits, diacritics
    ("2026", "G"),
    ("520", "C"),
    ("1,5", "H"),  # the phrase 1 5
    ("café", "J"),
    ("cafe", ""),  # no diacritics folded, on either backend
    ("кафе", "J"),
]


def _store(url: str) -> dict[str, int]:
    database = open_database(url)
    try:
        with database.session() as session:
            return {a.external_id: api.upsert_article(session, a)[0] for a in ARTICLES}
    finally:
        database.close()


@pytest.fixture(scope="module")
def backends(tmp_path_factory):
    """{backend: (url, {key: id})}: the same articles in SQLite and in PostgreSQL."""
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'parity.sqlite'}"
    with fresh_pg_database("newsdb_parity") as pg_url:
        yield {"sqlite": (sqlite_url, _store(sqlite_url)), "postgresql": (pg_url, _store(pg_url))}


def _run(backends, backend: str, query: str, **options) -> tuple[list[str], int]:
    url, ids = backends[backend]
    keys = {article_id: key for key, article_id in ids.items()}
    database = open_database(url, create=False)
    try:
        with database.session() as session:
            hits = search.search(session, query, limit=None, **options)
            total = search.count(session, query)
    finally:
        database.close()
    return [keys[hit.id] for hit in hits], total


def test_both_backends_store_the_same_ids(backends):
    assert backends["sqlite"][1] == backends["postgresql"][1]


@pytest.mark.parametrize("query, expected", QUERIES, ids=[q for q, _ in QUERIES])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_query_finds_the_same_articles_in_the_same_order(backends, backend, query, expected):
    found, total = _run(backends, backend, query)
    assert found == expected.split(), (backend, query)
    assert total == len(expected.split())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_paging_walks_the_same_order(backends, backend):
    url, ids = backends[backend]
    keys = {article_id: key for key, article_id in ids.items()}
    database = open_database(url, create=False)
    try:
        with database.session() as session:
            pages = [[keys[h.id] for h in search.search(session, "тенге OR доллар OR погода", limit=2, offset=n)]
                     for n in (0, 2, 4, 6)]
    finally:
        database.close()
    # one OR group: its words in the titles of A, B, C and I (newest first, I has no date),
    # in the text only of H and K
    assert pages == [["C", "B"], ["A", "I"], ["K", "H"], []]


def _pages(backends, backend: str, query: str, size: int) -> list[list[str]]:
    url, ids = backends[backend]
    keys = {article_id: key for key, article_id in ids.items()}
    database = open_database(url, create=False)
    pages: list[list[str]] = []
    try:
        with database.session() as session:
            while not pages or pages[-1]:
                pages.append([keys[h.id] for h in search.search(session, query, limit=size, offset=size * len(pages))])
    finally:
        database.close()
    return pages


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_pages_cross_from_title_matches_to_the_rest(backends, backend):
    # доллар in the titles of A and C (newest first), in the text only of H and K
    assert _pages(backends, backend, "доллар", 3) == [["C", "A", "K"], ["H"], []]
    assert _pages(backends, backend, "доллар", 1) == [["C"], ["A"], ["K"], ["H"], []]
    # two parts: A's title holds both, C's one (доллар), nothing holds neither
    assert _pages(backends, backend, "тенге доллар", 1) == [["A"], ["C"], []]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_small_windows_give_the_same_answers(backends, backend, monkeypatch):
    # A search first looks among the newest articles only (a window), then in a
    # rank's whole set: with windows of 3 articles both paths run on this data.
    monkeypatch.setattr(search, "WINDOW", 3)
    monkeypatch.setattr(search, "WINDOW_BELOW", 3)
    monkeypatch.setattr(search, "PG_WINDOW", 3)
    monkeypatch.setattr(search, "PG_WINDOW_BELOW", 3)
    for query, expected in QUERIES:
        pages = _pages(backends, backend, query, 2)
        assert [key for page in pages for key in page] == expected.split(), (backend, query)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_query_of_many_parts_ranks_its_lower_ranks_together(backends, backend):
    # Six parts: past MAX_LEVEL_TERMS combinations of parts for a rank, the ranks
    # below are read in one query, each match ranked; G's title holds two parts
    # (президент, закон), its text all six.
    url, ids = backends[backend]
    query = "президент закон бюджет 2026 год документ"
    database = open_database(url, create=False)
    try:
        with database.session() as session:
            hits = search.search(session, query)
            assert search.count(session, query) == 1
    finally:
        database.close()
    assert [(h.id, h.rank) for h in hits] == [(ids["G"], 2.0)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("query", ["NOT тенге", "-тенге", "-тенге NOT доллар", "AND OR NOT", "* ( ) :"])
def test_nothing_to_search_for_on_both(backends, backend, query):
    url, _ = backends[backend]
    database = open_database(url, create=False)
    try:
        with database.session() as session, pytest.raises(search.QueryError, match="nothing to search for"):
            search.search(session, query)
    finally:
        database.close()


# -- the two implementations of the folding rule agree ------------------------------

TRICKY_TEXTS = [
    "Сaravan.KZ: aкимов «выборы» — вы\u00adборы, вы\u0301боры",  # look-alikes, soft hyphen, stress mark
    "е\u0308лка ЁЛКА Ёлка",  # ё written decomposed (NFD)
    "İstanbul ſtraße ÆØÅ Ǆ",  # letters whose lower case is not one simple letter
    "COVID-19 2025г. 3.14 e-mail: press@akorda.kz https://www.caravan.kz/news/1145321/",
    "Қазақстан Республикасы ӘҒҚҢӨҰҮҺІ әғқңөұүһі Україна Ґанок",
    "x" * search.MAX_WORD + " " + "y" * (search.MAX_WORD + 1) + " конец",  # the second is too long
    "PaРa MOCKBA Mосква",  # ties between scripts go to Cyrillic
]


def _python_vector(title: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for position, word in enumerate(search.words(title), 1):
        out.setdefault(search.stem(word), []).append(position)
    return out


def _pg_vector(connection, title: str) -> dict[str, list[int]]:
    vector = connection.execute(text("SELECT newsdb_search_vector(:t, NULL, NULL)::text"), {"t": title}).scalar_one()
    return {lexeme: [int(p.rstrip("A")) for p in positions.split(",")]
            for lexeme, positions in re.findall(r"'([^']*)':([0-9A,]+)", vector)}


@pytest.fixture(scope="module")
def pg_connection(backends):
    database = open_database(backends["postgresql"][0], create=False)
    try:
        with database.engine.connect() as connection:
            yield connection
    finally:
        database.close()


@pytest.mark.parametrize("sample", TRICKY_TEXTS)
def test_sql_and_python_fold_tricky_text_alike(pg_connection, sample):
    assert _pg_vector(pg_connection, sample) == _python_vector(sample)


def test_sql_and_python_fold_every_word_character_alike(pg_connection):
    # each letter alone, inside a Cyrillic word and inside a Latin word
    sample = " ".join(f"{c} ка{c}ма la{c}tin" for c in search.WORD_CHARS)
    assert _pg_vector(pg_connection, sample) == _python_vector(sample)


def test_hand_checked_folds():
    assert search.words("Сaravan.KZ aкимов Ёлка вы\u00adборы İstanbul MOCKBA МОСКBA") == [
        "caravan", "kz", "акимов", "елка", "выборы", "istanbul", "mockba", "москва"]
    assert search.stem("mobile") == "mobile" and search.stem("тенге") == "тенг"


def test_fts5_keeps_the_folded_letters_as_they_are():
    # FTS5's unicode61 tokenizer must not fold what the rule left alone, or SQLite
    # would match words PostgreSQL does not.
    import sqlite3

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'unicode61 remove_diacritics 0')")
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    folded = sorted({search.words(f"q{c}")[0] for c in search.WORD_CHARS})
    connection.executemany("INSERT INTO t VALUES (?)", [(word,) for word in folded])
    assert sorted(row[0] for row in connection.execute("SELECT term FROM v")) == folded


def test_the_migration_holds_the_sql_of_the_rule():
    path = Path(search.__file__).parent / "migrations" / "versions" / "0007_one_search_language.py"
    spec = importlib.util.spec_from_file_location(f"migration_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.FUNCTIONS == search.pg_search_functions()


def test_upgrade_reindexes_a_database_made_before_0007(db_url):
    # A database of the previous schema, its articles indexed the old way
    # (PostgreSQL: to_tsvector('russian'), which found no `caravan`)...
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from storage.db import upgrade

    assert upgrade(db_url, "0006") == "0006"
    engine = create_engine(db_url)
    try:
        # today's models write a column 0009 adds: lend it to the old schema for the writes
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE articles ADD COLUMN source_base TEXT")
        with Session(engine) as session, session.begin():
            ids = {a.external_id: api.upsert_article(session, a)[0] for a in ARTICLES}
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE articles DROP COLUMN source_base")
    finally:
        engine.dispose()
    # ... is searched by the one rule after `newsdb db upgrade`.
    assert upgrade(db_url) == head_revision()
    database = open_database(db_url, create=False)
    try:
        with database.session() as session:
            assert [h.id for h in search.search(session, "caravan")] == [ids["K"], ids["F"], ids["A"]]
            assert [h.id for h in search.search(session, "Mobile")] == [ids["E"]]
            assert [h.id for h in search.search(session, "café")] == [ids["J"]]
            assert search.search(session, "cafe") == []
    finally:
        database.close()
