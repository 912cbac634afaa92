"""`newsdb runs`: what the crawls did, run by run (a thin shell over storage.runs).

`runs` is one command with an optional `show ID`, not a group: listing is what
it does by itself, and `show` is the one thing it does besides.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import click

from newsdb.cli.options import iso
from newsdb.cli.options import db_option, id_type, limit_type, open_db, user_errors

WIDTH = 100  # the table fits a terminal this wide


_iso = iso


def _json_default(value):  # type: ignore[no-untyped-def]
    if isinstance(value, datetime):
        return _iso(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _dumps(value) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)


def _took(delta: timedelta) -> str:
    """A duration in at most two units: 42s, 3m05s, 2h07m, 4d03h."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _note(run, now: datetime, stale_after: timedelta) -> str:
    """The last column: why the run did not do its job, or how a running one is doing."""
    if run.status == "running":
        beat = run.heartbeat_at or run.started_at
        stale = "STALE " if now - beat > stale_after else ""  # the next run of the site abandons it
        return f"{stale}{run.host} pid {run.pid}, heartbeat {_took(now - beat)} ago"
    return run.reason or ""


def _status(run) -> str:
    """`finished`, `running`, `abandoned`, or `failed(5)` with the exit status it ended with."""
    return f"{run.status}({run.exit_code})" if run.exit_code not in (None, 0) else run.status


def _table(views, now: datetime, stale_after: timedelta) -> list[str]:
    headers = ("ID", "SITE", "STARTED", "TOOK", "STATUS", "NEW", "UPD", "SAME", "FAIL", "REQS")
    right = {0, 5, 6, 7, 8, 9}  # numbers line up on the right
    rows = [
        (str(v.id), _clip(v.site, 12), f"{v.started_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}",  # ISO 8601; Z is +00:00
         _took((v.finished_at or now) - v.started_at), _status(v),
         str(v.new), str(v.updated), str(v.unchanged), str(v.failed), str(v.requests))
        for v in views
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return " ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    room = max(WIDTH - sum(widths) - len(widths), 12)
    out = [line(headers) + " REASON"]
    for view, row in zip(views, rows):
        out.append((line(row) + " " + _clip(_note(view, now, stale_after), room)).rstrip())
    return out


def _show(detail, now: datetime) -> list[str]:
    run = detail.run
    flags = [f"exit {run.exit_code}"] if run.exit_code is not None else []
    if run.drift:
        flags.append("drift")
    head = f"run {run.id}  {run.site}  {run.status}" + (f" ({', '.join(flags)})" if flags else "")
    ended = run.finished_at or now
    out = [head, f"  started   {_iso(run.started_at)}"]
    if run.finished_at:
        out.append(f"  finished  {_iso(run.finished_at)}  ({_took(ended - run.started_at)})")
    else:
        beat = run.heartbeat_at or run.started_at
        out.append(f"  running   {_took(ended - run.started_at)} so far; last heartbeat {_iso(beat)}")
    out.append(f"  where     {run.host or '?'} pid {run.pid if run.pid is not None else '?'}")
    if detail.finish_reason:
        out.append(f"  ended by  {detail.finish_reason}")
    if run.reason:
        out.append(f"  reason    {run.reason}")
    out.append(f"  articles  {run.new} new, {run.updated} updated, {run.unchanged} unchanged, "
               f"{detail.store_failed} failed to store; {detail.not_articles} pages not articles")
    responses = ", ".join(f"{status} {count}" for status, count in detail.responses.items()) or "none"
    out.append(f"  requests  {run.requests}; responses: {responses}; {detail.pages_archived} pages archived")
    failed = ", ".join(f"{kind} {count}" for kind, count in detail.fetch_failures.items()) or "none"
    out.append(f"  failed    {failed}")
    for field, layers in detail.layers.items():
        out.append(f"  layers    {field:<13} " + ", ".join(f"{layer} {count}" for layer, count in layers.items()))
    out.append(f"failures ({len(detail.failures)}):" if detail.failures else "failures: none")
    for failure in detail.failures:
        tries = f"attempt {failure.attempts}" if failure.attempts == 1 else f"attempts {failure.attempts}"
        out.append(f"  {failure.url}  {failure.reason}  ({failure.kind}, {tries})")
    return out


class RunId(click.ParamType):
    """A run id; its errors name ID (the argument has no metavar of its own, so
    that the usage line reads `[show ID]`)."""

    name = "ID"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            return id_type.convert(value, param, ctx)
        except click.BadParameter as exc:
            raise click.BadParameter(exc.message, ctx, param_hint="ID") from None


@click.command()
@click.argument("action", required=False, type=click.Choice(["show"]), metavar="[show ID]")
@click.argument("run_id", required=False, type=RunId(), metavar="")
@db_option
@click.option("--site", help="Only the runs of this site (profile name, e.g. demo)")
@click.option("--last", type=limit_type, default=20, show_default=True, help="Show the newest N runs")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format")
@user_errors
def runs(action, run_id, db_url, site, last, fmt):
    """List crawl runs, newest first, or show one run: its counts, its reason, what it failed to fetch.

    A run is `running` (it holds the site's lock), `finished` (it did its
    job), `failed` (the reason says why: unreachable, too many failures,
    drift, stopped; `failed(5)` ended with exit status 5, as `newsdb crawl
    --help` lists) or `abandoned` (its process died; the next run closed it).
    NEW/UPD/SAME count articles stored new, updated and unchanged (304s
    included); FAIL counts failed fetches and articles that could not be
    stored; REQS the requests made. Times are UTC. A running run marked STALE
    missed its heartbeats: its process is gone, and the next run of the site
    marks it abandoned.

    `--format json` prints a list of objects with id, site, status,
    started_at, finished_at (ISO 8601, UTC), new, updated, unchanged, failed,
    requests, exit_code, reason, drift, host, pid, heartbeat_at; for `show ID`
    one object with the run, its counts and its failures.

    \b
    Example:
        newsdb runs
        newsdb runs --site demo --last 5 --format json
        newsdb runs show 12
    """
    from storage.runs import STALE_AFTER, list_runs, run_detail

    now = datetime.now(UTC)
    if action == "show" and run_id is None:
        raise click.UsageError("`newsdb runs show` needs a run ID, e.g. `newsdb runs show 12`")
    with open_db(db_url, create=False) as database, database.session() as session:
        if action == "show":
            if site is not None:
                raise click.UsageError("--site selects runs to list; `runs show ID` shows one run")
            detail = run_detail(session, run_id)
            if detail is None:
                raise click.ClickException(f"no run with id {run_id}")
        else:
            views = list_runs(session, site=site, last=last)  # NoSuchSite: user_errors prints it
    if action == "show":
        if fmt == "json":  # the run's own fields at the top, as in the list, then its breakdown
            record = {**asdict(detail.run), **{k: v for k, v in asdict(detail).items() if k != "run"}}
            click.echo(_dumps(record))
        else:
            click.echo("\n".join(_show(detail, now)))
        return
    if fmt == "json":
        click.echo(_dumps([asdict(view) for view in views]))
        return
    if not views:
        click.echo(f"no runs of {site} yet" if site else "no runs yet: run `newsdb crawl SITE`", err=True)
        return
    click.echo("\n".join(_table(views, now, STALE_AFTER)))


def register(cli: click.Group) -> None:
    cli.add_command(runs)
