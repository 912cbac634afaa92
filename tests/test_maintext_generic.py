"""The generic body (crawler/pages/maintext.py) on markup no profile knows.

Each page is small and hand-written; each test names the one rule it checks,
and each would fail if the rule were gone (the extractor alone gets it wrong).
"""
from __future__ import annotations

from core.items import Page
from crawler.pages import extract

_SENTENCES = [
    "В Павлодаре начали ремонт моста через Иртыш, который не обновляли с девяностых годов.",
    "Подрядчик обещает закончить работы до конца октября, движение на время ремонта ограничат.",
    "Грузовикам тяжелее двадцати тонн придётся ехать в объезд через северную промзону города.",
    "Автобусы маршрутов номер три и семнадцать будут ходить по временной схеме до ноября.",
    "В акимате напомнили, что ремонт профинансирован из республиканского бюджета полностью.",
    "Жители прибрежных улиц жалуются на шум по ночам, но работы идут и днём, и ночью.",
    "Инженеры проверили опоры моста и нашли трещины, которые заделают в первую очередь.",
    "После ремонта мост сможет пропускать вдвое больше машин, чем сейчас, обещают в управлении.",
]


def _paragraphs(html: str, url: str = "https://irtysh-zhany.example/news/most-remont") -> list[str]:
    raw = extract(Page(url=url, body=html.encode()))
    return raw.paragraphs


def _page(body: str, title: str = "В Павлодаре начали ремонт моста через Иртыш") -> str:
    return f"""<html lang="ru"><head><meta charset="utf-8"><title>{title} | Иртыш жаңалықтары</title></head>
<body><header><nav><a href="/">Главная</a> <a href="/news/">Новости</a> <a href="/sport/">Спорт</a></nav></header>
<main>{body}</main>
<footer><p>© 2025 Иртыш жаңалықтары. Все права защищены. Перепечатка только со ссылкой на источник.</p></footer>
</body></html>"""


def test_a_body_cut_into_template_chunks_around_ads_is_read_whole():
    chunk = '<div class="grid"><div class="article-body chunk">{}</div><aside class="rail"><div>Реклама</div></aside></div>'
    first = "".join(f"<p>{s}</p>" for s in _SENTENCES[:2])
    second = "".join(f"<p>{s}</p>" for s in _SENTENCES[2:])
    html = _page(f'<article><h1>В Павлодаре начали ремонт моста через Иртыш</h1><div class="chunks">'
                 f'{chunk.format(first)}<div class="ad-slot">Реклама 18+</div>{chunk.format(second)}</div></article>')
    assert _paragraphs(html) == _SENTENCES


def test_a_comment_with_the_body_class_is_no_chunk_of_the_body():
    comment = ("Мост ремонтируют уже третий раз за десять лет, и каждый раз обещают, что это последний, "
               "а через год снова пробки и объезды через всю промзону.")
    html = _page('<div class="post"><h1>В Павлодаре начали ремонт моста через Иртыш</h1>'
                 '<div class="content">' + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</div>"
                 '<div class="comments-list"><div class="comment"><div class="comment_body">'
                 f'<div class="content"><p>{comment}</p></div></div></div></div></div>')
    paragraphs = _paragraphs(html)
    assert paragraphs == _SENTENCES
    assert comment not in paragraphs


def test_a_list_of_half_linked_headlines_closing_a_chunk_is_no_body():
    more = "".join(f'<li>Ещё по теме: <a href="/news/{i}">ремонт дорог в Павлодаре, часть {i}</a></li>' for i in range(4))
    chunk = '<div class="grid"><div class="article-body chunk">{}</div></div>'
    html = _page('<article><h1>В Павлодаре начали ремонт моста через Иртыш</h1><div class="chunks">'
                 + chunk.format("".join(f"<p>{s}</p>" for s in _SENTENCES[:4]))
                 + '<div class="ad-slot">Реклама</div>'
                 + chunk.format("".join(f"<p>{s}</p>" for s in _SENTENCES[4:]) + f"<h3>Читайте нас</h3><ul>{more}</ul>")
                 + "</div></article>")
    paragraphs = _paragraphs(html)
    assert paragraphs == _SENTENCES


