"""The window in a process of its own on a real X display, for the "follow the system" test.

    python -m tests.ui.desktop_theme_window PROFILE LIBRARY CHANGES

Run with ``QT_QPA_PLATFORM=xcb`` and ``QT_QPA_PLATFORMTHEME=gnome`` under Xvfb, on a private
session bus: Qt's GNOME theme then listens for the desktop portal's ``SettingChanged`` signal,
as on a real desktop (the offscreen platform has no colour scheme to change). Prints
``ready SCHEME COLOUR`` once shown, then ``scheme SCHEME COLOUR`` after each change of the
desktop's scheme, where COLOUR is the transport bar's painted background; quits after CHANGES
changes (or 60 s).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from player.app import build_services, build_window
from player.profile import Profile
from player.ui.style import apply_style


def main(profile_dir: str, library: str, changes: int) -> None:
    app = QApplication([sys.argv[0]])
    apply_style(app)
    services = build_services(Profile(Path(profile_dir)).create(), [Path(library)], no_audio=True)
    window = build_window(services)
    window.show()
    hints = app.styleHints()

    def painted() -> str:
        image = window.transport.grab().toImage()
        return QColor(image.pixel(3, 3)).name()

    seen: list[str] = []

    def report(what: str) -> None:
        print(what, hints.colorScheme().name, painted(), flush=True)
        seen.append(what)
        if seen.count("scheme") == changes:
            app.quit()

    # queued after the appearance feature's own handler has restyled the window
    hints.colorSchemeChanged.connect(lambda _scheme: QTimer.singleShot(0, lambda: report("scheme")))
    QTimer.singleShot(200, lambda: report("ready"))
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    window.close()
    window.jobs.wait()
    services.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
