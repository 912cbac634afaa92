"""Issue 11: titles (entities, kickers, site suffixes, the visible headline) and
authors (one cleaner for every source, generic byline detection).

Small invented pages, one table per rule; each row names what the extraction
must give, so a rule that stops working fails its row.
"""

from __future__ import annotations

import pytest

from core.bylines import clean_authors, decode_entities, split_byline
from core.items import Page
from core.profiles import load_profile
from crawler.pages import extract
from crawler.pages.article import ArticlePage
from pipelines.steps import process_article

URL = "https://stepnoy-vestnik.kz/news/2026/02/vodoprovod-12345/"
HEADLINE = "В Караганде обновят водопровод на улице Ерубаева"
BODY = [
    "Коммунальные службы Караганды начнут замену старого водопровода на улице Ерубаева в начале марта. "
    "Работы рассчитаны на два месяца, движение транспорта на участке ограничат частично.",
    "По словам представителей городского отдела ЖКХ, трубы на этом участке не меняли с 1970-х годов, "
    "за прошлую зиму на них произошло больше десяти аварий.",
    "Жителей близлежащих домов предупредят об отключениях воды заранее через объявления в подъездах "
    "и сообщения в мессенджерах.",
]


def html(*, head: str = "", top: str = "", h1: str | None = HEADLINE, before: str = "",
         paragraphs: list[str] = BODY, after: str = "", title: str = "Степной вестник") -> bytes:
    heading = f"<h1>{h1}</h1>" if h1 is not None else ""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f'<body>{top}<div class="container"><article class="post">{heading}{before}'
            f'<div class="post__text">{text}</div>{after}</article>'
            f'<aside class="sidebar"><h3>Популярное</h3><ul><li><a href="/news/1/">Синоптики обещают '
            f'потепление до плюс пяти</a> <span class="author">Марина Ли</span></li></ul></aside>'
            f"</div></body></html>").encode()


def parse(body: bytes, profile=None, url: str = URL):
    return extract(Page(url=url, body=body), profile)


# -- titles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, expected",
    [
        # og:title double-escaped by the CMS, the <h1> escaped once more in markup.
        (html(head='<meta property="og:title" content="Сапёр обезвредил &amp;quot;минера&amp;quot; у ТРЦ">',
              h1="Сапёр обезвредил &amp;quot;минера&amp;quot; у ТРЦ"), 'Сапёр обезвредил "минера" у ТРЦ'),
        # JSON-LD text is never decoded by the HTML parser.
        (html(head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
                   '"Акимат купит &quot;умные&quot; остановки"}</script>', h1=None),
         'Акимат купит "умные" остановки'),
        (html(h1=None, title="Бизнес &amp;amp; налоги: что изменится в 2026 году"),
         "Бизнес & налоги: что изменится в 2026 году"),
        (html(h1="Тоқаев &laquo;Жаңа Қазақстан&raquo; туралы айтты"), "Тоқаев «Жаңа Қазақстан» туралы айтты"),
    ],
    ids=["og-double-escaped", "jsonld-escaped", "title-tag-double", "h1-named-entities"],
)
def test_title_entities_are_decoded(page, expected):
    assert parse(page).title == expected


def test_profile_title_is_decoded_too():
    page = html(h1=None, before='<h1 class="entry-title">Полиция нашла &amp;quot;закладчика&amp;quot; в Шымкенте</h1>')
    article = ArticlePage(Page(url=URL, body=page), load_profile("demo"))
    assert article.title == 'Полиция нашла "закладчика" в Шымкенте' and article.layers["title"] == "profile"


@pytest.mark.parametrize(
    "og_title",
    [
        f"ФОТО | {HEADLINE}",
        f"ВИДЕО: {HEADLINE}",
        f"Эксклюзив. {HEADLINE}",
        f"Срочно! {HEADLINE}",
        f"[ФОТО] {HEADLINE}",
        f"{HEADLINE} — Новости Казахстана",
        f"{HEADLINE} | Stepnoy-vestnik.kz",
        f"{HEADLINE} - Tengrinews",
        f"ВИДЕО | {HEADLINE} | Степной вестник",
    ],
)
def test_the_visible_headline_beats_a_decorated_metadata_title(og_title):
    raw = parse(html(head=f'<meta property="og:title" content="{og_title}">'))
    assert raw.title == HEADLINE and raw.layers["title"] == "generic"


