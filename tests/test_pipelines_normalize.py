"""Body text normalization (DESIGN.md `body`)."""

import pytest

from core.normalize import fold_for_search, normalize_paragraphs, normalize_text, repair_homoglyphs, source_of


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("передает Сaravan.kz", "передает Caravan.kz"),  # Cyrillic С in a Latin word
        ("Еgemen.kz и Еrnur.kz", "Egemen.kz и Ernur.kz"),  # Cyrillic Е
        ("Пpезидент", "Президент"),  # Latin p in a Cyrillic word
        ("COVID-19, iPhone, Kaspi.kz", "COVID-19, iPhone, Kaspi.kz"),  # single-script: untouched
        ("Qазақстан", "Qазақстан"),  # Q has no Cyrillic look-alike: left alone
        ("в\u00a0селах", "в селах"),
        ("реформам\u00a0— это", "реформам — это"),
        ("ин\u00adтерес\u200bный", "интересный"),
        ("\ufeffтекст\u2060", "текст"),
        ("  два\t\n пробела\u202f\u2009тут ", "два пробела тут"),
        ("«Ёлка» — “так” - \"и\"", "«Ёлка» — “так” - \"и\""),  # quote marks and dashes as written
        ("е\u0308лка", "ёлка"),  # NFC
        (None, ""),
    ],
)
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean


def test_homoglyph_repair_needs_a_clear_majority():
    assert repair_homoglyphs("Сa") == "Сa"  # one letter each: no majority, no guess


def test_boilerplate_paragraphs_are_dropped():
    paragraphs = [
        "Фото - Сaravan.kz",
        "В Алматы открыли новую школу на 1200 мест.",
        "Читайте также: Как изменятся тарифы в 2026 году",
        "Фото из открытых источников",
        "Подписывайтесь на наш Telegram-канал",
        "Источник: пресс-служба акимата",
    ]
    assert normalize_paragraphs(paragraphs) == ["В Алматы открыли новую школу на 1200 мест."]


def test_source_line_inside_the_text_is_kept():
    kept = ["Источник: по данным ведомства, цены выросли на 3%.", "Это второй абзац."]
    assert normalize_paragraphs(kept) == kept


@pytest.mark.parametrize(
    "lead, source",
    [
        ("Президент заявил это, передает Caravan.kz со ссылкой на Акорду.", "Акорду"),
        ("Об этом сообщает Caravan.kz со ссылкой на пресс-службу МВД РК.", "пресс-службу МВД РК"),
        ("В Астане прошел форум, в котором участвовали 300 человек.", None),
    ],
)
def test_source_attribution(lead, source):
    assert source_of([lead]) == source


# -- issue 4: what normalization must finish ----------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("\u200eтекст\u200f и\u2061 всё", "текст и всё"),  # direction marks, invisible operators
        ("a\u2007b\u3000c\u205fd", "a b c d"),  # figure, ideographic, math spaces
        ("ТОO «Казахтелеком»", "ТОО «Казахтелеком»"),  # Latin O in a Cyrillic abbreviation
        ("Kaspi.kz и Halyk", "Kaspi.kz и Halyk"),
    ],
)
def test_normalize_text_more(raw, clean):
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    "a, b",
    [
        ("Сaravan.kz", "caravan.KZ"),  # homoglyphs and case
        ("Caravan.kz", "Сагаvаn.kz".replace("г", "r")),  # every look-alike letter, either script
        ("Ёлка", "елка"),
        ("«Ак жол»", "\"ак жол\""),  # quote marks fold together…
        ("Астана – Петропавловск", "астана — петропавловск"),  # …and dashes
        ("в\u00a0селах", "в селах"),
    ],
)
def test_fold_for_search_makes_variants_equal(a, b):
    assert fold_for_search(a) == fold_for_search(b)


def test_fold_for_search_keeps_different_words_apart():
    assert fold_for_search("Токаев") != fold_for_search("Токарев")
    assert fold_for_search(None) == ""


def test_body_text_is_not_folded():
    """Folding is for comparisons only: the stored body keeps the author's marks."""
    assert normalize_paragraphs(["«Ак жол» – партия"]) == ["«Ак жол» – партия"]


def test_trailers_are_dropped_only_at_the_end():
    paragraphs = [
        "Автор: кто угодно может стать волонтером, считают в фонде.",
        "В Алматы открыли новую школу на 1200 мест.",
        "Источник: пресс-служба акимата",
        "Автор: Айгерим Серикова",
        "Фото: Caravan.kz",
    ]
    assert normalize_paragraphs(paragraphs) == paragraphs[:2]



# Found by benchmarks/fuzz_parse.py: JSON-LD "\u0000" and "\ud800" escapes put NUL
# and lone surrogates into titles and bodies (PostgreSQL cannot store a NUL, and
# the JSON would not encode as UTF-8), and a page URL with a NUL kept it.
def test_normalize_text_drops_nul_controls_and_lone_surrogates():
    assert normalize_text("Токаев\x00 за\x01яв\ud800ил\ufffe\x1c сегодня") == "Токаев заявил сегодня"


