"""The Playlists tab: saved queues, played, reordered, renamed, deleted, imported and exported.

Every change is a short SQLite write on a worker (:mod:`player.store.playlists`); the lists are
redrawn from what the database then holds, so the tab never shows what was not stored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from player.errors import ContinuoError
from player.library.m3u import ImportReport, export_playlist, import_m3u
from player.store.db import Database
from player.store.playlists import (
    Playlist,
    add_to_playlist,
    all_playlists,
    create_playlist,
    delete_playlist,
    move_entries,
    playlist_by_name,
    playlist_tracks,
    remove_entries,
    rename_playlist,
)
from player.store.tracks import Track
from player.ui.shell.context import FeatureContext
from player.ui.style import named

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def entry_text(track: Track) -> str:
    what = f"{track.work}: {track.display_title}" if track.work else track.display_title
    text = f"{track.composer} — {what}" if track.composer else what
    return f"{text}  (file missing)" if track.missing else text


class PlaylistsPanel(QWidget):
    """Playlists above, the chosen one's tracks below; :attr:`changed` after each stored change."""

    changed = Signal()

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.playlists: list[Playlist] = []
        self.tracks: list[Track] = []
        self.lists = named(QListWidget(), "playlistList")
        self.lists.currentRowChanged.connect(lambda _row: self._load_entries())
        self.lists.itemDoubleClicked.connect(lambda _item: self.play())
        self.entries = named(QListWidget(), "playlistEntries")
        self.entries.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.entries.installEventFilter(self)
        self.hint = named(QLabel(), "playlistHint")
        self.hint.setWordWrap(True)
        for view in (self.lists, self.entries):
            view.setMinimumHeight(48)  # the tab fits a small screen; the lists scroll
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # long names keep both ends

        def button(text: str, slot: Callable[[], object], tip: str = "") -> QToolButton:
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False: slot())
            return b

        top = QHBoxLayout()
        top.addWidget(button("Save queue…", self.ask_save_queue, "Save the queue as a playlist"))
        top.addWidget(button("Import…", self.ask_import, "Import an M3U playlist"))
        top.addStretch()
        self.chosen_row = QWidget()  # with the lists, hidden while there is no playlist
        actions = QHBoxLayout(self.chosen_row)
        actions.setContentsMargins(0, 0, 0, 0)
        self.play_button = button("Play", self.play)
        actions.addWidget(self.play_button)
        self.choice_buttons = [  # need a chosen playlist
            button("Rename…", self.ask_rename),
            button("Export…", self.ask_export, "Save as an M3U file"),
            button("Delete", self.ask_delete),
        ]
        for chosen in self.choice_buttons:
            chosen.setEnabled(False)
            actions.addWidget(chosen)
        actions.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.lists, 1)
        layout.addWidget(self.chosen_row)
        layout.addWidget(self.entries, 2)
        layout.addStretch()  # takes the space the hidden lists leave: the hint stays on top
        self.entries.setToolTip("Alt+Up / Alt+Down move the selected tracks; Delete removes them")

    # reading ----------------------------------------------------------------------------------
    def reload(self, select: int | None = None) -> None:
        """Read the playlists again; keep (or move to) ``select``'s row."""
        keep = select if select is not None else self.current_id()
        self._job(all_playlists, lambda found: self._show_playlists(found, keep))

    def current_id(self) -> int | None:
        item = self.lists.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def _show_playlists(self, found: list[Playlist], keep: int | None) -> None:
        self.playlists = found
        self.lists.blockSignals(True)
        self.lists.clear()
        for playlist in found:
            item = QListWidgetItem(f"{playlist.name}  ({playlist.tracks})")
            item.setData(ID_ROLE, playlist.id)
            self.lists.addItem(item)
            if playlist.id == keep:
                self.lists.setCurrentItem(item)
        if self.lists.currentRow() < 0 and found:
            self.lists.setCurrentRow(0)
        self.lists.blockSignals(False)
        self.hint.setText(
            "" if found else "No playlists yet. Save the queue, or import an M3U file."
        )
        self.hint.setVisible(not found)
        for part in (self.lists, self.chosen_row, self.entries):
            part.setVisible(bool(found))
        self._load_entries()

    def _load_entries(self) -> None:
        playlist_id = self.current_id()
        for chosen in self.choice_buttons:
            chosen.setEnabled(playlist_id is not None)
        if playlist_id is None:
            self._show_entries([])
            return
        self._job(lambda db: playlist_tracks(db, playlist_id), self._show_entries)

    def _show_entries(self, tracks: list[Track], select: list[int] | None = None) -> None:
        self.tracks = tracks
        self.entries.clear()
        for track in tracks:
            self.entries.addItem(QListWidgetItem(entry_text(track)))
        for row in select or []:
            self.entries.item(row).setSelected(True)
        self.play_button.setEnabled(any(not t.missing for t in tracks))
        self.changed.emit()

    # commands ---------------------------------------------------------------------------------
    def save_queue(self, name: str) -> None:
        """The playing track and the listener's queue, as a new playlist called ``name``."""
        current = self.ctx.playback.current
        ids = [int(t.id or 0) for t in ([current] if current else []) + self.ctx.queue.user]
        self._job(lambda db: create_playlist(db, name, ids), lambda new: self.reload(new))

    def add_tracks(self, name: str, tracks: list[Track]) -> None:
        """Append ``tracks`` to the playlist ``name``, making it when there is none."""
        ids = [int(t.id or 0) for t in tracks]

        def add(db: Database) -> int:
            existing = playlist_by_name(db, name)
            if existing is None:
                return create_playlist(db, name, ids)
            add_to_playlist(db, existing.id, ids)
            return existing.id

        self._job(add, lambda playlist_id: self.reload(playlist_id))

    def play(self) -> None:
        present = [t for t in self.tracks if not t.missing]
        if present:
            self.ctx.playback.play_track(present[0], then=present[1:])

    def rename(self, name: str) -> None:
        playlist_id = self.current_id()
        if playlist_id is not None:
            self._job(lambda db: rename_playlist(db, playlist_id, name))

    def delete(self) -> None:
        playlist_id = self.current_id()
        if playlist_id is not None:
            self._job(lambda db: delete_playlist(db, playlist_id), lambda _: self.reload(-1))

    def move_selected(self, step: int) -> None:
        """Move the selected entries one place up (-1) or down (+1)."""
        playlist_id = self.current_id()
        rows = sorted(i.row() for i in self.entries.selectedIndexes())
        if playlist_id is None or not rows:
            return
        to = rows[0] - 1 if step < 0 else rows[-1] + 2
        if to < 0 or to > len(self.tracks):
            return

        def move(db: Database) -> tuple[list[Track], list[int]]:
            moved = move_entries(db, playlist_id, rows, to)
            return playlist_tracks(db, playlist_id), moved

        self._job(move, lambda result: self._show_entries(*result))

    def remove_selected(self) -> None:
        playlist_id = self.current_id()
        rows = [i.row() for i in self.entries.selectedIndexes()]
        if playlist_id is not None and rows:
            self._job(lambda db: remove_entries(db, playlist_id, rows))

    def import_file(self, path: Path) -> None:
        self._job(lambda db: import_m3u(db, path), self._imported)

    def export_file(self, path: Path, *, relative: bool = True) -> None:
        playlist_id = self.current_id()
        if playlist_id is not None:
            self._job(
                lambda db: export_playlist(db, playlist_id, path, relative=relative),
                lambda count: self.ctx.show_message(f"Saved {count} tracks to {path.name}"),
            )

    def _imported(self, report: ImportReport) -> None:
        self.reload(report.playlist_id)
        message = f"Imported {report.added} tracks as “{report.name}”"
        if report.not_found:
            lines = "\n".join(f"line {e.line}: {e.location}" for e in report.not_found[:10])
            more = len(report.not_found) - 10
            QMessageBox.information(
                self.ctx.dialog_parent,
                "Some entries are not in your library",
                f"{message}. {len(report.not_found)} entries are not tracks of your library "
                f"and were left out:\n\n{lines}" + (f"\n… and {more} more" if more > 0 else ""),
            )
        self.ctx.show_message(message)

    # dialogs (the buttons) -------------------------------------------------------------------
    def ask_save_queue(self) -> None:
        name, ok = QInputDialog.getText(self, "Save queue", "Playlist name:")
        if ok:
            self.save_queue(name)

    def ask_rename(self) -> None:
        item = self.lists.currentItem()
        if item is None:
            return
        old = next((p.name for p in self.playlists if p.id == self.current_id()), "")
        name, ok = QInputDialog.getText(self, "Rename playlist", "New name:", text=old)
        if ok:
            self.rename(name)

    def ask_delete(self) -> None:
        item = self.lists.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(
            self, "Delete playlist", f"Delete the playlist {item.text()}? The music stays."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete()

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a playlist", "", "Playlists (*.m3u *.m3u8);;All files (*)"
        )
        if path:
            self.import_file(Path(path))

    def ask_export(self) -> None:
        if self.current_id() is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the playlist", "", "Playlists (*.m3u8 *.m3u)"
        )
        if path:
            self.export_file(Path(path))

    def eventFilter(self, watched, event) -> bool:
        if watched is not self.entries or event.type() not in (
            event.Type.KeyPress,
            event.Type.ShortcutOverride,
        ):
            return False
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        move = alt and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        remove = event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        if event.type() == event.Type.ShortcutOverride:
            if move or remove:  # these keys are this list's while it has focus (not the queue's)
                event.accept()
                return True
            return False
        if move:
            self.move_selected(-1 if event.key() == Qt.Key.Key_Up else 1)
        elif remove:
            self.remove_selected()
        return move or remove

    # work -------------------------------------------------------------------------------------
    def _job(self, work: Callable[[Database], Any], done: Callable[[Any], None] | None = None):
        open_db = self.ctx.services.open_db

        def run() -> Any:
            db = open_db()
            try:
                return work(db)
            finally:
                db.close()

        self.ctx.run_job(run, done or (lambda _: self.reload()), self._failed)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ContinuoError):
            QMessageBox.warning(self.ctx.dialog_parent, error.short, error.detail)
        else:
            self.ctx.show_message(f"Playlist change failed: {error}", 10000)
        self.reload()
