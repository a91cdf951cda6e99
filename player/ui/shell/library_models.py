"""Qt models over the library: a composer → work → recording → movement tree, a flat track
table, and search.

The recording level appears only under a work with more than one recording (performers, year,
album; the most played first); a single recording stays one click from its work. Both models
hand out domain objects (``TRACK_ROLE``, ``UNIT_ROLE``) so views never parse display strings.
Search (``player.domain.search``) folds accents, case and punctuation, and a row is found by
every name it goes by (tag spellings, the composer's canonical name, catalogue number,
performers and conductor): every word typed must occur in a row's text, which includes its
parents' names. The
grouping and the search texts are built once per library load on a worker thread
(:func:`index_library`); a query is then one pass of substring tests in Python, and Qt is asked
only about rows whose parent is shown, so typing stays fast with tens of thousands of tracks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication

from player.domain.search import matches, query_terms, search_text
from player.library.grouping import Composer, Recording, Work, group_library, natural_key
from player.store.tracks import Track
from player.ui.style import ACCENT, MUTED

TRACK_ROLE = Qt.ItemDataRole.UserRole + 1  # the Track of a movement row (None for groups)
UNIT_ROLE = Qt.ItemDataRole.UserRole + 2  # the Recording a work, recording or movement row plays

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root, as a default argument


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def track_line(track: Track) -> str:
    """Whose and which recording, after a movement's name wherever two recordings could be
    confused (Queue, History, the title bar): "Ludwig van Beethoven (Carlos Kleiber, 1975)"."""
    composer = track.composer_name if track.composer_key else track.composer
    label = track.recording_label
    return f"{composer} ({label})" if composer and label else composer or label


class _Node:
    __slots__ = ("children", "obj", "parent", "row", "search", "shown", "unit")

    def __init__(
        self, obj, parent: _Node | None, row: int, search: str, unit: Recording | None
    ) -> None:
        self.obj, self.parent, self.row, self.search, self.unit = obj, parent, row, search, unit
        self.children: list[_Node] = []
        self.shown = True  # set by TreeSearchProxy.set_query

    def add(self, obj, search: str, unit: Recording | None) -> _Node:
        child = _Node(obj, self, len(self.children), self.search + search, unit)
        self.children.append(child)
        return child


def _recording_text(recording: Recording) -> str:
    year = str(recording.year) if recording.year else ""
    return search_text(recording.performers, year, recording.album)


def _build_tree(composers: list[Composer]) -> list[_Node]:
    roots = []
    for c_row, composer in enumerate(composers):
        spellings = {t.composer for w in composer.works for t in _tracks(w)}
        c_node = _Node(composer, None, c_row, search_text(composer.name, *spellings), None)
        for work in composer.works:
            titles = {t.work for t in _tracks(work)}
            w_text = search_text(work.title, work.catalogue, *titles)
            first = work.recordings[0]
            if len(work.recordings) == 1:  # one click from the work, as before
                w_node = c_node.add(work, w_text + _recording_text(first), first)
                parents = [(w_node, first)]
            else:
                w_node = c_node.add(work, w_text, first)
                parents = [(w_node.add(r, _recording_text(r), r), r) for r in work.recordings]
            for parent, recording in parents:
                for track in recording.movements:
                    parent.add(track, search_text(track.display_title), recording)
        roots.append(c_node)
    return roots


def _tracks(work: Work) -> list[Track]:
    return [t for r in work.recordings for t in r.movements]


class _Fonts:
    """Type and colour that make composers and works stand out (made once a QApplication runs)."""

    def __init__(self) -> None:
        base = QGuiApplication.font()
        self.composer = QFont(base)
        self.composer.setBold(True)
        self.composer.setPointSizeF(base.pointSizeF() * 1.08)
        self.work = QFont(base)
        self.work.setWeight(QFont.Weight.DemiBold)
        self.bold = QFont(base)
        self.bold.setBold(True)
        self.accent = QBrush(QColor(ACCENT))
        self.muted = QBrush(QColor(MUTED))


@dataclass
class LibraryIndex:
    """Everything the views need, prepared off the GUI thread."""

    tracks: list[Track]  # library order: composer (family name), work, recording, movement
    roots: list[_Node]  # the composer → work → (recording →) movement tree
    search: list[str]  # the table's search text of each track, same order


def index_library(tracks: list[Track], plays: Mapping[str, int] | None = None) -> LibraryIndex:
    """Group and prepare search texts (a worker-thread job: ~0.2 s for 10,000 tracks);
    ``plays`` (heard plays per recording key) puts a work's most played recording first."""
    composers = group_library(tracks, plays)
    ordered = [t for c in composers for w in c.works for t in _tracks(w)]
    search = [
        search_text(
            t.composer,
            t.composer_name,
            t.work,
            t.work_title,
            t.catalogue,
            t.display_title,
            t.recording_label,
            t.album,
        )
        for t in ordered
    ]
    return LibraryIndex(ordered, _build_tree(composers), search)


