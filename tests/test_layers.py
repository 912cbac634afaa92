"""The layers of README's "How it is built" hold: import-linter's contracts in pyproject.toml.

Top to bottom: newsdb (CLI, crawl runner, re-parse, WARC) -> the Scrapy glue in
crawler/ -> pipelines/ (the steps and the one parse) -> crawler.pages | storage
(independent of each other) -> core. A module imports only from layers below
its own; core, extraction and the steps need neither Scrapy nor a database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "storage", "pipelines", "crawler", "newsdb")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` (the venv's import-linter) on the project at `root`."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache"],  # no .import_linter_cache folder in the working tree
        cwd=root, capture_output=True, text=True, timeout=120,
    )


def report(result: subprocess.CompletedProcess[str]) -> str:
    """The contracts and the broken imports, without import-linter's banner."""
    out = result.stdout + result.stderr
    start = out.find("Contracts")
    return out[start:] if start >= 0 else out


def test_layers_point_one_way():
    result = lint_imports(ROOT)
    assert result.returncode == 0, "imports break the layers of README's 'How it is built':\n" + report(result)
    assert "0 broken" in result.stdout, report(result)


def test_an_upward_import_is_reported(tmp_path):
    """The contracts are not vacuous: core importing storage is caught and named."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    items = tmp_path / "core" / "items.py"
    items.write_text(items.read_text(encoding="utf-8") + "\nimport storage.db  # noqa: E402\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, report(result)
    text = report(result)
    assert "core.items -> storage.db" in text, text
    assert "run without a database BROKEN" in text, text  # storage.db brings sqlalchemy into core
