"""Related headlines on markup no profile describes (crawler/pages/related.py).

Each page is the same short article with one kind of block around it; the
expected links are written by hand from the markup.
"""

from __future__ import annotations

import pytest

from core.items import Page
from crawler.pages.article import ArticlePage

URL = "https://vesti-region.kz/news/2025/04/10/most-cherez-ishim"

BODY = """
<p>В Петропавловске начали ремонт моста через Ишим. Движение по нему закроют на четыре месяца, объезд организуют по улице Жамбыла.</p>
<p>Подрядчик обещает заменить пролёты и тротуары, а также установить новое освещение. Стоимость работ составит 1,8 миллиарда тенге.</p>
{inside}
<p>В акимате города попросили водителей заранее планировать маршруты и пользоваться общественным транспортом в часы пик.</p>
"""


def page(inside: str = "", after: str = "", before: str = "") -> ArticlePage:
    html = f"""<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>Мост через Ишим закроют на ремонт</title></head><body>
<nav class="menu"><a href="/news/">Новости</a> <a href="/gorod/">Город</a> <a href="/region/">Регион</a></nav>
{before}
<article class="post"><h1>Мост через Ишим закроют на ремонт</h1>
<div class="post-content">{BODY.format(inside=inside)}</div></article>
{after}
<footer class="site-footer"><ul><li><a href="/about/">О редакции и наших авторах</a></li>
<li><a href="/ads/">Реклама на сайте и в соцсетях</a></li><li><a href="/rules/">Правила использования материалов сайта</a></li></ul></footer>
</body></html>"""
    return ArticlePage(Page(url=URL, body=html.encode("utf-8"), headers={"Content-Type": "text/html"}))


def links(p: ArticlePage) -> list[tuple[str | None, str, str]]:
    return [(r.tag, r.title, r.url) for r in p.related]


def test_in_body_read_also_line_is_related():
    p = page(inside='<p><strong>Читайте также:</strong> <a href="/news/2025/03/02/remont-dorog">Ремонт дорог начнут в апреле</a></p>')
    assert links(p) == [(None, "Ремонт дорог начнут в апреле", "/news/2025/03/02/remont-dorog")]


def test_read_also_text_without_markup_is_related():
    p = page(inside='<p>Читайте также: <a href="/news/2025/03/02/remont-dorog">Ремонт дорог начнут в апреле</a></p>')
    assert [url for _, _, url in links(p)] == ["/news/2025/03/02/remont-dorog"]


def test_prose_mentioning_the_topic_is_not_a_related_line():
    p = page(inside='<p>По теме ремонта высказались жители, <a href="/news/2025/03/02/opros-zhitelej">опрос провели</a> '
                    'в трёх микрорайонах города, и большинство поддержали сроки работ, хотя многие жаловались на пробки.</p>')
    assert links(p) == []


def test_bare_heading_then_links_in_a_table_layout():
    after = """<table><tr><td><b>Смотрите также:</b><br>
&raquo; <a href="/news/2025/03/28/most-proekt">Проект нового моста показали жителям</a><br>
&raquo; <a href="/news/2025/03/11/ob-ezd-zhambyla">Улицу Жамбыла расширят до четырёх полос</a><br>
<br><a href="/news/2025/04/10/">&laquo; Все новости за 10 апреля</a></td></tr></table>"""
    assert [title for _, title, _ in links(page(after=after))] == [
        "Проект нового моста показали жителям", "Улицу Жамбыла расширят до четырёх полос"]


def test_named_block_of_two_cards_with_rubric_inside_the_link():
    after = """<section class="Related_related__Lw8qF"><h2 class="Related_heading__t6Rz2">Читайте также</h2>
<div class="Related_grid__p3Xv9">
<a class="Card_card__aB3x1" href="/gorod/avtobusy-novye"><span class="Card_rubric__Tt2s0">Транспорт</span><span class="Card_title__Gg7h4">В город пришли новые автобусы</span></a>
<a class="Card_card__aB3x1" href="/gorod/svetofory-ishim"><span class="Card_rubric__Tt2s0">Город</span><span class="Card_title__Gg7h4">На набережной Ишима поставят светофоры</span></a>
</div></section>"""
    assert links(page(after=after)) == [
        ("Транспорт", "В город пришли новые автобусы", "/gorod/avtobusy-novye"),
        ("Город", "На набережной Ишима поставят светофоры", "/gorod/svetofory-ishim"),
    ]


