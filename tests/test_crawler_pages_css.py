"""The class-index selector engine answers exactly as lxml's CSSSelector does."""

from __future__ import annotations

import pytest

from crawler.pages.css import ClassIndex, compile_selector
from crawler.pages.html import css, parse_html, remove, select

PAGE = parse_html(
    """<html><head><meta property="og:title" content="T"></head><body>
    <div class="entry-content main"><p>one</p><div class="read-also"><p>skip</p></div><p class="x">two</p>
    <figure class="wp-caption"><img src="a.jpg"><figcaption>c</figcaption></figure></div>
    <div class="entry-contents"><p>not this one</p></div>
    <ul class="related-posts"><li class="related-item"><a class="related-item__title" href="/1">A</a></li>
    <li class="related-item"><a class="related-item__title" href="/2">B</a></li></ul>
    <span itemprop="datePublished">2025</span></body></html>"""
)

SELECTORS = [
    "div.entry-content > p", "div.entry-content p", ".entry-content", "div.main.entry-content p.x",
    ".related-posts .related-item", "a.related-item__title", "meta[property]", '[itemprop="datePublished"]',
    "div.entry-content figure", "h1.nothing, div.entry-content > p", "p",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_same_answer_as_cssselect(selector):
    assert ClassIndex(PAGE).select(selector) in (None, css(selector)(PAGE))


@pytest.mark.parametrize("selector", ["a:first-child", "a + b", "a ~ b", "*", "div >", "> p"])
def test_unsupported_shapes_fall_back(selector):
    assert compile_selector(selector) is None


def test_detached_elements_are_not_returned_and_subtrees_work():
    page = parse_html("<html><body><div class='a'><p class='b'>1</p></div><p class='b'>2</p></body></html>")
    assert [p.text for p in select(page, ".b")] == ["1", "2"]
    remove(select(page, "div.a"))
    assert [p.text for p in select(page, ".b")] == ["2"]
    card = select(page, "body")[0]
    assert [p.text for p in select(card, ".b")] == ["2"]


def test_selecting_within_nested_cards_answers_as_cssselect():
    # Found by benchmarks/fuzz_parse.py: cards nested hundreds deep (unclosed tags) took
    # seconds, each card selecting within itself through a walk up from every candidate.
    html = "<html><body>" + "".join(
        f"<div class='card'><a class='t' href='/{i}'>{i}</a><span class='drop'><a class='t' href='/x{i}'>x</a></span>"
        for i in range(200)) + "</div>" * 200 + "<a class='t' href='/out'>out</a></body></html>"
    page = parse_html(html)
    cards = select(page, ".card")
    assert len(cards) == 200  # (libxml2 stops nesting at 256)
    assert select(cards[0], "a.t") == css("a.t")(cards[0])  # numbers the spans before the drop below
    remove(select(page, ".drop")[::2])  # detached after indexing, as a profile's `drop` does
    for card in cards[::37]:
        assert select(card, "a.t") == css("a.t")(card)
        assert select(card, ".t") == css(".t")(card)
    index = ClassIndex(page)
    assert index.select(".t", within=cards[-1]) == css(".t")(cards[-1])
