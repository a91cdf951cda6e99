"""What the listener sees before the window exists: a line while another program holds the
profile, and a message box when Continuo cannot start (the terminal gets both too)."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from player.errors import ContinuoError
from player.ui.plain import plain
from player.ui.style import apply_style


class StartupNotice:
    """A small window with one line, shown only when there is something to wait for."""

    def __init__(self) -> None:
        self._label: QLabel | None = None

    def waiting(self, line: str) -> None:
        if self._label is None:
            self._label = plain(QLabel())
            self._label.setWindowTitle("Continuo")
            self._label.setMargin(18)
        self._label.setText(line)
        self._label.show()
        QApplication.processEvents()  # drawn now: the caller goes back to waiting on SQLite

    def refused(self, error: ContinuoError) -> None:
        """Say why Continuo cannot start (not offscreen, where nobody could close the box)."""
        self.close()
        if QGuiApplication.platformName() == "offscreen":
            return
        from PySide6.QtWidgets import QMessageBox  # made only here: its types cost every start

        apply_style(cast(QApplication, QApplication.instance()))  # the sheet too: no window set it
        box = QMessageBox(QMessageBox.Icon.Critical, "Continuo cannot start", error.short)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(error.detail)
        box.exec()

    def close(self) -> None:
        if self._label is not None:
            self._label.close()
            self._label = None
