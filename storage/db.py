"""Open a newsdb database: create its schema on first use, refuse an outdated one.

    db = open_database("sqlite:///data/newsdb.sqlite")   # or postgresql+psycopg://…
    with db.session() as session:                         # commit on success
        api.upsert_article(session, article)
    with db.new_session(autoflush=False) as session:      # the caller commits
        ...

Sessions come from the database's own sessionmaker, which on SQLite carries
the flush hook that keeps the full-text index in step (storage.search); a
Session built on `db.engine` by hand would skip it.

The URL comes from the caller (`--db`), else NEWSDB_DATABASE_URL, else
DEFAULT_URL. Mistakes a user can make (bad URL, unknown driver, unreachable
server, unwritable path, a database that is not there for a command that only
reads) raise DatabaseError with a one-line message that names the database
without its password.

Writes that must survive a database that is briefly gone or locked go through
`db.write(work)`: `work(session)` runs in one transaction, and a transient fault
(the server restarting, the connection killed, SQLite locked by another writer)
rolls it back and runs it again on a fresh connection, for up to `retry_for`
seconds; past that it raises DatabaseUnavailable.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from core.normalize import clip
from storage import search

DEFAULT_URL = "sqlite:///data/newsdb.sqlite"
ENV_VAR = "NEWSDB_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 5000
RETRY_FOR = 180.0  # seconds a write keeps retrying a database that is gone or locked
_FIRST_WAIT, _LONGEST_WAIT = 0.2, 5.0  # the backoff between attempts, doubling

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseError(Exception):
    """A database problem the user can fix; the message is one line."""


class DatabaseUnavailable(DatabaseError):
    """The database stayed gone or locked for longer than a write would wait."""


def is_transient(error: BaseException) -> bool:
    """A fault that passes by itself: the server gone or restarting, the connection
    killed, SQLite busy or locked by another writer. Not: a constraint, a bad value,
    a missing table (retrying those only delays the error)."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection to give in time
        return True
    if not isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return False
    if error.orig is not None and type(error.orig).__module__.startswith("sqlite3"):
        return any(word in str(error.orig).lower() for word in ("locked", "busy", "disk i/o", "unable to open"))
    return True  # psycopg: every OperationalError is about the server or the connection


