"""Work that waits for the window's first paint: :class:`FirstPaint`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Calls ``fn`` once, in the event loop's turn after ``widget`` is first painted — or when
    ``fallback`` is emitted first (a window started minimised is not painted; ``continuo``
    passes the context's ``library_shown``), so it runs whether or not a paint comes.

    ``continuo`` builds its features this way: the window is on screen before they are imported
    and made, and they are there before the listener can reach a menu.
    """

    def __init__(self, widget: QWidget, fn: Callable[[], object], fallback: SignalInstance) -> None:
        super().__init__(widget)
        self._fn: Callable[[], object] | None = fn
        self._paint = QEvent.Type.Paint
        widget.installEventFilter(self)
        fallback.connect(self.run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.run)  # after the paint has reached the screen
        return False

    @property
    def done(self) -> bool:
        return self._fn is None

    def run(self) -> None:
        fn, self._fn = self._fn, None
        if fn is not None:
            fn()