@pytest.mark.parametrize(
    "og_title",
    [
        f"{HEADLINE}: что нужно знать жителям",  # a subtitle, not a site suffix
        "Водопровод на Ерубаева заменят к маю",  # another wording altogether
        f"Мнение. Почему {HEADLINE.lower()} так поздно — и кто за это ответит перед жителями района",
    ],
)
def test_a_metadata_title_that_says_more_is_kept(og_title):
    raw = parse(html(head=f'<meta property="og:title" content="{og_title}">'))
    assert raw.title == og_title and raw.layers["title"] == "metadata"


@pytest.mark.parametrize(
    "head, title, url, expected",
    [
        ("", f"{HEADLINE} | Stepnoy-Vestnik.kz", URL, HEADLINE),
        ("", f"{HEADLINE} - Tengrinews.kz", "https://tengrinews.kz/kazakhstan_news/vodoprovod-1/", HEADLINE),
        ('<meta property="og:site_name" content="Новости Казахстана">', f"{HEADLINE} — Новости Казахстана", URL, HEADLINE),
        ("", f"Stepnoy-vestnik.kz :: {HEADLINE}", URL, HEADLINE),
        # The headline keeps its own dash; only the part naming the site goes.
        ("", "Алматы - Самарканд: поезд запустят весной | Stepnoy-vestnik.kz", URL,
         "Алматы - Самарканд: поезд запустят весной"),
        # og:title with the suffix and no visible headline: the metadata title loses it.
        (f'<meta property="og:title" content="{HEADLINE} | Степной вестник">'
         '<meta property="og:site_name" content="Степной вестник">', "Степной вестник", URL, HEADLINE),
    ],
    ids=["domain", "host-label", "og-site-name", "site-prefix", "dash-inside", "og-title-suffix"],
)
def test_without_a_headline_the_site_name_leaves_the_title(head, title, url, expected):
    assert parse(html(head=head, h1=None, title=title), url=url).title == expected


@pytest.mark.parametrize(
    "top",
    [
        '<div class="top"><h1 class="site-title"><a href="/">Степной вестник</a></h1></div>',
        '<div class="top"><h1><a href="/">Степной вестник</a></h1></div>',
        '<div class="brand-line"><h1>Степной вестник — новости Караганды</h1></div>',
    ],
    ids=["site-title-class", "home-link", "brand-class"],
)
def test_the_site_logo_h1_is_not_the_headline(top):
    raw = parse(html(top=top, title=f"{HEADLINE} | Степной вестник"))
    assert raw.title == HEADLINE and raw.layers["title"] == "generic"


def test_the_h1_inside_the_article_beats_an_earlier_one():
    top = '<div class="promo"><h1>Подпишитесь на нашу рассылку новостей</h1></div>'
    assert parse(html(top=top)).title == HEADLINE


@pytest.mark.parametrize(
    "wrap",
    [
        '<header class="entry-header"><div class="jeg_post_category"><a href="/obshchestvo/">Общество</a></div>{}</header>',
        '<div class="elementor-widget elementor-widget-theme-post-title"><div class="elementor-widget-container">{}</div></div>',
    ],
    ids=["article-header", "page-builder-widget"],
)
def test_a_headline_in_the_articles_own_header_or_a_builder_widget_is_the_headline(wrap):
    """The site's header is chrome; an <header class="entry-header"> in the article, or an
    Elementor post-title widget, is where a WordPress theme puts the visible headline."""
    page = html(h1=None, before=wrap.format(f'<h1 class="entry-title">{HEADLINE}</h1>'),
                head=f'<meta property="og:title" content="ФОТО | {HEADLINE} — Новости Казахстана">')
    raw = parse(page)
    assert raw.title == HEADLINE and raw.layers["title"] == "generic"


# -- the author cleaner ------------------------------------------------------------


