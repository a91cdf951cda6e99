"""Qt models over the library: the composer → work → recording → movement tree and its search
filter (the flat table's model is in ``track_table.py``; the roles and fonts are shared).

The recording level appears only under a work with more than one recording (performers, year,
album; the most played first); a single recording stays one click from its work. An opera's
"Act I: …" titles add an act level under the recording. Both models hand out domain objects (``TRACK_ROLE``, ``UNIT_ROLE``) so views never parse display strings.

Built for 100,000 tracks without holding them: the tree starts from one row per composer
(an aggregate query, :func:`player.library.browse.load_overview`) and reads a composer's works,
recordings and movements when the view first opens it (``fetchMore``, on a worker thread,
inserted in slices); the table keeps ids and reads the rows on screen a page at a time. A
query is answered off the GUI thread (the library panel's :class:`~player.ui.jobs.LatestJob`)
as the ids that match and their composers; the GUI thread only swaps them in: the table shows
those rows (an index array), the tree a row when one of its ids is marked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QIcon

from player.domain.movements import split_act
from player.library.browse import ComposerRow
from player.library.grouping import Act, Recording, Work
from player.library.search_index import Found
from player.library.track_rows import NO_IDS
from player.store.tracks import Track
from player.ui.plain import tip
from player.ui.shell.text_cells import Cell
from player.ui.style import theme

if TYPE_CHECKING:
    import numpy as np

TRACK_ROLE = Qt.ItemDataRole.UserRole + 1  # the Track of a movement row (None for groups)
UNIT_ROLE = (
    Qt.ItemDataRole.UserRole + 2
)  # the Recording a work, recording, act or movement row plays
PLAYS_ROLE = Qt.ItemDataRole.UserRole + 3  # the tracks a row stands for (None for a composer)

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
FONT = int(Qt.ItemDataRole.FontRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_TREE_ROLES = frozenset(
    (DISPLAY, TOOLTIP, ALIGNMENT, DECORATION, FONT, FOREGROUND)
    + (int(TRACK_ROLE), int(UNIT_ROLE), int(PLAYS_ROLE))
)

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root, as a default argument


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def works_text(count: int) -> str:
    """A composer's row's second column: "12 works"."""
    return f"{count} works" if count != 1 else "1 work"


def track_line(track: Track) -> str:
    """Whose and which recording, after a movement's name wherever two recordings could be
    confused (Queue, History, the title bar): "Ludwig van Beethoven (Carlos Kleiber, 1975)"."""
    composer = track.composer_name if track.composer_key else track.composer
    label = track.recording_label
    return f"{composer} ({label})" if composer and label else composer or label


class TreeNode:
    """A row of the tree: a composer (a :class:`ComposerRow` until its works are read), a work,
    a recording, an act or a movement; ``ids`` are the track ids under it (search filtering).
    """

    __slots__ = ("children", "ids", "obj", "parent", "pending", "row", "unit")

    def __init__(
        self, obj, parent: TreeNode | None, row: int, unit: Recording | None, ids: np.ndarray
    ) -> None:
        self.obj, self.parent, self.row, self.unit, self.ids = obj, parent, row, unit, ids
        self.children: list[TreeNode] | None = None  # None: not read yet (composers only)
        self.pending = False  # its works are being read or inserted


def composer_rows(composers: list[ComposerRow]) -> list[TreeNode]:
    """The tree's first level, each composer's works not read yet (their ids no numpy array:
    numpy is not needed, nor imported, to show them on the window's first screen)."""
    return [TreeNode(c, None, row, None, NO_IDS) for row, c in enumerate(composers)]


class Fonts:
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
        return _brush(theme().accent)

    @property
    def muted(self) -> QBrush:
        return _brush(theme().muted)


@lru_cache(maxsize=32)
def _brush(color: str) -> QBrush:
    """One brush per colour (asked for on every cell a repaint draws)."""
    return QBrush(QColor(color))


ComposerLoader = Callable[
    [str, Callable[[list[TreeNode], dict[str, str]], None], Callable[[Exception], None]], None
]
"""Reads a composer's works off the GUI thread: ``load(key, done, failed)``; on the GUI thread
``done(children, pitch)`` (children made by
:func:`~player.ui.shell.library_tree.composer_children`) or ``failed(error)``."""

INSERT_SLICE = 200
"""Rows inserted per turn of the event loop when a composer's works arrive."""


class LibraryTreeModel(QAbstractItemModel):
    """Composer → work → (recording →) movement; columns: name and duration.

    Starts from the composers alone; a composer's works are read when the view first asks
    (:meth:`canFetchMore`/:meth:`fetchMore`, on expanding it) by the ``loader`` the panel
    gives, and arrive in slices of :data:`INSERT_SLICE` rows.
    """

    HEADERS = ("Title", "Length")
    children_arrived = Signal(QModelIndex)  # a composer's works are all in
    load_failed = Signal(str, object, bool)  # composer's name, the error, an action was dropped

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._roots: list[TreeNode] = []
        self._pitch: dict[str, str] = {}  # recording key -> "F♯ minor · A = 415 Hz"
        self._generation = 0  # bumped on each new library: late answers are dropped
        self._playing: Track | None = None
        self._path: list[TreeNode] = []  # the rows marked as holding it, composer first
        self._marked: set[int] = set()  # their id()s, for data()
        self._fonts = Fonts()
        self.loader: ComposerLoader | None = None
        self._waiting: list[tuple[set[int], Callable[[], None]]] = []  # see when_read
        self.art_for: Callable[[Track], QIcon | None] | None = (
            None  # a work's picture (a feature sets it)
        )

    def set_roots(self, roots: list[TreeNode], pitch: dict[str, str]) -> None:
        self.beginResetModel()
        self._roots, self._pitch = roots, dict(pitch)
        self._generation += 1
        self._waiting = []  # composers of the old library
        self._path, self._marked = [], set()
        self.endResetModel()
        self._set_path(self._find_path())

    @property
    def roots(self) -> list[TreeNode]:
        return self._roots

    def set_playing(self, track: Track | None) -> QModelIndex:
        """Mark the track now playing wherever it is: its composer's row at once, read or not,
        and once the composer's works are in, its work (recording, act) and its movement
        (bold). Returns the deepest row marked (invalid when none: a track of no composer in
        the tree)."""
        old = self._path
        self._playing = track
        self._set_path(self._find_path())
        for node in old:
            if id(node) not in self._marked:
                self._changed(node)
        return self._changed(self._path[-1]) if self._path else QModelIndex()

    def _set_path(self, path: list[TreeNode]) -> None:
        self._path = path
        self._marked = {id(n) for n in path}
        for node in path:
            self._changed(node)

    def _find_path(self) -> list[TreeNode]:
        """The rows from the playing track's composer down to its movement, as far as they are
        read: a composer not read yet is matched by its key, one read by its tracks."""
        track = self._playing
        if track is None:
            return []
        track_id, key = int(track.id or 0), track.composer_key
        root = next((r for r in self._roots if r.obj.key == key), None)
        if root is None or (root.children is not None and track_id not in root.ids):
            return []
        path = [root]
        children = [] if root.pending else (root.children or [])
        while children:  # down the one branch that holds the track
            node = next((n for n in children if track_id in n.ids), None)
            if node is None:
                break
            path.append(node)
            children = node.children or []
        return path

    def _changed(self, node: TreeNode) -> QModelIndex:
        first = self.createIndex(node.row, 0, node)
        self.dataChanged.emit(first, self.createIndex(node.row, 1, node))
        return first

    def _node(self, index: AnyIndex) -> TreeNode | None:
        """The row's node, None for the root (an invalid index points at nothing): one call
        into Qt, the views ask it hundreds of times a paint."""
        return index.internalPointer()

    def _children(self, node: TreeNode | None) -> list[TreeNode]:
        return (node.children or []) if node is not None else self._roots

    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        children = self._children(self._node(parent))
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
        return len(self._children(self._node(parent)))

    def hasChildren(self, parent: AnyIndex = ROOT) -> bool:
        """Without reading them: a view draws every composer's arrow before any is opened."""
        node = self._node(parent)
        if node is None:
            return bool(self._roots)
        return parent.column() == 0 and _may_have_children(node)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        node = self._node(parent)
        return node is not None and node.children is None and not node.pending

    def fetchMore(self, parent: AnyIndex) -> None:
        """Ask the loader for a composer's works; they are inserted when they arrive."""
        node = self._node(parent)
        if node is None or node.children is not None or node.pending or self.loader is None:
            return
        node.pending = True
        generation = self._generation
        self.loader(
            node.obj.key,
            lambda children, pitch: self._arrived(generation, node, children, pitch),
            lambda error: self._not_read(generation, node, error),
        )

    def _not_read(self, generation: int, node: TreeNode, error: Exception) -> None:
        """A composer's works could not be read: it stays closed (opening it again retries)
        and the actions waiting for it are dropped, not left pending; the panel says why."""
        if generation != self._generation:
            return
        node.pending = False
        kept = [w for w in self._waiting if id(node) not in w[0]]
        dropped = len(kept) < len(self._waiting)
        self._waiting = kept
        self.load_failed.emit(node.obj.name, error, dropped)

    def fetch(self, root_row: int) -> None:
        """Read the works of the composer at ``root_row`` unless they are read or on the way."""
        self.fetchMore(self.index(root_row, 0))

    def is_read(self, index: AnyIndex) -> bool:
        """Whether the rows under ``index`` are all in (a composer: its works read and
        inserted)."""
        node = self._node(index)
        return node is None or (node.children is not None and not node.pending)

    def when_read(self, indexes: list[QModelIndex], done: Callable[[], None]) -> None:
        """Call ``done`` once the composers at ``indexes`` have all their works in: at once
        when they have, else after reading the others as opening them does (a new library, or
        a composer whose works cannot be read, drops the call)."""
        nodes = [n for i in indexes if not self.is_read(i) and (n := self._node(i)) is not None]
        left = {id(n) for n in nodes}
        if not left:
            done()
            return
        self._waiting.append((left, done))
        for node in nodes:
            self.fetchMore(self.createIndex(node.row, 0, node))

    def _arrived(
        self, generation: int, node: TreeNode, children: list[TreeNode], pitch: dict[str, str]
    ) -> None:
        import numpy as np

        if generation != self._generation:
            return  # read for a library since replaced
        self._pitch.update(pitch)
        node.children = []
        for child in children:
            child.parent = node
        node.ids = np.concatenate([c.ids for c in children]) if children else node.ids
        self._insert(generation, node, children, 0)

    def _insert(
        self, generation: int, node: TreeNode, children: list[TreeNode], start: int
    ) -> None:
        """Insert the next slice; the rest follows on the next turn of the event loop."""
        if generation != self._generation:
            return
        end = min(start + INSERT_SLICE, len(children))
        parent = self.createIndex(node.row, 0, node)
        if end > start:
            self.beginInsertRows(parent, start, end - 1)
            assert node.children is not None
            node.children.extend(children[start:end])
            self.endInsertRows()
        if end < len(children):
            QTimer.singleShot(0, lambda: self._insert(generation, node, children, end))
            return
        node.pending = False
        if self._path and self._path[0] is node:  # the playing track's composer: mark it all
            self._set_path(self._find_path())
        self.children_arrived.emit(parent)
        ready = []
        for left, done in self._waiting:
            left.discard(id(node))
            if not left:
                ready.append(done)
        self._waiting = [w for w in self._waiting if w[0]]
        for done in ready:
            done()

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 2

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY):
        """By role: tooltips, the panel's actions, tests (the view's painter asks :meth:`cell`
        instead, once a cell); plain ints first, so the roles the tree never sets cost one set
        lookup."""
        role = int(role)
        if role not in _TREE_ROLES:
            return None
        node = self._node(index)
        if node is None:
            return None
        obj = node.obj
        column = index.column()
        if role == DISPLAY:
            return _display(node, column, self._pitch)
        if role == TOOLTIP:
            text = _tooltip(node, self._pitch)
            return tip(text) if text else None
        if role == ALIGNMENT:
            return RIGHT if column == 1 else None
        if role == DECORATION:
            return self._icon(node, column)
        if role == FONT:
            return self._font(node, column)
        if role == FOREGROUND:
            tone = self._tone(node, column)
            return getattr(self._fonts, tone) if tone else None  # Fonts.accent, Fonts.muted
        if role == TRACK_ROLE:
            return obj if isinstance(obj, Track) else None
        if role == UNIT_ROLE:
            return node.unit
        return _plays(node)  # PLAYS_ROLE

    def cell(self, index: AnyIndex) -> Cell | None:
        """What the tree's painter (:class:`~player.ui.shell.text_cells.TextCells`) draws in a
        cell, in one call: the texts and looks :meth:`data` gives role by role."""
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        return Cell(
            _display(node, column, self._pitch),
            self._tone(node, column),
            self._font(node, column),
            self._icon(node, column),
            right=column == 1,
        )

    def _icon(self, node: TreeNode, column: int) -> QIcon | None:
        """A work's or a recording's picture (its first movement's), when a feature gives them."""
        obj = node.obj
        if column == 0 and self.art_for is not None and isinstance(obj, Work | Recording):
            return self.art_for(obj.movements[0]) if obj.movements else None
        return None

    def _font(self, node: TreeNode, column: int) -> QFont | None:
        """Composers and works stand out; the playing movement is bold."""
        obj = node.obj
        if column == 0 and isinstance(obj, ComposerRow | Work):
            return self._fonts.composer if isinstance(obj, ComposerRow) else self._fonts.work
        return self._fonts.bold if isinstance(obj, Track) and id(node) in self._marked else None

    def _tone(self, node: TreeNode, column: int) -> str | None:
        """The playing movement and the rows that hold it in the accent, lengths muted."""
        if id(node) in self._marked:
            return "accent"
        return "muted" if column == 1 else None

    def node_at(self, row: int, parent: AnyIndex) -> TreeNode:
        return self._children(self._node(parent))[row]


