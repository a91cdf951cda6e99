"""Take ``retrain.png``: Tools → Retrain on my history, mid-progress, over the demo profile.

Run under a virtual X server so the real xcb platform draws the window and the dialog:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_retrain_screenshot.py

The trainer runs in its own child process, as it does for a listener (needs the `train` extra).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from take_screenshots import OUT, wait  # noqa: E402


def main() -> None:
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtWidgets import QApplication

    from player.app import build_services
    from player.demo import create_demo_profile
    from player.profile import Profile
    from player.ui.main_window import MainWindow
    from player.ui.style import apply_style

    app = QApplication([sys.argv[0]])
    apply_style(app)
    profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-shots-"))).create()
    create_demo_profile(profile, with_model=False)
    services = build_services(profile, no_audio=True)
    window = MainWindow(services)
    window.setGeometry(0, 0, 1366, 768)
    window.show()
    window.start()
    wait(app, 5, lambda: window.library.tree_model.rowCount() > 0)
    dialog = window.retrain.open(time_budget_s=60.0)
    dialog.move(window.geometry().center() - dialog.rect().center())
    wait(
        app,
        60,
        lambda: dialog.bar.maximum() > 1 and dialog.bar.value() > 0.3 * dialog.bar.maximum(),
    )
    print(dialog.headline.text(), "|", dialog.detail.text())
    # no window manager under Xvfb draws a frame: compose the window and the dialog, outlined
    image = window.grab().toImage()
    painter = QPainter(image)
    at = dialog.geometry().topLeft() - window.geometry().topLeft()
    painter.drawPixmap(at, dialog.grab())
    painter.setPen(QColor("#7a4a2a"))
    painter.drawRect(at.x() - 1, at.y() - 1, dialog.width() + 1, dialog.height() + 1)
    painter.end()
    image.save(str(OUT / "retrain.png"), "PNG", 80)
    print(f"{OUT / 'retrain.png'}: {(OUT / 'retrain.png').stat().st_size // 1024} KB")
    dialog.cancel()
    window.close()
    window.jobs.wait()
    services.close()


if __name__ == "__main__":
    main()
