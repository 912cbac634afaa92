"""Bytes to text: header, BOM, meta, and detection for pages that lie."""

import codecs

import pytest

from core.encoding import EncodingError, decode_html

TEXT = "<html><head>{meta}</head><body><p>Жители Шымкента получат новые квитанции за отопление уже в январе.</p></body></html>"


def test_meta_charset_windows_1251():
    body = TEXT.format(meta='<meta charset="windows-1251">').encode("cp1251")
    text, encoding = decode_html(body)
    assert encoding == "cp1251" and "Шымкента" in text


def test_http_header_wins_over_meta():
    body = TEXT.format(meta='<meta charset="utf-8">').encode("cp1251")
    text, encoding = decode_html(body, {"Content-Type": "text/html; charset=windows-1251"})
    assert "Шымкента" in text


def test_undeclared_windows_1251_is_detected():
    body = TEXT.format(meta="").encode("cp1251")
    text, encoding = decode_html(body)
    assert "Шымкента получат новые квитанции" in text


def test_declared_cp1251_that_is_really_utf8():
    body = TEXT.format(meta='<meta charset="windows-1251">').encode("utf-8")
    text, _ = decode_html(body)
    assert "Шымкента" in text


def test_bom():
    text, encoding = decode_html(codecs.BOM_UTF8 + TEXT.format(meta="").encode("utf-8"))
    assert encoding == "utf-8" and text.startswith("<html>")


def test_override_and_unknown_override():
    body = TEXT.format(meta="").encode("cp1251")
    assert "Шымкента" in decode_html(body, override="cp1251")[0]
    with pytest.raises(EncodingError):
        decode_html(body, override="no-such-codec")
