"""Bytes to text for HTML pages, trusting what the page says only when it is true.

Order: an explicit override, a byte-order mark, the HTTP Content-Type charset,
a <meta charset> in the first 4 KiB, strict UTF-8, and then a detector for pages
that declare nothing or lie (old windows-1251 installs).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class EncodingError(ValueError):
    """An encoding name nobody knows (from --encoding)."""


# Python codecs that are text encodings by name but cannot decode a page with
# errors="replace": "undefined" refuses everything, idna and punycode take ASCII only.
_UNUSABLE = {"undefined", "idna", "punycode"}


def _known(name: str | bytes | None) -> str | None:
    """The codec a charset name means, or None: unknown, or no text encoding.

    A page may name any of Python's codecs (`<meta charset="rot13">`, "zlib",
    "base64"): those turn bytes into bytes, not text, and count as no declaration.
    """
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        info = codecs.lookup(name.strip().lower())
    except (LookupError, ValueError):  # ValueError: a NUL inside the name
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _UNUSABLE:
        return None
    return info.name


def header_charset(headers: dict[str, str] | None) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            match = _HEADER_CHARSET.search(value)
            return _known(match.group(1)) if match else None
    return None


def decode_html(body: bytes, headers: dict[str, str] | None = None, override: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    if override:
        name = _known(override)
        if name is None:
            raise EncodingError(f"unknown encoding {override!r}")  # (or one that gives no text)
        return body.decode(name, errors="replace"), name
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    declared = header_charset(headers)
    if declared is None:
        match = _META_CHARSET.search(body[:4096])
        declared = _known(match.group(1)) if match else None
    if declared and declared != "utf-8":
        # A page declaring a single-byte charset that is really valid UTF-8 with
        # non-ASCII text is a mis-declared page (a theme moved to UTF-8, the header stayed).
        if not _is_utf8_non_ascii(body):
            return body.decode(declared, errors="replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A UTF-8 page with a few bad bytes (cut off mid-character, one stray byte)
    # is still UTF-8; a windows-1251 page fails on nearly every Cyrillic letter.
    text = body.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(2, len(text) // 1000):
        return text, "utf-8"
    return _detect(body)


def _is_utf8_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(body: bytes) -> tuple[str, str]:
    best = from_bytes(body, cp_isolation=["cp1251", "koi8_r", "cp866", "utf_8", "latin_1"]).best()
    name = _known(best.encoding) if best else None
    name = name or "cp1251"  # the usual culprit on Russian-language sites
    return body.decode(name, errors="replace"), name
