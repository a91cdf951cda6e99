"""Qt models over the library: a composer → work → movement tree, a flat track table, and search.

Both models hand out domain objects (``TRACK_ROLE``) so views never parse display strings.
Search is one proxy class: every word typed must occur in a row's text (which includes its
parents' names), and a work that matches shows all its movements.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from player.library.grouping import Composer, Work, group_library
from player.store.tracks import Track

TRACK_ROLE = Qt.ItemDataRole.UserRole + 1  # the Track of a movement row (None for groups)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2  # case-folded text the search matches against
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # a value that sorts naturally (numbers as numbers)
WORK_ROLE = Qt.ItemDataRole.UserRole + 4  # the Work of a work or movement row

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root, as a default argument


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Node:
    __slots__ = ("children", "obj", "parent", "row", "search", "work")

    def __init__(self, obj, parent: _Node | None, row: int, search: str, work: Work | None):
        self.obj, self.parent, self.row, self.search, self.work = obj, parent, row, search, work
        self.children: list[_Node] = []


def _build_tree(composers: list[Composer]) -> list[_Node]:
    roots = []
    for c_row, composer in enumerate(composers):
        c_node = _Node(composer, None, c_row, composer.name.casefold(), None)
        for w_row, work in enumerate(composer.works):
            w_text = f"{c_node.search} {work.title} {work.performer_line}".casefold()
            w_node = _Node(work, c_node, w_row, w_text, work)
            for m_row, track in enumerate(work.movements):
                m_text = f"{w_text} {track.display_title} {track.performer_line}".casefold()
                w_node.children.append(_Node(track, w_node, m_row, m_text, work))
            c_node.children.append(w_node)
        roots.append(c_node)
    return roots


class LibraryTreeModel(QAbstractItemModel):
    """Composer → work → movement; columns: name and duration."""

    HEADERS = ("Title", "Length")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._roots: list[_Node] = []

    def set_tracks(self, tracks: list[Track]) -> None:
        self.beginResetModel()
        self._roots = _build_tree(group_library(tracks))
        self.endResetModel()

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
            if index.column() == 1:
                if isinstance(obj, Track):
                    return format_duration(obj.duration_s)
                if isinstance(obj, Work):
                    return format_duration(obj.duration_s)
                return f"{len(obj.works)} works" if len(obj.works) != 1 else "1 work"
            if isinstance(obj, Track):
                number = obj.movement_number or obj.track_number
                return f"{number}. {obj.display_title}" if number else obj.display_title
            return obj.name if isinstance(obj, Composer) else obj.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(obj, Track):
                return "\n".join(x for x in (obj.performer_line, obj.path) if x)
            if isinstance(obj, Work):
                return obj.performer_line or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TRACK_ROLE:
            return obj if isinstance(obj, Track) else None
        if role == WORK_ROLE:
            return node.work
        if role == SEARCH_ROLE:
            return node.search
        return None

    def search_text(self, row: int, parent: AnyIndex) -> str:
        node = self._node(parent)
        children = node.children if node else self._roots
        return children[row].search


class TrackTableModel(QAbstractTableModel):
    """Every track in one sortable table; cheap enough for tens of thousands of rows."""

    COLUMNS = ("Composer", "Work", "#", "Movement / title", "Performers", "Length")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._tracks: list[Track] = []
        self._search: list[str] = []

    def set_tracks(self, tracks: list[Track]) -> None:
        self.beginResetModel()
        self._tracks = list(tracks)
        self._search = [
            f"{t.composer} {t.work} {t.display_title} {t.performer_line}".casefold()
            for t in self._tracks
        ]
        self.endResetModel()

    def track(self, row: int) -> Track:
        return self._tracks[row]

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._tracks)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self._tracks[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                t.composer,
                t.work,
                str(t.movement_number or t.track_number or ""),
                t.display_title,
                t.performer_line,
                format_duration(t.duration_s),
            )[column]
        if role == SORT_ROLE:
            if column == 2:
                return (t.disc_number or 0) * 10000 + (t.movement_number or t.track_number or 0)
            if column == 5:
                return t.duration_s
            return self.data(index).casefold()
        if role == TRACK_ROLE:
            return t
        if role == SEARCH_ROLE:
            return self._search[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def search_text(self, row: int, parent: AnyIndex) -> str:
        return self._search[row]


class SearchProxy(QSortFilterProxyModel):
    """Every typed word must occur in a row (or an ancestor); matching groups keep their children."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_query(self, text: str) -> None:
        terms = text.casefold().split()
        if terms != self._terms:
            self.beginFilterChange()
            self._terms = terms
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._terms:
            return True
        text = self.sourceModel().search_text(source_row, source_parent)
        return all(term in text for term in self._terms)