def test_urls_with_control_characters_are_percent_encoded():
    from core.normalize import clean_url

    assert clean_url("https://a.kz/\x00/x\ud800/ы") == "https://a.kz/%00/x%ED%A0%80/ы"
    assert clean_url("https://a.kz/news/1/") == "https://a.kz/news/1/" and clean_url(None) is None


def test_urls_urllib_cannot_parse_join_to_none():
    from core.normalize import defragment, join_url, url_host

    assert join_url("https://a.kz/news/", "../1/") == "https://a.kz/1/"
    assert join_url("https://a.kz/", "http://[::1") is None  # ValueError: Invalid IPv6 URL
    assert join_url("http://[bad-host]/", "https://b.kz/2/") == "https://b.kz/2/"  # an absolute href stands alone
    assert join_url("http://[bad-host]/", "/2/") is None
    assert url_host("http://[bad-host]/x/") == "" and url_host("https://WWW.a.kz/") == "www.a.kz"
    assert defragment("http://[::1#x") is None and defragment("https://a.kz/#top") == "https://a.kz/"


def test_related_links_urllib_cannot_parse_are_dropped_not_fatal():
    from core.items import RawLink
    from pipelines.related import resolve_related

    links = [RawLink("Первая новость дня", "http://[::1/news/1/"), RawLink("Вторая новость дня", "/news/2/"),
             RawLink("Третья\x00 новость", "/news/\x003/")]
    resolved = resolve_related(links, "https://a.kz/news/0/")
    assert [(r.title, r.url) for r in resolved] == [("Вторая новость дня", "https://a.kz/news/2/"),
                                                    ("Третья новость", "https://a.kz/news/%003/")]
    assert [r.url for r in resolve_related(links, "http://[bad-host]/")] == []  # no base: relative hrefs go


# -- issue 11: trailer rules on paragraphs that only start like a trailer --------
#
# `[:-–—]` was a range from ":" to "–": every Cyrillic letter in it, so "автор" +
# any letter ("Авторитетный …") was a trailer. Each last paragraph below is
# article text and must stay; each real credit after it must still go.

LAST_LINES_THAT_STAY = [
    "Авторитетный эксперт по энергетике Нурлан Касымов считает, что тарифы вырастут еще на 10%.",
    "Авторы исследования отмечают, что спрос на жилье в Астане снизился впервые за пять лет.",
    "Фотографии с места событий очевидцы публикуют в социальных сетях.",
    "Фотограф Асель Мукашева получила премию за репортаж о паводках.",
    "Видеозапись с камер наблюдения передали в полицию.",
    "Источником информации стали данные Бюро национальной статистики.",
    "Источники в правительстве сообщили, что решение примут до конца месяца.",
    "Подробнее о новых правилах рассказал вице-министр на брифинге в СЦК.",
    "Подписывайтесь на прививку заранее: в поликлиниках Алматы очереди, сообщили в управлении здравоохранения.",
    "Подпишитесь на уведомления eGov, и справка придет в SMS, пояснили в ЦОНе.",
]


@pytest.mark.parametrize("last", LAST_LINES_THAT_STAY)
def test_a_last_paragraph_that_only_starts_like_a_trailer_stays(last):
    body = ["В Алматы открыли новую школу на 1200 мест.", last]
    assert normalize_paragraphs(body) == body


@pytest.mark.parametrize(
    "credit",
    [
        "Источник: пресс-служба акимата",
        "Источники: МВД РК, Kazinform",
        "Источник — Kapital.kz",
        "Источник - Tengrinews.kz",
        "Автор: Айгерим Серикова",
        "Авторы: Айгерим Серикова, Данияр Ахметов",
        "Автор – Данияр Ахметов",
        "Фото: Caravan.kz",
        "Фото — Турар Казангапов",
        "Видео: YouTube / Akorda",
        "По материалам Tengrinews.kz",
        "Материал подготовлен при поддержке Министерства информации",
        "Следите за нашими новостями в Telegram",
        "Подробнее — на сайте ведомства",
        "Подробнее читайте в нашем материале",
        "Подписывайтесь на наш Telegram-канал",
        "Подпишитесь на нас в Instagram",
    ],
)
def test_real_trailers_are_still_dropped(credit):
    body = ["В Алматы открыли новую школу на 1200 мест.", "Ее построили за два года."]
    assert normalize_paragraphs([*body, credit]) == body


def test_trailer_stops_at_the_first_paragraph_that_is_text():
    # Dropped from the end until a paragraph is text; the text one ends the body.
    paragraphs = ["Первый абзац новости.", LAST_LINES_THAT_STAY[0], "Источник: пресс-служба", "Фото: Caravan.kz"]
    assert normalize_paragraphs(paragraphs) == paragraphs[:2]


def test_a_columns_disclaimer_is_no_body():
    from core.normalize import normalize_paragraphs
    text = "Автор колонки считает, что реформа тарифов запоздала на пять лет."
    assert normalize_paragraphs([text, "Мнение автора может не совпадать с позицией редакции."]) == [text]