def test_the_bare_text_opening_a_body_before_its_first_break_is_kept():
    opening = ("По данным управления пассажирского транспорта, ремонт моста через Иртыш начнётся "
               "в понедельник и займёт <em><a href=\"/news/sroki\">около пяти месяцев</a></em>.")
    rest = "<br/> <br/>".join(_SENTENCES[:6])
    html = _page('<div class="article"><h1>В Павлодаре начали ремонт моста через Иртыш</h1>'
                 f'<div class="content">{opening}\n<br/> <br/><img src="/i/most.jpg" alt="">'
                 f'<center><em>Мост через Иртыш. Фото пресс-службы</em></center> <br/>{rest}</div></div>')
    paragraphs = _paragraphs(html)
    assert paragraphs[0].startswith("По данным управления пассажирского транспорта")
    assert paragraphs[0].endswith("около пяти месяцев.")
    assert paragraphs[1:] == _SENTENCES[:6]


def test_the_dateline_strip_outside_the_text_container_is_trimmed():
    html = _page('<div class="news"><h1>В Павлодаре начали ремонт моста через Иртыш</h1>'
                 '<div class="meta"><div>Опубликовано: 25.06.2025</div><div>Просмотров: 1 204</div></div>'
                 '<div class="text">' + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</div>"
                 '<div class="after"><div>Войдите, чтобы оставить комментарий</div></div></div>')
    paragraphs = _paragraphs(html)
    assert paragraphs == _SENTENCES


def test_menu_entries_and_headline_cards_inside_the_article_are_no_body():
    cards = "".join(f'<div class="card"><a href="/news/{i}"><h3>Другая новость Павлодара под номером {i}</h3></a></div>'
                    for i in range(3))
    html = _page('<article><h1>В Павлодаре начали ремонт моста через Иртыш</h1>'
                 '<ul class="rubrics"><li><a href="/news/">Новости</a></li><li><a href="/city/">Город</a></li></ul>'
                 + "".join(f"<p>{s}</p>" for s in _SENTENCES) + cards + "</article>")
    paragraphs = _paragraphs(html)
    assert paragraphs == _SENTENCES


def test_a_table_cell_with_a_headline_over_its_text_is_page_layout():
    cells = "".join(f"<p>{s}</p>" for s in _SENTENCES)
    html = _page('<table width="100%"><tr><td width="200"><a href="/">Главная</a><br><a href="/arch/">Архив</a></td>'
                 f'<td><h2>В Павлодаре начали ремонт моста через Иртыш</h2>{cells}</td></tr>'
                 '<tr><td colspan="2">Счётчик посещений</td></tr></table>')
    paragraphs = _paragraphs(html)
    assert paragraphs == _SENTENCES


# The rules one by one, on the lines the extractor kept: trafilatura alone gets
# these pages right or wrong by its own heuristics, so each rule is checked on
# its input directly.
def _kept(root, xpath):
    """(line, element, owner) for the elements the extractor would have kept."""
    from crawler.pages.html import text_of
    return [(text_of(el), el, el) for el in root.xpath(xpath)]


def test_chunks_rule_adds_the_twin_containers_in_document_order():
    from lxml import html as lhtml
    from crawler.pages.maintext import _with_chunks
    chunk = '<div class="grid"><div class="article-body chunk">{}</div></div>'
    root = lhtml.fromstring(
        '<div class="chunks">'
        + chunk.format("".join(f"<p>{s}</p>" for s in _SENTENCES[:2]))
        + chunk.format("".join(f"<p>{s}</p>" for s in _SENTENCES[2:5]))
        + '<div class="ad">Реклама</div>'
        + chunk.format("".join(f"<p>{s}</p>" for s in _SENTENCES[5:])
                       + '<ul><li>Как изменится движение транспорта в Павлодаре <a href="/a">после ремонта</a></li></ul>')
        + '<div class="comments"><div class="c"><div class="article-body chunk"><p>Комментарий читателя: '
          "сколько можно ремонтировать этот мост, каждый год одно и то же, пробки и шум.</p></div></div></div>"
        + "</div>")
    kept = _kept(root, "(//div[@class='article-body chunk'])[2]/p")
    assert [k[0] for k in _with_chunks(kept)] == _SENTENCES


