"""What the commands share, defined once: --db, the date type, -s/--set, user errors.

Area modules import these; none of them imports the `cli` group, which is
handed to their `register(cli)` instead.

A command that only reads opens its database with `open_db(url, create=False)`:
a mistyped --db is then an error saying how to create the database, never a
new empty one. `user_errors` bounds every text argument (MAX_ARGUMENT, or the
stricter bound storage keeps for a search query or a speaker) and prints any
error a user can cause as one line, passwords masked.
"""

from __future__ import annotations

import functools
import json
import re
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import click
from sqlalchemy import exc as sa_exc

from core.encoding import EncodingError
from core.when import FORMS, parse_when
from core.profiles import ProfileError
from pipelines.parse import STEP_SETTINGS, Steps, steps_from_settings
from storage.db import DEFAULT_URL, Database, DatabaseError, mask_password, open_database
from storage.quotes import MAX_CONTAINS_LENGTH, MAX_SPEAKER_LENGTH
from storage.runs import NoSuchSite
from core.normalize import clip
from storage.search import MAX_LIMIT, MAX_QUERY_LENGTH, QueryError

USER_ERRORS = (DatabaseError, ProfileError, EncodingError, OSError, QueryError, NoSuchSite)

# Longer than any URL, path (PATH_MAX is 4096) or name a person types: a longer
# argument is a paste gone wrong, refused before it reaches a file system or a database.
MAX_ARGUMENT = 4096
# Arguments storage bounds more tightly, named as its messages name them.
_BOUNDS = {
    "query": (MAX_QUERY_LENGTH, "search query"),
    "speaker": (MAX_SPEAKER_LENGTH, "speaker name"),
    "contains": (MAX_CONTAINS_LENGTH, "quote text"),
}
MAX_MESSAGE = 1000  # characters of an error line; the rest is an echo of the input

limit_type = click.IntRange(1, MAX_LIMIT)  # --limit and --last: a bound both databases take
id_type = click.IntRange(1, 2**63 - 1)  # a row id: 64-bit on both databases


def _check_lengths(values: dict) -> None:
    """A usage error naming the first argument longer than its bound."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    for param in ctx.command.params:
        value = values.get(param.name)
        if isinstance(param.type, click.File):  # `-o FILE`: a lazy file, opened only at the first write
            value = getattr(value, "name", value)
        texts = value.values() if isinstance(value, dict) else value if isinstance(value, tuple | list) else [value]
        limit, what = _BOUNDS.get(param.name, (MAX_ARGUMENT, "value"))
        for text in texts:
            if isinstance(text, str) and len(text) > limit:
                raise click.BadParameter(
                    f"the {what} is too long ({len(text)} characters, at most {limit})", ctx, param
                )


def one_line(message: str) -> str:
    """An error message as one line: whitespace folded, passwords masked, an echoed
    run of more than 200 characters cut to its start (the words around it stay),
    at most MAX_MESSAGE characters."""
    text = mask_password(" ".join(message.split()))
    text = re.sub(r"\S{201,}", lambda run: clip(run.group(), 100), text)
    return clip(text, MAX_MESSAGE)


@contextmanager
def one_line_errors():
    """Click's own errors (a bad choice, an integer of 100,000 digits) echo the
    value whole: make each one line too. The cli group wraps parsing and invoking in this."""
    try:
        yield
    except click.ClickException as exc:
        exc.message = one_line(exc.message)
        raise


def bad_site(message: str) -> click.BadParameter:
    """The usage error for an unknown --site, as for a bad --since: "Invalid value
    for '--site': no site named 'x' in the database (known: …)", exit code 2, on
    every command that takes --site."""
    return click.BadParameter(one_line(message), click.get_current_context(silent=True), param_hint="'--site'")


def user_errors(command):
    """Turn the errors a user can cause into one clean line."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _check_lengths(kwargs)
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # `newsdb export | head`: the reader left; main() exits quietly
        except click.ClickException as exc:
            exc.message = one_line(exc.message)
            raise
        except NoSuchSite as exc:
            if kwargs.get("site") is None:  # not the user's --site: a site the data names went missing
                raise click.ClickException(one_line(str(exc))) from None
            raise bad_site(str(exc)) from None
        except USER_ERRORS as exc:
            raise click.ClickException(one_line(str(exc))) from None
        except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DataError) as exc:
            # The database failed mid-command (the server went away, the disk is
            # full, SQLite stayed locked): its reason, not a traceback.
            reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
            raise click.ClickException(one_line(f"database error: {reason}")) from None

    return wrapper


