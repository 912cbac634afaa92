"""What the commands share, defined once: --db, the date type, -s/--set, user errors.

Area modules import these; none of them imports the `cli` group, which is
handed to their `register(cli)` instead.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time

import click

from core.encoding import EncodingError
from core.profiles import ProfileError
from pipelines.parse import STEP_SETTINGS, Steps, steps_from_settings
from storage.db import DEFAULT_URL, Database, DatabaseError, open_database

USER_ERRORS = (DatabaseError, ProfileError, EncodingError, OSError)


def user_errors(command):
    """Turn the errors a user can cause into one clean line."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # `newsdb export | head`: the reader left; main() exits quietly
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


# -- the database ------------------------------------------------------------------

db_option = click.option(
    "--db", "db_url", envvar="NEWSDB_DATABASE_URL", default=DEFAULT_URL, show_default=True,
    show_envvar=True, metavar="URL", help="Database URL",
)


def open_db(db_url: str) -> Database:
    """The database --db names, with the schema created on first use.

    Use it as `with open_db(db_url) as database:`; a database that is down, or
    at an older schema, raises DatabaseError, which user_errors prints in one line.
    """
    return open_database(db_url)


# -- dates -------------------------------------------------------------------------

DATE_HELP = "YYYY-MM-DD or an ISO datetime; UTC unless DATE has an offset"


class DateParam(click.ParamType):
    """YYYY-MM-DD or an ISO datetime -> an aware datetime; without an offset it is UTC.

    As an upper bound (end_of_day=True) a bare date means the end of that day,
    so `--until 2025-12-01` includes the whole of December 1st.
    """

    name = "DATE"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        try:
            if day is not None:
                parsed = datetime.combine(day, time.max if self.end_of_day else time.min)
            else:
                parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD or an ISO datetime such as "
                      "2025-12-20T10:15+05:00", param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def since_option(help: str):  # noqa: A002 - click's own word
    """--since DATE (on or after); the help names the time zone rule."""
    return click.option("--since", type=DateParam(), help=f"{help} ({DATE_HELP})")


def until_option(help: str):  # noqa: A002
    """--until DATE (on or before; a bare date is the whole day)."""
    return click.option("--until", type=DateParam(end_of_day=True),
                        help=f"{help} (a bare date counts the whole day; {DATE_HELP})")


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