def test_chunks_rule_needs_a_classed_container_and_prose_in_the_twin():
    from lxml import html as lhtml
    from crawler.pages.maintext import _with_chunks
    root = lhtml.fromstring(
        "<div><div><div>" + "".join(f"<p>{s}</p>" for s in _SENTENCES[:4]) + "</div></div>"
        "<div><div><p>Другой блок без класса, его текст не часть статьи, хотя стоит рядом.</p></div></div>"
        '<div class="row"><div class="txt">' + "".join(f"<p>{s}</p>" for s in _SENTENCES[4:]) + "</div></div>"
        '<div class="row"><div class="txt"><p>Фото: пресс-служба</p></div></div></div>')
    unclassed = _kept(root, "/html/body/div/div[1]/div/p")
    assert _with_chunks(unclassed) == unclassed
    classed = _kept(root, "//div[@class='txt']/p")
    assert _with_chunks(classed) == classed  # the twin holds only a credit


def test_opening_run_rule_takes_the_bare_text_up_to_the_first_break():
    from lxml import html as lhtml
    from crawler.pages.maintext import _with_opening_run
    root = lhtml.fromstring(
        '<div class="content">По данным управления транспорта, ремонт моста начнётся в понедельник '
        'и займёт <em><a href="/s">около пяти месяцев</a></em>.<br><br><p>' + "</p><p>".join(_SENTENCES) + "</p></div>")
    kept = _kept(root, "//p")
    lines = [k[0] for k in _with_opening_run(kept)]
    assert lines[0] == "По данным управления транспорта, ремонт моста начнётся в понедельник и займёт около пяти месяцев."
    assert lines[1:] == _SENTENCES
    short = lhtml.fromstring('<div class="content">Фото: архив<br><p>' + "</p><p>".join(_SENTENCES) + "</p></div>")
    kept = _kept(short, "//p")
    assert _with_opening_run(kept) == kept  # no sentence: a credit, not the text's start


def test_edge_trimming_drops_short_lines_outside_the_text_container_only():
    from lxml import html as lhtml
    from crawler.pages.maintext import _trim_edges
    root = lhtml.fromstring(
        '<div><div class="meta"><span>Опубликовано: 25.06.2025</span></div>'
        '<div class="text"><p>Коротко о главном</p>' + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</div>"
        '<div class="stat"><span>Просмотров: 1204</span></div></div>')
    kept = _kept(root, "//span | //p")
    lines = [k[0] for k in _trim_edges(kept)]
    # The dateline and the counter stand outside the text's box; a short line inside it stays.
    assert lines == ["Коротко о главном", *_SENTENCES]


_SHORT = [
    "У центрального рынка Кокшетау начал работать пункт приёма вторсырья, туда несут пластик и стекло.",
    "За килограмм пластика платят шестьдесят тенге, за макулатуру двадцать пять, деньги выдают сразу.",
    "— Больше всего несут картон от магазинов, — рассказал владелец пункта Ринат Жумабеков.",
    "Пункт работает ежедневно с девяти утра до шести вечера, кроме воскресенья и праздников.",
    "В акимате рассчитывают, что до конца года такие пункты появятся ещё в двух микрорайонах.",
]


def test_a_short_article_with_a_read_also_list_in_its_text_is_an_article():
    links = "".join(f'<li><a href="/obshchestvo/musor-{i}/">Новость о раздельном сборе мусора номер {i}</a></li>'
                    for i in range(3))
    html = _page('<div class="entry"><h1>В Кокшетау открыли пункт приёма вторсырья</h1><div class="entry__text">'
                 + "".join(f"<p>{s}</p>" for s in _SHORT[:2])
                 + f'<div class="inline-list"><p><strong>Читайте также:</strong></p><ul>{links}</ul></div>'
                 + "".join(f"<p>{s}</p>" for s in _SHORT[2:]) + "</div></div>",
                 title="В Кокшетау открыли пункт приёма вторсырья")
    raw = extract(Page(url="https://kokshe-times.example/obshchestvo/punkt/", body=html.encode()))
    assert raw.is_article
    assert [link.url for link in raw.related] == [f"/obshchestvo/musor-{i}/" for i in range(3)]


def test_the_same_headlines_interleaved_with_excerpts_are_a_listing():
    items = "".join(f'<div class="item"><h3><a href="/obshchestvo/musor-{i}/">Новость о раздельном сборе мусора номер {i}</a></h3>'
                    f"<p>{_SHORT[i]}</p></div>" for i in range(4))
    html = _page(f'<div class="list"><h1>Общество</h1>{items}</div>', title="Общество")
    raw = extract(Page(url="https://kokshe-times.example/obshchestvo/", body=html.encode()))
    assert not raw.is_article


