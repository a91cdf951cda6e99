"""Take ``up-next.png``: the demo profile playing, Up next filled by its model, with reasons.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_up_next_screenshot.py

Sound goes to a private PulseAudio null sink (as in the tests), so nothing is heard.
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
        from player.demo import create_demo_profile
        from player.profile import Profile
        from player.ui.main_window import MainWindow
        from player.ui.style import apply_style

        app = QApplication([sys.argv[0]])
        apply_style(app)
        profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-shots-"))).create()
        create_demo_profile(profile)
        services = build_services(profile)
        window = MainWindow(services)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        window.start()
        table = window.library.table_model
        wait(app, 60, lambda: table.rowCount() > 0 and not window._scan_cancel)
        tracks = [table.index(r, 0).data() for r in range(table.rowCount())]
        print(f"{len(tracks)} tracks")
        window.controller.play_library()
        wait(app, 20, lambda: window.queue.up_next_source == "From your listening model")
        wait(app, 2)
        print(window.status.model.text())
        for track in window.queue.up_next:
            print(" ", track.composer, "|", track.work, "|", track.display_title)
        save(window, "up-next.png")
        window.close()
        window.jobs.wait()
        services.close()
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
