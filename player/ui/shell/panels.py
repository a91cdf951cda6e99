"""The window's panels: library (tree + table + search), queue, history and problems."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from player.fspath import shown
from player.store.plays import Play
from player.store.tracks import Track
from player.ui.jobs import LatestJob
from player.ui.plain import tip
from player.ui.shell.library_models import (
    PLAYS_ROLE,
    TRACK_ROLE,
    UNIT_ROLE,
    LibraryIndex,
    LibraryTreeModel,
    TrackTableModel,
    TreeSearchProxy,
    format_duration,
)
from player.ui.shell.queue_model import QueueModel
from player.ui.style import named


class TrackMenuEntry(NamedTuple):
    """A feature's entry in the track menus: ``run(tracks)``; ``enabled(tracks)`` (when given)
    says whether it applies to the right-clicked tracks, else it shows greyed out."""

    label: str
    run: Callable[[list[Track]], None]
    enabled: Callable[[list[Track]], bool] | None = None


def add_entries(menu: QMenu, entries: list[TrackMenuEntry], tracks: list[Track]) -> None:
    """``entries`` at the end of ``menu``, each bound to ``tracks``, after a separator."""
    if entries and not menu.isEmpty():
        menu.addSeparator()
    for entry in entries:
        action = menu.addAction(entry.label, partial(entry.run, tracks))
        action.setEnabled(entry.enabled is None or entry.enabled(tracks))


def _tree(name: str) -> QTreeView:
    view = named(QTreeView(), name)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(False)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class LibraryPanel(QWidget):
    """Search box over a works tree and a flat table; double-click asks to play.

    The right-click menu offers Play and Add to queue, then ``extra_actions``: the
    :class:`TrackMenuEntry` items that features add (e.g. "Similar" from the recommender).
    """

    play_requested = Signal(object, list)  # Track, the rest of its work
    queue_requested = Signal(list)  # Tracks to append to the user queue
    results_shown = Signal(str, int)  # the search text whose results are in the views, tracks found

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.search = named(QLineEdit(), "search")
        self.search.setPlaceholderText("Search composers, works, movements, performers  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree_model = LibraryTreeModel(self)
        self.tree_proxy = TreeSearchProxy(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree = _tree("libraryTree")
        self.tree.setModel(self.tree_proxy)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table_model = TrackTableModel(self)
        self.table = named(QTableView(), "libraryTable")
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(36)
        Mode = QHeaderView.ResizeMode
        # fixed widths, not ResizeToContents: measuring 10,000 rows would cost each reset
        modes = (Mode.Interactive, Mode.Stretch, Mode.Fixed, Mode.Stretch, Mode.Interactive,
                 Mode.Fixed)  # fmt: skip
        for column, (mode, width) in enumerate(zip(modes, (150, 0, 40, 0, 130, 64), strict=True)):
            header.setSectionResizeMode(column, mode)
            if width:
                self.table.setColumnWidth(column, width)
        self.empty = named(QLabel(), "emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.tabs = named(QTabWidget(), "libraryTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.tree, "Works")
        self.tabs.addTab(self.table, "Tracks")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty)
        self._library = LibraryIndex()
        self._searching = LatestJob(self)  # queries, answered off the GUI thread
        self._sorting = LatestJob(self)  # the table's sort orders
        self.search.textChanged.connect(self.apply_search)
        self.table_model.sort_requested.connect(self._sort)
        # activated = double-click or Enter (doubleClicked as well would fire twice)
        self.tree.activated.connect(self._tree_activated)
        self.table.activated.connect(self._table_activated)
        self.extra_actions: list[TrackMenuEntry] = []
        for view in (self.tree, self.table):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(partial(self._context_menu, view))
        self._sort_choice: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self.set_library(LibraryIndex())

    def set_library(self, library: LibraryIndex) -> None:
        self._library = library
        self.tree_model.set_index(library)
        self.table_model.set_index(library)
        self.tree_proxy.show_found(None, len(library.tracks))
        if len(library.tracks) <= 60:
            self.tree.expandAll()
        elif self._few_works(range(len(library.roots))):
            self.tree.expandToDepth(0)
        self.empty.setVisible(not library.tracks)
        self.empty.setText(
            "Your library is empty. Choose File → Add music folder…, or start with --demo."
        )
        self._sort(*self._sort_choice)
        if self.search.text().strip():
            self.apply_search()

    def set_playing(self, track: Track | None) -> None:
        """Mark the playing movement in both views and bring it into sight in the tree."""
        source = self.tree_model.set_playing(track)
        self.table_model.set_playing(track)
        shown = self.tree_proxy.mapFromSource(source)
        if shown.isValid():
            self.tree.scrollTo(shown)

    def apply_search(self) -> None:
        """Ask for the tracks matching the search box; the views change when the answer comes
        (a newer query drops an older one's answer)."""
        text, library = self.search.text(), self._library
        self._searching.submit(
            lambda: library.search.find(text), lambda found: self._show_found(text, found)
        )

    def _show_found(self, text: str, found) -> None:
        total = len(self._library.tracks)
        self.table_model.show_found(found)
        self.tree_proxy.show_found(found, total)
        proxy = self.tree_proxy
        if found is not None and proxy.matches <= 200:
            self.tree.expandAll()
        elif total > 60 and self._few_works(
            proxy.mapToSource(proxy.index(row, 0)).row() for row in range(proxy.rowCount())
        ):
            self.tree.expandToDepth(0)
        self.results_shown.emit(text, self.table_model.rowCount())

    def _few_works(self, composer_rows) -> bool:
        """Whether these composers can be shown open: at most 30 of them, 600 works in all (a
        box set's composer with a thousand works stays closed until the listener opens it)."""
        rows = list(composer_rows)
        roots = self._library.roots
        return len(rows) <= 30 and sum(len(roots[r].obj.works) for r in rows) <= 600

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        self._sort_choice = (column, order)
        table = self.table_model
        self._sorting.submit(lambda: table.sort_order(column, order), table.show_order)

    def _tree_activated(self, index: QModelIndex) -> None:
        """Play the movement (or a work's or recording's first) and queue the rest of its
        recording: one recording, in movement order, never two interleaved."""
        unit = index.data(UNIT_ROLE)
        if unit is None:  # a composer: open or close it
            return
        track = index.data(PLAYS_ROLE)[0]
        rest = unit.movements[unit.movements.index(track) + 1 :]
        self.play_requested.emit(track, rest)

    def selected_tracks(self, view: QAbstractItemView) -> list[Track]:
        """The movements selected in ``view``; a selected work or recording brings one
        recording's movements (a work: its first recording), an act its own, a composer each
        work's."""
        tracks: list[Track] = []
        for index in view.selectionModel().selectedRows():
            if view is self.table:
                tracks.append(index.data(TRACK_ROLE))
                continue
            plays = index.data(PLAYS_ROLE)
            if plays is not None:
                tracks.extend(plays)
            else:
                for row in range(view.model().rowCount(index)):
                    tracks.extend(view.model().index(row, 0, index).data(PLAYS_ROLE))
        return _unique(tracks)

    def track_menu(self, view: QAbstractItemView) -> QMenu | None:
        """The right-click menu for the tracks selected in ``view`` (None when there are none)."""
        tracks = self.selected_tracks(view)
        if not tracks:
            return None
        menu = QMenu(self)
        menu.addAction("Play", lambda: self.play_requested.emit(tracks[0], tracks[1:]))
        menu.addAction("Add to queue", lambda: self.queue_requested.emit(tracks))
        add_entries(menu, self.extra_actions, tracks)
        return menu

    def _context_menu(self, view: QAbstractItemView, pos) -> None:
        menu = self.track_menu(view)
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))

    def _table_activated(self, index: QModelIndex) -> None:
        track = index.data(TRACK_ROLE)
        if track is not None:
            self.play_requested.emit(track, [])


