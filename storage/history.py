"""Article history: the extracted versions an article had, and what changed between them.

    versions = article_history(session, article_id)    # oldest first, the last is current
    for line in diff_versions(versions[-2], versions[-1]):
        print(line)                                     # "title: - …", "body ¶3: + …"

The current version is the `articles` row with its quotes, links, tags and
images; `storage.api.upsert_article` calls `keep_version` just before an update
replaces it, so every earlier version sits in `article_versions` as JSON.
A version's fields are the contract JSON (core.items.Article.to_json) cut to
FIELDS: a row is read back as an Article first (storage.articles), so equal
content gives equal dicts whether it comes from a row, a kept version or a
fresh parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import items
from storage import models as m
from storage.articles import stored_articles
from storage.types import ensure_utc

# In the order `diff_versions` reports them.
FIELDS = (
    "title", "lead", "published_at", "modified_at", "authors", "source", "url",
    "canonical_url", "body", "quotes", "related", "tags", "images",
)


@dataclass(frozen=True)
class Version:
    """One extracted version of an article."""

    page_id: int | None  # the archived page it was parsed from
    parser_version: str
    content_hash: str
    fields: dict[str, Any]  # FIELDS -> JSON-ready values
    created_at: datetime  # when it became the article's content
    current: bool  # True for the version in `articles` now


def item_fields(article: items.Article) -> dict[str, Any]:
    """The versioned fields of an article: its contract JSON (Article.to_json) cut
    to FIELDS, with datetimes as UTC instants, so equal content gives equal dicts
    whether it is a fresh parse (+05:00) or a stored row (UTC)."""
    record = article.to_json()
    fields = {}
    for name in FIELDS:
        value = getattr(article, name)
        fields[name] = ensure_utc(value).isoformat() if isinstance(value, datetime) else record[name]
    fields["tags"] = list(dict.fromkeys(fields["tags"]))  # stored once each, like article_tags
    return fields


def row_fields(row: m.Article) -> dict[str, Any]:
    """The versioned fields of a stored article (the current version)."""
    session = Session.object_session(row)
    assert session is not None, "row_fields reads the row's children through its session"
    return item_fields(stored_articles(session, [row.id])[0])


def _kept_fields(stored: dict[str, Any]) -> dict[str, Any]:
    """A kept version's fields in today's shape. Versions kept before the contract
    serializer carry a `verb_lemma` in each quote; the contract leaves it out (it
    follows from `verb`), and keeping it would make equal quotes compare unequal."""
    fields = dict(stored)
    if "quotes" in fields:
        fields["quotes"] = [{k: v for k, v in q.items() if k != "verb_lemma"} for q in fields["quotes"]]
    return fields


def keep_version(session: Session, row: m.Article, current: items.Article) -> None:
    """Save the article's current content (`current`: the row read back by
    storage.articles) as a version, before an update replaces it."""
    session.add(
        m.ArticleVersion(
            article_id=row.id,
            page_id=row.page_id,
            parser_version=row.parser_version,
            content_hash=row.content_hash,
            fields=item_fields(current),
            created_at=row.updated_at,
        )
    )


def article_history(session: Session, article_id: int) -> list[Version]:
    """Every version of the article, oldest first; the last one is the current content."""
    row = session.get(m.Article, article_id)
    if row is None:
        raise LookupError(f"no article with id {article_id}")
    kept = session.scalars(
        select(m.ArticleVersion)
        .where(m.ArticleVersion.article_id == article_id)
        .order_by(m.ArticleVersion.id)
    )
    versions = [
        Version(v.page_id, v.parser_version, v.content_hash, _kept_fields(v.fields), v.created_at, False)
        for v in kept
    ]
    versions.append(
        Version(row.page_id, row.parser_version, row.content_hash, row_fields(row),
                row.updated_at, True)
    )
    return versions


# -- diff --------------------------------------------------------------------


def _show(field: str, value: Any) -> str:
    """One list item or scalar as a reader would recognise it."""
    if value is None:
        return "(none)"
    if field == "quotes":
        speaker = value.get("speaker_canonical") or value.get("speaker") or "?"
        return f"«{value['text']}» — {speaker}"
    if field == "related":
        rubric = f"[{value['tag']}] " if value.get("tag") else ""
        return f"{rubric}{value['title']} <{value['url']}>"
    if field == "images":
        return value["url"] + (f" ({value['caption']})" if value.get("caption") else "")
    return str(value)


def _diff_list(field: str, old: list, new: list) -> list[str]:
    # Compare what a reader sees: a quote whose offsets alone moved is not worth a line.
    old_shown = [_show(field, item) for item in old]
    new_shown = [_show(field, item) for item in new]
    unit = "¶" if field == "body" else "#"
    lines = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_shown, new_shown, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lines += [f"{field} {unit}{i + 1}: - {old_shown[i]}" for i in range(i1, i2)]
        lines += [f"{field} {unit}{j + 1}: + {new_shown[j]}" for j in range(j1, j2)]
    return lines


def diff_versions(a: Version, b: Version) -> list[str]:
    """What changed from version `a` to version `b`, one line per removed or added value.

    Scalar fields give "title: - old" / "title: + new"; the body is compared
    paragraph by paragraph ("body ¶3: + …", numbered in its own version), and
    authors, quotes, related links, tags and images item by item.
    """
    lines: list[str] = []
    for field in FIELDS:
        old, new = a.fields.get(field), b.fields.get(field)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            lines += _diff_list(field, old or [], new or [])
        else:
            lines += [f"{field}: - {_show(field, old)}", f"{field}: + {_show(field, new)}"]
    return lines


def history_lines(session: Session, article_id: int) -> list[str]:
    """`newsdb show --history`: each earlier version and what changed to the next one."""
    versions = article_history(session, article_id)
    lines = []
    for older, newer in zip(versions, versions[1:]):
        when = newer.created_at.isoformat(timespec="seconds") if newer.created_at else "now"
        lines.append(f"{when}  parser {older.parser_version} -> {newer.parser_version}, page {older.page_id} -> {newer.page_id}")
        lines.extend(f"  {line}" for line in diff_versions(older, newer) or ["(no field changed)"])
    return lines or ["no earlier versions"]
