"""Work that waits for the window's first paint: :func:`after_first_paint`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, fn: Callable[[], object], at_latest_ms: int) -> None:
        super().__init__(widget)
        self._fn: Callable[[], object] | None = fn
        self._paint = QEvent.Type.Paint
        widget.installEventFilter(self)
        QTimer.singleShot(at_latest_ms, self, self.run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.run)  # once the paint is done
        return False

    def run(self) -> None:
        fn, self._fn = self._fn, None
        if fn is not None:
            fn()


def after_first_paint(widget: QWidget, fn: Callable[[], object], at_latest_ms: int = 1000) -> None:
    """Call ``fn`` once, in the event loop's turn after ``widget`` is first painted, or after
    ``at_latest_ms`` if no paint comes (a window on a desktop not in sight may not be painted).

    ``continuo`` starts the window's work this way: the worker that shows the library imports
    numpy and builds the rows, and it would compete with the first paint for the GIL."""
    _FirstPaint(widget, fn, at_latest_ms)