def resolve_url(url: str | None) -> str:
    """The explicit URL, else $NEWSDB_DATABASE_URL, else DEFAULT_URL."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


class Database:
    """An engine plus a session factory; close() releases the connections."""

    def __init__(self, engine: Engine, *, retry_for: float = RETRY_FOR) -> None:
        self.engine = engine
        self.retry_for = retry_for
        self.retries = 0  # attempts that met a transient fault (the crawl reports them)
        self._gave_up = False
        # Objects stay readable after the session block ends (callers print them).
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        if engine.dialect.name == "sqlite":
            # FTS5 is filled by us, PostgreSQL's index by a trigger. On this
            # sessionmaker only: no other code's sessions run the hook.
            event.listen(self._sessions, "after_flush", search.sync_after_flush)

    @property
    def url(self) -> URL:
        """The engine URL; str() of it hides the password."""
        return self.engine.url

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit when the block succeeds, roll back if it raises."""
        with self._sessions.begin() as session:
            yield session

    def new_session(self, **kwargs: Any) -> Session:
        """A session for a caller that manages its own transactions.

        `kwargs` override the sessionmaker's (e.g. autoflush=False,
        expire_on_commit=False); the search-index hook runs all the same.
        """
        return self._sessions(**kwargs)

    def write(self, work: Callable[[Session], T], **session_options: Any) -> T:
        """`work(session)` in one transaction, retried while the database is briefly away.

        `work` must do nothing outside the session that a second run would repeat
        wrongly: it runs again from the start on a fresh connection after each
        transient fault, with waits doubling from 0.2 s to 5 s, for up to
        `retry_for` seconds; then DatabaseUnavailable. The caller's thread waits
        meanwhile, which is the backpressure: a crawl takes no new response while
        it cannot store the last one. Once a write has given up, the next ones
        try once and give up at once, until one succeeds. `session_options` go
        to the session (e.g. autoflush=False).
        """
        started, wait = time.monotonic(), _FIRST_WAIT
        while True:
            try:
                with self.new_session(**session_options) as session, session.begin():
                    result = work(session)
            except Exception as error:
                if not is_transient(error):
                    raise
                self.retries += 1
                waited = time.monotonic() - started
                if self._gave_up or waited + wait > self.retry_for:
                    self._gave_up = True
                    raise DatabaseUnavailable(
                        f"{_shown(self.url)} unavailable for {waited:.0f} s: {_reason(error)}"
                    ) from error
                if wait == _FIRST_WAIT:  # once per outage
                    log.warning("database %s: %s; retrying for up to %.0f s",
                                _shown(self.url), _reason(error), self.retry_for)
                time.sleep(wait)
                wait = min(wait * 2, _LONGEST_WAIT)
                continue
            if self._gave_up or wait > _FIRST_WAIT:
                log.warning("database %s is back after %.1f s", _shown(self.url), time.monotonic() - started)
            self._gave_up = False
            return result

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_database(
    url: str | None = None, *, upgrade: bool = True, create: bool = True, retry_for: float = RETRY_FOR
) -> Database:
    """Open the database at `url`: create the schema if it is empty, refuse an old one.

    Migrations are the only way an existing schema changes, and the user runs
    them (`newsdb db upgrade`): a database at an older revision raises
    DatabaseError naming that command. upgrade=False skips the schema entirely.
    create=False is for commands that only read: a missing SQLite file, a
    PostgreSQL database that does not exist or one without newsdb's tables is an
    error saying how to make one, never a new empty database.
    """
    engine = make_engine(resolve_url(url), create=create)
    shown = _shown(engine.url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa_exc.DBAPIError as error:
        engine.dispose()
        verb = "open" if engine.dialect.name == "sqlite" else "connect to"
        reason = _reason(error)
        if not create and reason.startswith("database ") and reason.endswith("does not exist"):
            raise DatabaseError(
                f"no database at {shown} ({reason}): create it with `createdb {engine.url.database}`, "
                f"then `newsdb db upgrade --db {shown}` or a crawl"
            ) from None
        raise DatabaseError(f"cannot {verb} {shown}: {reason}") from None
    if not create:
        try:
            empty = current_revision(engine) is None
        except sa_exc.DBAPIError as error:
            engine.dispose()
            raise DatabaseError(f"cannot read {shown}: {_reason(error)}") from None
        if empty:
            engine.dispose()
            raise DatabaseError(f"{shown} holds no newsdb database: {_how_to_create(shown)}")
    if upgrade:
        try:
            ensure_schema(engine)
        except DatabaseError:
            engine.dispose()
            raise
        except Exception as error:
            engine.dispose()
            raise DatabaseError(f"cannot create the schema of {shown}: {_reason(error)}") from error
    return Database(engine, retry_for=retry_for)


def _how_to_create(shown: str) -> str:
    return f"create it with `newsdb db upgrade --db {shown}` or a crawl (`newsdb crawl SITE --db {shown}`)"


def readable_json(value: Any) -> str:
    """JSON columns (authors, layers, stats, …) as readable UTF-8: people read them
    in Datasette and in SQL, where `["\\u0410…` says nothing."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, *, create: bool = True) -> Engine:
    """create_engine() with newsdb's settings; DatabaseError on a bad URL.

    create=False: a SQLite file that is not there is an error, not a new file.
    """
    if "\x00" in url:
        raise DatabaseError("invalid database URL: it holds a NUL character")
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - make_url() takes "host:abc" and fails only here
    except (sa_exc.ArgumentError, ValueError):
        raise DatabaseError(
            f"invalid database URL {clip(mask_password(url), 200)!r}: expected e.g. sqlite:///data/newsdb.sqlite "
            "or postgresql+psycopg://user@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if not create and _is_file(database) and not os.path.isfile(database):  # False on a name too long, too
            raise DatabaseError(f"no database at {clip(database, 200)}: {_how_to_create(_shown(parsed))}")
        if not create and _is_file(database) and os.path.getsize(database) == 0:
            # Connecting would write SQLite's header into it: refuse before that.
            raise DatabaseError(f"{_shown(parsed)} holds no newsdb database: {_how_to_create(_shown(parsed))}")
        if create:
            _create_parent_folder(parsed)
    elif backend == "postgresql" and not parsed.database:
        # libpq would pick the user's name, or we would fill `postgres`, the maintenance database.
        raise DatabaseError(
            f"{_shown(parsed)} names no database: add one, e.g. {_shown(parsed.set(database='newsdb'))}"
        )
    try:
        # pre_ping: a pooled connection the server dropped (restart, pg_terminate_backend)
        # is replaced when checked out instead of failing the next write.
        engine = create_engine(parsed, pool_pre_ping=backend != "sqlite", json_serializer=readable_json)
    except sa_exc.NoSuchModuleError:
        raise DatabaseError(
            f"unknown database driver {parsed.drivername!r} in {_shown(parsed)}"
        ) from None
    except ImportError as error:
        raise DatabaseError(
            f"database driver {parsed.drivername!r} is not installed ({error})"
        ) from None
    except (sa_exc.ArgumentError, TypeError, ValueError) as error:
        raise DatabaseError(f"invalid database URL {_shown(parsed)}: {error}") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _is_file(database: str) -> bool:
    return database not in ("", ":memory:") and not database.startswith("file:")


def _create_parent_folder(url: URL) -> None:
    database = url.database or ""
    if not _is_file(database):
        return
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        reason = "a file of that name is in the way"
        raise DatabaseError(f"cannot create folder {folder} for {_shown(url)}: {reason}") from None
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise DatabaseError(f"cannot create folder {folder} for {_shown(url)}: {reason}") from None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy emit BEGIN itself (see _on_begin): the sqlite3 module's
        # legacy transaction handling breaks SAVEPOINT and transactional DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: a crawl can write while someone browses the file in Datasette.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the file; a power cut can lose only the
        # last commits, which a re-crawl fetches again. FULL fsyncs every commit,
        # which made writes cost more than extraction.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


# -- Alembic -----------------------------------------------------------------


def alembic_config() -> Config:
    """Alembic configured in code: the scripts live in the storage package."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    return config


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision` in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Bring the database at `url` to `revision`; return the revision it is now at.

    In Python, what `newsdb db upgrade` does.
    """
    database = open_database(url, upgrade=False)
    try:
        try:
            upgrade_engine(database.engine, revision)
        except Exception as error:
            raise DatabaseError(
                f"cannot upgrade the schema of {_shown(database.url)}: {_reason(error)}"
            ) from error
        return current_revision(database.engine)
    finally:
        database.close()


def ensure_schema(engine: Engine) -> None:
    """Create the schema in an empty database; DatabaseError unless it is at head."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    shown = _shown(engine.url)
    if current is None:
        if inspect(engine).get_table_names():
            raise DatabaseError(f"{shown} holds tables but no newsdb schema: use an empty database")
        upgrade_engine(engine)  # first use
        return
    script = ScriptDirectory.from_config(alembic_config())
    if current not in {s.revision for s in script.walk_revisions()}:
        raise DatabaseError(
            f"{shown} is at schema revision {current}, which this newsdb does not know "
            f"(it needs {head}): install a newer newsdb"
        )
    raise DatabaseError(
        f"{shown} is at schema revision {current}, this newsdb needs {head}: "
        f"run `newsdb db upgrade --db {shown}`"
    )


def schema_drift(url: str | None = None) -> list[str]:
    """Differences between the models and the schema the migrations built at `url`.

    In Python, what `newsdb db check` does: on an empty database the migrations
    run first, so an empty list means migrations and models agree.
    """
    from alembic.autogenerate import compare_metadata

    from storage.models import metadata

    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                # include_object: migration 0002 keeps its index outside the models, and the
                # job queue (procrastinate_*) keeps its tables beside them
                opts={"compare_type": True, "compare_server_default": True,
                      "include_object": _compared},
            )
            return [_describe(diff) for diff in compare_metadata(context, metadata)]
    finally:
        database.close()


QUEUE_TABLES = "procrastinate_"  # the job queue's tables (newsdb.jobs) share the database; they are not models


def _compared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and reflected and compare_to is None and (name or "").startswith(QUEUE_TABLES):
        return False
    return search.include_object(obj, name, type_, reflected, compare_to)


def _describe(diff) -> str:  # type: ignore[no-untyped-def]
    """One line for an autogenerate diff, e.g. "add_column quotes confidence"."""
    if isinstance(diff, list):  # modify_* come as a list of changes to one column
        return "; ".join(_describe(part) for part in diff)
    kind, *rest = diff
    names = [getattr(x, "name", None) or str(x) for x in rest if x is not None and not isinstance(x, dict)]
    return " ".join([kind, *names])


# -- messages ----------------------------------------------------------------


def _shown(url: URL) -> str:
    return clip(url.render_as_string(hide_password=True), 200)




_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@/\s]*@")


def mask_password(text: str) -> str:
    """`text` with the password of every URL in it shown as ***: a database URL,
    one make_url() could not parse, or a log line that holds one."""
    return _PASSWORD.sub(r"\1:***@", text)


def _reason(error: BaseException) -> str:
    """The driver's reason, as one short lower-case line.

    psycopg says 'connection failed: connection to server at "127.0.0.1",
    port 1 failed: Connection refused' (+ a hint line); keep the last part.
    """
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    text = lines[0] if lines else type(original).__name__
    text = text.rsplit("failed: ", 1)[-1]
    text = re.sub(r"^(FATAL|ERROR):\s*", "", text)
    text = re.sub(r"\s+", " ", text)
    return text[:1].lower() + text[1:]
