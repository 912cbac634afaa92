"""Alembic environment for newsdb, configured in code by storage.db.

storage.db passes an open connection in `config.attributes["connection"]`, so
migrations run on the very engine (and SQLite pragmas) the application uses.
Without one (e.g. a hand-made alembic.ini), the URL in `sqlalchemy.url` is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import metadata

config = context.config
target_metadata = metadata

CONFIGURE_OPTIONS = {
    "target_metadata": target_metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    "render_as_batch": True,
    "compare_server_default": True,
}


def run_migrations_offline() -> None:
    """Emit the migration SQL for `sqlalchemy.url` without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **CONFIGURE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, **CONFIGURE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return

    from storage.db import make_engine  # late: storage.db imports this package's config

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
