""" "Up next" in the window: the recommender keeps N suggestions ahead of the listener's queue.

:class:`UpNext` asks the :class:`~player.recommend.up_next.Recommender` for a new set whenever
a track starts, the listener's queue changes, feedback is given or a setting changes. Each ask
runs on a JobRunner of its own (one thread: a library scan on the window's runner never delays
it, and the recommender's events stay in order); asks that arrive while one runs are folded
into one more. The previous set stays in the queue until the new one arrives. The recommender's
events (started, ended, removed, feedback) are SQLite writes, so they run on that thread too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QStyleOptionViewItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from player.audio.backend import EndReason, Playable
from player.domain.plays import (
    CONTENT,
    CURRENT_WORK,
    MODEL,
    OTHER_RECORDINGS,
    POPULAR,
    SESSIONS,
    ended_how,
)
from player.library.presence import on_disk
from player.playlog import token_of
from player.recommend.settings import DEFAULT_COUNT
from player.store.tracks import Track
from player.ui.features.up_next import feedback, settings_dialog
from player.ui.features.up_next.library_order import LibraryOrder, library_order
from player.ui.features.up_next.status import status_line
from player.ui.jobs import JobRunner
from player.ui.plain import tip
from player.ui.shell.context import FeatureContext
from player.ui.shell.queue_model import UP_NEXT, AnyIndex
from player.ui.shell.text_cells import CellOf, TextCells
from player.ui.style import named

if TYPE_CHECKING:
    from player.recommend.up_next import Recommender, Status, Suggestion

CLOSE_WAIT_MS = 5000  # a suggest() is milliseconds; a library reload may take seconds
SESSION_LENGTH = 40  # tracks of this run handed to the recommender as the session
MODES = [
    ("For you", "for_you"),
    ("Discover", "discover"),
    ("Popular", "popular"),
    ("Other recordings", "other_recordings"),
]
BUDGETS = [("No limit", 0.0)] + [(f"{m} min", float(m)) for m in (20, 30, 40, 60, 90)]
"""The Up next bar's time budgets: whole works that end within the time left."""
HEADERS = {
    MODEL: "From your listening model",
    CONTENT: "Similar in sound",
    SESSIONS: "From your own sessions",
    POPULAR: "Popular in your history",
    CURRENT_WORK: "Continuing the work",
    OTHER_RECORDINGS: "Other recordings of this work",
}


