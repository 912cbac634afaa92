"""Full-text search over article title, lead and body, with Russian stemming.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-01

SQLite: FTS5 has no Russian stemmer, so `articles_fts` (rowid = articles.id)
indexes a stemmed shadow of each article that storage.search computes in Python
(Snowball, the algorithm PostgreSQL's `russian` configuration uses), plus the
inflected word forms so that Datasette's plain search box finds them too. An
AFTER DELETE trigger keeps it from outliving its article; inserts and updates
are written by storage.search when the session flushes.

PostgreSQL: `article_search`, one narrow row per article kept by a trigger on
`articles`: `search_vector` (tsvector, `russian`: title A, lead B, body C) under a
GIN index for matching, always TOASTed (toast_tuple_target), and the tiny
`title_vector` (stripped) plus `published_at` that ranking reads. Ranking the
wide `articles` rows, or any heap holding the body vectors, meant reading
hundreds of megabytes and de-TOASTing every matching vector: 300-400 ms for a
common word on 200,000 articles; this heap is ~60 MB and stays in memory.

Neither object is in storage.models: storage.search.include_object hides them
from the model/database comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _vector(column: str, weight: str) -> str:
    # ё is folded to е before stemming, the same way storage.search folds queries.
    return f"setweight(to_tsvector('russian', translate(coalesce({column}, ''), 'Ёё', 'Ее')), '{weight}')"


TITLE_VECTOR = f"strip({_vector('a.title', 'A')})"
SEARCH_VECTOR = f"{_vector('a.title', 'A')} || {_vector('a.lead', 'B')} || {_vector('a.body', 'C')}"
SYNC_FUNCTION = f"""
CREATE FUNCTION article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, published_at, title_vector, search_vector)
    SELECT a.id, a.published_at, {TITLE_VECTOR}, {SEARCH_VECTOR}
    FROM (SELECT NEW.id, NEW.published_at, NEW.title, NEW.lead, NEW.body) AS a (id, published_at, title, lead, body)
    ON CONFLICT (article_id) DO UPDATE SET
        published_at = EXCLUDED.published_at,
        title_vector = EXCLUDED.title_vector,
        search_vector = EXCLUDED.search_vector;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    """Create the search index of the backend and fill it from existing articles."""
    context = op.get_context()
    if context.dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE article_search ("
            "article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE, "
            "published_at timestamptz, title_vector tsvector NOT NULL, search_vector tsvector NOT NULL) "
            "WITH (toast_tuple_target = 128)"
        )
        # ...but the title vector stays in the row, where ranking reads it cheaply.
        op.execute("ALTER TABLE article_search ALTER COLUMN title_vector SET STORAGE PLAIN")
        op.execute(
            f"INSERT INTO article_search (article_id, published_at, title_vector, search_vector) "
            f"SELECT a.id, a.published_at, {TITLE_VECTOR}, {SEARCH_VECTOR} FROM articles a"
        )
        op.execute(
            "CREATE INDEX ix_article_search_search_vector ON article_search USING gin (search_vector)"
        )
        op.execute(SYNC_FUNCTION)
        op.execute(
            "CREATE TRIGGER article_search_sync AFTER INSERT OR UPDATE OF title, lead, body, published_at "
            "ON articles FOR EACH ROW EXECUTE FUNCTION article_search_sync()"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title_stems, text_stems, word_forms, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "DELETE FROM articles_fts WHERE rowid = old.id; END"
    )
    if not context.as_sql:  # offline mode renders SQL; there are no rows to index
        from storage.search import rebuild_search_index  # late: app code, only needed here

        rebuild_search_index(op.get_bind())


def downgrade() -> None:
    """Drop the search index."""
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS article_search_sync ON articles")
        op.execute("DROP FUNCTION IF EXISTS article_search_sync()")
        op.execute("DROP TABLE IF EXISTS article_search")
        return
    op.execute("DROP TRIGGER IF EXISTS articles_fts_delete")
    op.execute("DROP TABLE IF EXISTS articles_fts")
