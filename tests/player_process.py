"""The player as a separate process, as a listener starts it: for tests that signal or kill it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def start_player(profile: Path, library: Path, *args: str, **popen: Any) -> subprocess.Popen:
    """``python -m player`` playing ``library`` into ``profile`` offscreen; ``args`` go before
    the Qt platform option, ``popen`` to :class:`subprocess.Popen` (pipes)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "player",
            "--profile",
            str(profile),
            "--library",
            str(library),
            "--play",
            *args,
            "-platform",
            "offscreen",
        ],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        **popen,
    )