@pytest.mark.parametrize(
    "byline, people, agencies",
    [
        ("Айгерим Сейткали и Дмитрий Ким", ["Айгерим Сейткали", "Дмитрий Ким"], []),
        ("А. Иванов, Б. Петров", ["А. Иванов", "Б. Петров"], []),
        ("Anna Müller und Jan Berg, dpa", ["Anna Müller", "Jan Berg"], ["dpa"]),
        ("John Smith and Jane Doe", ["John Smith", "Jane Doe"], []),
        ("Ержан Нұрлан және Айдана Сейіт", ["Ержан Нұрлан", "Айдана Сейіт"], []),
        ("Marie Dubois et Paul Martin", ["Marie Dubois", "Paul Martin"], []),
        ("Lucía García y Pablo Ruiz", ["Lucía García", "Pablo Ruiz"], []),
        ("Олена Коваль та Іван Бондар", ["Олена Коваль", "Іван Бондар"], []),
        ("Светлана Ким; Олег Пак / Нина Ли", ["Светлана Ким", "Олег Пак", "Нина Ли"], []),
        ("Автор: Асель Омарова (a.omarova@vestnik.kz)", ["Асель Омарова"], []),
        ("Текст: Анна Ким @anna_kim", ["Анна Ким"], []),
        ("Фото: Ержан Нурбеков", [], []),  # a photo credit alone: the photographer is no author
        ("Фото и текст: Ержан Нурбеков", ["Ержан Нурбеков"], []),
        ("Автор Светлана Ким -", ["Светлана Ким"], []),
        ("By John Smith, AFP", ["John Smith"], ["AFP"]),
        ("Von Anna Müller", ["Anna Müller"], []),
        ("https://www.facebook.com/ivan.petrov", [], []),
        ("redaktsiya@vestnik.kz", [], []),
        ("Иван Петров (И.П.)", ["Иван Петров"], []),
        ("Гульнар Ахметова [Г.А.]", ["Гульнар Ахметова"], []),
        ("корреспондент Kazinform Асель Омарова", ["Асель Омарова"], ["Kazinform"]),
        # credits, contacts, outlets and logins are no people (families README: authors)
        ("Фото Ерлан Мухамедиев", [], []),
        ("Автор: Данияр Оспанов | Фото: пресс-служба акимата", ["Данияр Оспанов"], []),
        ("Текст: Мадина Жұмабаева, фото: Ерлан Сапаров", ["Мадина Жұмабаева"], []),
        ("Наталья Гришина, фото автора", ["Наталья Гришина"], []),
        ("Текст и фото: Анна Ким", ["Анна Ким"], []),
        ("Фотина Петрова", ["Фотина Петрова"], []),
        ("Текст: Айгерим Бекова, Telegram: @aigerim_bekova", ["Айгерим Бекова"], []),
        ("Иван Петров, e-mail: i.petrov@vestnik.kz", ["Иван Петров"], []),
        ("Асель Нурланова, МИА «Казинформ»", ["Асель Нурланова"], ["МИА «Казинформ»"]),
        ("Олег Пак, газета «Вечерний Уральск»", ["Олег Пак"], ["газета «Вечерний Уральск»"]),
        ("admin", [], []),
        ("Беседовала Дарина Ким", ["Дарина Ким"], []),
        ("Записал Олег Пак", ["Олег Пак"], []),
        ("Автор фото: Иван Петров", [], []),
        ("Текст: Марат Ахметов и Зарина Исаева. Фото: Руслан Пак", ["Марат Ахметов", "Зарина Исаева"], []),
        ("Текст: Н. Орлова\nФото автора", ["Н. Орлова"], []),  # a <br> between the credits
        ("Текст: Н. Орлова Фото автора", ["Н. Орлова"], []),
        ("Иванов А.", ["Иванов А."], []),
        ("Корр.: Д. Амантаева", ["Д. Амантаева"], []),  # abbreviated roles
        ("Соб. корр. Д. Амантаева", ["Д. Амантаева"], []),
        ("Коррина Ли", ["Коррина Ли"], []),
        ("Автор: Данияр Оспанов, пресс-служба акимата", ["Данияр Оспанов"], []),  # organizations and sources
        ("Пресс-служба акимата Алматы", [], []),
        ("Источник: Kazinform", [], ["Kazinform"]),
        ("По материалам РИА Новости", [], ["РИА Новости"]),
        ("Сергей Службин", ["Сергей Службин"], []),
        ("Текст: Айгерим Бекова, t.me/aigerim_writes", ["Айгерим Бекова"], []),
        ("Олег Пак (instagram.com/oleg.pak)", ["Олег Пак"], []),
        ("Авторы: Дина КаримоваСергей Попов", ["Дина Каримова", "Сергей Попов"], []),  # two field items, no space
        ("editor_vko", [], []),
        ("Асель Омарова (Kazinform)", ["Асель Омарова"], ["Kazinform"]),
        ("собкор РИА Новости Олег Сидоров", ["Олег Сидоров"], ["РИА Новости"]),
        ("редактор отдела политики Гульнар Ахметова", ["Гульнар Ахметова"], []),
        ("Гульнар Ахметова, обозреватель", ["Гульнар Ахметова"], []),
        ("Наш корреспондент", [], []),
        ("РИА Новости", [], ["РИА Новости"]),
        ("Tengrinews.kz", [], ["Tengrinews.kz"]),
        ("Marat", ["Marat"], []),
        ("Автор", [], []),
        ("&amp;laquo;Иван&amp;raquo; Петров", ["«Иван» Петров"], []),
        ("Айгерим Сейткали, Айгерим Сейткали", ["Айгерим Сейткали"], []),
    ],
)
def test_split_byline(byline, people, agencies):
    assert split_byline(byline) == (people, agencies)


