"""A delegate for item-view cells that hold one line of plain text, drawn from cached layouts.

The style's own item drawing cost the library's views most of a repaint: for every cell the
style sheet's rules are matched again, seven roles are asked of the model (seven calls into
Python, each waiting for the interpreter while a worker runs), and the text is laid out, elided
and shaped anew. A screenful of the flat table took 12-25 ms of the GUI thread's own time at
every jump of the scroll bar (issue 13: the GUI thread never busy for more than ~20 ms). Here a
cell costs one call into Python: the model hands over the cell's text, type, tone and picture
in one piece (a :class:`Cell`), and each text is elided and laid out once per column width and
type (a :class:`QStaticText` kept in a small cache: composers, works and movement names repeat
down a view).

Drawn as the style sheet draws an item view's item (``player.ui.style``): the padding, the hover
and selection backgrounds, the selected text's colour; plain text only, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import NamedTuple, cast

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from player.ui.style import ITEM_PADDING, theme


class Cell(NamedTuple):
    """What one cell shows: its text, the :class:`~player.ui.style.Theme` colour it is drawn in
    (``"accent"``, ``"muted"``; None: the text's own), its type (None: the view's), a picture
    before the text, and whether the text is aligned right (numbers, lengths)."""

    text: str
    tone: str | None = None
    font: QFont | None = None
    icon: QIcon | None = None
    right: bool = False


CellOf = Callable[[QModelIndex | QPersistentModelIndex], Cell | None]
"""The cell at an index of the view's model, or None for one not there (yet)."""

CACHED = 4096
"""Laid-out texts kept (a few screens of a wide table); beyond it the least recently drawn
go first."""

ICON_GAP = 4
"""Pixels between a cell's picture and its text."""

SELECTED = QStyle.StateFlag.State_Selected.value  # plain ints: a flag's "&" is Python code
_HOVER = QStyle.StateFlag.State_MouseOver.value
_FILLED = SELECTED | _HOVER
_Box = tuple[int, int, int, int]  # x, y, width, height (QRect.getRect)


class TextCells(QStyledItemDelegate):
    """Draws each cell of ``view`` as ``cell_of(index)`` says, elided on the right. A change of
    the view's font or style starts the cache again."""

    def __init__(self, view: QAbstractItemView, cell_of: CellOf) -> None:
        super().__init__(view)
        self._view, self._cell_of = view, cell_of
        self._laid: dict[tuple[str, int, int], tuple[QStaticText, int, int]] = {}
        self._colours: dict[str, QColor] = {}
        self._pens: dict[str, QPen] = {}
        self._font: QFont | None = None
        self._margin: int | None = None
        view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._laid.clear()
            self._font = self._margin = None
        return False

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell = self._cell_of(index)
        state = option.state.value  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        if state & _FILLED:
            self.fill(painter, state, rect)
        if cell is None:
            return
        left, top, width, height = cast(_Box, rect.getRect())
        vertical, horizontal = ITEM_PADDING
        left, width = left + horizontal, width - 2 * horizontal
        if cell.icon is not None:
            size = self._view.iconSize()
            side = min(size.width(), height)
            cell.icon.paint(painter, QRect(left, top + (height - side) // 2, side, side))
            left, width = left + side + ICON_GAP, width - side - ICON_GAP
        margin = self._margin if self._margin is not None else self._text_margin()
        tone = cell.tone if cell.tone and not state & SELECTED else "ink"
        font = cell.font if cell.font is not None else (self._font or self.view_font())
        self._draw(
            painter,
            cell.text,
            font,
            tone,
            (left + margin, top + vertical, width - 2 * margin, height - 2 * vertical),
            cell.right,
        )

    def fill(self, painter: QPainter, state: int, rect: QRect) -> None:
        """The item's background: the selection's, or the hover's (``state``: the option's
        state as an int)."""
        t = theme()
        if state & SELECTED:
            painter.fillRect(rect, self._colour(t.selection))
        elif state & _HOVER:
            painter.fillRect(rect, self._colour(t.panel))

    def draw_line(
        self, painter: QPainter, text: str, font: QFont, tone: str, box: QRect, right: bool = False
    ) -> None:
        """``text`` in ``font`` and the theme's colour ``tone``, elided to ``box``'s width and
        centred in its height."""
        self._draw(painter, text, font, tone, cast(_Box, box.getRect()), right)

    def _draw(
        self,
        painter: QPainter,
        text: str,
        font: QFont,
        tone: str,
        box: _Box,
        right: bool,
    ) -> None:
        """:meth:`draw_line` with the box as ``(x, y, width, height)``: a cell's line costs a
        dozen calls into Qt, so none is made twice (the text's size is kept with its layout,
        each colour's pen made once)."""
        x, y, width, height = box
        if not text or width <= 0:
            return
        key = (text, width, id(font))
        laid = self._laid.pop(key, None) or self._layout(text, width, font)
        self._laid[key] = laid  # the most recently drawn last: a full cache drops the oldest
        painter.setPen(self._pen(getattr(theme(), tone)))
        painter.setFont(font)
        if right:
            x += width - laid[1]
        painter.drawStaticText(x, y + (height - laid[2]) // 2, laid[0])

    def _text_margin(self) -> int:
        """Pixels the style keeps on each side of an item's text (as ``QCommonStyle`` does)."""
        if self._margin is None:
            metric = QStyle.PixelMetric.PM_FocusFrameHMargin
            self._margin = self._view.style().pixelMetric(metric, None, self._view) + 1
        return self._margin

    def view_font(self) -> QFont:
        """The view's font (asked once, until it changes)."""
        if self._font is None:
            self._font = self._view.font()
        return self._font

    def _layout(self, text: str, width: int, font: QFont) -> tuple[QStaticText, int, int]:
        """``text`` elided to ``width`` and laid out in ``font``, with its width (rounded)
        and height, for :meth:`_draw` to keep (by the font's identity: the views' fonts are
        made once). A full cache drops its least recently drawn quarter: emptying it made the
        next screen lay out every text anew, the names and lengths that repeat on every page
        too, a paint at a time the GUI thread could least afford it."""
        if len(self._laid) >= CACHED:
            for key in list(islice(self._laid, CACHED // 4)):
                del self._laid[key]
        laid = _prepared(text, font)  # most texts fit: laid out once, not measured first
        size = laid.size()
        if size.width() > width:
            laid = _prepared(
                QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width), font
            )
            size = laid.size()
        return laid, round(size.width()), int(size.height())

    def _colour(self, name: str) -> QColor:
        colour = self._colours.get(name)
        if colour is None:
            colour = self._colours[name] = QColor(name)
        return colour

    def _pen(self, name: str) -> QPen:
        pen = self._pens.get(name)
        if pen is None:
            pen = self._pens[name] = QPen(QColor(name))
        return pen


def _prepared(text: str, font: QFont) -> QStaticText:
    """``text`` laid out in ``font`` as plain text (tag text, never markup)."""
    laid = QStaticText(text)
    laid.setTextFormat(Qt.TextFormat.PlainText)
    laid.prepare(QTransform(), font)
    return laid
