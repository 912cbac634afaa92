"""The options the commands share: one --db, one date type, -s/--set; and the package layout."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner

from newsdb.cli import cli
from newsdb.cli.options import DateParam
from pipelines.parse import Steps
from storage.db import DEFAULT_URL, open_database
from tests.test_cli_commands import all_commands

CLI_DIR = Path(__file__).resolve().parent.parent / "newsdb" / "cli"
BAD_DATE = "31.02.2025x"

# Every date option of every command; the test below fails if one is added elsewhere or lost.
DATE_OPTIONS = {
    ("search", "--since"), ("search", "--until"),
    ("export", "--since"), ("export", "--until"),
    ("quotes", "--since"), ("quotes", "--until"),
    ("stats", "--since"), ("stats", "--until"),
    ("reparse", "--since"),
    ("crawl", "--since"),
    ("enqueue crawl", "--since"), ("enqueue reparse", "--since"),
}
REQUIRED_ARGS = {"search": ["аким"], "crawl": ["demo"], "enqueue crawl": ["demo"]}


def command(path: tuple[str, ...]) -> click.Command:
    found: click.Command = cli
    for name in path:
        found = found.commands[name]  # type: ignore[attr-defined]
    return found


def date_params():
    for path in all_commands():
        for param in command(path).params:
            if isinstance(param, click.Option) and (
                isinstance(param.type, DateParam) or param.name in ("since", "until")
            ):
                yield " ".join(path), param


def test_every_since_and_until_is_the_one_date_type():
    found = {(name, param.opts[0]) for name, param in date_params()}
    assert found == DATE_OPTIONS
    for name, param in date_params():
        assert isinstance(param.type, DateParam), (name, param.opts)
        assert param.type.end_of_day is (param.name == "until"), (name, param.opts)


@pytest.mark.parametrize("name, param", list(date_params()), ids=lambda v: getattr(v, "opts", [v])[0])
def test_date_help_states_the_time_zone(name, param):
    assert "times without an offset are UTC" in param.help, (name, param.opts)
    shown = CliRunner().invoke(cli, [*name.split(), "--help"]).output
    assert "UTC" in " ".join(shown.split())


def test_every_date_option_rejects_a_bad_date_the_same_way(tmp_path):
    messages = set()
    for name, option in sorted(DATE_OPTIONS):
        args = [*name.split(), *REQUIRED_ARGS.get(name, []), option, BAD_DATE, "--db", f"sqlite:///{tmp_path}/x.sqlite"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines[0].startswith("Usage:") and lines[1].startswith("Try "), lines
        assert len(lines) == 3 and "Traceback" not in result.output, lines
        assert f"'{option}'" in lines[2] and BAD_DATE in lines[2], lines[2]
        messages.add(lines[2].replace(option, "OPTION"))
    assert len(messages) == 1, messages
    assert not (tmp_path / "x.sqlite").exists()  # rejected before the database is touched


@pytest.mark.parametrize(
    "text, end_of_day, expected",
    [
        ("2025-12-20", False, datetime(2025, 12, 20, tzinfo=UTC)),
        ("2025-12-20", True, datetime.combine(datetime(2025, 12, 20), time.max, tzinfo=UTC)),
        ("2025-12-20T10:15", False, datetime(2025, 12, 20, 10, 15, tzinfo=UTC)),
        ("2025-12-20T10:15", True, datetime(2025, 12, 20, 10, 15, tzinfo=UTC)),  # a time is kept as given
        ("2025-12-20 10:15:30", False, datetime(2025, 12, 20, 10, 15, 30, tzinfo=UTC)),
        ("2025-12-20T10:15+05:00", False, datetime(2025, 12, 20, 10, 15, tzinfo=timezone(timedelta(hours=5)))),
        (" 2025-12-20T05:15:00Z ", False, datetime(2025, 12, 20, 5, 15, tzinfo=UTC)),
    ],
)
def test_date_type(text, end_of_day, expected):
    value = DateParam(end_of_day=end_of_day).convert(text, None, None)
    assert value == expected and value.utcoffset() == expected.utcoffset()


NOW = datetime(2025, 12, 20, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, end_of_day, expected",
    [
        ("20.12.2025", False, datetime(2025, 12, 20, tzinfo=UTC)),
        ("1.2.2025", True, datetime.combine(datetime(2025, 2, 1), time.max, tzinfo=UTC)),
        ("today", False, datetime(2025, 12, 20, tzinfo=UTC)),
        ("Today", True, datetime.combine(datetime(2025, 12, 20), time.max, tzinfo=UTC)),
        ("yesterday", False, datetime(2025, 12, 19, tzinfo=UTC)),
        ("вчера", False, datetime(2025, 12, 19, tzinfo=UTC)),
        ("24h", False, datetime(2025, 12, 19, 15, 30, tzinfo=UTC)),
        ("7d", True, datetime(2025, 12, 13, 15, 30, tzinfo=UTC)),  # an age is a moment, never a whole day
        ("2w", False, datetime(2025, 12, 6, 15, 30, tzinfo=UTC)),
    ],
)
def test_date_forms_people_type(text, end_of_day, expected):
    from core.when import parse_when
    assert parse_when(text, end_of_day=end_of_day, now=NOW) == expected


@pytest.mark.parametrize("text", [BAD_DATE, "2025-13-01", "2025-02-30", "31.02.2025", "7 days", "-3d", "", "tomorrow"])
def test_date_type_rejects(text):
    with pytest.raises(click.BadParameter, match="is not a date: use YYYY-MM-DD, DD.MM.YYYY, an ISO datetime"):
        DateParam().convert(text, None, None)


def test_crawl_since_reaches_the_spider_as_iso_with_an_offset(monkeypatch, tmp_path):
    import newsdb.crawl

    seen = {}

    def fake_run_crawl(site, db_url, **kwargs):
        seen.update(kwargs, site=site, db_url=db_url)
        return SimpleNamespace(site=site, articles=0, articles_new=0, articles_updated=0, articles_unchanged=0,
                               quotes=0, related=0, pages=0, not_articles=0, errors=0, seconds=0.0,
                               finish_reason="finished", run_id=1, exit_code=0, reason=None)

    monkeypatch.setattr(newsdb.crawl, "run_crawl", fake_run_crawl)
    url = f"sqlite:///{tmp_path}/c.sqlite"
    result = CliRunner().invoke(cli, ["crawl", "demo", "--since", "2025-12-15", "--db", url, "-s", "DOWNLOAD_DELAY=2"])
    assert result.exit_code == 0, result.output
    assert seen["since"] == "2025-12-15T00:00:00+00:00" and seen["db_url"] == url
    assert seen["settings"] == {"DOWNLOAD_DELAY": "2"}
    offset = CliRunner().invoke(cli, ["crawl", "demo", "--since", "2025-12-15T06:00+05:00", "--db", url])
    assert offset.exit_code == 0, offset.output
    assert datetime.fromisoformat(seen["since"]) == datetime(2025, 12, 15, 1, tzinfo=UTC)


def test_crawl_rejects_a_bad_step_switch_before_starting(monkeypatch, tmp_path):
    import newsdb.crawl

    monkeypatch.setattr(newsdb.crawl, "run_crawl", lambda *a, **k: pytest.fail("crawl started"))
    result = CliRunner().invoke(cli, ["crawl", "demo", "-s", "NEWSDB_QUOTES_ENABLED=maybe",
                                      "--db", f"sqlite:///{tmp_path}/c.sqlite"])
    assert result.exit_code == 2 and "NEWSDB_QUOTES_ENABLED" in result.output


def test_reparse_and_import_warc_pass_the_step_switches(monkeypatch, tmp_path):
    import newsdb.reparse
    import newsdb.warc

    calls = {}
    report = SimpleNamespace(would_change=[], summary=lambda: "0 pages")

    def fake_reparse(database, **kwargs):
        calls["reparse"] = kwargs
        return report

    def fake_import(database, files, **kwargs):
        calls["import-warc"] = kwargs
        return SimpleNamespace(records=0, pages_new=0, pages_known=0, skipped=0), report

    monkeypatch.setattr(newsdb.reparse, "reparse", fake_reparse)
    monkeypatch.setattr(newsdb.warc, "import_warc", fake_import)
    url = f"sqlite:///{tmp_path}/r.sqlite"
    open_database(url).close()  # reparse reads an archive: it refuses a database that is not there
    warc = tmp_path / "x.warc.gz"
    warc.write_bytes(b"")
    assert CliRunner().invoke(cli, ["reparse", "--db", url, "-s", "NEWSDB_QUOTES_ENABLED=False",
                                    "--since", "2025-12-01"]).exit_code == 0
    assert calls["reparse"]["steps"] == Steps(quotes=False, related=True)
    assert calls["reparse"]["since"] == datetime(2025, 12, 1, tzinfo=UTC)
    result = CliRunner().invoke(cli, ["import-warc", str(warc), "--db", url, "-s", "NEWSDB_RELATED_ENABLED=off"],
                                env={"NEWSDB_QUOTES_ENABLED": "no"})
    assert result.exit_code == 0, result.output
    assert calls["import-warc"]["steps"] == Steps(quotes=False, related=False)
    for name in ("reparse", "import-warc"):
        bad = CliRunner().invoke(cli, [name, *([str(warc)] if name == "import-warc" else []), "--db", url,
                                       "-s", "NEWSDB_QUOTES_ENABLED=maybe"])
        assert bad.exit_code == 2 and "NEWSDB_QUOTES_ENABLED: expected True or False" in bad.output


def test_the_engines_take_the_step_switches():
    """The keyword the shells above pass exists in the Python API they call."""
    import inspect

    import newsdb.reparse
    import newsdb.warc

    assert "steps" in inspect.signature(newsdb.reparse.reparse).parameters
    assert "steps" in inspect.signature(newsdb.warc.import_warc).parameters


def test_every_database_command_has_the_one_db_option():
    for path in all_commands():
        if path == ("db", "check"):  # checks a throwaway database unless told otherwise
            continue
        for param in command(path).params:
            if param.name == "db_url":
                assert param.envvar == "NEWSDB_DATABASE_URL" and param.default == DEFAULT_URL, path
                assert param.show_default and param.show_envvar, path


def test_database_url_default_and_environment_in_help():
    shown = " ".join(CliRunner().invoke(cli, ["stats", "--help"]).output.split())
    assert "NEWSDB_DATABASE_URL" in shown and DEFAULT_URL in shown


def _modules():
    return sorted(path for path in CLI_DIR.glob("*.py"))


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x` is the package itself
                names.append("newsdb.cli" + (f".{node.module}" if node.module else ""))
            else:
                names.append(node.module or "")
    return names


@pytest.mark.parametrize("path", [p for p in _modules() if p.name != "__init__.py"], ids=lambda p: p.name)
def test_area_modules_do_not_import_the_package_back(path):
    """The group is handed to register(cli): importing newsdb.cli back is the old circle."""
    assert "newsdb.cli" not in _imports(path)
    source = path.read_text(encoding="utf-8")
    assert re.search(r"^def register\(cli: click\.Group\) -> None:", source, re.M) or path.name == "options.py"


def test_one_way_to_open_the_database():
    """Commands open the database through options.open_db, never storage.db.open_database."""
    for path in _modules():
        if path.name != "options.py":
            assert "open_database" not in path.read_text(encoding="utf-8"), path.name


def test_old_modules_are_gone():
    root = CLI_DIR.parent
    assert not (root / "cli.py").exists() and not (root / "parse.py").exists()
    assert not list(root.glob("cli_*.py"))