def test_clean_authors_joins_sources_and_drops_agencies():
    assert clean_authors(["Дмитрий Ким", "дмитрий ким, ТАСС", None, "", "Нина Ли"]) == ["Дмитрий Ким", "Нина Ли"]


def test_decode_entities_stops():
    assert decode_entities("&amp;amp;quot;x&amp;amp;quot;") == '"x"'
    assert decode_entities("AT&T и R&D") == "AT&T и R&D"
    assert decode_entities(None) == ""


# -- authors on pages: every source goes through the cleaner ----------------------


@pytest.mark.parametrize(
    "head, expected",
    [
        ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
         '{"@type": "Person", "name": "Anna Müller und Jan Berg, dpa"}}</script>', ["Anna Müller", "Jan Berg"]),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
         '[{"@type": "Person", "name": "Дмитрий Ким (Д.К.)"}, "Нина Ли"]}</script>', ["Дмитрий Ким", "Нина Ли"]),
        ('<meta name="author" content="Айгерим Сейткали и Дмитрий Ким">', ["Айгерим Сейткали", "Дмитрий Ким"]),
    ],
    ids=["jsonld-list-in-name", "jsonld-initials", "meta-author"],
)
def test_metadata_authors_are_cleaned(head, expected):
    raw = parse(html(head=head))
    assert raw.authors == expected and raw.layers["authors"] == "metadata"


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="author" content="redaktsiya@vestnik.kz">',
        '<meta property="article:author" content="https://www.facebook.com/stepnoyvestnik">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '{"@type": "NewsMediaOrganization", "name": "Степной вестник"}}</script>',
    ],
    ids=["e-mail", "url", "organization"],
)
def test_metadata_that_names_no_person_leaves_the_byline_to_the_page(head):
    raw = parse(html(head=head, before='<div class="post__meta">Автор: <a href="/authors/kim/">Дмитрий Ким</a></div>'))
    assert raw.authors == ["Дмитрий Ким"] and raw.layers["authors"] == "generic"


def test_profile_authors_are_cleaned():
    page = html(before='<h1 class="entry-title">Заголовок статьи о водопроводе</h1><div class="entry-meta">'
                       '<a class="author" href="/a/1/">Айгерим Сапарова (А.С.)</a>, '
                       '<a class="author" href="/a/2/">корреспондент Дмитрий Ким</a></div>')
    article = ArticlePage(Page(url=URL, body=page), load_profile("demo"))
    assert article.authors == ["Айгерим Сапарова", "Дмитрий Ким"] and article.layers["authors"] == "profile"


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ('<div class="post__meta"><a rel="author" href="/authors/seitkali/">Айгерим Сейткали</a></div>', "",
         ["Айгерим Сейткали"]),
        ('<span class="byline">Текст: Дмитрий Ким и Айгерим Сейткали</span>', "", ["Дмитрий Ким", "Айгерим Сейткали"]),
        ('<span itemprop="author" itemscope itemtype="https://schema.org/Person">Автор: '
         '<span itemprop="name">Нина Ли</span></span>', "", ["Нина Ли"]),
        ('<div class="news-detail__avtor">Автор: Олег Пак, собкор</div>', "", ["Олег Пак"]),
        ('<div id="author-block">Гульнар Ахметова (Kazinform)</div>', "", ["Гульнар Ахметова"]),
        # A plain line, no class, between the headline and the text.
        ("<div><small>Автор: Асель Омарова</small></div>", "", ["Асель Омарова"]),
        # After the body.
        ("", '<div class="post__footer"><p>Текст: Ержан Нұрлан және Айдана Сейіт</p></div>',
         ["Ержан Нұрлан", "Айдана Сейіт"]),
        ("", '<p align="right"><b>Андрей Волков</b></p>', ["Андрей Волков"]),
    ],
    ids=["rel-author", "byline-class", "itemprop", "avtor-class", "author-id", "line-before", "line-after", "signature"],
)
def test_generic_byline(before, after, expected):
    raw = parse(html(before=before, after=after))
    assert raw.authors == expected and raw.layers["authors"] == "generic"


