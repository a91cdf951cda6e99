"""Column widths for the flat track table that give way sensibly on a narrow window.

Qt's own modes either cut every column to a few letters (``Stretch``) or measure every row
(``ResizeToContents``: 100,000 reads). Here each column has a minimum and a preferred width in
digits of the table's font; the two text columns (Work, Movement / title) share what is left.
When the window narrows, Composer and Performers give way first down to their minimum; below
the sum of the minimums the table scrolls sideways instead of cutting further. A cut text ends
in "…" and the row's tooltip holds it whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


@dataclass(frozen=True)
class Column:
    minimum: int  # digits of the font
    preferred: int  # digits; 0 for a column that takes a share of what is left
    fixed: bool = False


COLUMNS = (
    Column(12, 18),  # Composer
    Column(14, 0),  # Work
    Column(4, 4, fixed=True),  # #
    Column(16, 0),  # Movement / title
    Column(12, 20),  # Performers
    Column(7, 7, fixed=True),  # Length
)


def widths(available: int, digit: int, columns: tuple[Column, ...] = COLUMNS) -> list[int]:
    """Each column's width in pixels for a viewport ``available`` pixels wide."""
    low = [c.minimum * digit for c in columns]
    want = [c.preferred * digit if c.preferred else c.minimum * digit for c in columns]
    sharing = [i for i, c in enumerate(columns) if not c.preferred]
    if available >= sum(want):  # everything as preferred; the text columns share the rest
        extra = (available - sum(want)) // max(len(sharing), 1)
        return [w + (extra if i in sharing else 0) for i, w in enumerate(want)]
    give = sum(want) - sum(low)  # what the shrinkable columns can give up together
    short = min(sum(want) - available, give)
    if not give:
        return want
    cuts = [(w - lo) * short // give for w, lo in zip(want, low, strict=True)]
    for i in range(len(cuts)):  # what rounding down left over, a pixel each
        if sum(cuts) < short and want[i] - cuts[i] > low[i]:
            cuts[i] += 1
    return [w - cut for w, cut in zip(want, cuts, strict=True)]


class ColumnFit(QObject):
    """Keeps a table's columns at :func:`widths` of its viewport; the listener may still drag
    a column wider (kept until the window's width changes)."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(COLUMNS[2].minimum * self._digit())
        for column, spec in enumerate(COLUMNS):
            mode = (
                QHeaderView.ResizeMode.Fixed if spec.fixed else QHeaderView.ResizeMode.Interactive
            )
            header.setSectionResizeMode(column, mode)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._width = -1
        # The viewport is watched from the table's first showing: the first QWidget that
        # PySide6 wraps for Python from Qt's side (as ``viewport()`` returns it) makes it
        # resolve its lazily loaded classes, some 70 enum types (~30 ms), which the window's
        # first paint, with the table in its hidden tab, need not wait for.
        table.installEventFilter(self)

    def _digit(self) -> int:
        return max(self._table.fontMetrics().horizontalAdvance("0"), 1)

    def fit(self) -> None:
        available = self._table.viewport().width()
        if available == self._width:
            return
        self._width = available
        for column, width in enumerate(widths(available, self._digit())):
            self._table.setColumnWidth(column, width)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.Resize and watched is not self._table:  # the viewport's
            self.fit()
        elif kind == QEvent.Type.Show and watched is self._table:
            self._table.removeEventFilter(self)
            self._table.viewport().installEventFilter(self)
            self.fit()
        return False
