"""The README keeps up with the command line: every command appears in it."""

from pathlib import Path

import click
import pytest

from newsdb.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_paths(group=cli, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield " ".join(path)


@pytest.mark.parametrize("command", list(command_paths()))
def test_every_command_is_in_the_readme(command):
    assert f"newsdb {command}" in README, f"`newsdb {command}` is not documented in README.md"


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README
    assert (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text().rstrip().endswith("make test")