@pytest.mark.parametrize(
    "after",
    [
        '<section class="comments"><ol class="comment-list"><li class="comment"><span class="comment-author">'
        "Нуржан Сапаров</span><p>Давно пора было заменить эти трубы.</p></li></ol></section>",
        '<div class="tags"><a href="/tag/tokaev/">Касым-Жомарт Токаев</a></div>',
        "<p><b>Другие Новости</b></p>",
        '<div class="related"><div class="card"><a href="/news/2/">Ремонт дорог в Караганде продлится до осени</a>'
        '<span class="card__author">Олег Пак</span></div></div>',
    ],
    ids=["comment-author", "tag-link", "title-case-heading", "related-card-author"],
)
def test_no_byline_is_invented(after):
    assert parse(html(after=after)).authors == []


@pytest.mark.parametrize(
    "paragraphs, expected_authors, index",
    [
        (["Автор: Дмитрий Ким", *BODY], ["Дмитрий Ким"], 0),
        ([*BODY, "Текст: Айгерим Сейткали, фото: Ержан Нурбеков"], ["Айгерим Сейткали"], -1),
        ([*BODY, "Материал подготовила Нина Ли", "Подписывайтесь на наш Telegram-канал"], ["Нина Ли"], -2),
    ],
    ids=["first-line", "last-line", "before-last"],
)
def test_a_byline_line_in_the_body_is_taken_out_of_it(paragraphs, expected_authors, index):
    raw = parse(html(paragraphs=paragraphs))
    assert raw.authors == expected_authors
    assert paragraphs[index] not in raw.paragraphs and raw.paragraphs[0] == BODY[0]
    article = process_article(raw)
    assert article.body[: len(BODY)] == BODY and not any(p.startswith(("Автор", "Текст", "Материал")) for p in article.body)


def test_a_byline_line_in_the_body_goes_even_when_metadata_names_the_author():
    raw = parse(html(head='<meta name="author" content="Дмитрий Ким">', paragraphs=["Текст: Дмитрий Ким", *BODY]))
    assert raw.authors == ["Дмитрий Ким"] and raw.layers["authors"] == "metadata" and raw.paragraphs == BODY


def test_a_sentence_that_opens_with_the_word_is_body():
    sentence = "Автор проекта реконструкции, инженер Олег Пак, пообещал, что новые трубы прослужат не меньше пятидесяти лет."
    raw = parse(html(paragraphs=[*BODY, sentence]))
    assert raw.paragraphs[-1] == sentence


def test_a_lone_by_label_is_no_author():
    from core.bylines import clean_authors
    assert clean_authors(["От"]) == []
    assert clean_authors(["By"]) == []
    assert clean_authors(["От Айгуль Ким"]) == ["Айгуль Ким"]
    assert clean_authors(["Отарбай Сейтказы"]) == ["Отарбай Сейтказы"]  # a name that starts like the label


def test_reworded_social_title_loses_to_the_headline_the_page_title_repeats():
    from core.items import Page
    from crawler.pages import extract
    paragraphs = "".join(f"<p>Трамваи второго маршрута с 15 апреля пойдут по новой схеме, абзац {i}: "
                         "на участке у вокзала их заменят автобусы, проезд по карте бесплатный.</p>" for i in range(4))
    html = f"""<html lang="ru"><head><title>В Самаре изменится схема движения трамваев - Волга Вести</title>
<meta property="og:title" content="Трамваи: что изменится с 15 апреля"></head>
<body><article><h1>В Самаре изменится схема движения трамваев</h1>{paragraphs}</article></body></html>"""
    raw = extract(Page(url="https://volga-vesti.example/news/tramvai", body=html.encode()))
    assert raw.title == "В Самаре изменится схема движения трамваев"


def test_byline_in_a_page_builder_widget_is_read_but_not_in_a_sidebar_widget():
    from lxml import html as lhtml
    from crawler.pages.generic import find_byline
    builder = lhtml.fromstring('<div><div class="elementor-widget elementor-widget-post-info">'
                               '<span itemprop="author">Дана Ермекова</span></div></div>')
    sidebar = lhtml.fromstring('<div><div class="widget widget_recent_entries">'
                               '<span itemprop="author">Дана Ермекова</span></div></div>')
    assert find_byline(builder) == ["Дана Ермекова"]
    assert find_byline(sidebar) == []