def test_page_builder_widget_headed_by_a_sibling_widget():
    after = """<div class="elementor-widget elementor-widget-heading"><div class="elementor-widget-container"><h2>По теме</h2></div></div>
<div class="elementor-widget elementor-widget-posts"><div class="elementor-widget-container"><div class="elementor-posts">
<article class="elementor-post"><h3><a href="/news/a-1">Пешеходный мост откроют летом</a></h3><span class="elementor-post-date">03.03.2025</span></article>
<article class="elementor-post"><h3><a href="/news/a-2">Набережную продлят до парка</a></h3><span class="elementor-post-date">01.03.2025</span></article>
</div></div></div>"""
    # the date under each headline is not its rubric
    assert links(page(after=after)) == [
        (None, "Пешеходный мост откроют летом", "/news/a-1"),
        (None, "Набережную продлят до парка", "/news/a-2"),
    ]


def test_section_link_is_the_rubric_not_a_headline():
    after = """<div class="see-also"><div class="see-also__title">Похожие новости</div>
<div class="item"><a href="/news/sud/">Суд и право</a> <a href="/news/sud/delo-mosta/">Подрядчика моста оштрафовали за срыв сроков</a></div></div>"""
    assert links(page(after=after)) == [("Суд и право", "Подрядчика моста оштрафовали за срыв сроков", "/news/sud/delo-mosta/")]


def test_popular_and_latest_blocks_are_never_related():
    after = """<div class="box"><div class="box__title">Самое читаемое</div><ul>
<li><a href="/news/p-1">Синоптики обещают снег в апреле</a></li><li><a href="/news/p-2">В Петропавловске выбрали лучшего учителя</a></li>
<li><a href="/news/p-3">Цены на бензин снова выросли</a></li></ul></div>
<div class="widget-latest"><h3>Последние новости</h3><ul>
<li><a href="/news/l-1">Аким встретился с жителями Рабочего посёлка</a></li><li><a href="/news/l-2">Новый каток откроют в декабре</a></li>
<li><a href="/news/l-3">Школьники победили на олимпиаде по физике</a></li></ul></div>"""
    assert links(page(after=after)) == []


def test_prev_next_links_and_tags_are_not_related():
    after = """<div class="post-tags"><a href="/tag/most/">мост через Ишим</a> <a href="/tag/remont/">ремонт дорог в городе</a> <a href="/tag/transport/">общественный транспорт</a></div>
<div class="post-navigation"><a rel="prev" href="/news/prev-one">← Ледоход на Ишиме начнётся позже обычного</a>
<a rel="next" href="/news/next-one">В городе открылась новая библиотека →</a></div>"""
    assert links(page(after=after)) == []


def test_other_sites_links_are_not_related():
    after = """<div class="related-posts"><h3>Читайте также</h3>
<a href="https://smi2.example.com/x">Врачи назвали продукт, который продлевает жизнь</a>
<a href="/news/2025/02/20/most-proverka">Мост проверили после паводка прошлой весной</a></div>"""
    assert [url for _, _, url in links(page(after=after))] == ["/news/2025/02/20/most-proverka"]


def test_unheaded_grid_after_the_body_is_related():
    after = """<div class="cards">
<div class="c"><a href="/region/">Регион</a><a href="/news/u-1">Вдоль трассы высадят тысячу деревьев</a></div>
<div class="c"><a href="/gorod/">Город</a><a href="/news/u-2">В центре появятся новые парковки</a></div>
<div class="c"><a href="/gorod/">Город</a><a href="/news/u-3">Жители выбрали проект сквера у вокзала</a></div></div>"""
    assert links(page(after=after)) == [
        ("Регион", "Вдоль трассы высадят тысячу деревьев", "/news/u-1"),
        ("Город", "В центре появятся новые парковки", "/news/u-2"),
        ("Город", "Жители выбрали проект сквера у вокзала", "/news/u-3"),
    ]


def test_feed_above_the_article_is_not_related():
    before = """<div class="top-news"><a href="/news/t-1">Главная новость дня о погоде в регионе</a>
<a href="/news/t-2">Вторая новость дня о ценах на продукты</a><a href="/news/t-3">Третья новость дня о выборах в маслихат</a></div>"""
    assert links(page(before=before)) == []


def test_inline_line_and_grid_merge_in_document_order_unique_by_url():
    inside = '<p>Читайте также: <a href="https://vesti-region.kz/news/u-2">В центре появятся новые парковки</a></p>'
    after = """<div class="related"><h3>Материалы по теме</h3>
<div class="c"><span class="cat">Регион</span><a href="/news/u-1">Вдоль трассы высадят тысячу деревьев</a></div>
<div class="c"><span class="cat">Город</span><a href="/news/u-2">В центре появятся новые парковки</a></div></div>"""
    assert links(page(inside=inside, after=after)) == [
        ("Город", "В центре появятся новые парковки", "https://vesti-region.kz/news/u-2"),
        ("Регион", "Вдоль трассы высадят тысячу деревьев", "/news/u-1"),
    ]


