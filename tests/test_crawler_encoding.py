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


# Found by benchmarks/fuzz_parse.py: a page may name any of Python's codecs, and
# bytes.decode() raised LookupError ("'rot-13' is not a text encoding"), or
# UnicodeError even with errors="replace" ("undefined", idna, punycode).
@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "undefined", "idna",
                                     "punycode"])
def test_a_codec_that_gives_no_text_is_no_declaration(charset):
    body = TEXT.format(meta=f'<meta charset="{charset}">').encode("cp1251")
    text, encoding = decode_html(body)
    assert "Шымкента" in text and encoding == "cp1251"  # detected, as if nothing were declared
    text, _ = decode_html(TEXT.format(meta="").encode("utf-8"), {"Content-Type": f"text/html; charset={charset}"})
    assert "Шымкента" in text


@pytest.mark.parametrize("override", ["rot13", "undefined", "utf\x00-8"])  # utf\x00-8: ValueError from codecs.lookup
def test_an_override_that_gives_no_text_is_an_encoding_error(override):
    with pytest.raises(EncodingError, match="unknown encoding"):
        decode_html(TEXT.format(meta="").encode("utf-8"), override=override)
