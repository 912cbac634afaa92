"""Stored articles read back as core.items.Article, the one way rows become the contract.

    articles = stored_articles(session, [article_id, …])
    articles[0].to_json()                  # what `newsdb parse` printed for it

Export, `newsdb show`, article history and the content hash all read stored
articles through `stored_articles`, then serialize with `Article.to_json`, so
they cannot disagree about what an article holds. (The write side, from an
Article to rows, is `storage.api.upsert_article`.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import items
from storage import models as m


def _children(session: Session, table: Any, ids: Sequence[int]) -> dict[int, list[Any]]:
    """One child table's rows for these articles, in position order: one query."""
    out: dict[int, list[Any]] = defaultdict(list)
    for child in session.execute(
        select(table).where(table.c.article_id.in_(ids)).order_by(table.c.article_id, table.c.position)
    ):
        out[child.article_id].append(child)
    return out


def stored_articles(session: Session, ids: Sequence[int]) -> list[items.Article]:
    """The stored articles with these ids, in that order, with their quotes,
    related links, tags and images: one query for the articles and one per child
    table, however many ids (export passes a batch; keep it under the database's
    bound-parameter limit). Rows are read as plain rows, not ORM objects, so a
    long export does not fill the session's identity map."""
    if not ids:
        return []
    articles = {
        row.id: row
        for row in session.execute(
            select(m.Article.__table__, m.Site.name.label("site_name"))
            .join(m.Site, m.Site.id == m.Article.site_id)
            .where(m.Article.id.in_(ids))
        )
    }
    quotes = _children(session, m.Quote.__table__, ids)
    links = _children(session, m.RelatedLink.__table__, ids)
    images = _children(session, m.Image.__table__, ids)
    tags: dict[int, list[str]] = defaultdict(list)
    for article_id, name in session.execute(
        select(m.ArticleTag.article_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
        .where(m.ArticleTag.article_id.in_(ids))
        .order_by(m.ArticleTag.article_id, m.ArticleTag.position)
    ):
        tags[article_id].append(name)
    return [
        items.Article(
            url=row.url,
            canonical_url=row.canonical_url,
            is_article=True,  # only articles are stored (storage.api refuses the rest)
            title=row.title,
            lead=row.lead,
            published_at=row.published_at,
            modified_at=row.modified_at,
            authors=list(row.authors or []),
            source=row.source,
            source_base=row.source_base,
            body=row.body.split("\n") if row.body else [],
            quotes=[
                items.Quote(
                    text=q.text, speaker=q.speaker, speaker_canonical=q.speaker_canonical,
                    paragraph=q.paragraph, start=q.start_offset, end=q.end_offset, style=q.style,
                    verb=q.verb, verb_lemma=q.verb_lemma,
                )
                for q in quotes[row.id]
            ],
            related=[items.RelatedLink(title=r.title, url=r.url, tag=r.tag) for r in links[row.id]],
            tags=tags[row.id],
            images=[items.Image(url=i.url, caption=i.caption) for i in images[row.id]],
            language=row.language,
            parser_version=row.parser_version,
            layers=dict(row.layers or {}),
            external_id=row.external_id,
            page_id=row.page_id,
            site=row.site_name,
        )
        for row in (articles[article_id] for article_id in ids)
    ]
