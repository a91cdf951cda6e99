"""A tree view's narrow column (lengths, "12 works") kept as wide as its longest possible text.

Qt's ``ResizeToContents`` measures the column by asking the model for up to a thousand rows'
texts, fonts and sizes (each a call into Python) whenever the view lays itself out: after every
search, every slice of rows inserted, every expand. In the library tree that alone kept the GUI
thread busy for tens of milliseconds a keystroke. The texts such a column shows are known in
advance ("99:59:59"), so the width comes from the font's metrics instead, once, and again when
the view's font or style changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeView

LENGTHS = ("99:59:59",)
"""The widest length a column of durations usually shows (a long session, a whole opera)."""


class TextColumn(QObject):
    """Keeps ``column`` of ``view`` fixed at the width of the widest of ``samples`` (drawn in
    the view's font made bold, as a now-playing row is)."""

    def __init__(self, view: QTreeView, column: int, samples: Sequence[str] = LENGTHS) -> None:
        super().__init__(view)
        self._view, self._column, self._samples = view, column, tuple(samples)
        view.header().setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        view.installEventFilter(self)
        self.fit()

    def set_samples(self, samples: Sequence[str]) -> None:
        """Texts the column may now show (e.g. a new library's largest work count)."""
        self._samples = tuple(samples)
        self.fit()

    def fit(self) -> None:
        font = QFont(self._view.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        text = max((metrics.horizontalAdvance(s) for s in self._samples), default=0)
        style = self._view.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view) + 1
        self._view.header().resizeSection(
            self._column, text + 2 * margin + metrics.horizontalAdvance("00")
        )

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit()
        return False
