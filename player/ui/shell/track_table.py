"""The flat track table's model: ids in, a page of cell texts read when a row is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, Qt, Signal

from player.domain.movements import display_title
from player.domain.recordings import recording_label
from player.library.track_rows import NO_IDS, RowIds, TrackCache, page_of
from player.store.tracks import Track
from player.ui.plain import tip
from player.ui.shell.library_models import ROOT, TRACK_ROLE, AnyIndex, Fonts, format_duration
from player.ui.shell.text_cells import Cell

if TYPE_CHECKING:
    import numpy as np

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset((DISPLAY, TOOLTIP, ALIGNMENT, FOREGROUND, int(TRACK_ROLE)))


class TrackTableModel(QAbstractTableModel):
    """Every track in one table, read a page at a time: the model keeps ids, not tracks.

    ``_library`` holds the present tracks' ids in library order, ``_order`` the same ids in a
    chosen column's order (computed off the GUI thread: :func:`player.library.browse.column_order`),
    ``_wanted`` a search's matches as a mask over ids; the rows shown are ``_rows``. A row's
    texts are read with its page's (:data:`~player.library.track_rows.PAGE` rows, by id, when
    one of them is first drawn: the table's columns alone, no track made); its track, asked
    for by the actions on it, comes from the :class:`~player.library.track_rows.TrackCache`.
    """

    sort_requested = Signal(int, Qt.SortOrder)  # a header click: compute the order off-thread

    COLUMNS = ("Composer", "Work", "#", "Movement / title", "Performers", "Length")
    RIGHT_COLUMNS = frozenset((2, 5))  # numbers and lengths, aligned right

    def __init__(self, cache: TrackCache | None = None, parent=None) -> None:
        super().__init__(parent)
        self.cache = cache
        self._library: RowIds = NO_IDS
        self._order: np.ndarray | None = None
        self._wanted: np.ndarray | None = None  # bool by track id; None: every track
        self._rows: RowIds = self._library
        self._playing_id: int | None = None
        self._shown: dict[int, tuple[str, ...]] = {}  # a track's cell texts, by id
        self._fonts = Fonts()

    def set_playing(self, track: Track | None) -> None:
        self._playing_id = track.id if track else None
        if len(self._rows):
            bottom = self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), bottom, [Qt.ItemDataRole.ForegroundRole])

    def set_ids(self, ids: RowIds) -> None:
        """A new library: its present tracks' ids in library order (the cache is cleared); on
        the window's first screen, the ``array`` they are read as (no numpy yet)."""
        self.beginResetModel()
        if self.cache is not None:
            self.cache.clear()
        self._shown.clear()
        self._library, self._order, self._wanted = ids, None, None
        self._rows = ids
        self.endResetModel()

    @property
    def library_ids(self) -> RowIds:
        return self._library

    def show_found(self, found: np.ndarray | None) -> None:
        """Show the tracks with ids ``found`` (``None``: every track)."""
        wanted = None
        if found is not None:
            import numpy as np

            library = np.asarray(self._library)
            top = int(max(library.max(initial=0), found.max(initial=0))) + 1
            wanted = np.zeros(top, dtype=bool)
            wanted[found] = True
        self.beginResetModel()
        self._wanted = wanted
        self._rows = self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)

    def show_order(self, order: np.ndarray | None) -> None:
        """Show the rows in ``order`` (ids; ``None``: library order)."""
        if order is not None and len(order) != len(self._library):
            return  # computed for a library since replaced
        self.layoutAboutToBeChanged.emit()
        self._order = order
        self._rows = self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> RowIds:
        ordered = self._library if self._order is None else self._order
        if self._wanted is None:
            return ordered
        import numpy as np  # imported: a search's answer made _wanted

        ordered = np.asarray(ordered)
        return ordered[self._wanted[ordered]]

    def track(self, row: int) -> Track | None:
        """The track on ``row`` (its page is read when not in the cache)."""
        if self.cache is None or not 0 <= row < len(self._rows):
            return None
        track_id = int(self._rows[row])
        track = self.cache.cached(track_id)
        if track is None:
            self.cache.tracks(page_of(self._rows, row))
            track = self.cache.cached(track_id)
        return track

    def _row(self, row: int) -> tuple[int, tuple[str, ...]] | None:
        """The id and the cell texts of the track on ``row``: its page's texts are read
        together when one is missing (no :class:`Track` is made for them)."""
        if self.cache is None or not 0 <= row < len(self._rows):
            return None
        track_id = int(self._rows[row])
        texts = self._shown.get(track_id)
        if texts is None:
            if len(self._shown) > 4096:
                self._shown.clear()
            for values in self.cache.table_rows(page_of(self._rows, row)):
                self._shown[values[0]] = _texts(values)
            texts = self._shown.get(track_id)
            if texts is None:
                return None
        return track_id, texts

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY):
        """Called for every cell and role a repaint draws: plain ints, one text tuple per track."""
        role = int(role)
        if role not in _ROLES or not index.isValid():
            return None
        column = index.column()
        if role == ALIGNMENT:
            return RIGHT if column in self.RIGHT_COLUMNS else None
        if role == TRACK_ROLE:
            return self.track(index.row())
        shown = self._row(index.row())
        if shown is None:
            return None
        track_id, texts = shown
        if role == DISPLAY:
            return texts[column]
        if role == TOOLTIP:  # the whole text where the column cuts it
            return tip(texts[column]) if column not in self.RIGHT_COLUMNS else None
        if role == FOREGROUND and track_id == self._playing_id:
            return self._fonts.accent
        return None

    def cell(self, index: AnyIndex) -> Cell | None:
        """A cell's text, in the accent on the playing track's row, in one call: what the
        table's painter (:class:`~player.ui.shell.text_cells.TextCells`) draws, instead of a
        call into Python per cell and role."""
        shown = self._row(index.row())
        if shown is None:
            return None
        column = index.column()
        tone = "accent" if shown[0] == self._playing_id else None
        return Cell(shown[1][column], tone, right=column in self.RIGHT_COLUMNS)


def _texts(values: tuple) -> tuple[str, ...]:
    """A row's cells from its :data:`~player.store.library_view.TABLE_COLUMNS`."""
    _, name, composer, work, movement_no, track_no, movement, title, performers, year, length = (
        values
    )
    return (
        name or composer,
        work,
        str(movement_no or track_no or ""),
        display_title(movement, title),
        recording_label(performers, year),
        format_duration(length),
    )