def test_kazakh_heading():
    after = """<div class="block"><h4>Бұл тақырыпта</h4><ul>
<li><a href="/kz/news/k-1">Есіл өзеніндегі көпір жөнделеді</a></li></ul></div>"""
    assert [title for _, title, _ in links(page(after=after))] == ["Есіл өзеніндегі көпір жөнделеді"]


def test_headline_opening_with_a_quote_and_rubric_with_a_year():
    after = """<div class="related-posts">
<div class="item"><a class="item__rubric" href="/rubric/nalogi-2026/">Налоговый кодекс 2026</a>
<a href="/news/r-1">«Результат анализа — 70 процентов диагноза»: врач о диагностике</a></div>
<div class="item"><a class="item__rubric" href="/rubric/pensiya/">Пенсия</a>
<a href="/news/r-2">Пенсии в январе выплатят раньше обычного</a></div></div>"""
    assert links(page(after=after)) == [
        ("Налоговый кодекс 2026", "«Результат анализа — 70 процентов диагноза»: врач о диагностике", "/news/r-1"),
        ("Пенсия", "Пенсии в январе выплатят раньше обычного", "/news/r-2"),
    ]


def test_read_also_line_whose_bold_run_holds_the_link():
    p = page(inside='<p><strong>Читайте также: <a href="/news/2025/03/02/remont-dorog">Ремонт дорог начнут в апреле</a></strong></p>')
    assert links(p) == [(None, "Ремонт дорог начнут в апреле", "/news/2025/03/02/remont-dorog")]


def test_a_theme_wrapper_classed_header_around_the_whole_page_is_no_chrome():
    # Soledad: <div class="wrapper-boxed header-style-header-6"> holds header, article and footer
    html = f"""<html lang="ru"><head><meta charset="utf-8"><title>Мост через Ишим закроют на ремонт</title></head><body>
<div class="wrapper-boxed header-style-header-6"><nav class="menu"><a href="/news/">Новости</a></nav>
<article class="post"><h1>Мост через Ишим закроют на ремонт</h1><div class="post-content">{BODY.format(inside="")}</div></article>
<div class="post-related"><h4>Вам может понравиться</h4>
<div class="item"><a href="/news/r-1">Проект нового моста показали жителям</a></div>
<div class="item"><a href="/news/r-2">Улицу Жамбыла расширят до четырёх полос</a></div></div>
<footer><a href="/about/">О редакции и наших авторах</a></footer></div></body></html>"""
    p = ArticlePage(Page(url=URL, body=html.encode("utf-8"), headers={"Content-Type": "text/html"}))
    assert [url for _, _, url in links(p)] == ["/news/r-1", "/news/r-2"]


def test_kazakh_you_may_like_heading_widget_over_a_grid_and_taghy_da_oqynyz_line():
    inside = '<p><strong>Тағы да оқыңыз:</strong> <a href="/news/k-0">Көпір жобасы тұрғындарға көрсетілді</a></p>'
    after = """<div class="wpb_wrapper"><h2 class="vc_custom_heading">Сізге ұнауы мүмкін</h2>
<div class="vc_grid-container-wrapper"><div class="vc_grid">
<div class="vc_grid-item"><div class="cat"><a href="/category/gorod/">Город</a></div><h4><a href="/news/k-1">Улицу Жамбыла расширят до четырёх полос</a></h4></div>
<div class="vc_grid-item"><div class="cat"><a href="/category/region/">Регион</a></div><h4><a href="/news/k-2">Вдоль трассы высадят тысячу деревьев</a></h4></div>
</div></div></div>"""
    assert links(page(inside=inside, after=after)) == [
        (None, "Көпір жобасы тұрғындарға көрсетілді", "/news/k-0"),
        ("Город", "Улицу Жамбыла расширят до четырёх полос", "/news/k-1"),
        ("Регион", "Вдоль трассы высадят тысячу деревьев", "/news/k-2"),
    ]


def test_check_also_box_whose_title_holds_a_close_button():
    after = """<div id="check-also-box" class="container-wrapper check-also-right">
<div class="widget-title"><div class="the-subtitle">Check Also</div><a href="#" id="check-also-close" class="remove">Close</a></div>
<div class="widget posts-list"><ul><li><a class="post-title" href="/news/c-1">Под Кокшетау построят завод по переработке рапса</a></li></ul></div></div>"""
    assert [url for _, _, url in links(page(after=after))] == ["/news/c-1"]


def test_editors_choice_grid_after_the_body_is_not_related():
    after = """<section class="Section_section"><h2 class="Section_title">Выбор редакции</h2><div class="Grid_grid">
<a class="Card" href="/news/e-1"><span class="Card_rubric">Общество</span><span class="Card_title">Аренда жилья подорожала на треть за год</span></a>
<a class="Card" href="/news/e-2"><span class="Card_rubric">Спорт</span><span class="Card_title">Велогонщик выиграл этап многодневки во Франции</span></a>
<a class="Card" href="/news/e-3"><span class="Card_rubric">Общество</span><span class="Card_title">Сколько выпускников набрали пороговый балл</span></a>
</div></section>"""
    assert links(page(after=after)) == []


