"""Take the README's screenshots: the demo library, playing, in a 1366 × 768 window.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_screenshots.py

Sound goes to a private PulseAudio null sink (as in the tests), so nothing is heard.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402

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


def main() -> None:
    home, _ = start_private_audio()
    try:
        from PySide6.QtWidgets import QApplication

        from player.app import build_services
        from player.cli import DEMO_LIBRARY
        from player.profile import Profile
        from player.ui.main_window import MainWindow
        from player.ui.style import apply_style

        app = QApplication([sys.argv[0]])
        apply_style(app)
        profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-shots-"))).create()
        services = build_services(profile, [DEMO_LIBRARY])
        window = MainWindow(services)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        window.start()
        wait(app, 60, lambda: window.library.table_model.rowCount() > 0 and not window._scan_cancel)
        wait(app, 1)
        tree, proxy = window.library.tree, window.library.tree_proxy
        target = None
        for c in range(proxy.rowCount()):
            composer = proxy.index(c, 0)
            for w in range(proxy.rowCount(composer)):
                work = proxy.index(w, 0, composer)
                if proxy.rowCount(work) >= 3 and "Mozart" in composer.data():
                    target = proxy.index(1, 0, work)
        target = target or proxy.index(0, 0, proxy.index(0, 0, proxy.index(0, 0)))
        tree.setCurrentIndex(target)
        tree.activated.emit(target)  # as a double-click does: play it, queue the rest of its work
        wait(app, 5)
        save(window, "main-window-playing.png")
        window.library.search.setText("quartet")
        window.library.apply_search()
        window.side.setCurrentIndex(1)
        window.reload_history()
        wait(app, 2)
        save(window, "search-and-history.png")
        window.close()
        window.jobs.wait()
        services.close()
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
