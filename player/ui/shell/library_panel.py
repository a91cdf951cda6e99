"""The library panel: a search box over the works tree and the flat track table.

Built for 100,000 tracks (issue 13): it holds ids and the composers' rows, reads a composer's
works when one is opened, the table's rows a page at a time, and answers searches and sort
orders on worker threads (``player/library/browse.py``, ``search_index.py``, ``track_rows.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import cast

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from player.allocator import trim
from player.analysis.version import ANALYSIS_VERSION
from player.collector import freeze_long_lived
from player.library.browse import ComposerRow, Overview, column_order, load_composer
from player.library.search_index import Found, TrackSearch, build_search
from player.library.track_rows import NO_IDS, RowIds, TrackCache
from player.priority import Priority
from player.store.db import Database
from player.store.library_view import search_rows
from player.store.tracks import Track
from player.ui.jobs import JobRunner, LatestJob
from player.ui.shell.library_models import (
    PLAYS_ROLE,
    TRACK_ROLE,
    UNIT_ROLE,
    AnyIndex,
    LibraryTreeModel,
    TreeNode,
    TreeSearchProxy,
    works_text,
)
from player.ui.shell.panels import TrackMenuEntry, add_entries, tree_view
from player.ui.shell.table_columns import ColumnFit
from player.ui.shell.text_cells import TextCells
from player.ui.shell.text_column import LENGTHS, TextColumn
from player.ui.shell.track_table import TrackTableModel
from player.ui.style import named

OPEN_SLICE_S = 0.004
"""How long a search answer's opening of the tree runs in one turn of the event loop (one row
at least: a composer's works, or a work down to its movements)."""


