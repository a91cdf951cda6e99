"""Qt models over the library: a composer → work → recording → movement tree, a flat track
table, and search.

The recording level appears only under a work with more than one recording (performers, year,
album; the most played first); a single recording stays one click from its work. An opera's
"Act I: …" titles add an act level under the recording. Both models hand out domain objects (``TRACK_ROLE``, ``UNIT_ROLE``) so views never parse display strings.

Built for 100,000 tracks: :func:`index_library` (a worker-thread job) groups the library and
prepares one search text per recording and per track (:mod:`player.library.search_index`);
the tree makes the nodes of a composer's works, recordings and movements only when the view
first asks for them; a query is answered off the GUI thread (the library panel's
:class:`~player.ui.jobs.LatestJob`) as the track positions that match, and the GUI thread only
swaps them in: the table shows those rows (an index array, nothing
copied), the tree shows a row when a track under it matches (two look-ups in a prefix sum).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication

from player.domain.movements import split_act
from player.domain.search import search_text
from player.library.grouping import (
    Act,
    Composer,
    Recording,
    Work,
    acts,
    group_library,
    natural_key,
)
from player.library.search_index import SearchIndex
from player.store.tracks import Track
from player.ui.plain import tip
from player.ui.style import theme

TRACK_ROLE = Qt.ItemDataRole.UserRole + 1  # the Track of a movement row (None for groups)
UNIT_ROLE = (
    Qt.ItemDataRole.UserRole + 2
)  # the Recording a work, recording, act or movement row plays
PLAYS_ROLE = Qt.ItemDataRole.UserRole + 3  # the tracks a row stands for (None for a composer)

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
    """A row of the tree; ``start``/``end`` are the positions of its tracks in library order.

    Children are made on first use: a library of 100,000 tracks shows its composers at once and
    makes a composer's works (and their recordings and movements) when the view opens it.
    """

    __slots__ = ("_children", "end", "obj", "parent", "row", "start", "unit")

    def __init__(
        self, obj, parent: _Node | None, row: int, start: int, end: int, unit: Recording | None
    ) -> None:
        self.obj, self.parent, self.row, self.unit = obj, parent, row, unit
        self.start, self.end = start, end
        self._children: list[_Node] | None = None

    @property
    def children(self) -> list[_Node]:
        if self._children is None:
            self._children = self._make_children()
        return self._children

    def _make_children(self) -> list[_Node]:
        obj, at = self.obj, self.start
        made: list[_Node] = []
        if isinstance(obj, Composer):
            for work in obj.works:
                count = sum(len(r.movements) for r in work.recordings)
                made.append(_Node(work, self, len(made), at, at + count, work.recordings[0]))
                at += count
        elif isinstance(obj, Work) and len(obj.recordings) > 1:
            for recording in obj.recordings:
                count = len(recording.movements)
                made.append(_Node(recording, self, len(made), at, at + count, recording))
                at += count
        elif isinstance(obj, Work | Recording):
            unit = obj if isinstance(obj, Recording) else obj.recordings[0]
            parts = acts(unit)
            for part in parts:  # an opera's acts
                count = len(part.movements)
                made.append(_Node(part, self, len(made), at, at + count, unit))
                at += count
            if not parts:
                for row, track in enumerate(unit.movements):
                    made.append(_Node(track, self, row, at + row, at + row + 1, unit))
        elif isinstance(obj, Act):
            for row, track in enumerate(obj.movements):
                made.append(_Node(track, self, row, at + row, at + row + 1, self.unit))
        return made


def _recording_text(recording: Recording) -> str:
    year = str(recording.year) if recording.year else ""
    return search_text(recording.performers, year, recording.album)


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

    @property
    def accent(self) -> QBrush:
        return QBrush(QColor(theme().accent))

    @property
    def muted(self) -> QBrush:
        return QBrush(QColor(theme().muted))


@dataclass
class LibraryIndex:
    """Everything the views need, prepared off the GUI thread."""

    tracks: list[Track] = field(default_factory=list)  # library order: composer, work, …
    roots: list[_Node] = field(default_factory=list)  # composer nodes (the rest made on use)
    search: SearchIndex = field(default_factory=lambda: SearchIndex([], [], []))
    position: dict[int, int] = field(default_factory=dict)  # track id -> place in ``tracks``


def index_library(tracks: list[Track], plays: Mapping[str, int] | None = None) -> LibraryIndex:
    """Group and prepare search texts (a worker-thread job); ``plays`` (heard plays per
    recording key) puts a work's most played recording first.

    A track's search text is its recording's (the composer's names and spellings, the work's
    titles and catalogue number, the performers, year and album) plus its act's name and its own
    title.
    """
    composers = group_library(tracks, plays)
    ordered: list[Track] = []
    roots: list[_Node] = []
    groups: list[str] = []
    group_of: list[int] = []
    titles: list[str] = []
    for composer in composers:
        spellings = {t.composer for w in composer.works for t in _tracks(w)}
        c_text = search_text(composer.name, *spellings)
        start = len(ordered)
        for work in composer.works:
            w_text = c_text + search_text(
                work.title, work.catalogue, *{t.work for t in _tracks(work)}
            )
            for recording in work.recordings:
                groups.append(w_text + _recording_text(recording))
                for act in acts(recording) or [Act("", recording.movements)]:
                    for track in act.movements:
                        ordered.append(track)
                        group_of.append(len(groups) - 1)
                        titles.append(search_text(act.name, track.display_title))
        roots.append(_Node(composer, None, len(roots), start, len(ordered), None))
    position = {int(t.id or 0): i for i, t in enumerate(ordered)}
    return LibraryIndex(ordered, roots, SearchIndex(groups, group_of, titles), position)


class LibraryTreeModel(QAbstractItemModel):
    """Composer → work → (recording →) movement; columns: name and duration."""

    HEADERS = ("Title", "Length")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._library = LibraryIndex()
        self._playing: _Node | None = None
        self._fonts = _Fonts()
        self.art_for: Callable[[Track], object] | None = (
            None  # a work's picture (a feature sets it)
        )

    def set_index(self, library: LibraryIndex) -> None:
        self.beginResetModel()
        self._library = library
        self._playing = None
        self.endResetModel()

    def set_playing(self, track: Track | None) -> QModelIndex:
        """Mark the movement now playing (accent, bold); returns its index (invalid if none)."""
        old, self._playing = self._playing, None
        if old is not None:
            self._changed(old)
        at = self._library.position.get(int(track.id or 0)) if track is not None else None
        if at is None:
            return QModelIndex()
        node = None
        children = self._library.roots
        while children:  # down the one branch that holds the track
            node = next(n for n in children if n.start <= at < n.end)
            children = node.children
        assert node is not None
        self._playing = node
        return self._changed(node)

    def _changed(self, node: _Node) -> QModelIndex:
        first = self.createIndex(node.row, 0, node)
        self.dataChanged.emit(first, self.createIndex(node.row, 1, node))
        return first

    @property
    def roots(self) -> list[_Node]:
        return self._library.roots

    def _node(self, index: AnyIndex) -> _Node | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        node = self._node(parent)
        children = node.children if node else self._library.roots
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
        return len(node.children) if node else len(self._library.roots)

    def hasChildren(self, parent: AnyIndex = ROOT) -> bool:
        """Without making them: a view draws every composer's arrow before any is opened."""
        node = self._node(parent)
        return node is None or (parent.column() == 0 and not isinstance(node.obj, Track))

    def canFetchMore(self, parent: AnyIndex) -> bool:
        """True until a row's children are made, so that the search proxy, asked whether a
        closed row has children, answers from :meth:`hasChildren` instead of counting them."""
        node = self._node(parent)
        return node is not None and node._children is None and self.hasChildren(parent)

    def fetchMore(self, parent: AnyIndex) -> None:
        """Make the children (no rows were announced before: counting them makes them too)."""
        node = self._node(parent)
        if node is not None:
            node.children  # noqa: B018 - made on first use

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
            text = _tooltip(obj)
            return tip(text) if text else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole:
            grouped = isinstance(obj, Work | Recording) and obj.movements
            if index.column() == 0 and grouped and self.art_for is not None:
                return self.art_for(obj.movements[0])
            return None
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
        if role == PLAYS_ROLE:
            return _plays(node)
        return None

    def node_at(self, row: int, parent: AnyIndex) -> _Node:
        node = self._node(parent)
        return (node.children if node else self._library.roots)[row]