class SuggestionDelegate(TextCells):
    """Draws the first row of a suggestion with its work, its recording and its "Why this?"
    under the track; every other cell as the queue's painter does.

    The Up next list changes with every track started (and every one skipped: a run of
    suggestions whose files are gone fails one by one, a change of the list each), and the
    view then asks each row's size and draws it again: a row's size without its extra lines is
    measured once (a track's row, a section's row), only the first column's size holds the
    extra lines (the row is as tall as its tallest cell), a suggestion's lines are made once
    per track and reason (a track read again makes them anew), found through
    ``suggestion_of`` in one call (the model's roles asked per row cost 1.5-3.6 ms of the GUI
    thread's time at each change of a 40-row list, at 100,000 tracks), the smaller types
    made once, and each line laid out once (until the view's font or style changes)."""

    def __init__(
        self,
        view: QAbstractItemView,
        cell_of: CellOf,
        suggestion_of: Callable[[AnyIndex], tuple[Track, str] | None],
    ) -> None:
        super().__init__(view, cell_of)
        self._suggestion_of = suggestion_of
        self._sizes: dict[bool, QSize] = {}  # measured: a track's row (True), a section's
        self._fine: tuple[QFont, QFont, int, int] | None = None
        self._lines: dict[int, tuple[Track, str, list[str]]] = {}  # by the track object

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._sizes.clear()
            self._fine = None
        return super().eventFilter(watched, event)

    def _extra(self, index: AnyIndex) -> list[str]:
        """The muted lines under the track: its work (unless the title says it) with the
        recording (performers, year), and the reason."""
        found = self._suggestion_of(index)
        if found is None:
            return []
        track, note = found
        kept = self._lines.get(id(track))  # the entry holds the track: its id is not reused
        if kept is not None and kept[0] is track and kept[1] == note:
            return kept[2]
        if len(self._lines) >= 512:  # a few lists' worth; the list on screen comes back
            self._lines.clear()
        work = track.work_title if track.work else ""
        if work == track.display_title:
            work = ""
        line = " · ".join(x for x in (work, track.recording_label) if x)
        lines = [*([line] if line else []), f"{note[:1].upper()}{note[1:]}"]
        self._lines[id(track)] = (track, note, lines)
        return lines

    def _types(self) -> tuple[QFont, QFont, int, int]:
        """The extra lines' type (nine tenths of the row's), its italic (the reason), and
        the heights of a row's line and of an extra line."""
        if self._fine is None:
            font = self.view_font()
            small = QFont(font)
            small.setPointSizeF(font.pointSizeF() * 0.9)
            italic = QFont(small)
            italic.setItalic(True)
            line = QFontMetrics(font).height() + 2
            self._fine = (small, italic, line, QFontMetrics(small).height() + 1)
        return self._fine

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        track_row = index.parent().isValid()
        measured = self._sizes.get(track_row)
        if measured is None:
            measured = self._sizes[track_row] = super().sizeHint(option, index)
        size = QSize(measured)
        extra = len(self._extra(index)) if index.column() == 0 else 0
        if extra:
            size.setHeight(size.height() + extra * self._types()[3] + 3)
        return size

    def paint(self, painter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        extra = self._extra(index) if index.column() == 0 else []
        cell = self._cell_of(index) if extra else None
        if cell is None:
            super().paint(painter, option, index)
            return
        state = option.state.value  # type: ignore[attr-defined]
        self.fill(painter, state, option.rect)  # type: ignore[attr-defined]
        small, italic, first, fine = self._types()
        line = option.rect.adjusted(6, 4, -4, -3)  # type: ignore[attr-defined]
        line.setHeight(first)
        self.draw_line(painter, cell.text, self.view_font(), "ink", line)
        for number, text in enumerate(extra, 1):
            line.translate(0, line.height())
            line.setHeight(fine)
            last = number == len(extra)  # the reason, set apart from the work
            self.draw_line(painter, text, italic if last else small, "muted", line)


class UpNextBar(QWidget):
    """Above the queue: mode, how many or how long, "Whole works", "Why this?" and Clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = named(QComboBox(), "upNextMode")
        for label, mode in MODES:
            self.mode.addItem(label, mode)
        self.mode.setToolTip("What fills Up next")
        self.keep_works = QCheckBox("Whole works")
        self.keep_works.setToolTip("When a movement is suggested, the rest of its work follows")
        self.count = QSpinBox()
        self.count.setRange(1, 20)
        self.count.setSuffix(" ahead")
        self.count.setToolTip("How many works or pieces Up next keeps ahead of your queue")
        self.budget = named(QComboBox(), "upNextBudget")
        for label, minutes in BUDGETS:
            self.budget.addItem(label, minutes)
        self.budget.setToolTip(
            "Time left: fill it with whole works that end in time (instead of a number ahead)"
        )
        self.why = QToolButton()
        self.why.setText("Why this?")
        self.why.setToolTip("Explain the selected suggestion")
        self.clear = QToolButton()
        self.clear.setText("Clear")
        self.clear.setToolTip("Drop these suggestions and suggest others")
        # the bar keeps room for its controls (the library pane gives way on a narrow window)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # what fills Up next in one row, how it behaves below: narrower than the side panel's
        # tabs, so at 1.5x the library keeps the room (and 1280 x 720 fits: tests/ui/fit.py)
        top, below = QHBoxLayout(), QHBoxLayout()
        top.setSpacing(4)
        for widget in (self.mode, self.count, self.budget):
            top.addWidget(widget)
        top.addStretch(1)
        below.addWidget(self.keep_works)
        below.addStretch(1)
        below.addWidget(self.why)
        below.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(below)


class UpNext(QObject):
    """Keeps the queue's Up next section filled by the recommender (GUI thread)."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.queue, self.controller = ctx.queue, ctx.playback
        self.jobs = JobRunner(self, max_threads=1)
        # loading on a thread of its own: an ask while the library is indexed again after a
        # scan answers from the index it replaces instead of waiting (Recommender._state)
        self.loads = JobRunner(self, max_threads=1)
        settings = ctx.settings
        self.bar = UpNextBar()
        mode = str(settings.value("up_next/mode", "for_you"))
        self.bar.mode.setCurrentIndex(max(0, self.bar.mode.findData(mode)))
        self.bar.count.setValue(int(str(settings.value("up_next/count", DEFAULT_COUNT))))
        self.bar.keep_works.setChecked(str(settings.value("up_next/keep_works", "true")) == "true")
        budget = float(str(settings.value("up_next/minutes", 0.0)))
        self.bar.budget.setCurrentIndex(max(0, self.bar.budget.findData(budget)))
        self.bar.count.setEnabled(not self.minutes)
        self.status: Status | None = None
        self._busy = self._again = False
        self._user_ids: list[int] = []
        self._shown: set[int] = set()  # track ids of the set on screen (logged once each)
        self._groups: dict[int, int] = {}  # track id -> work group of the set on screen
        self._notes: dict[int, str] = {}
        self._track_started_at: float | None = None
        self.settings_dialog: QDialog | None = None  # Up next → Settings…, once opened
        self._destination: Track | None = None  # "From here to …" until it begins
        self._path_shown = False
        self._changed_paths: frozenset[str] | None = None  # a scan's, until library_changed
        self.ready_after_start_s: list[float] = []  # track start -> its set on screen (GUI)

        # the library, the history and the model load off the GUI thread once the library is
        # on screen (not competing with it): the first set after the first track then only ranks
        ctx.after_library_shown(self._load)
        # at close, let a running ask and load finish before the profile closes
        ctx.closing.connect(lambda: (self.jobs.wait(CLOSE_WAIT_MS), self.loads.wait(CLOSE_WAIT_MS)))
        ctx.track_started.connect(self._started)
        ctx.track_ended.connect(self._ended)
        self.queue.changed.connect(self._queue_changed)
        self.queue.suggestions_removed.connect(self._removed)
        ctx.tracks_changed.connect(self._tracks_changed)
        ctx.library_changed.connect(self.library_changed)
        ctx.features_changed.connect(self.features_changed)
        ctx.profile_changed.connect(self.refresh)  # a new model: ask again for its picks
        ctx.history_changed.connect(self.history_changed)
        self.bar.mode.currentIndexChanged.connect(lambda _: self._setting_changed())
        self.bar.count.valueChanged.connect(lambda _: self._setting_changed())
        self.bar.keep_works.toggled.connect(lambda _: self._setting_changed())
        self.bar.budget.currentIndexChanged.connect(lambda _: self._setting_changed())
        self.bar.clear.clicked.connect(self.clear)
        self.bar.why.clicked.connect(self.explain_selected)

        panel = ctx.queue_panel
        cast(QVBoxLayout, panel.layout()).insertWidget(0, self.bar)
        panel.view.setUniformRowHeights(False)
        panel.view.setItemDelegate(
            SuggestionDelegate(panel.view, panel.model.cell, panel.model.suggestion)
        )
        panel.menu_hooks.append(self._menu)
        ctx.add_track_action("Up next: from here to this work", self.path_to)
        bindings: list[tuple[str, Callable[[], object]]] = [
            ("Alt+Up", lambda: self.move_selected(-1)),
            ("Alt+Down", lambda: self.move_selected(+1)),
            ("Ctrl+P", self.pin_selected),
        ]
        for key, slot in bindings:
            QShortcut(QKeySequence(key), panel.view, slot, Qt.ShortcutContext.WidgetShortcut)

    # settings -------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return str(self.bar.mode.currentData())

    @property
    def count(self) -> int:
        return self.bar.count.value()

    @property
    def keep_works(self) -> bool:
        return self.bar.keep_works.isChecked()

    @property
    def minutes(self) -> float | None:
        """The time left to fill, or None for "No time limit" (then ``count`` units)."""
        return float(self.bar.budget.currentData()) or None

    def set_mode(self, mode: str) -> None:
        """Switch the mode (the context menu's "Other recordings of this work")."""
        self.bar.mode.setCurrentIndex(max(0, self.bar.mode.findData(mode)))

    def _setting_changed(self) -> None:
        self._end_path()
        settings = self.ctx.settings
        settings.setValue("up_next/mode", self.mode)
        settings.setValue("up_next/count", self.count)
        settings.setValue("up_next/keep_works", "true" if self.keep_works else "false")
        settings.setValue("up_next/minutes", self.minutes or 0.0)
        self.bar.count.setEnabled(not self.minutes)
        self.refresh()

    # asking the recommender -----------------------------------------------------------------
    @property
    def rec(self) -> Recommender:
        """The window's Recommender, made on first use (after the library is on screen)."""
        rec = self.ctx.services.recommender
        assert rec is not None  # installed only with one (install)
        return rec

    def path_to(self, tracks: Sequence[Track]) -> None:
        """ "From here to …": Up next becomes a path through sound to this recording; it stays
        until the destination begins (or the listener changes the mode or clears it)."""
        if tracks:
            self._destination, self._path_shown = tracks[0], False
            self.refresh()

    def _end_path(self) -> None:
        self._destination, self._path_shown = None, False

    def refresh(self) -> None:
        """Ask for a new set (off the GUI thread); the one on screen stays until it arrives."""
        if not self.controller.played:
            return
        current, destination = self.controller.current, self._destination
        if destination is not None and current is not None:
            if current.recording_key == destination.recording_key:
                self._end_path()  # arrived: Up next goes on as before
            elif self._path_shown and self.queue.up_next:
                return  # on the way: the path plays out as shown
        if self._busy:
            self._again = True
            return
        self._busy = True
        rec, mode, count, keep, minutes = (
            self.rec,
            self.mode,
            self.count,
            self.keep_works,
            self.minutes,
        )
        started_at, self._track_started_at = self._track_started_at, None
        session = [int(t.id or 0) for t in self.controller.played[-SESSION_LENGTH:]]
        queued = [int(t.id or 0) for t in self.queue.user]
        shown = set(self._shown)
        goal = int(self._destination.id or 0) if self._destination is not None else None
        open_db = self.ctx.services.open_db

        def ask() -> tuple[list[Suggestion], Status, float | None, int]:
            if goal is not None:
                found = rec.path_to([*session, *queued], goal, expand_works=keep)
            else:
                found = rec.suggest(
                    session, queued, n=count, mode=mode, expand_works=keep, minutes=minutes
                )
            there = on_disk(open_db, [s.track_id for s in found])
            absent = sum(s.track_id not in there for s in found)
            found = [s for s in found if s.track_id in there]
            new = [s for s in found if s.track_id not in shown]
            if new:
                rec.shown(new, mode)
            return found, rec.status(), started_at, absent

        self.jobs.run(ask, self._arrived, self._failed)

    def _arrived(self, result: tuple[list[Suggestion], Status, float | None, int]) -> None:
        """A new set: the suggestions whose files are on disk (``absent`` were not)."""
        suggestions, status, started_at, absent = result
        self._done()
        current = self.controller.current
        skip = {int(t.id or 0) for t in self.queue.user}
        if current is not None:
            skip.add(int(current.id or 0))
        tracks: list[Track] = []
        notes: dict[int, str] = {}
        groups: dict[int, int] = {}
        self.controller.prefetch([s.track_id for s in suggestions])  # one read, not one each
        for s in suggestions:
            track = self.controller.track(s.track_id)
            if track is None or s.track_id in skip or track.missing:
                continue
            if s.work_group not in groups.values():
                notes[s.track_id] = s.reason
            groups[s.track_id] = s.work_group
            tracks.append(track)
        self._shown, self._groups, self._notes = set(groups), groups, notes
        self.status = status
        if self._destination is not None:
            destination = self._destination
            self._path_shown = bool(tracks)
            header = f"From here to {destination.composer}: {destination.work or destination.title}"
            self.queue.set_up_next(tracks, source=header, started_by="suggestion", notes=notes)
        elif not tracks and absent:  # a drive not mounted: its neighbours would fail as well
            self.queue.set_up_next([], source="", started_by="suggestion")
            self.ctx.show_message(
                "Up next is empty: none of the tracks it would suggest is on disk "
                "(is their drive mounted?)"
            )
        elif not tracks and self.mode == "other_recordings":
            self.queue.set_up_next([], source="", started_by="suggestion")
            self.ctx.show_message("No other recording of this work in your library")
        elif not tracks and current is not None:  # the session holds every work: walk the library
            tracks, _, _ = library_order(current, self.controller.library_tracks)
            tracks = [t for t in tracks if int(t.id or 0) not in skip][: self.count]
            header = "From your library" if tracks else ""
            self.queue.set_up_next(tracks, source=header, started_by="queue")
        else:
            header = HEADERS.get(status.source, "From your library")
            self.queue.set_up_next(tracks, source=header, started_by="suggestion", notes=notes)
        text, detail = status_line(status)
        self.ctx.show_status("model", text, f"{text}\n{detail}".strip())
        if started_at is not None:
            self.ready_after_start_s.append(time.monotonic() - started_at)

    def _failed(self, error: Exception) -> None:
        """A bug, not a refused model (that falls back inside): the set on screen stays."""
        self._done()
        short = getattr(error, "short", None) or str(error).splitlines()[0]
        self.ctx.show_status("model", f"Up next could not be refreshed: {short}", str(error))

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()

    # events ---------------------------------------------------------------------------------
    def _in_background(self, fn: Callable[[], object]) -> None:
        self.jobs.run(fn, None, lambda e: None)

    def _started(self, item: Playable) -> None:
        token = token_of(item)
        if token is not None:
            rec, track_id, started_by = self.rec, token.track_id, token.started_by
            self._in_background(lambda: rec.track_started(track_id, started_by))
        if self.controller.current is not None and not self.queue.up_next:
            # the set ran out: its header goes until the recommender's next set arrives
            self.queue.set_up_next([], source="", started_by="suggestion")
        self._user_ids = [int(t.id or 0) for t in self.queue.user]
        self._track_started_at = time.monotonic()
        self.refresh()

    def _ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        token = token_of(item)
        if token is not None:
            rec, track_id, how = self.rec, token.track_id, ended_how(reason)
            self._in_background(lambda: rec.track_ended(track_id, ms_heard, how))

    def _queue_changed(self) -> None:
        user = [int(t.id or 0) for t in self.queue.user]
        if user != self._user_ids:  # the listener's own queue changed, not Up next
            self._user_ids = user
            self.refresh()

    def _removed(self, tracks: list[Track]) -> None:
        rec, ids = self.rec, [int(t.id or 0) for t in tracks]
        self._in_background(lambda: _each(rec.removed, ids))
        self.refresh()

    def give_feedback(self, tracks: Sequence[Track], kind: str) -> None:
        """ "More like this" / "Less like this" / "Never suggest": stored, then a new set."""
        rec, ids = self.rec, [int(t.id or 0) for t in tracks]
        self._in_background(lambda: _each(lambda i: rec.give_feedback(i, kind), ids))
        self.refresh()

    def _tracks_changed(self, paths: frozenset[str] | None) -> None:
        self._changed_paths = paths  # for the library_changed that follows at once

    def library_changed(self) -> None:
        """A scan changed tracks: the index is patched at the files it names, when it named
        them (``tracks_changed`` just before), else made again."""
        paths, self._changed_paths = self._changed_paths, None
        self.rec.library_changed(paths)
        self._reload()

    def features_changed(self) -> None:
        """The analysis stored new content, keys and tunings: a new set may sound closer."""
        self.rec.features_changed()
        self._reload()

    def _reload(self) -> None:
        """The changed part loads now, on its own thread (a scan at start-up that found a
        changed file must not make the first set after the next track wait for the library to
        be indexed again); a new set is asked for when something plays."""
        self._load()
        self.refresh()

    def _load(self) -> None:
        # made (its module imported) on the worker too: the GUI thread keeps drawing the library
        self.loads.run(lambda: self.rec.prepare(), None, lambda e: None)

    def settings_changed(self) -> None:
        """The listener's rules changed (Up next → Settings…): a new set follows them."""
        self.rec.settings_changed()
        self.refresh()

    def history_changed(self) -> None:
        """Plays were imported: sessions, no-repeat and popularity change."""
        self.rec.history_changed()
        self._reload()

    # the listener's edits -------------------------------------------------------------------
    def _selected_rows(self) -> list[int]:
        """Selected Up next rows, widened to whole works when "Whole works" is on."""
        indexes = self.ctx.queue_panel.view.selectionModel().selectedRows()
        rows = {i.row() for i in indexes if i.parent().isValid() and i.parent().row() == UP_NEXT}
        if not rows or not self.keep_works:
            return sorted(rows)
        tracks = self.queue.up_next
        picked = {self._groups.get(int(tracks[r].id or 0)) for r in rows}
        return [r for r, t in enumerate(tracks) if self._groups.get(int(t.id or 0)) in picked]

    def pin_selected(self) -> None:
        """Move the selected suggestions into the listener's queue, where they stay."""
        rows = self._selected_rows()
        if rows:
            self.queue.add(self.queue.take_up_next(rows))

    def move_selected(self, delta: int) -> None:
        """Move the selected suggestions past the neighbouring unit (up: -1, down: +1)."""
        rows = self._selected_rows()
        tracks = self.queue.up_next
        if not rows:
            return

        def group(row: int) -> int:
            return self._groups.get(int(tracks[row].id or 0), -1 - row)

        if delta < 0 and rows[0] > 0:
            beside = group(rows[0] - 1)
            step = -sum(1 for r in range(rows[0]) if group(r) == beside)
        elif delta > 0 and rows[-1] < len(tracks) - 1:
            beside = group(rows[-1] + 1)
            step = sum(1 for r in range(rows[-1] + 1, len(tracks)) if group(r) == beside)
        else:
            return
        self.queue.move_up_next(rows, step)
        parent = self.queue.index(UP_NEXT, 0)
        selection = self.ctx.queue_panel.view.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(rows[0] + step, rows[0] + step + len(rows)):
            selection.select(self.queue.index(row, 0, parent), flags)

    def remove_selected(self) -> None:
        rows = self._selected_rows()
        if rows:
            parent = self.queue.index(UP_NEXT, 0)
            self.queue.remove_rows([self.queue.index(r, 0, parent) for r in rows])

    def clear(self) -> None:
        """Drop every suggestion on screen (they stay away for a while) and ask for others."""
        self._end_path()
        parent = self.queue.index(UP_NEXT, 0)
        rows = range(len(self.queue.up_next))
        self.queue.remove_rows([self.queue.index(r, 0, parent) for r in rows])

    def explain_selected(self) -> None:
        rows = self._selected_rows() or [0]
        tracks = self.queue.up_next
        if not tracks:
            text = "Up next fills once something plays."
        else:
            group = self._groups.get(int(tracks[rows[0]].id or 0))
            first = next(t for t in tracks if self._groups.get(int(t.id or 0)) == group)
            note = self._notes.get(int(first.id or 0), "")
            work = first.work_title if first.work else first.display_title
            recording = f" ({first.recording_label})" if first.recording_label else ""
            text = f"{first.composer_name}: {work}{recording}\n" + (
                f"Why this? {note[:1].upper()}{note[1:]}." if note else ""
            )
        button = self.bar.why
        QToolTip.showText(button.mapToGlobal(button.rect().bottomLeft()), tip(text), button)

    def _menu(self, menu: QMenu, indexes: list[QModelIndex]) -> None:
        if not any(i.parent().isValid() and i.parent().row() == UP_NEXT for i in indexes):
            return
        menu.addAction("Why this?", self.explain_selected)
        menu.addAction("Other recordings of this work", lambda: self.set_mode("other_recordings"))
        menu.addAction("Pin to my queue\tCtrl+P", self.pin_selected)
        menu.addAction("Move up\tAlt+Up", lambda: self.move_selected(-1))
        menu.addAction("Move down\tAlt+Down", lambda: self.move_selected(+1))
        menu.addAction("Remove suggestion\tDel", self.remove_selected)
        menu.addAction("Clear Up next", self.clear)


def _each(fn: Callable[[int], None], ids: list[int]) -> None:
    for track_id in ids:
        fn(track_id)


def install(ctx: FeatureContext) -> UpNext | None:
    """Up next from the profile's recommender, with feedback actions; none: library order."""
    if ctx.services.make_recommender is None:
        LibraryOrder(ctx)
        return None
    up_next = UpNext(ctx)
    feedback.install(ctx, up_next)
    settings_dialog.install(ctx, up_next)
    return up_next
