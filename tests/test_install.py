"""A fresh venv with the pip that Python ships, `pip install .`, parses an unknown page.

The venv is made by `python -m venv`, so its pip is ensurepip's (23.2 with
Python 3.11), not upgraded: that pip does not match justext's
`lxml[html_clean]` to lxml's `html-clean` extra, and without lxml_html_clean
in our own dependencies trafilatura fails to import. The parse must then still
answer from the generic layer (trafilatura), never from a silent fallback.

Needs the package registry (the test installs every dependency, from pip's
cache when it has them) and takes a minute or two. It is not skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests/fixtures/extraction/dle_fullstory.html"  # no profile knows this markup
URL = "https://news.example.kz/ekologiya/8841-zhiteli-ust-kamenogorska-pozhalovalis-na-vybrosy.html"


def project_files() -> list[str]:
    """The repository's files: tracked ones, and new ones not ignored (what a commit can hold)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def run(args: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_fresh_venv_with_stock_pip_installs_and_parses_with_the_generic_layer(tmp_path):
    source = tmp_path / "newsdb"
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", venv], cwd=tmp_path, timeout=300)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    pip = run([python, "-m", "pip", "--version"], cwd=tmp_path, timeout=60)
    assert pip.stdout.startswith("pip "), pip.stdout + pip.stderr

    installed = run([python, "-m", "pip", "install", "--quiet", source], cwd=tmp_path, timeout=1200)
    assert installed.returncode == 0, f"{pip.stdout.strip()}: pip install failed\n{installed.stderr[-4000:]}"

    imports = run([python, "-c", "import trafilatura, lxml_html_clean"], cwd=tmp_path, timeout=120)
    assert imports.returncode == 0, f"{pip.stdout.strip()}:\n{imports.stderr[-2000:]}"

    parsed = run([venv / "bin" / "newsdb", "parse", PAGE, "--url", URL], cwd=tmp_path, timeout=300)
    assert parsed.returncode == 0, parsed.stderr[-4000:]
    result = json.loads(parsed.stdout)
    assert result["is_article"] is True, parsed.stdout[:2000]
    assert result["body"] and all(result["body"]), result["body"]
    assert result["extraction"]["layers"]["body"] == "generic", result["extraction"]