class LibraryPanel(QWidget):
    """Search box over a works tree and a flat table; double-click asks to play.

    The right-click menu offers Play and Add to queue, then ``extra_actions``: the
    :class:`~player.ui.shell.panels.TrackMenuEntry` items that features add (e.g. "Similar"
    from the recommender).

    ``open_db`` gives each reader its own connection: the table's page reads (on the GUI
    thread, by primary key), and on worker threads a composer's works, the search texts and
    the sort orders. The search texts' build pauses while a ``priority`` foreground job runs.
    """

    play_requested = Signal(object, list)  # Track, the rest of its work
    queue_requested = Signal(list)  # Tracks to append to the user queue
    results_shown = Signal(str, int)  # the search text whose results are in the views, tracks found
    message = Signal(str)  # for the status bar: something the listener asked for did not happen

    def __init__(
        self,
        open_db: Callable[[], Database] | None = None,
        parent=None,
        priority: Priority | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_db = open_db
        self._priority = priority or Priority()  # the search texts yield to the listener's jobs
        self.cache = TrackCache(open_db) if open_db is not None else None
        self.search = named(QLineEdit(), "search")
        self.search.setPlaceholderText("Search composers, works, movements, performers  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree_model = LibraryTreeModel(self)
        self.tree_model.loader = self._load_composer
        self.tree_proxy = TreeSearchProxy(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree = tree_view("libraryTree")
        self.tree.setModel(self.tree_proxy)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._lengths = TextColumn(self.tree, 1)
        self.tree.setItemDelegate(
            TextCells(
                self.tree,
                lambda index: self.tree_model.cell(self.tree_proxy.mapToSource(index)),
            )
        )
        self.table_model = TrackTableModel(self.cache, self)
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
        self.table.setItemDelegate(TextCells(self.table, self.table_model.cell))
        self.columns = ColumnFit(self.table)
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
        self._composers: list[ComposerRow] = []
        self._index: TrackSearch | None = None  # None until built for a library
        self._jobs = JobRunner(self, max_threads=1)  # composers' works, search texts, in order
        self._searching = LatestJob(self)  # queries, answered off the GUI thread
        self._sorting = LatestJob(self)  # the table's sort orders
        self._open_on_arrival = False  # a small search result: open composers as they arrive
        self._opening = 0  # counts the answers opened (an older one's slices stop)
        self.search.textChanged.connect(self.apply_search)
        self.table_model.sort_requested.connect(self._sort)
        self.tree_model.children_arrived.connect(self._children_arrived)
        self.tree_model.load_failed.connect(self._not_read)
        # activated = double-click or Enter (doubleClicked as well would fire twice)
        self.tree.activated.connect(self._tree_activated)
        self.table.activated.connect(self._table_activated)
        self.extra_actions: list[TrackMenuEntry] = []
        for view in (self.tree, self.table):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(partial(self._context_menu, view))
        self._sort_choice: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self.set_library(Overview(NO_IDS, []), [])

    def drawn_in(self) -> QWidget:
        """Where the library is drawn now (the shown view's viewport): it is painted again
        when a library arrives."""
        return cast(QAbstractScrollArea, self.tabs.currentWidget()).viewport()

    def set_library(self, overview: Overview, roots: list) -> None:
        """Show a new library: its composers (``roots``, from
        :func:`~player.ui.shell.library_tree.make_roots`) and its tracks' ids
        (:meth:`show_library`), and build its search texts (:meth:`library_ready`)."""
        self.show_library(overview.composers, roots, overview.ids, overview.pitch)
        self.library_ready()

    def show_library(
        self,
        composers: list[ComposerRow],
        roots: list[TreeNode],
        ids: RowIds,
        pitch: dict[str, str] | None = None,
    ) -> None:
        """Put a new library in the views: its composers' rows and its tracks' ids (on the
        window's first screen, before numpy is imported: the ``array`` they are read as).
        Nothing starts on a worker until :meth:`library_ready`: the first screen is put here
        before the window's first paint, which no worker may compete with for the GIL."""
        self._composers = composers
        most = max((c.works for c in composers), default=0)
        self._lengths.set_samples((*LENGTHS, works_text(most)))
        if not len(ids):
            self._index = None
        self.tree_model.set_roots(roots, pitch or {})
        self.table_model.set_ids(ids)
        self.tree_proxy.show_found(None, len(ids))
        self.empty.setVisible(not len(ids))
        self.empty.setText(
            "Your library is empty. Choose File → Add music folder…, or start with --demo."
        )
        self._sort(*self._sort_choice)

    def library_ready(self) -> None:
        """The library shown is complete: open what fits of its tree (opening a composer
        reads its works on a worker) and build its search texts on a worker; until they are
        built, a query is answered from the previous library's texts (after a rescan: most
        of it), or when they are (at start)."""
        self._open_what_fits()
        ids = self.table_model.library_ids
        if self._open_db is not None and len(ids):
            open_db, pause = self._open_db, self._priority.pause_point
            self._jobs.run(
                lambda: _build_search(open_db, pause), lambda s: self._search_ready(ids, s)
            )
        if self.search.text().strip():
            self.apply_search()

    def _search_ready(self, ids: RowIds, search: TrackSearch) -> None:
        if ids is not self.table_model.library_ids:
            return  # built for a library since replaced
        self._index = search
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
        text, index = self.search.text(), self._index
        if not text.strip():
            self._searching.submit(lambda: None, lambda found: self._show_found(text, found))
        elif index is not None:
            self._searching.submit(
                lambda: index.find(text), lambda found: self._show_found(text, found)
            )

    def _show_found(self, text: str, found: Found | None) -> None:
        self.table_model.show_found(found.ids if found is not None else None)
        self.tree_proxy.show_found(found, len(self.table_model.library_ids))
        self._opening += 1  # the opening of an older answer stops now
        self._open_on_arrival = False  # until this one's opening says otherwise
        self.tree.setUpdatesEnabled(False)  # drawn once, opened
        QTimer.singleShot(0, partial(self._open_answer, self._opening))
        self.results_shown.emit(text, self.table_model.rowCount())

    def _open_answer(self, opening: int) -> None:
        """Open what fits of an answer on the turn after it is shown, then draw the tree:
        the answer, its opening and the tree's paint in one turn kept the GUI thread busy for
        20-25 ms at a stretch, and drawing the tree closed in between drew it twice; a newer
        answer drops the opening."""
        try:
            if opening == self._opening:
                self._open_what_fits()
        finally:
            self.tree.setUpdatesEnabled(True)

    def _open_what_fits(self) -> None:
        """Open the tree as far as what it shows fits: everything for a few tracks (a small
        library, a narrow search: composers not read yet open as their works arrive), else
        the composers' works when they are few.

        A slice at a time (:data:`OPEN_SLICE_S`), the rest on the next turns of the event
        loop: opening twenty composers' works at once, or one composer's hundred works down
        to their movements, kept the GUI thread busy for 15-20 ms on top of the answer's own
        work and the paint that follows."""
        proxy = self.tree_proxy
        self._opening += 1  # a newer answer stops the opening of an older one
        self._open_on_arrival = proxy.matches <= (60 if proxy.found is None else 200)
        shown = [proxy.index(row, 0) for row in range(proxy.rowCount())]
        if not self._open_on_arrival and not self._few_works(
            proxy.mapToSource(index).row() for index in shown
        ):
            return
        self.tree.executeDelayedItemsLayout()  # the composers' rows, so that each opens alone
        rows = [QPersistentModelIndex(index) for index in shown]
        self._open_slice(self._opening, rows, self._open_on_arrival)

    def _open_slice(self, opening: int, rows: list[QPersistentModelIndex], deep: bool) -> None:
        """Open the next ``rows`` (``deep``: down to the movements, a composer's works one by
        one) for :data:`OPEN_SLICE_S`; the rest on the next turn."""
        if opening != self._opening:
            return
        proxy, ends = self.tree_proxy, time.perf_counter() + OPEN_SLICE_S
        while rows and time.perf_counter() < ends:
            index = rows.pop(0)
            if not index.isValid():
                continue
            source = proxy.mapToSource(index)
            if not deep:
                self.tree.expand(index)  # a composer's works, read if they are not
            elif source.parent().isValid():  # a work: down to its movements
                self.tree.expandRecursively(index)
            elif self.tree_model.is_read(source):  # a composer: its works, then each of them
                self.tree.expand(index)
                works = (proxy.index(row, 0, index) for row in range(proxy.rowCount(index)))
                rows[:0] = [QPersistentModelIndex(work) for work in works]
            else:  # opened when its works arrive (_children_arrived)
                self.tree_model.fetchMore(source)
        if rows:
            QTimer.singleShot(0, lambda: self._open_slice(opening, rows, deep))

    def _children_arrived(self, source) -> None:
        """A composer's works are in: open them down to the movements when the search found
        few tracks."""
        if self._open_on_arrival:
            shown = self.tree_proxy.mapFromSource(source)
            if shown.isValid():
                self._open_slice(self._opening, [QPersistentModelIndex(shown)], True)

    def _not_read(self, composer: str, error: Exception, dropped: bool) -> None:
        """A composer's works could not be read: say so, and that the action waiting on them
        (Play, Add to queue, a feature's entry) was not done."""
        text = f"Could not read the works of {composer} ({getattr(error, 'short', error)})"
        self.message.emit(f"{text}; what you asked for was not done" if dropped else text)

    def _few_works(self, composer_rows) -> bool:
        """Whether these composers can be shown open: at most 30 of them, 600 works in all (a
        box set's composer with a thousand works stays closed until the listener opens it)."""
        rows = list(composer_rows)
        composers = self._composers
        return len(rows) <= 30 and sum(composers[r].works for r in rows) <= 600

    def _load_composer(self, key: str, done, failed) -> None:
        """The tree's loader: a composer's works read and made into rows on a worker."""
        open_db = self._open_db
        if open_db is None:
            return

        def load():
            from player.ui.shell.library_tree import composer_children  # numpy, on the worker

            db = open_db()
            try:
                composer, pitch = load_composer(db, key, ANALYSIS_VERSION)
            finally:
                db.close()
            return composer_children(None, composer), pitch

        self._jobs.run(load, lambda result: done(*result), failed)

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        self._sort_choice = (column, order)
        table, open_db = self.table_model, self._open_db
        if column < 0 or open_db is None:
            self._sorting.submit(lambda: None, table.show_order)
            return
        descending = order == Qt.SortOrder.DescendingOrder

        def ordered():
            db = open_db()
            try:
                return column_order(db, column, descending)
            finally:
                db.close()

        self._sorting.submit(ordered, table.show_order)

    def close_reader(self) -> None:
        """Close the table's page reader (the window closes)."""
        if self.cache is not None:
            self.cache.close()

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
        work's (of a composer whose works are read: the menu's entries read them)."""
        return self._tracks_of(view, view.selectionModel().selectedRows())

    def _when_read(
        self,
        view: QAbstractItemView,
        rows: list[QPersistentModelIndex],
        act: Callable[[list[Track]], None],
    ) -> None:
        composers = [self.tree_proxy.mapToSource(r) for r in rows]
        if view is not self.tree:
            composers = []
        self.tree_model.when_read(
            [c for c in composers if c.isValid()],
            lambda: act(self._tracks_of(view, [r for r in rows if r.isValid()])),
        )

    def _unread(self, view: QAbstractItemView, rows: list[QPersistentModelIndex]) -> bool:
        """Whether a composer among ``rows`` has works not read yet."""
        return view is self.tree and any(
            not self.tree_model.is_read(self.tree_proxy.mapToSource(r)) for r in rows
        )

    def _tracks_of(self, view: QAbstractItemView, rows: Sequence[AnyIndex]) -> list[Track]:
        tracks: list[Track] = []
        for index in rows:
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
        """The right-click menu for the tracks selected in ``view`` (None when there are none).
        A composer not opened yet counts as its works: the entries act once they are read
        (and are not greyed out by a feature's check, which would see no tracks yet)."""
        rows = [QPersistentModelIndex(i) for i in view.selectionModel().selectedRows()]
        tracks = self._tracks_of(view, [r for r in rows if r.isValid()])
        unread = self._unread(view, rows)
        if not tracks and not unread:
            return None

        def later(run: Callable[[list[Track]], None]) -> Callable[[list[Track]], None]:
            return lambda _known: self._when_read(view, rows, run)

        menu = QMenu(self)
        menu.addAction("Play", lambda: self._when_read(view, rows, self._play))
        menu.addAction("Add to queue", lambda: self._when_read(view, rows, self._queue))
        if unread:
            entries = [TrackMenuEntry(e.label, later(e.run)) for e in self.extra_actions]
        else:
            entries = self.extra_actions
        add_entries(menu, entries, tracks)
        return menu

    def _play(self, tracks: list[Track]) -> None:
        if tracks:
            self.play_requested.emit(tracks[0], tracks[1:])

    def _queue(self, tracks: list[Track]) -> None:
        if tracks:
            self.queue_requested.emit(tracks)

    def _context_menu(self, view: QAbstractItemView, pos) -> None:
        menu = self.track_menu(view)
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))

    def _table_activated(self, index: QModelIndex) -> None:
        track = index.data(TRACK_ROLE)
        if track is not None:
            self.play_requested.emit(track, [])


def _build_search(open_db: Callable[[], Database], pause_point: Callable[[], None]) -> TrackSearch:
    db = open_db()
    try:
        search = build_search(search_rows(db), pause_point)
    finally:
        db.close()
        trim()  # what the build's temporaries left free in the heaps (player.allocator)
    freeze_long_lived()  # the texts stay as long as the library (player.collector)
    return search


def _unique(tracks: list[Track]) -> list[Track]:
    return list({t.id: t for t in reversed(tracks)}.values())[::-1]
