"""The tree stays lint-, format- and type-clean, with the settings in pyproject.toml.

The tools run from this interpreter (``python -m``), so the test checks with the versions the
project's environment pins, and mypy's cache goes to a temporary folder: a fresh clone works and
nothing stale hides an error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"`{' '.join(result.args[2:])}` exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def test_ruff_finds_no_lint_error_and_no_unformatted_file():
    lint = _run("ruff", "check", "--no-cache", ".")
    assert lint.returncode == 0, _report(lint)
    formatting = _run("ruff", "format", "--check", "--no-cache", ".")
    assert formatting.returncode == 0, _report(formatting)


@pytest.mark.slow
def test_mypy_finds_no_type_error(tmp_path):
    result = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, _report(result)
