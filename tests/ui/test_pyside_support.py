"""PySide6's support code is compiled at the first start and taken from the cache after it; a
damaged cache is made again. Each start is a process of its own (a test process has imported
PySide6 already), with its own cache folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from player.ui.pyside_support import BOOTSTRAP, SUPPORT_PREFIX, cache_file

ROOT = str(Path(__file__).resolve().parents[2])

START = r"""
import builtins, json
compiled = []
compile_now = builtins.compile
def counting(source, filename, *args, **kwargs):
    if filename == "signature_bootstrap.py" or str(filename).startswith("shibokensupport/"):
        compiled.append(filename)
    return compile_now(source, filename, *args, **kwargs)
builtins.compile = counting
import player.ui
from PySide6.QtCore import QTimer
try:  # shiboken's support code at work: the signatures a wrong call could have had
    QTimer.singleShot("x", "y")
except TypeError as exc:
    said = str(exc)
print(json.dumps({"compiled": len(compiled), "signatures": "Supported signatures" in said}))
"""


def start(cache: Path) -> dict:
    assert (BOOTSTRAP, SUPPORT_PREFIX) == ("signature_bootstrap.py", "shibokensupport/")
    run = subprocess.run(
        [sys.executable, "-c", START],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": ROOT},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_pyside_support_is_compiled_once_and_again_when_the_cache_is_damaged(tmp_path):
    cached = cache_file(tmp_path / "continuo")
    first = start(tmp_path)
    assert first["compiled"] > 0 and first["signatures"] and cached.exists()
    assert start(tmp_path) == {"compiled": 0, "signatures": True}
    cached.write_bytes(cached.read_bytes()[:1000])  # cut short
    assert start(tmp_path) == first  # compiled again, and written whole again
    assert start(tmp_path) == {"compiled": 0, "signatures": True}
