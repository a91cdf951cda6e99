"""Screenshots for the desktop-citizen issue: light and dark, at 1366 × 768 and at 1.5× scaling.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_desktop_screenshots.py
    QT_SCALE_FACTOR=1.5 xvfb-run -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/take_desktop_screenshots.py

The demo library is copied to a temporary folder and one work gets a cover.png, so album art
shows; a playlist is saved from the queue. It writes desktop-{light,dark}[-1.5x]-{main,playlists,
insights}.png in this folder; the repository keeps the main windows, the dark Playlists tab at
1.5x and the dark Insights window.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from shots import OUT, save, wait


def cover(path: Path) -> None:
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    image = QImage(300, 300, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, 300, 300)
    gradient.setColorAt(0, QColor("#7a4b2a"))
    gradient.setColorAt(1, QColor("#e8d5b5"))
    painter.fillRect(image.rect(), gradient)
    painter.end()
    image.save(str(path))


def main() -> None:
    import sys

    from PySide6.QtWidgets import QApplication

    from player.app import build_services, build_window
    from player.demo import DEMO_LIBRARY
    from player.profile import Profile
    from player.ui.style import apply_style
    from tests.audio_env import start_private_audio, stop_private_audio

    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    suffix = "" if scale in ("", "1") else f"-{scale}x"
    home = start_private_audio()[0]
    try:
        music = Path(tempfile.mkdtemp(prefix="continuo-shots-music-")) / "demo"
        shutil.copytree(DEMO_LIBRARY, music)
        for folder in music.glob("*/*"):
            if folder.is_dir() and "Quartet" in folder.name:
                cover(folder / "cover.png")
        app = QApplication([sys.argv[0]])
        apply_style(app)
        profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-shots-"))).create()
        services = build_services(profile, [music])
        window = build_window(services)
        screen = app.primaryScreen().availableGeometry()
        window.setGeometry(screen)
        window.show()
        window.start()
        wait(app, 60, lambda: window.library.table_model.rowCount() > 0 and not window._scan_cancel)
        window.features.analysis.pause()
        tracks = window.controller.library_tracks
        quartet = [t for t in tracks if "Quartet" in t.work]
        window.controller.play_track(quartet[0], then=quartet[1:3])
        window.library.tree.expandAll()
        wait(app, 4)
        window.features.playlists.save_queue("Quartets for the evening")
        wait(app, 2)
        for scheme in ("light", "dark"):
            window.features.appearance.choose(scheme)
            window.side.setCurrentIndex(0)
            wait(app, 1.5)
            save(window, f"desktop-{scheme}{suffix}-main.png")
            window.side.setCurrentWidget(window.features.playlists)
            wait(app, 1)
            save(window, f"desktop-{scheme}{suffix}-playlists.png")
            insights = window.features.insights
            insights.refresh_and_show()
            wait(app, 4)
            save(insights, f"desktop-{scheme}{suffix}-insights.png")
            insights.close()
        window.features.appearance.choose("system")
        window.close()
        window.jobs.wait()
        services.close()
    finally:
        stop_private_audio(home)
    print(f"saved in {OUT}")


if __name__ == "__main__":
    main()