class LibraryTreeModel(QAbstractItemModel):
    """Composer → work → movement; columns: name and duration."""

    HEADERS = ("Title", "Length")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._roots: list[_Node] = []
        self._playing: _Node | None = None
        self._fonts = _Fonts()

    def set_index(self, library: LibraryIndex) -> None:
        self.beginResetModel()
        self._roots = library.roots
        self._playing = None
        self.endResetModel()

    def set_playing(self, track: Track | None) -> QModelIndex:
        """Mark the movement now playing (accent, bold); returns its index (invalid if none)."""
        old, self._playing = self._playing, None
        if old is not None:
            self._changed(old)
        if track is None:
            return QModelIndex()
        stack = list(self._roots)
        while stack:
            node = stack.pop()
            if isinstance(node.obj, Track):
                if node.obj.id == track.id:
                    self._playing = node
                    return self._changed(node)
            else:
                stack.extend(node.children)
        return QModelIndex()

    def _changed(self, node: _Node) -> QModelIndex:
        first = self.createIndex(node.row, 0, node)
        self.dataChanged.emit(first, self.createIndex(node.row, 1, node))
        return first

    @property
    def roots(self) -> list[_Node]:
        return self._roots

    def _node(self, index: AnyIndex) -> _Node | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        node = self._node(parent)
        children = node.children if node else self._roots
        if 0 <= row < len(children) and 0 <= column < 2:
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: AnyIndex = ROOT) -> QModelIndex:  # type: ignore[override]
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        if parent.column() > 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node else len(self._roots)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 2

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        node = self._node(index)
        if node is None:
            return None
        obj = node.obj
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(obj, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(obj)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole:
            if node is self._playing:
                return self._fonts.bold
            if index.column() == 0 and isinstance(obj, Composer | Work):
                return self._fonts.composer if isinstance(obj, Composer) else self._fonts.work
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if node is self._playing:
                return self._fonts.accent
            return self._fonts.muted if index.column() == 1 else None
        if role == TRACK_ROLE:
            return obj if isinstance(obj, Track) else None
        if role == UNIT_ROLE:
            return node.unit
        return None

    def node_at(self, row: int, parent: AnyIndex) -> _Node:
        node = self._node(parent)
        return (node.children if node else self._roots)[row]


def _display(obj, column: int) -> str:
    """A tree row's text: its name, or in the second column its length (a work: one recording)."""
    if column == 1:
        if isinstance(obj, Composer):
            return f"{len(obj.works)} works" if len(obj.works) != 1 else "1 work"
        return format_duration(obj.duration_s)
    if isinstance(obj, Track):
        number = obj.movement_number or obj.track_number
        return f"{number}. {obj.display_title}" if number else obj.display_title
    if isinstance(obj, Recording):
        return f"{obj.label}  ·  {obj.album}" if obj.album and obj.label != obj.album else obj.label
    return obj.name if isinstance(obj, Composer) else obj.title


def _tooltip(obj) -> str | None:
    if isinstance(obj, Track):
        return "\n".join(x for x in (obj.recording_label, obj.album, obj.path) if x)
    if isinstance(obj, Work):
        count = len(obj.recordings)
        return f"{count} recordings" if count > 1 else obj.recordings[0].label or None
    if isinstance(obj, Recording):
        played = f"played {obj.plays} times" if obj.plays else "not played yet"
        return "\n".join(x for x in (obj.label, obj.album, played) if x)
    return None


class TrackTableModel(QAbstractTableModel):
    """Every track in one table that filters and sorts itself in Python (list operations are
    far cheaper than a proxy calling back into Python for each of 10,000 rows)."""

    COLUMNS = ("Composer", "Work", "#", "Movement / title", "Performers", "Length")
    _KEYS = (
        lambda t: (t.composer_sort, natural_key(t.work_title)),
        lambda t: (natural_key(t.work_title), t.composer_sort),
        lambda t: ((t.disc_number or 1), t.movement_number or t.track_number or 0),
        lambda t: t.display_title.casefold(),
        lambda t: t.recording_label.casefold(),
        lambda t: t.duration_s,
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[Track] = []
        self._search: list[str] = []
        self._rows: list[Track] = []
        self._terms: list[str] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._playing_id: int | None = None
        self._fonts = _Fonts()

    def set_playing(self, track: Track | None) -> None:
        self._playing_id = track.id if track else None
        if self._rows:
            bottom = self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), bottom, [Qt.ItemDataRole.ForegroundRole])

    def set_index(self, library: LibraryIndex) -> None:
        self._all, self._search = library.tracks, library.search
        self._refresh()

    def set_query(self, text: str) -> None:
        terms = query_terms(text)
        if terms != self._terms:
            self._terms = terms
            self._refresh()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if 0 <= column < len(self.COLUMNS) else None
        self.layoutAboutToBeChanged.emit()
        self._apply_sort()
        self.layoutChanged.emit()

    def _refresh(self) -> None:
        self.beginResetModel()
        terms = self._terms
        if terms:
            self._rows = [
                t for t, text in zip(self._all, self._search, strict=True) if matches(terms, text)
            ]
        else:
            self._rows = list(self._all)
        self._apply_sort()
        self.endResetModel()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        self._rows.sort(key=self._KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def track(self, row: int) -> Track:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                t.composer_name,
                t.work_title,
                str(t.movement_number or t.track_number or ""),
                t.display_title,
                t.recording_label,
                format_duration(t.duration_s),
            )[column]
        if role == TRACK_ROLE:
            return t
        if role == Qt.ItemDataRole.ForegroundRole and t.id == self._playing_id:
            return self._fonts.accent
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TreeSearchProxy(QSortFilterProxyModel):
    """Recursive filtering for the works tree: a row shows when it, a descendant or an ancestor
    matches every typed word.

    Qt's own recursive mode asks Python about every row of every rejected subtree; here one
    Python pass marks the nodes, and Qt only asks about children of rows it shows.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self.matches = 0  # movements that match the current query

    def set_query(self, text: str, *, force: bool = False) -> None:
        """Filter by ``text``; ``force`` re-marks after the source loaded a new library."""
        terms = query_terms(text)
        if terms == self._terms and not force:
            return
        self.beginFilterChange()
        self._terms = terms
        self.matches = sum(self._mark(node, False) for node in self._source().roots)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _mark(self, node: _Node, ancestor_matched: bool) -> int:
        """Mark ``node``'s subtree; returns how many movements under it match."""
        matched = ancestor_matched or matches(self._terms, node.search)
        if not node.children:
            node.shown = matched
            return int(matched)
        found = sum(self._mark(child, matched) for child in node.children)
        node.shown = matched or found > 0
        return found

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return self._source().node_at(source_row, source_parent).shown

    def _source(self) -> LibraryTreeModel:
        return cast(LibraryTreeModel, self.sourceModel())