def test_the_signature_after_a_see_also_table_is_the_author():
    rows = "".join(f'<TR><TD><FONT SIZE="1">1{i}.10.2025</FONT></TD><TD><A HREF="/news/2025/10/1{i}/n{i}.html">'
                   f"Другая городская новость под номером {i}</A></TD></TR>" for i in range(3))
    html = ('<HTML><HEAD><TITLE>Рудненский рабочий - В Рудном отремонтируют поликлинику</TITLE></HEAD><BODY>'
            '<TABLE WIDTH="100%"><TR><TD WIDTH="170"><A HREF="/">Главная</A><BR><A HREF="/news/">Новости</A></TD><TD>'
            '<FONT SIZE="4"><B>В Рудном отремонтируют поликлинику</B></FONT><BR>'
            + "".join(f"<P>{s}</P>" for s in _SENTENCES[:5])
            + f'<TABLE WIDTH="100%"><TR><TD COLSPAN="2"><B>Смотрите также:</B></TD></TR>{rows}</TABLE>'
            '<P ALIGN="RIGHT"><I>Ольга Кравченко</I></P></TD></TR></TABLE></BODY></HTML>')
    raw = extract(Page(url="http://rudny-rabochiy.example/news/2025/10/21/p.html", body=html.encode()))
    assert raw.is_article
    assert raw.authors == ["Ольга Кравченко"]


def test_listing_rows_of_date_bold_headline_and_excerpt_in_one_cell_are_a_listing():
    rows = "".join(f'<TR><TD><FONT SIZE="1">2{i}.10.2025</FONT><BR><A HREF="/news/2025/10/2{i}/n.html"><B>'
                   f"Городская новость Семея под номером {i}</B></A><BR><FONT SIZE=\"2\">{_SENTENCES[i]}</FONT></TD></TR>"
                   for i in range(5))
    html = ('<HTML><HEAD><TITLE>Эхо Семея :: Новости города</TITLE></HEAD><BODY><TABLE><TR>'
            '<TD WIDTH="150"><A HREF="/">Главная</A><BR><A HREF="/news/">Новости</A></TD><TD><TABLE>'
            f'<TR><TD><FONT SIZE="4"><B>Новости города</B></FONT></TD></TR>{rows}</TABLE></TD></TR></TABLE></BODY></HTML>')
    raw = extract(Page(url="http://ekho-semeya.example/news/", body=html.encode()))
    assert not raw.is_article


def test_a_paragraph_opening_with_a_link_mid_sentence_is_no_listing_row():
    text = "".join(f'<p><a href="/org/{i}">Управление пассажирского транспорта города</a> сообщило: {s}</p>'
                   for i, s in enumerate(_SENTENCES[:5]))
    html = _page(f"<article><h1>В Павлодаре начали ремонт моста через Иртыш</h1>{text}</article>")
    raw = extract(Page(url="https://irtysh-zhany.example/news/most-remont", body=html.encode()))
    assert raw.is_article


