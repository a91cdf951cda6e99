"""Work that waits for a widget's next paint (the window's first, the library's arrival):
:func:`after_next_paint`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _NextPaint(QObject):
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


def after_next_paint(widget: QWidget, fn: Callable[[], object], at_latest_ms: int = 1000) -> None:
    """Call ``fn`` once, in the event loop's turn after ``widget`` is next painted, or after
    ``at_latest_ms`` if no paint comes (a window on a desktop not in sight may not be painted).

    ``continuo`` starts this way: the window's work (the library's worker imports numpy and
    builds the rows) after its first paint, and the features after the library is drawn, so
    neither competes with what is being put on screen for the GIL."""
    _NextPaint(widget, fn, at_latest_ms)
