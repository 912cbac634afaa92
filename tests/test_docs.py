"""The README keeps up with the command line: every command appears in it."""

from pathlib import Path

import pytest

from tests.test_cli_commands import all_commands

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [" ".join(path) for path in all_commands()])
def test_every_command_is_in_the_readme(command):
    assert f"newsdb {command}" in README, f"`newsdb {command}` is not documented in README.md"


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README
    assert (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text().rstrip().endswith("make test")
