"""One line of text that gives way on a narrow window: it ends in "…" instead of losing letters.

Used where the text can be longer than the room (the now-playing lines, the status bar's slots).
The text is plain, never markup (it quotes tags, file names, model metadata). When it is cut
short the tooltip holds the whole of it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel

from player.ui.plain import tip


class ElidedLabel(QLabel):
    """A plain-text label showing as much of :meth:`full_text` as fits, then "…".

    It asks for the whole text's width and accepts down to ``min_width`` pixels. The room is
    measured inside the stylesheet's padding (the label's contents rect) with no indent, so
    the text Qt draws is the text measured here, never clipped at its last letters.
    """

    def __init__(self, name: str = "", *, min_width: int = 60) -> None:
        super().__init__()
        if name:
            self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setIndent(0)  # a styled label's default indent is half an "x", drawn but not measured
        self._min_width = min_width
        self._full = ""
        self._tip = ""

    def set_full_text(self, text: str, tooltip: str = "") -> None:
        """Show ``text`` (cut to fit); ``tooltip`` (plain text) explains it, and the tooltip
        also holds ``text`` whenever it is cut."""
        self._full, self._tip = text, tooltip
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        """The whole text, also while fewer letters fit on screen."""
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Qt's setter: the whole text, with the tooltip it had."""
        self.set_full_text(text, self._tip)

    def shown_text(self) -> str:
        """The letters on screen (the whole text, or its start and "…")."""
        return super().text()

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin()
        width = self.fontMetrics().horizontalAdvance(self._full) + extra + 1 if self._full else 0
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(
            min(self._min_width, self.sizeHint().width()), super().minimumSizeHint().height()
        )

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self.updateGeometry()  # a new stylesheet or font: the whole text's width changed
            self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.contentsRect().width() - 2 * self.margin())
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        whole = self._full if shown != self._full and self._full != self._tip else ""
        self.setToolTip(tip("\n\n".join(part for part in (whole, self._tip) if part)))
