"""Direct quotes and their speakers: the seed's forms, and what must not be a quote."""

import pytest

from core.normalize import normalize_paragraphs
from pipelines.quotes import extract_quotes
from tests.test_crawl_demo import SEED_QUOTES, seed_parts


def test_seed_quotes():
    body, _ = seed_parts()
    quotes = extract_quotes(normalize_paragraphs(body))
    assert [q.text for q in quotes] == SEED_QUOTES
    assert [(q.speaker, q.speaker_canonical, q.paragraph) for q in quotes] == [
        ("глава государства", "Касым-Жомарт Токаев", 2),
        ("глава государства", "Касым-Жомарт Токаев", 5),
    ]
    assert [q.verb for q in quotes] == ["убежден", "заявил"]
    paragraphs = normalize_paragraphs(body)
    for q in quotes:  # offsets point at the quote in the normalized paragraph
        assert paragraphs[q.paragraph][q.start:q.end].startswith(q.text[:40])


@pytest.mark.parametrize(
    "paragraphs, text, speaker, canonical, style",
    [
        (["— Первая часть ответа, — сказал он. — Вторая часть ответа.", ],
         "Первая часть ответа Вторая часть ответа.", "он", None, "F"),
        (["«Мы завершим ремонт дорог до конца года», — заявил аким города Ерлан Нурланов."],
         "Мы завершим ремонт дорог до конца года", "аким города Ерлан Нурланов", "Ерлан Нурланов", "B"),
        (["\"Тарифы не вырастут до весны\", – сказал министр энергетики Алмас Садыков."],
         "Тарифы не вырастут до весны", "министр энергетики Алмас Садыков", "Алмас Садыков", "C"),
        (["Министр здравоохранения Ажар Гиният заявила: «Вакцины хватит на всех жителей области»."],
         "Вакцины хватит на всех жителей области", "Министр здравоохранения Ажар Гиният", "Ажар Гиният", "D"),
        (["Кусайын Жанаев, зам. председателя комиссии:", "— Все документы проверены дважды."],
         "Все документы проверены дважды.", "Кусайын Жанаев", "Кусайын Жанаев", "E"),
        (["Министр Айгуль Сапарова провела совещание.", "— Мы обсудили все вопросы подробно, — сказала она."],
         "Мы обсудили все вопросы подробно", "она", "Айгуль Сапарова", "F"),
    ],
)
def test_quote_forms(paragraphs, text, speaker, canonical, style):
    quotes = extract_quotes(paragraphs)
    assert len(quotes) == 1
    q = quotes[0]
    assert (q.text, q.speaker, q.speaker_canonical, q.style) == (text, speaker, canonical, style)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Депутаты приняли закон «О республиканском бюджете на 2026-2028 годы».",
        "Партия «Ак жол» выдвинула кандидатов, сообщает газета «Turkistan».",
        "Он отметил, что работы завершатся в срок.",
        "— на первого ребенка — 164 350 тенге;",
        "Акимы — прямые представители власти в каждом населенном пункте.",
        "Так называемые «серые» схемы продолжают работать.",
    ],
)
def test_not_quotes(paragraph):
    assert extract_quotes([paragraph]) == []


def test_role_without_a_named_person_stays_unresolved():
    quotes = extract_quotes(["В акимате прошло совещание.", "— Работы начнутся весной, — сказал пресс-секретарь."])
    assert quotes[0].speaker == "пресс-секретарь" and quotes[0].speaker_canonical is None
