"""The README keeps up with the command line: every command appears in it, and the
command lines it shows (and each command's own Example:) use options that exist."""

import re
import shlex
from pathlib import Path

import click
import pytest

from newsdb.cli import cli
from tests.test_cli_commands import all_commands

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [" ".join(path) for path in all_commands()])
def test_every_command_is_in_the_readme(command):
    assert f"newsdb {command}" in README, f"`newsdb {command}` is not documented in README.md"


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README
    assert (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text().rstrip().endswith("make test")


def _command_lines(text: str) -> list[str]:
    """`newsdb …` lines of shell examples, continuations joined, up to a pipe or redirect."""
    text = text.replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [re.split(r"\s[|>]\s", line)[0] for line in lines if line.startswith("newsdb ")]


def _check(line: str) -> None:
    """The options of one example line exist on its command, and their values convert."""
    words = shlex.split(line, comments=True)[1:]
    command: click.Command = cli
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    assert not isinstance(command, click.Group), line
    options = {opt: param for param in command.params if isinstance(param, click.Option)
               for opt in param.opts + param.secondary_opts}
    while words:
        word = words.pop(0)
        if not word.startswith("-") or word == "-":
            continue
        name, _, inline = word.partition("=")
        assert name in options, f"{line!r}: no option {name} on `newsdb {command.name}`"
        param = options[name]
        if param.is_flag or name in param.secondary_opts:
            continue
        value = inline or words.pop(0)
        if not isinstance(param.type, (click.Path, click.File)):
            param.type.convert(value, param, None)  # a bad example date or choice fails here


@pytest.mark.parametrize("line", _command_lines(README))
def test_readme_command_lines_use_real_options(line):
    _check(line)


@pytest.mark.parametrize("path", list(all_commands()), ids=" ".join)
def test_help_examples_use_real_options(path):
    command: click.Command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    examples = _command_lines(command.help.split("Example:", 1)[1])
    assert examples, path
    for line in examples:
        assert line.split()[1:1 + len(path)] == list(path), line
        _check(line)


DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("doc", ["EXTRACTION.md"])
def test_docs_python_examples_run(doc):
    """Every ```python block of the doc runs and its asserts hold."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"{doc} has no python example"
    for block in blocks:
        exec(compile(block, f"{doc} example", "exec"), {})
