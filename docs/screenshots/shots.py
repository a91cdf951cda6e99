"""What every screenshot script shares: a 1366 × 768 main window over a fresh profile, and saving.

The scripts run as ``.venv/bin/python docs/screenshots/take_*.py`` (this folder is on
``sys.path`` then); this module puts the repository root there for ``player`` and ``tests``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent


def wait(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.01)


def save(window, name: str) -> None:
    image = window.grab().toImage()
    image.save(str(OUT / name), "PNG", 80)
    print(f"{OUT / name}: {(OUT / name).stat().st_size // 1024} KB")


@contextmanager
def main_window(
    *,
    libraries: Sequence[Path] = (),
    prepare: Callable[[Any], object] | None = None,
    audio: bool = True,
) -> Iterator[tuple[Any, Any]]:
    """``(app, window)``: the window shown and started; closed, with its jobs, on leaving.

    ``prepare`` gets the new, empty profile before the services open it. With ``audio`` the
    sound goes to a private PulseAudio null sink (as in the tests), so nothing is heard; it
    starts before anything imports sounddevice.
    """
    from tests.audio_env import start_private_audio, stop_private_audio

    home = start_private_audio()[0] if audio else None
    try:
        from PySide6.QtWidgets import QApplication

        from player.app import build_services, build_window
        from player.profile import Profile
        from player.ui.style import apply_style

        app = QApplication([sys.argv[0]])
        apply_style(app)
        profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-shots-"))).create()
        if prepare is not None:
            prepare(profile)
        services = build_services(profile, libraries, no_audio=not audio)
        window = build_window(services)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        window.start()
        yield app, window
        window.close()
        window.jobs.wait()
        services.close()
    finally:
        if home is not None:
            stop_private_audio(home)
