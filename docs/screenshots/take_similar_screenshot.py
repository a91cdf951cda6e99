"""Take ``similar.png``: the demo library analysed, one quartet movement playing, its Similar tab.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_similar_screenshot.py

The analysis runs in the app's own worker process, as it does for a listener.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from take_screenshots import save, wait  # noqa: E402

from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402


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
        status = window.status.analysis
        wait(app, 600, lambda: status.text().startswith("Analysis done"))
        print(status.text())
        tracks = [window.library.table_model.index(r, 0) for r in range(6)]
        quartet = next(
            i for i in tracks if "Haydn" in i.siblingAtColumn(0).data() or i is tracks[-1]
        )
        window.library.tabs.setCurrentIndex(1)
        window.library.table.selectRow(quartet.row())
        window.library.table.activated.emit(quartet)
        wait(app, 3)
        window.similar.show_playing()
        panel = window.similar.panel
        wait(app, 10, lambda: panel.model.rowCount() > 0)
        wait(app, 1)
        save(window, "similar.png")
        window.close()
        window.jobs.wait()
        services.close()
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