def _may_have_children(node: TreeNode) -> bool:
    """Whether a row shows an arrow: it has children, or they are not read yet."""
    return node.children is None or bool(node.children)


def _plays(node: TreeNode) -> list[Track] | None:
    """The tracks a row stands for: a movement itself, an act its movements, a work or a
    recording one recording's (a work: the first listed); a composer none."""
    if isinstance(node.obj, Track):
        return [node.obj]
    if isinstance(node.obj, Act):
        return node.obj.movements
    return node.unit.movements if node.unit is not None else None


def _pitch_of(node: TreeNode, pitch: dict[str, str]) -> str:
    """A recording row's key and concert pitch (a work's when it has one recording)."""
    obj = node.obj
    if isinstance(obj, Recording) or (isinstance(obj, Work) and len(obj.recordings) == 1):
        return pitch.get(node.unit.key, "") if node.unit is not None else ""
    return ""


def _display(node: TreeNode, column: int, pitch: dict[str, str]) -> str:
    """A tree row's text: its name, or in the second column its length (a work: one recording)."""
    obj = node.obj
    if column == 1:
        if isinstance(obj, ComposerRow):
            return works_text(obj.works)
        return format_duration(obj.duration_s)
    if isinstance(obj, Track):  # under its act's row, "Act I:" is not repeated
        number, title = obj.movement_number or obj.track_number, split_act(obj.display_title)[1]
        return f"{number}. {title}" if number else title
    if isinstance(obj, Act):
        return obj.name
    if isinstance(obj, Recording):
        text = f"{obj.label}  ·  {obj.album}" if obj.album and obj.label != obj.album else obj.label
    else:
        text = obj.name if isinstance(obj, ComposerRow) else obj.title
    key = _pitch_of(node, pitch)
    return f"{text}  ·  {key}" if key else text