def _bare_text_page(after_body: str) -> str:
    text = "<br /><br />".join("В Экибастузе с 1 апреля подорожает проезд в городских автобусах, "
                               f"сообщили в акимате города, это абзац номер {i} длинного текста." for i in range(5))
    return f"""<html lang="ru"><head><title>Проезд подорожает</title></head><body>
<div class="news-detail"><span class="news-date-time">24.03.2025</span>
<h3>В Экибастузе подорожает проезд в автобусах</h3><img class="detail_picture" src="/upload/a.jpg" alt="">{text}
<div style="clear:both"></div>{after_body}</div></body></html>"""


def test_bare_text_byline_after_the_body_is_read():
    from core.items import Page
    from crawler.pages import extract
    html = _bare_text_page("<br />\n\tАвтор:&nbsp;<b>М. Сейтказина</b><br />")
    raw = extract(Page(url="https://ekibastuz.example/news/proezd", body=html.encode()))
    assert raw.authors == ["М. Сейтказина"]


def test_signature_with_a_lower_case_credit():
    from lxml import html as lhtml
    from crawler.pages.generic import signature_after
    root = lhtml.fromstring('<div><p id="last">Текст.</p><p align="right"><i>Наталья Гришина, фото автора</i></p></div>')
    assert signature_after(root.get_element_by_id("last")) == ["Наталья Гришина"]
    root = lhtml.fromstring('<div><p id="last">Текст.</p><p align="right"><i>Наталья Гришина, Павлодар, Казахстан</i></p></div>')
    assert signature_after(root.get_element_by_id("last")) == []


def test_bare_text_byline_is_not_a_body_paragraph():
    from core.items import Page
    from crawler.pages import extract
    html = _bare_text_page("<br />\n\tАвтор:&nbsp;<b>М. Сейтказина</b><br />")
    raw = extract(Page(url="https://ekibastuz.example/news/proezd", body=html.encode()))
    assert not any("Автор" in p for p in raw.paragraphs)


@pytest.mark.parametrize(
    "head, expected",
    [
        # article:author is a profile URL, the name is in <meta name=author>
        ('<meta property="article:author" content="https://www.facebook.com/stepvestnik">'
         '<meta name="author" content="Гульнар Ахметова">', ["Гульнар Ахметова"]),
        # JSON-LD names a CMS login; Dublin Core has the person
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x", "author": {"@type": "Person", '
         '"name": "admin"}}</script><meta name="DC.creator" content="Олег Пак">', ["Олег Пак"]),
        ('<meta name="sailthru.author" content="Анна Ли">', ["Анна Ли"]),
    ],
    ids=["profile-url-then-name", "login-then-dublin-core", "sailthru"],
)
def test_the_first_metadata_source_that_names_a_person(head, expected):
    raw = parse(html(head=head))
    assert raw.authors == expected and raw.layers["authors"] == "metadata"


def test_kazakh_byline_labels():
    from core.bylines import clean_authors
    assert clean_authors(["Дайындаған: Айгүл Серікқызы"]) == ["Айгүл Серікқызы"]
    assert clean_authors(["Дайындаған Айгүл Серікқызы"]) == ["Айгүл Серікқызы"]
    assert clean_authors(["Мақала авторы: Ерлан Сапаров"]) == ["Ерлан Сапаров"]
    assert clean_authors(["Дайындағандар: Айгүл Серікқызы мен Ерлан Сапаров"]) == ["Айгүл Серікқызы", "Ерлан Сапаров"]


def test_a_kazakh_byline_line_after_the_text_is_read():
    from core.items import Page
    from crawler.pages import extract
    text = "".join(f"<p>Павлодарда жаңа мектеп ашылды, онда {i} сынып бар және балалар жаңа оқу жылын осында бастайды.</p>"
                   for i in range(5, 10))
    html = (f'<html lang="kk"><head><title>Жаңа мектеп</title></head><body><article><h1>Павлодарда жаңа мектеп ашылды</h1>'
            f'{text}</article><p>Дайындаған: Айгүл Серікқызы</p></body></html>')
    raw = extract(Page(url="https://ertis-test.kz/kk/news/mektep", body=html.encode()))
    assert raw.authors == ["Айгүл Серікқызы"]


# -- the lines between the headline and the text (no author markup, no metadata) --