# -- the database ------------------------------------------------------------------

db_option = click.option(
    "--db", "db_url", envvar="NEWSDB_DATABASE_URL", default=DEFAULT_URL, show_default=True,
    show_envvar=True, metavar="URL", help="Database URL",
)


def known_site(database: Database, site: str | None) -> None:
    """NoSuchSite (a usage error naming the known sites, through user_errors) when
    --site names a site the database does not hold: a mistyped --site is an
    error, not "nothing found"."""
    if site is not None:
        from storage.search import check_site

        with database.session() as session:
            check_site(session, site)


def open_db(db_url: str, *, create: bool = True) -> Database:
    """The database --db names, with the schema created on first use.

    Use it as `with open_db(db_url) as database:`; a database that is down, or
    at an older schema, raises DatabaseError, which user_errors prints in one line.
    create=False for a command that only reads: a missing SQLite file or
    PostgreSQL database (or one without newsdb's schema) is then that error,
    saying how to create one, and nothing is created.
    """
    return open_database(db_url, create=create)


# -- dates -------------------------------------------------------------------------

DATE_HELP = FORMS


class DateParam(click.ParamType):
    """A date or time as core.when reads it (ISO, DD.MM.YYYY, today, yesterday, 7d, 24h, 2w).

    As an upper bound (end_of_day=True) a bare day means the end of that day,
    so `--until 2025-12-01` includes the whole of December 1st.
    """

    name = "DATE"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            return parse_when(value, end_of_day=self.end_of_day)
        except ValueError as bad:
            self.fail(str(bad), param, ctx)


def since_option(help: str):  # noqa: A002 - click's own word
    """--since DATE (on or after); the help names the time zone rule."""
    return click.option("--since", type=DateParam(), help=f"{help} ({DATE_HELP})")


def until_option(help: str):  # noqa: A002
    """--until DATE (on or before; a bare date is the whole day)."""
    return click.option("--until", type=DateParam(end_of_day=True),
                        help=f"{help} (a bare date counts the whole day; {DATE_HELP})")


# -- printing: one spelling of a point in time, one JSON ------------------------------
#
# Every datetime a command prints, in any format (table, text, JSON, CSV), is ISO 8601
# with its offset, in UTC as stored: `2025-12-20T05:15:00+00:00`. A table column that
# shows only a day shows the UTC day (`2025-12-20`). JSON is readable UTF-8.


def iso(value: datetime | None) -> str | None:
    """`value` as ISO 8601 with its offset, in UTC, to the second; None stays None."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


def day(value: datetime | None) -> str:
    """The UTC day of `value` (YYYY-MM-DD), or "-", for table columns."""
    return value.astimezone(UTC).date().isoformat() if value is not None else "-"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON with readable UTF-8 and every datetime as `iso` spells it."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_default)


# -- -s/--set NAME=VALUE -----------------------------------------------------------


def _pairs(ctx, param, pairs: tuple[str, ...]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", ctx, param)
        settings[name.strip()] = value
    return settings


def settings_option(help: str):  # noqa: A002
    """-s/--set NAME=VALUE (repeatable), given to the command as a dict."""
    return click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
                        callback=_pairs, help=help)


def checked_steps(overrides: dict[str, str]) -> Steps:
    """The step switches these overrides (and the environment) ask for; a value
    that is not a boolean is a usage error naming the setting."""
    try:
        return steps_from_settings(overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _steps(ctx, param, pairs: tuple[str, ...]) -> Steps:  # type: ignore[no-untyped-def]
    overrides = _pairs(ctx, param, pairs)
    unknown = sorted(set(overrides) - set(STEP_SETTINGS))
    if unknown:  # a typo would otherwise be silently ignored
        raise click.BadParameter(f"unknown setting {unknown[0]} (known: {', '.join(STEP_SETTINGS)})", ctx, param)
    return checked_steps(overrides)


steps_option = click.option(
    "-s", "--set", "steps", multiple=True, metavar="NAME=VALUE", callback=_steps,
    help="Switch a parse step, e.g. NEWSDB_QUOTES_ENABLED=False or NEWSDB_RELATED_ENABLED=False "
         "(repeatable; default: the environment variable of that name, else on)",
)