def _tooltip(node: TreeNode, pitch: dict[str, str]) -> str | None:
    obj = node.obj
    key = _pitch_of(node, pitch)
    if isinstance(obj, Track):
        return "\n".join(x for x in (obj.recording_label, obj.album, obj.path) if x)
    if isinstance(obj, Work):
        count = len(obj.recordings)
        text = f"{count} recordings" if count > 1 else obj.recordings[0].label
        return "\n".join(x for x in (text, key) if x) or None
    if isinstance(obj, Recording):
        played = f"played {obj.plays} times" if obj.plays else "not played yet"
        return "\n".join(x for x in (obj.label, obj.album, key, played) if x)
    return None


class TreeSearchProxy(QSortFilterProxyModel):
    """Filtering for the works tree: a row shows when a track under it matches the search.

    A track's search text holds its ancestors' names, so "it, a descendant or an ancestor
    matches" is "a track under it matches": a composer's row shows when the search found one
    of its tracks (:attr:`Found.composers`), any other row when one of its ``ids`` is marked.
    Qt only asks about children of rows it shows, and only of composers already read.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._found: Found | None = None
        self._wanted: np.ndarray  # bool by track id, set with ``_found``
        self._accepted: dict[TreeNode, np.ndarray] = {}  # whether each child shows, by parent
        self.matches = 0  # movements that match the current search

    def show_found(self, found: Found | None, total: int) -> None:
        """Show the rows holding a track found (``None``: all ``total``).

        A reset, not a filter change: Qt re-filters every parent it has ever mapped on a
        change (every work drawn maps its movements to draw its arrow), so after some
        browsing each keystroke re-tested thousands of rows; a reset forgets them, and the
        panel opens what fits the new answer (:meth:`LibraryPanel._open_what_fits`)."""
        self.beginResetModel()
        self._found = found
        self._accepted.clear()
        if found is None:
            self.matches = total
        else:
            import numpy as np

            self._wanted = np.zeros(int(found.ids.max(initial=0)) + 1, dtype=bool)
            self._wanted[found.ids] = True
            self.matches = len(found.ids)
        self.endResetModel()

    @property
    def found(self) -> Found | None:
        return self._found

    def hasChildren(self, parent: AnyIndex = ROOT) -> bool:  # noqa: N802 (Qt's name)
        """The source's answer: a row shows only when a track under it matches, so one of
        its children does too. (Qt's own answer filters the children to find out: a view
        drawing or opening a composer's works made it test every movement of every work.)"""
        if not parent.isValid():
            return self.rowCount() > 0
        node = self.mapToSource(parent).internalPointer()  # a layout asks it of every row
        return parent.column() == 0 and _may_have_children(node)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        """Qt asks row by row; the answer for all of a parent's children is worked out at its
        first row, in one pass over their ids (a composer with hundreds of works opened cost
        hundreds of small array operations, all on the GUI thread)."""
        if self._found is None:
            return True
        source = self._source()
        if not source_parent.isValid():  # a composer
            return source.node_at(source_row, source_parent).obj.key in self._found.composers
        parent = source_parent.internalPointer()
        accepted = self._accepted.get(parent)
        if accepted is None or source_row >= len(accepted):  # new, or works inserted since
            accepted = self._accepted[parent] = self._children_found(parent)
        return bool(accepted[source_row])

    def _children_found(self, parent: TreeNode) -> np.ndarray:
        """Whether each child of ``parent`` holds a track found (bool, by row)."""
        import numpy as np

        children = parent.children or []
        sizes = np.array([len(c.ids) for c in children], dtype=np.int64)
        ids = np.concatenate([c.ids for c in children]) if children else sizes
        wanted = self._wanted
        inside = ids < len(wanted)
        hits = np.zeros(len(ids) + 1, dtype=np.int64)  # hits[k + 1]: the k-th id was found
        hits[1:][inside] = wanted[ids[inside]]
        found = np.cumsum(hits)
        ends = np.cumsum(sizes)
        return found[ends] > found[ends - sizes]

    def _source(self) -> LibraryTreeModel:
        return cast(LibraryTreeModel, self.sourceModel())