def _unique(tracks: list[Track]) -> list[Track]:
    return list({t.id: t for t in reversed(tracks)}.values())[::-1]


class QueuePanel(QWidget):
    """The queue; its right-click menu holds ``extra_actions`` as in :class:`LibraryPanel`.

    ``menu_hooks`` add row-specific entries first: each gets the menu and the selected rows.
    """

    def __init__(self, model: QueueModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.extra_actions: list[TrackMenuEntry] = []
        self.menu_hooks: list[Callable[[QMenu, list[QModelIndex]], None]] = []
        self.view = _tree("queueView")
        self.view.setModel(model)
        self.view.setRootIsDecorated(False)
        self.view.setHeaderHidden(True)
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.expandAll()
        self.view.setItemsExpandable(False)
        model.rowsInserted.connect(lambda *_: self.view.expandAll())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def selected_tracks(self) -> list[Track]:
        rows = self.view.selectionModel().selectedRows()
        return [t for i in rows if (t := i.data(TRACK_ROLE)) is not None]

    def track_menu(self) -> QMenu | None:
        """The right-click menu for the selected rows (None when no track is selected)."""
        tracks = self.selected_tracks()
        if not tracks:
            return None
        menu = QMenu(self)
        for hook in self.menu_hooks:
            hook(menu, self.view.selectionModel().selectedRows())
        add_entries(menu, self.extra_actions, tracks)
        return menu

    def _context_menu(self, pos) -> None:
        menu = self.track_menu()
        if menu is not None and not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.model.remove_rows(self.view.selectionModel().selectedRows())
        else:
            super().keyPressEvent(event)


class HistoryPanel(QWidget):
    """Listening sessions, newest first; each expands into its plays."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.view = _tree("historyView")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.empty = named(
            QLabel("Nothing heard yet. Each listening session shows here."), "emptyHint"
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addWidget(self.empty)
        self.view.hide()

    def set_sessions(self, sessions: list[list[Play]], older_plays: int = 0) -> None:
        """Show ``sessions`` (oldest first) and, below them, how many older plays the log holds."""
        self.view.setVisible(bool(sessions or older_plays))
        self.empty.setVisible(not (sessions or older_plays))
        self.model.clear()
        self.model.setColumnCount(2)
        for number, session in enumerate(reversed(sessions)):
            start = session[0].started_at.astimezone()
            heard = sum(p.ms_heard for p in session) / 1000
            plays = "play" if len(session) == 1 else "plays"
            head = QStandardItem(f"{start:%a %d %b %Y, %H:%M}  ·  {len(session)} {plays}")
            length = QStandardItem(format_duration(heard))
            length.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for play in session:
                title = f"{play.title}  —  {play.composer}" if play.composer else play.title
                title += f"  ·  {play.recording}" if play.recording else ""
                item = QStandardItem(f"{play.started_at.astimezone():%H:%M}  {title}")
                item.setToolTip(
                    tip(
                        "\n".join(x for x in (play.work, play.recording) if x)
                        + f"\n{play.ended_how or 'playing'}, started by {play.started_by}"
                    )
                )
                when = QStandardItem(format_duration(play.ms_heard / 1000))
                when.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                head.appendRow([item, when])
            self.model.appendRow([head, length])
            if number == 0:
                self.view.expand(head.index())
        if older_plays:
            note = QStandardItem(f"{older_plays:,} older plays · `continuo history` lists them all")
            note.setEnabled(False)
            self.model.appendRow([note, QStandardItem()])
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)


class ProblemsPanel(QWidget):
    """Files the scanner could not use and tracks the analysis could not read, with reasons."""

    counted = Signal(int)  # problems listed, after each change

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.view = _tree("problemsView")
        self.view.setRootIsDecorated(False)
        self.view.setModel(self.model)
        self._found: dict[str, list[tuple[str, str]]] = {"scan": [], "analysis": []}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_problems(self, problems: list[tuple[str, str]]) -> None:
        """The scanner's (path, reason) pairs."""
        self._found["scan"] = problems
        self._fill()

    def set_analysis_failures(self, failures: list[tuple[str, str]]) -> None:
        """The analysis's (path, reason) pairs."""
        self._found["analysis"] = failures
        self._fill()

    def _fill(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["File", "Reason", "Found by"])
        for stage, found in self._found.items():
            for path, reason in found:
                name = QStandardItem(shown(path.rsplit("/", 1)[-1]))
                name.setToolTip(tip(path))
                self.model.appendRow([name, QStandardItem(reason), QStandardItem(stage)])
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setColumnWidth(0, 180)
        self.counted.emit(self.model.rowCount())
