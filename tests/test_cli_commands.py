"""Every command explains itself, and user mistakes end in one line, not a traceback."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from newsdb.cli import cli


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, path)
        else:
            yield path


@pytest.mark.parametrize("path", list(all_commands()), ids=" ".join)
def test_every_command_has_help_with_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, f"newsdb {' '.join(path)} --help has no example"


def one_line_error(args, env=None, *, usage=False):
    """The error line; usage mistakes may come with click's "Usage:/Try --help" hint."""
    result = subprocess.run(
        [sys.executable, "-m", "newsdb", *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if usage:
        assert lines[0].startswith("Usage:") and lines[1].startswith("Try ")
        lines = lines[2:]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_console_script_and_python_m_reach_the_same_group():
    """`newsdb` (pyproject's newsdb.cli:main) and `python -m newsdb` both start newsdb.cli."""
    from importlib.metadata import entry_points

    import newsdb.cli

    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "newsdb"]
    assert script.value == "newsdb.cli:main" and script.load() is newsdb.cli.main
    result = subprocess.run([sys.executable, "-m", "newsdb", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Commands:" in result.stdout
    assert set(newsdb.cli.cli.commands) == {
        "demo", "crawl", "parse", "search", "show", "related", "export", "stats", "quotes",
        "reparse", "import-warc", "export-warc", "db", "runs", "schedule", "enqueue", "worker", "jobs",
    }
    assert set(newsdb.cli.cli.commands["db"].commands) == {"upgrade", "check", "copy"}


def test_unknown_site_is_one_line(tmp_path):
    line = one_line_error(["crawl", "nosuchsite", "--db", f"sqlite:///{tmp_path}/x.sqlite"])
    assert "no site profile 'nosuchsite'" in line and "demo" in line


def test_database_down_is_one_line():
    line = one_line_error(["crawl", "demo", "--db", "postgresql+psycopg://postgres:secret@127.0.0.1:1/newsdb"])
    assert "127.0.0.1:1" in line and "secret" not in line


def test_stats_on_unusable_path_is_one_line(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    line = one_line_error(["stats", "--db", f"sqlite:///{tmp_path}/file/x.sqlite"])
    assert str(tmp_path / "file") in line


def test_bad_limit_is_rejected_by_the_parser(tmp_path):
    line = one_line_error(["crawl", "demo", "--limit", "0"], usage=True)
    assert "--limit" in line


def test_bad_step_switch_is_one_line(tmp_path):
    line = one_line_error(["parse", "-", "-s", "NEWSDB_QUOTES_ENABLED=maybe"], usage=True)
    assert line == "Error: NEWSDB_QUOTES_ENABLED: expected True or False, not 'maybe'"


def test_database_url_from_environment(tmp_path):
    import os

    env = {**os.environ, "NEWSDB_DATABASE_URL": f"sqlite:///{tmp_path}/env.sqlite"}
    refused = subprocess.run([sys.executable, "-m", "newsdb", "stats"], capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 1 and "newsdb db upgrade --db" in refused.stderr  # stats only reads
    assert not (tmp_path / "env.sqlite").exists()
    made = subprocess.run([sys.executable, "-m", "newsdb", "db", "upgrade"], capture_output=True, text=True, env=env, timeout=120)
    assert made.returncode == 0, made.stderr
    result = subprocess.run([sys.executable, "-m", "newsdb", "stats"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr


def test_closed_pipe_is_not_an_error_message():
    """`newsdb parse page.html | head -1`: the reader leaving early prints nothing on stderr."""
    from pathlib import Path

    page = next((Path(__file__).resolve().parent.parent / "seeds" / "demo" / "news").glob("*-1145321")) / "index.html"
    proc = subprocess.Popen([sys.executable, "-m", "newsdb", "parse", str(page)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # nobody reads: the first write gets EPIPE
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "Broken pipe" not in err and "Error" not in err