def _headline_page(meta_line: str, *, headline: str = "<h1>В Караганде откроют второй бассейн для школьников</h1>") -> bytes:
    paragraphs = "".join(
        f"<p>Бассейн на улице Ерубаева примет первых учеников в сентябре, сообщили в отделе образования, абзац {i}. "
        "Занятия для школьников будут бесплатными, расписание утвердят в августе.</p>" for i in range(4))
    return f"""<html lang="ru"><head><title>Второй бассейн для школьников</title></head><body>
<div class="wrap"><div class="news">{headline}
{meta_line}
<div class="text">{paragraphs}</div></div></div></body></html>""".encode()


@pytest.mark.parametrize("meta_line, expected", [
    # a Drupal "submitted" line: the date, a dash, the name with no label
    ('<div class="submitted">Пн, 07.04.2025 - 11:20 — <span class="u">Г. Жумабекова</span></div>', ["Г. Жумабекова"]),
    # credits split into label and name elements, a photographer after the comma
    ('<div class="credits"><span class="role">Текст:</span> <a href="/authors/kim">Вадим Ким</a><span>, </span>'
     '<span class="role">фото:</span> <span>Олжас Нуров</span></div>', ["Вадим Ким"]),
    # a label mid-line in a dateline parted by no-break spaces, a counter after it
    ('<div class="info">Опубликовано: 7 апреля 2025 г. в 11:20&nbsp;&nbsp; Автор: Салтанат Ибраева, фото Ерлана Сатова'
     '&nbsp;&nbsp; Просмотров: 1204</div>', ["Салтанат Ибраева"]),
    # a meta line of an old table page: "Корр.:" with the initial glued to the surname
    ('<font size="1">07.04.2025 11:20 &nbsp;|&nbsp; Корр.: Б.Есенов &nbsp;|&nbsp; Прочитано: 88 раз</font>', ["Б.Есенов"]),
    # surname first, then the initial
    ('<div class="date">07.04.2025, 11:20 · Жумабекова Г.</div>', ["Жумабекова Г."]),
])
def test_byline_on_the_lines_under_the_headline(meta_line, expected):
    raw = extract(Page(url="https://kar-school.example/news/basseyn", body=_headline_page(meta_line)))
    assert raw.authors == expected
    body = process_article(raw).body
    assert body[0].startswith("Бассейн на улице Ерубаева") and len(body) == 4


@pytest.mark.parametrize("meta_line", [
    # a rubric and a place beside the date are not names
    '<div class="meta">07.04.2025 11:20 | Образование | Караганда</div>',
    # a name in the line without a date is the lead's subject, not a byline
    '<div class="meta">Айгуль Сарсенова</div>',
    # an organisation credited on the dateline
    '<div class="meta">07.04.2025 11:20 — Пресс-служба акимата</div>',
])
def test_no_byline_from_a_dateline_without_a_person(meta_line):
    raw = extract(Page(url="https://kar-school.example/news/basseyn", body=_headline_page(meta_line)))
    assert raw.authors == []


def test_headline_without_h1_bylines_under_an_old_pages_bold_title():
    headline = '<font size="4"><b>В Караганде откроют второй бассейн для школьников</b></font><br>'
    meta = '<font size="1">07.04.2025 11:20 &nbsp;|&nbsp; Автор: Д. Оспанова</font><br>'
    raw = extract(Page(url="https://kar-school.example/news/basseyn", body=_headline_page(meta, headline=headline)))
    assert raw.authors == ["Д. Оспанова"]


def test_every_microdata_author_of_one_line_is_read():
    meta = ('<div class="meta"><time>07.04.2025</time> | Авторы: <span itemprop="author" itemscope>'
            '<span itemprop="name">Динара Абдрахманова</span></span>, <span itemprop="author" itemscope>'
            '<span itemprop="name">Виктор Ан</span></span></div>')
    raw = extract(Page(url="https://kar-school.example/news/basseyn", body=_headline_page(meta)))
    assert raw.authors == ["Динара Абдрахманова", "Виктор Ан"]


def test_an_author_the_page_prints_only_in_its_app_state():
    state = ('{"props":{"pageProps":{"article":{"title":"В Актау продлили навигацию паромов до декабря",'
             '"publishedAt":"2025-10-02T06:30:00.000Z","author":{"id":7,"fullName":"Арман Тулегенов",'
             '"position":"обозреватель"},"showAuthor":false},'
             '"popular":[{"title":"Другая новость","author":{"fullName":"Не автор"}}]}}}')
    paragraphs = "".join(f"<p>Паромы из порта Курык будут ходить в Баку до середины декабря, абзац {i}, "
                         "сообщили в администрации порта.</p>" for i in range(4))
    html = (f'<html lang="ru"><head><title>Паромы</title></head><body><main><h1>В Актау продлили навигацию паромов до '
            f'декабря</h1>{paragraphs}</main><script id="__NEXT_DATA__" type="application/json">{state}</script>'
            '</body></html>')
    raw = extract(Page(url="https://aktau-port.example/news/paromy", body=html.encode()))
    assert raw.authors == ["Арман Тулегенов"]


