"""Article history: a changed article keeps its previous version; diffs say what changed."""

from __future__ import annotations

import dataclasses
from datetime import UTC

import pytest
from sqlalchemy import func, select

from storage import api, history
from storage import models as m
from test_storage_api import make_article, make_page


def store(db, article):
    with db.session() as session:
        page_id, _ = api.archive_page(session, make_page(body=article.title.encode()))
        return api.upsert_article(session, dataclasses.replace(article, page_id=page_id))


def test_an_update_keeps_the_previous_version_and_an_unchanged_one_adds_none(db):
    first = make_article()
    article_id, outcome = store(db, first)
    assert outcome == "new"
    assert store(db, first) == (article_id, "unchanged")
    with db.session() as session:
        assert session.scalar(select(func.count(m.ArticleVersion.id))) == 0

    second = make_article(title="Токаев провел второе совещание", body=[first.body[0], "Новый абзац."],
                          quotes=[], parser_version="1.1")
    assert store(db, second) == (article_id, "updated")
    with db.session() as session:
        versions = history.article_history(session, article_id)
    assert [v.current for v in versions] == [False, True]
    old, new = versions
    assert old.fields == history.item_fields(first)  # kept exactly as it was stored
    assert new.fields == history.item_fields(second)
    assert (old.parser_version, new.parser_version) == ("1.0", "1.1")
    assert old.content_hash == api.article_content_hash(first) != new.content_hash
    assert old.created_at <= new.created_at

    lines = history.diff_versions(old, new)
    assert "title: - Токаев провел совещание по развитию энергетики" in lines
    assert "title: + Токаев провел второе совещание" in lines
    assert f"body ¶2: - {first.body[1]}" in lines and "body ¶2: + Новый абзац." in lines
    assert any(line.startswith("quotes #1: - «Уверен, что мы справимся") for line in lines)
    assert not any(line.startswith(("tags", "related", "lead")) for line in lines)


def test_diff_of_equal_versions_is_empty_and_history_of_unknown_article_fails(db):
    fields = history.item_fields(make_article())
    version = history.Version(None, "1.0", "x", fields, None, True)  # type: ignore[arg-type]
    assert history.diff_versions(version, version) == []
    with db.session() as session, pytest.raises(LookupError):
        history.article_history(session, 999)


def test_versions_go_with_their_article(db):
    article_id, _ = store(db, make_article())
    store(db, make_article(title="Другой заголовок"))
    with db.session() as session:
        session.delete(session.get(m.Article, article_id))
    with db.session() as session:
        assert session.scalar(select(func.count(m.ArticleVersion.id))) == 0


def test_versions_kept_with_verb_lemma_read_as_today_and_diff_to_nothing(db):
    """Versions kept before the contract serializer hold each quote's verb_lemma;
    the contract has none, and that alone must not show as a change."""
    first = make_article()
    article_id, _ = store(db, first)
    earlier = history.item_fields(first)
    earlier["quotes"] = [{**q, "verb_lemma": "убедить"} for q in earlier["quotes"]]
    with db.session() as session:
        row = session.get(m.Article, article_id)
        session.add(m.ArticleVersion(article_id=article_id, page_id=None, parser_version="0.9",
                                     content_hash="earlier", fields=earlier, created_at=row.updated_at))
    with db.session() as session:
        kept, current = history.article_history(session, article_id)
        lines = history.history_lines(session, article_id)
    assert kept.fields == current.fields == history.item_fields(first)
    assert history.diff_versions(kept, current) == []
    assert lines[1:] == ["  (no field changed)"]


def test_fields_are_the_contract_with_datetimes_as_utc_instants():
    article = make_article(tags=["Токаев", "энергетика", "Токаев"])
    fields = history.item_fields(article)
    record = article.to_json()
    assert list(fields) == list(history.FIELDS)
    assert fields["published_at"] == "2025-12-20T05:15:00+00:00" != record["published_at"]
    assert fields["quotes"] == record["quotes"] and fields["images"] == record["images"]
    assert fields["tags"] == ["Токаев", "энергетика"]  # once each, as article_tags stores them
    as_stored = dataclasses.replace(article, published_at=article.published_at.astimezone(UTC))
    assert history.item_fields(as_stored) == fields
