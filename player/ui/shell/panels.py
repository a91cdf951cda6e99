"""The window's side panels: queue, history and problems (the library panel: library_panel.py), and
the track menus' feature entries."""

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
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from player.fspath import shown
from player.store.plays import Play
from player.store.tracks import Track
from player.ui.plain import tip
from player.ui.shell.history_model import HistoryModel
from player.ui.shell.library_models import (
    TRACK_ROLE,
)
from player.ui.shell.queue_model import QueueModel
from player.ui.shell.text_cells import TextCells
from player.ui.shell.text_column import TextColumn
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


def tree_view(name: str) -> QTreeView:
    view = named(QTreeView(), name)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(False)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class QueuePanel(QWidget):
    """The queue; its right-click menu holds ``extra_actions`` as in :class:`LibraryPanel`.

    ``menu_hooks`` add row-specific entries first: each gets the menu and the selected rows.
    """

    def __init__(self, model: QueueModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.extra_actions: list[TrackMenuEntry] = []
        self.menu_hooks: list[Callable[[QMenu, list[QModelIndex]], None]] = []
        self.view = tree_view("queueView")
        self.view.setModel(model)
        self.view.setRootIsDecorated(False)
        self.view.setHeaderHidden(True)
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._lengths = TextColumn(self.view, 1, ("999:59:59",))
        self.view.setItemDelegate(TextCells(self.view, model.cell))
        self.view.expandAll()
        self.view.setItemsExpandable(False)
        # a section that gets tracks opens (expandAll would lay out every row again)
        model.rowsInserted.connect(lambda parent, *_: self.view.expand(parent))
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
    """Listening sessions, newest first; each expands into its plays (the newest opens when
    it appears). Refilled after every play: :class:`HistoryModel` changes only what changed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = HistoryModel(self)
        self.view = tree_view("historyView")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._lengths = TextColumn(self.view, 1)
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
        if 0 in self.model.set_sessions(sessions, older_plays):
            self.view.expand(self.model.index(0, 0))


UNPLAYABLE = "Could not be played: damaged, or changed since the last scan (it is skipped)"
"""The reason a file on disk that failed to play is listed with (until the file changes)."""


class ProblemsPanel(QWidget):
    """Files the scanner could not use, files that failed to play and tracks the analysis
    could not read, with reasons and what found them.

    Each new list changes only the rows that differ from the shown ones: a file that fails to
    play adds one (the list is read again after each), where making every row again cost the
    GUI thread a millisecond per ten problems at every failure of a run of absent files."""

    counted = Signal(int)  # problems listed, after each change

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["File", "Reason", "Found by"])
        self.view = tree_view("problemsView")
        self.view.setRootIsDecorated(False)
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setColumnWidth(0, 180)
        self._found: dict[str, list[tuple[str, str]]] = {"scan": [], "analysis": []}
        self._shown: list[tuple[str, str, str]] = []  # (path, reason, stage) of each row
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
        """Replace the rows between the ones the shown and the new list share at their start
        and at their end (both are sorted by path within each stage)."""
        rows = [
            (path, reason, "playback" if reason == UNPLAYABLE else stage)
            for stage, found in self._found.items()
            for path, reason in found
        ]
        old = self._shown
        start, most = 0, min(len(old), len(rows))
        while start < most and old[start] == rows[start]:
            start += 1
        end = 0
        while end < most - start and old[-1 - end] == rows[-1 - end]:
            end += 1
        if len(old) - end > start:
            self.model.removeRows(start, len(old) - end - start)
        for at in range(start, len(rows) - end):
            path, reason, stage = rows[at]
            name = QStandardItem(shown(path.rsplit("/", 1)[-1]))
            name.setToolTip(tip(path))
            self.model.insertRow(at, [name, QStandardItem(reason), QStandardItem(stage)])
        self._shown = rows
        self.counted.emit(self.model.rowCount())
