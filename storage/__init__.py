"""Storage for newsdb: SQLAlchemy 2 models, Alembic migrations and query functions.

    storage.db      open a database (SQLite or PostgreSQL) and bring its schema to head
    storage.api     plain functions that read and write inside the caller's session
    storage.models  the typed ORM models (one MetaData, one naming convention)
"""