_THREE_CARDS = """<ul>
<li><a href="/news/h-1">Проект нового моста показали жителям</a></li>
<li><a href="/news/h-2">Улицу Жамбыла расширят до четырёх полос</a></li>
<li><a href="/news/h-3">Вдоль трассы высадят тысячу деревьев</a></li></ul>"""


@pytest.mark.parametrize("heading", ["В тему:", "Сондай-ақ қараңыз", "Тақырып бойынша", "Осы тақырыпта",
                                     "Further reading", "Read next", "On the same topic"])
def test_more_related_headings_in_russian_kazakh_and_english(heading):
    after = f'<div class="block"><h3>{heading}</h3>{_THREE_CARDS}</div>'
    assert [url for _, _, url in links(page(after=after))] == ["/news/h-1", "/news/h-2", "/news/h-3"]


_TWO_CARDS = """<ul>
<li><a href="/news/h-1">Проект нового моста показали жителям</a></li>
<li><a href="/news/h-2">Улицу Жамбыла расширят до четырёх полос</a></li></ul>"""


@pytest.mark.parametrize("heading", ["Другие материалы сюжета", "Сюжет: Ремонт мостов", "Хронология событий",
                                     "Что ещё почитать", "Больше по теме", "Другие новости рубрики",
                                     "Ещё статьи по теме"])
def test_a_story_or_rubric_heading_names_a_related_block_of_two(heading):
    # two cards: no run of headline cards, the heading alone says the block is related
    after = f'<div class="block"><h3>{heading}</h3>{_TWO_CARDS}</div>'
    assert [url for _, _, url in links(page(after=after))] == ["/news/h-1", "/news/h-2"]


@pytest.mark.parametrize("heading", ["Новости компаний", "Самое важное", "Басты жаңалықтар", "Оқырман таңдауы",
                                     "Most viewed", "Around the web", "Don't miss", "Актуально"])
def test_feed_headings_in_russian_kazakh_and_english_are_not_related(heading):
    after = f'<div class="block"><h3>{heading}</h3>{_THREE_CARDS}</div>'
    assert links(page(after=after)) == []


def test_a_class_naming_the_block_also_or_a_teaser_network():
    also = f'<div class="news-detail__also">{_THREE_CARDS}</div>'
    assert len(links(page(after=also))) == 3
    network = f'<div class="relap-default-wrapper"><div class="relap-title">Рекомендуем</div>{_THREE_CARDS}</div>'
    assert links(page(after=network)) == []


def test_a_link_whose_text_opens_with_the_label_is_a_related_line():
    inside = '<p><a href="/news/2025/03/02/remont-dorog"><strong>Читайте также: Ремонт дорог начнут в апреле</strong></a></p>'
    assert links(page(inside=inside)) == [(None, "Ремонт дорог начнут в апреле", "/news/2025/03/02/remont-dorog")]


def test_a_link_that_only_mentions_related_words_is_not_a_line():
    inside = ('<p>Подробности <a href="/news/2025/03/02/remont-dorog">по теме ремонта дорог в апреле</a> '
              'опубликованы на сайте акимата вместе с картой объездов и графиком работ на каждой улице.</p>')
    assert links(page(inside=inside)) == []


def test_an_inline_card_between_paragraphs_is_related():
    card = ('<div class="story__embed"><span class="story__embed-rubric">Город</span>'
            '<a href="/news/2025/02/11/most-cherez-ishim-proekt"><span>Проект нового моста через Ишим показали жителям</span></a></div>')
    assert [url for _, _, url in links(page(inside=card))] == ["/news/2025/02/11/most-cherez-ishim-proekt"]


def test_a_link_inside_a_sentence_is_no_inline_card():
    sentence = ('<p>Подробности проекта <a href="/news/2025/02/11/most-cherez-ishim-proekt">показали жителям в феврале</a> '
                'на общественных слушаниях, где обсуждали и объезд по улице Жамбыла.</p>')
    assert links(page(inside=sentence)) == []


def test_an_articles_own_footer_holds_its_related_list_but_the_page_footer_does_not():
    own = ('<footer class="post-footer"><div class="heading">По теме</div><ul>'
           '<li><a href="/news/h-1">Проект нового моста показали жителям</a></li></ul></footer>')
    html = page(inside="").page.body.decode().replace("</div></article>", f"</div>{own}</article>")
    p = ArticlePage(Page(url=URL, body=html.encode(), headers={"Content-Type": "text/html"}))
    assert [url for _, _, url in links(p)] == ["/news/h-1"]
    assert links(page(after=own)) == []  # the same list in the page's own <footer>
