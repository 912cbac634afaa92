"""Storage for newsdb: SQLAlchemy 2 models, Alembic migrations and query functions.

    storage.db      open a database (SQLite or PostgreSQL) and bring its schema to head
    storage.api     plain functions that read and write inside the caller's session,
                    among them apply_outcome, the one way a parse reaches the database
    storage.articles  stored rows read back as core.items.Article (export, show, history)
    storage.runs    crawl runs (the run lock, heartbeats), URL outcomes and retries
    storage.models  the typed ORM models (one MetaData, one naming convention)
    storage.search  full-text search (SQLite FTS5 / PostgreSQL tsvector, Russian stemming)
    storage.query   show / related / export / stats queries and the analyst API

The analyst API (storage.query): plain dataclasses out, one short transaction per call.

    from storage import open_db
    db = open_db("sqlite:///data/newsdb.sqlite")
    db.search("выборы акимов", site="demo")      # storage.search.SearchHit, best first
    db.quotes(speaker="Токаев")                   # storage.quotes.find_quotes
    db.article("https://…/news/…/")               # storage.query.ArticleView

Importing the package changes nothing outside it. The flush hook that keeps the
SQLite full-text index in step with every article the ORM writes
(storage.search.sync_after_flush) sits on each Database's own sessionmaker:
use `db.session()` or `db.new_session()`, not a Session built on `db.engine`.
"""

from storage.query import NewsDB, open_db

__all__ = ["NewsDB", "open_db"]