def test_service_pages_are_no_articles_whatever_their_markup_says():
    from crawler.pages.generic import is_service_page
    assert is_service_page("Контакты редакции", "https://arka.example/kontakty/")
    assert is_service_page("Реклама на сайте", "https://arka.example/page/27")
    assert is_service_page("Біз туралы", "https://arka.example/kk/biz-turaly/")
    assert is_service_page("Наши реквизиты", "https://arka.example/about/")
    assert not is_service_page("Контакты с Китаем расширят: Казахстан и КНР подписали соглашение",
                               "https://arka.example/politika/kontakty-s-kitaem/")
    assert not is_service_page("Реклама алкоголя в Казахстане останется под запретом",
                               "https://arka.example/2025/10/reklama/")
    assert not is_service_page(None, "http://[::1")
    contacts = ('<html><head><title>Контакты редакции - Арка</title><meta property="og:type" content="article">'
                '</head><body><article><h1>Контакты редакции</h1>'
                + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</article></body></html>")
    raw = extract(Page(url="https://arka.example/kontakty/", body=contacts.encode()))
    assert not raw.is_article


def test_a_wrapper_naming_the_page_layout_is_no_sidebar():
    from lxml import html as lhtml
    from crawler.pages.generic import find_headline, is_chrome
    root = lhtml.fromstring('<html><body><div class="page layout-right-sidebar"><article><h1>В Актобе запустили фабрику</h1>'
                            '</article><div class="sidebar"><p id="s">Популярное</p></div></div></body></html>')
    assert find_headline(root) == "В Актобе запустили фабрику"
    assert is_chrome(root.get_element_by_id("s"))
    assert not is_chrome(root.find(".//h1"))


def test_a_line_break_separates_words_in_every_text_read():
    from crawler.pages.html import parse_html, text_of
    root = parse_html("<html><body><p id='s'>Текст: Г. Ибраева<br>Фото автора</p>"
                      "<p id='q'>— Ремонт закончим к маю,<br/>— сказал аким.</p></body></html>")
    assert text_of(root.get_element_by_id("s")) == "Текст: Г. Ибраева Фото автора"
    assert text_of(root.get_element_by_id("q")) == "— Ремонт закончим к маю, — сказал аким."


def test_paragraphs_nested_in_a_paragraph_left_open_are_each_a_paragraph():
    text = "".join(f"<P>{s}</P>" for s in _SENTENCES[:5])
    html = ('<HTML><HEAD><TITLE>Вестник | Ремонт моста</TITLE></HEAD><BODY><TABLE><TR><TD VALIGN=TOP>'
            '<FONT SIZE=1>Город, 14.03.2025</FONT><BR><FONT SIZE=4><B>В Павлодаре начали ремонт моста</B></FONT><P>'
            f'<FONT SIZE=2>{text}</FONT><BR><A HREF="/print.php?n=1">Версия для печати</A></TD>'
            '<TD WIDTH=180><B>Последние новости</B><BR><A HREF="/n/2.html">Другая новость города</A></TD></TR></TABLE></BODY></HTML>')
    raw = extract(Page(url="http://vestnik.example/news/1.html", body=html.encode()))
    assert raw.is_article
    assert raw.paragraphs == _SENTENCES[:5]


def test_a_headline_holding_a_title_separator_of_its_own_is_kept_whole():
    from lxml import html as lhtml
    from crawler.pages.generic import find_title
    root = lhtml.fromstring('<html><head><title>«Очереди уйдут, когда врачей станет больше» — интервью с главврачом'
                            ' | Новости Уральска</title></head><body><div class="logo">Новости Уральска</div>'
                            '<h3>«Очереди уйдут, когда врачей станет больше» — интервью с главврачом</h3>'
                            '<p>Текст интервью.</p></body></html>')
    assert find_title(root) == "«Очереди уйдут, когда врачей станет больше» — интервью с главврачом"


def test_block_labels_go_and_the_text_ends_at_a_comment_section():
    from crawler.pages.maintext import _without_labels
    lines = [*_SENTENCES[:3], "Смотрите также:", _SENTENCES[3], "Тақырыпқа қатысты / По теме",
             "Комментарии (2)", "Айгуль", "Поздравляем, очень гордимся нашим хором!"]
    kept = _without_labels([(line, None, None) for line in lines])
    assert [k[0] for k in kept] == _SENTENCES[:4]
    footer = [*_SENTENCES[:2], "Бөлісу / Поделиться:", "© Иртыш Инфо, 2012–2025. Реклама: +7 (7182) 00-00-00."]
    assert [k[0] for k in _without_labels([(line, None, None) for line in footer])] == _SENTENCES[:2]
    # Words that only start like a label stay: a sentence is no label.
    prose = ["Смотрите также на сайте акимата: там опубликован весь список улиц, где пройдёт ремонт.",
             "Комментарии к проекту жители могут оставить до пятницы."]
    assert [k[0] for k in _without_labels([(p, None, None) for p in prose])] == prose


def test_the_correspondent_in_a_meta_line_under_the_headline_is_the_author():
    text = "<BR><BR>".join(_SENTENCES[:5])
    html = ('<HTML><HEAD><TITLE>Правда :: Хор стал лауреатом конкурса</TITLE></HEAD><BODY><TABLE><TR><TD>'
            '<FONT SIZE=4><B>Хор стал лауреатом конкурса</B></FONT><BR>'
            '<FONT SIZE=1>21.11.2025 18:20 | Корр.: Д. Амантаева | Прочитано: 348 раз</FONT><BR><BR>'
            f'<FONT SIZE=2>{text}</FONT></TD><TD WIDTH=200><A HREF="/n/1.html">Другая новость</A></TD></TR></TABLE></BODY></HTML>')
    raw = extract(Page(url="http://pravda-zhezkazgan.kz/culture/4421.html", body=html.encode()))
    assert raw.authors == ["Д. Амантаева"]
    assert raw.published_at.isoformat() == "2025-11-21T18:20:00+05:00"
    longer = html.replace("21.11.2025 18:20 | Корр.: Д. Амантаева | Прочитано: 348 раз",
                          "Добавлено: 14.01.2023 10:20 ALMT | Автор: Сауле Жунусова-Темирбаева | Просмотров: 1204")
    raw = extract(Page(url="http://pravda-zhezkazgan.kz/culture/4421.html", body=longer.encode()))
    assert raw.authors == ["Сауле Жунусова-Темирбаева"]
    assert raw.published_at.isoformat() == "2023-01-14T10:20:00+06:00"  # ALMT was +06:00 then


def test_signatures_in_capitals_and_with_an_interviewers_role_word():
    from lxml import html as lhtml
    from crawler.pages.generic import signature_after
    for signed, expected in (("<P ALIGN=RIGHT><B>Сергей ВЕТРОВ</B></P>", ["Сергей ВЕТРОВ"]),
                             ("<p><i>Беседовала Дарина Ким</i></p>", ["Дарина Ким"]),
                             ("<p><i>Фото пресс-службы</i></p>", [])):
        root = lhtml.fromstring(f'<div><p id="last">Текст статьи.</p>{signed}</div>')
        assert signature_after(root.get_element_by_id("last")) == expected, signed


def test_a_dateline_carrying_the_author_mid_line_gives_both():
    text = "".join(f"<P>{s}</P>" for s in _SENTENCES[:5])
    html = ('<HTML><HEAD><TITLE>Балхашские вести - Ремонт сетей</TITLE></HEAD><BODY><TABLE><TR>'
            '<TD WIDTH=150><A HREF="/">Главная</A><BR><A HREF="/news.php">Новости</A></TD><TD>'
            '<FONT SIZE=4><B>Горячую воду отключат на две недели</B></FONT><BR>'
            '<FONT SIZE=1>Опубликовано: 12 ноября 2025 г. в 09:10 Автор: Бауыржан Сейткали, фото автора</FONT>'
            f'{text}</TD></TR></TABLE></BODY></HTML>')
    raw = extract(Page(url="http://balkhash-test.kz/gkh.php?id=1", body=html.encode()))
    assert raw.authors == ["Бауыржан Сейткали"]
    assert raw.published_at.isoformat() == "2025-11-12T09:10:00+05:00"
    from crawler.pages.generic import _byline_part
    # A sentence that mentions an author is no dateline.
    assert _byline_part("Книгу представил автор: Иван Петров рассказал о ней читателям библиотеки") is None


def test_a_list_item_reads_as_the_page_prints_it_without_the_extractors_mark():
    items = "".join(f"<li>{s}</li>" for s in _SENTENCES[4:7])
    html = _page('<article><h1>В Павлодаре начали ремонт моста через Иртыш</h1><div class="content">'
                 + "".join(f"<p>{s}</p>" for s in _SENTENCES[:4]) + f"<ol>{items}</ol>" + "</div></article>")
    paragraphs = _paragraphs(html)
    assert paragraphs[4:7] == _SENTENCES[4:7]


def test_the_lead_under_the_headline_in_the_header_block_is_body():
    lead = ("Мост через Иртыш закроют на пять месяцев: подрядчик заменит пролёты, а движение пустят "
            "по временной переправе у речного порта.")
    html = _page('<div class="article"><div class="article__header"><div class="article__date">01.12.2026</div>'
                 f'<h1>В Павлодаре начали ремонт моста через Иртыш</h1><div class="article__announce-text">{lead}</div>'
                 '</div><div class="article__image"><img src="/i/most.jpg" alt=""></div><div class="article__body">'
                 + "".join(f'<div class="article__block"><div class="article__text">{s}</div></div>' for s in _SENTENCES[:5])
                 + "</div></div>")
    assert _paragraphs(html)[0] == lead