def test_a_caption_with_its_photo_credit_is_no_body_paragraph():
    from core.normalize import normalize_paragraphs
    text = "Жители села Карабулак сами отремонтировали крышу школы за две недели."
    assert normalize_paragraphs(["Школа в селе Карабулак. Фото: Асхат Нуров", text]) == [text]
    # a sentence that mentions a photo stays
    kept = "На выставке показали фото: старые снимки Караганды из семейных архивов."
    assert normalize_paragraphs([kept]) == [kept]


def test_a_quoted_outlet_after_a_photo_credit_is_no_author():
    assert split_byline("Фото: Сергей Бобылев / «Деловой курс»").people == []
    assert clean_authors(["«Деловой курс»"]) == []


def test_an_old_pages_headline_in_big_type_when_the_title_names_only_the_site_and_rubric():
    html = ('<HTML><HEAD><TITLE>Иртыш-Вести :: Новости</TITLE></HEAD><BODY><TABLE><TR><TD>'
            '<FONT SIZE="1">Довольны ли вы подготовкой города к зиме?</FONT><BR>'
            '<FONT SIZE="4"><B>В Павлодаре меняют 800 метров теплотрассы</B></FONT><BR>'
            + "".join(f"<P>Ремонт теплотрассы на улице Ломова закончат к 15 декабря, абзац {i}, сообщили в "
                      "городском отделе ЖКХ и в теплосетях.</P>" for i in range(4))
            + '</TD></TR></TABLE></BODY></HTML>').encode("cp1251")
    raw = extract(Page(url="http://irtysh-news.example/news/2026-11-28/teplo.html", body=html,
                       headers={"content-type": "text/html; charset=windows-1251"}))
    assert raw.title == "В Павлодаре меняют 800 метров теплотрассы"


def test_a_metadata_title_cut_short_of_the_visible_headline_gives_way_to_it():
    paragraphs = "".join(f"<p>Население малых городов Казахстана сокращается третий год подряд, абзац {i}, "
                         "показывают данные бюро национальной статистики.</p>" for i in range(4))
    html = (f'<html lang="ru"><head><title>Пустеющие окраины | Капитал</title>'
            '<meta property="og:title" content="Пустеющие окраины: как малые города теряют жителей"></head><body>'
            f'<article><h1>Пустеющие окраины: как малые города теряют жителей и что с этим делают</h1>{paragraphs}'
            '</article></body></html>')
    raw = extract(Page(url="https://kapital-longread.example/a/okrainy", body=html.encode()))
    assert raw.title == "Пустеющие окраины: как малые города теряют жителей и что с этим делают"


@pytest.mark.parametrize("line, expected", [
    ("Другие материалы: Ержан Калиев", ["Ержан Калиев"]),   # an author box's archive link
    ("Автор текста: Мадина Жумабаева", ["Мадина Жумабаева"]),
    ("Материал подготовлен редакцией: Ж. Ким", ["Ж. Ким"]),
    ("Мадина Жумабаева: корреспондент", ["Мадина Жумабаева"]),  # a name before its colon stays
])
def test_any_label_before_the_name_goes(line, expected):
    assert split_byline(line).people == expected


def test_an_editing_credit_with_its_colon_names_no_author():
    line = "Текст: Алина Мухаметова, Тимур Есенов; редактор: Ольга Ким; фото: Сергей Литвинов"
    assert split_byline(line).people == ["Алина Мухаметова", "Тимур Есенов"]
    assert split_byline("редактор отдела Гульнар Ахметова").people == ["Гульнар Ахметова"]


def test_a_signature_with_the_town_it_was_filed_from():
    from lxml import html as lhtml
    from crawler.pages.generic import signature_after
    root = lhtml.fromstring('<div><p id="last">Текст.</p><p align="right"><b>Гульмира Ахметова, Тараз</b></p></div>')
    assert signature_after(root.get_element_by_id("last")) == ["Гульмира Ахметова"]
