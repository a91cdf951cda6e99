"""Side tabs laid out again only when their sizes change.

A tab bar whose text changes asks its ``QTabWidget`` for a new layout, and the tab widget answers
by laying out and repainting everything it holds: the Problems tab's count, which changes at
every file of a run of absent ones, repainted the whole queue page under it, Up next's controls
included. A request that finds the sizes the tabs were last laid out for changes nothing, so it
is dropped (the bar redraws its own text); a new text is set on the bar itself
(``QTabWidget.setTabText`` lays the tabs out without asking).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QTabWidget


class SteadyTabs(QObject):
    """Watches ``tabs``' layout requests (an event filter on it)."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._sizes: tuple[QSize, QSize, QSize] | None = None
        tabs.installEventFilter(self)

    def set_text(self, index: int, text: str) -> None:
        """Tab ``index``'s text, on the bar (laid out again only when it needs more room)."""
        self._tabs.tabBar().setTabText(index, text)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.LayoutRequest or watched is not self._tabs:
            return False
        tabs = self._tabs
        sizes = (tabs.tabBar().sizeHint(), tabs.sizeHint(), tabs.minimumSizeHint())
        if sizes == self._sizes:
            return True  # laid out for these sizes already
        self._sizes = sizes
        return False