def _plays(node: _Node) -> list[Track] | None:
    """The tracks a row stands for: a movement itself, an act its movements, a work or a
    recording one recording's (a work: the first listed); a composer none."""
    if isinstance(node.obj, Track):
        return [node.obj]
    if isinstance(node.obj, Act):
        return node.obj.movements
    return node.unit.movements if node.unit is not None else None


def _display(obj, column: int) -> str:
    """A tree row's text: its name, or in the second column its length (a work: one recording)."""
    if column == 1:
        if isinstance(obj, Composer):
            return f"{len(obj.works)} works" if len(obj.works) != 1 else "1 work"
        return format_duration(obj.duration_s)
    if isinstance(obj, Track):  # under its act's row, "Act I:" is not repeated
        number, title = obj.movement_number or obj.track_number, split_act(obj.display_title)[1]
        return f"{number}. {title}" if number else title
    if isinstance(obj, Act):
        return obj.name
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
    """Every track in one table; a search's result and a sort order are index arrays.

    The rows shown are positions in library order (``_rows``), so showing a search's result
    copies nothing; a column's sort order is computed once, off the GUI thread, by whoever
    calls :meth:`sort_order` (the panel's search worker).
    """

    sort_requested = Signal(int, Qt.SortOrder)  # a header click: compute sort_order off-thread

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
        self._found: np.ndarray | None = None  # positions matching the search; None: all
        self._order: np.ndarray | None = None  # positions in the chosen sort order; None: library
        self._rows = np.zeros(0, dtype=np.int64)
        self._playing_id: int | None = None
        self._fonts = _Fonts()

    def set_playing(self, track: Track | None) -> None:
        self._playing_id = track.id if track else None
        if len(self._rows):
            bottom = self.index(len(self._rows) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), bottom, [Qt.ItemDataRole.ForegroundRole])

    def set_index(self, library: LibraryIndex, found: np.ndarray | None = None) -> None:
        self._all, self._order = library.tracks, None
        self.show_found(found)

    def show_found(self, found: np.ndarray | None) -> None:
        """Show the tracks at ``found`` (positions in library order; ``None``: every track)."""
        self.beginResetModel()
        self._found = found
        self._rows = self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)

    def sort_order(self, column: int, order: Qt.SortOrder) -> np.ndarray | None:
        """Positions in the order of ``column`` (a worker-thread job: ~0.5 s for 100,000)."""
        if not 0 <= column < len(self.COLUMNS):
            return None
        key = self._KEYS[column]
        tracks = self._all
        ranked = sorted(range(len(tracks)), key=lambda i: key(tracks[i]))
        if order == Qt.SortOrder.DescendingOrder:
            ranked.reverse()
        return np.array(ranked, dtype=np.int64)

    def show_order(self, order: np.ndarray | None) -> None:
        """Show the rows in ``order`` (from :meth:`sort_order`; ``None``: library order)."""
        if order is not None and len(order) != len(self._all):
            return  # computed for a library since replaced
        self.layoutAboutToBeChanged.emit()
        self._order = order
        self._rows = self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> np.ndarray:
        if self._order is None:
            return np.arange(len(self._all)) if self._found is None else self._found
        if self._found is None:
            return self._order
        wanted = np.zeros(len(self._all), dtype=bool)
        wanted[self._found] = True
        return self._order[wanted[self._order]]

    def track(self, row: int) -> Track:
        return self._all[self._rows[row]]

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
        t = self._all[self._rows[index.row()]]
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
    """Filtering for the works tree: a row shows when a track under it matches the search.

    A track's search text holds its ancestors' names, so "it, a descendant or an ancestor
    matches" is "a track under it matches". The search worker hands over the matching
    positions; ``_before[i]`` counts matches before position ``i``, so each row Qt asks about is
    two look-ups, and Qt only asks about children of rows it shows.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._before: np.ndarray | None = None  # None: no search, every row shows
        self.matches = 0  # movements that match the current search

    def show_found(self, found: np.ndarray | None, total: int) -> None:
        """Show the rows holding a track at ``found`` (positions; ``None``: all ``total``)."""
        self.beginFilterChange()
        if found is None:
            self._before, self.matches = None, total
        else:
            marks = np.zeros(total + 1, dtype=np.int64)
            marks[found + 1] = 1
            self._before, self.matches = np.cumsum(marks), len(found)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._before is None:
            return True
        node = self._source().node_at(source_row, source_parent)
        return bool(self._before[node.end] > self._before[node.start])

    def _source(self) -> LibraryTreeModel:
        return cast(LibraryTreeModel, self.sourceModel())
