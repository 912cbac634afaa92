"""The pipeline steps as plain functions over core.items dataclasses."""

from __future__ import annotations

from core import PARSER_VERSION
from core.items import Article, RawArticle
from core.normalize import clean_url, normalize_paragraphs, normalize_text, source_of
from core.sources import source_base
from pipelines.quotes import extract_quotes
from pipelines.related import resolve_related


class ValidationError(ValueError):
    """An article that must not be stored as it is (no title, no body)."""


def normalize(raw: RawArticle) -> tuple[Article, RawArticle]:
    """Normalize text fields; related links stay raw until `add_related`."""
    body = normalize_paragraphs(raw.paragraphs) if raw.is_article else []
    lead = normalize_text(raw.lead) or None
    if lead and body and lead not in body:
        lead = body[0]  # the lead paragraph was boilerplate-dropped or rewritten: keep it in step
    article = Article(
        url=clean_url(raw.url),  # a NUL or control character in a URL, percent-encoded
        canonical_url=clean_url(raw.canonical_url),
        is_article=raw.is_article,
        title=normalize_text(raw.title) or None,
        lead=lead,
        published_at=raw.published_at,
        modified_at=raw.modified_at,
        authors=[a for a in (normalize_text(a) for a in raw.authors) if a],
        source=(source := source_of(body)), source_base=source_base(source),
        body=body,
        quotes=[],
        related=[],
        tags=list(dict.fromkeys(t for t in (normalize_text(t) for t in raw.tags) if t)),
        images=[type(i)(url=clean_url(i.url), caption=normalize_text(i.caption) or None) for i in raw.images],
        language=raw.language,
        parser_version=PARSER_VERSION,
        layers=dict(raw.layers),
        external_id=raw.external_id,
        page_id=raw.page_id,
        site=raw.site,
    )
    return article, raw


def add_quotes(article: Article) -> Article:
    article.quotes = extract_quotes(article.body)
    return article


def add_related(article: Article, raw: RawArticle) -> Article:
    article.related = resolve_related(raw.related, raw.url, self_urls=(raw.url, raw.canonical_url or ""))
    return article


def validate(article: Article) -> Article:
    if not article.is_article:
        return article
    if not article.title:
        raise ValidationError(f"{article.url}: article has no title")
    if not article.body:
        raise ValidationError(f"{article.url}: article has no body text")
    for quote in article.quotes:
        if not 0 <= quote.paragraph < len(article.body):
            raise ValidationError(f"{article.url}: quote points at paragraph {quote.paragraph} of {len(article.body)}")
    return article


def process_article(raw: RawArticle, *, quotes: bool = True, related: bool = True) -> Article:
    """The steps in order: normalize, quotes, related links, validate.

    `quotes` and `related` switch the optional steps (pipelines.parse.Steps).
    """
    article, raw = normalize(raw)
    if article.is_article:
        if quotes:
            add_quotes(article)
        if related:
            add_related(article, raw)
    return validate(article)
