"""Take ``retrain.png``: Tools → Retrain on my history, mid-progress, over the demo profile.

Run under a virtual X server so the real xcb platform draws the window and the dialog:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_retrain_screenshot.py

The trainer runs in its own child process, as it does for a listener (needs the `train` extra).
"""

from __future__ import annotations

from shots import OUT, main_window, wait


def main() -> None:
    from PySide6.QtGui import QColor, QPainter

    from player.demo import create_demo_profile

    def demo_without_model(profile) -> None:
        create_demo_profile(profile, with_model=False)

    with main_window(prepare=demo_without_model, audio=False) as (app, window):
        wait(app, 5, lambda: window.library.tree_model.rowCount() > 0)
        dialog = window.features.retrain.open(time_budget_s=60.0)
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


if __name__ == "__main__":
    main()
