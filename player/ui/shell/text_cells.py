"""A delegate for table cells that hold one line of plain text, drawn from cached layouts.

The style's own item drawing costs the flat track table most of a repaint: for every cell the
style sheet's rules are matched again, seven roles are asked of the model (seven calls into
Python, each waiting for the interpreter while a worker runs), and the text is laid out, elided
and shaped anew. A screenful of 30 rows took 12-25 ms of the GUI thread's own time at every
jump of the scroll bar (issue 13: the GUI thread never busy for more than ~20 ms). Here a cell
costs one call into Python: the row's texts come from the model in one piece, and each text is
elided and laid out once per column width (a :class:`QStaticText` kept in a small cache: the
composers, works and movement names repeat down the table).

Drawn as the style sheet draws an item view's item (``player.ui.style``): the padding, the hover
and selection backgrounds, the selected text's colour; plain text only, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QStaticText, QTransform
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from player.ui.style import ITEM_PADDING, theme

RowCells = Callable[[int], tuple[tuple[str, ...], bool] | None]
"""A row's cell texts and whether it is marked (drawn in the accent: the track playing), or
None for a row not there."""

CACHED = 4096
"""Laid-out texts kept (a few screens of a wide table); beyond it the cache starts again."""

_SELECTED = QStyle.StateFlag.State_Selected.value  # plain ints: a flag's "&" is Python code
_HOVER = QStyle.StateFlag.State_MouseOver.value


class TextCells(QStyledItemDelegate):
    """Draws each cell of ``view`` as its row's text for the column, elided on the right;
    columns in ``right`` are aligned right (numbers, lengths). The text is drawn in the
    view's font (a change of it starts the cache again)."""

    def __init__(self, view: QWidget, cells: RowCells, right: frozenset[int]) -> None:
        super().__init__(view)
        self._view, self._cells, self._right = view, cells, right
        self._laid: dict[tuple[str, int], QStaticText] = {}
        self._colours: dict[str, QColor] = {}
        view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._laid.clear()
        return False

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = self._cells(index.row())
        state = option.state.value  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        t = theme()
        if state & _SELECTED:
            painter.fillRect(rect, self._colour(t.selection))
        elif state & _HOVER:
            painter.fillRect(rect, self._colour(t.panel))
        if row is None:
            return
        texts, marked = row
        column = index.column()
        text = texts[column] if column < len(texts) else ""
        left, top, width, height = rect.x(), rect.y(), rect.width(), rect.height()
        vertical, horizontal = ITEM_PADDING
        width -= 2 * horizontal
        if not text or width <= 0:
            return
        laid = self._laid.get((text, width)) or self._layout(text, width)
        painter.setPen(self._colour(t.accent if marked and not state & _SELECTED else t.ink))
        size = laid.size()
        x = left + horizontal
        if column in self._right:
            x += width - int(size.width())
        y = top + vertical + (height - 2 * vertical - int(size.height())) // 2
        painter.drawStaticText(x, y, laid)

    def _layout(self, text: str, width: int) -> QStaticText:
        """``text`` elided to ``width`` and laid out in the view's font, kept for next time."""
        if len(self._laid) >= CACHED:
            self._laid.clear()
        font = self._view.font()
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
        laid = QStaticText(shown)
        laid.setTextFormat(Qt.TextFormat.PlainText)  # tag text, never markup
        laid.prepare(QTransform(), font)
        self._laid[(text, width)] = laid
        return laid

    def _colour(self, name: str) -> QColor:
        colour = self._colours.get(name)
        if colour is None:
            colour = self._colours[name] = QColor(name)
        return colour
