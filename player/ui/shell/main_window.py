"""The main window, a shell: library on the left, queue/history/problems on the right, transport below.

It receives every service from the composition root (:mod:`player.app`) and reaches for no
globals. Disk work (loading the library, scanning, reading the history) runs through
:class:`~player.ui.jobs.JobRunner`; results arrive on the GUI thread. Features (Up next,
Similar, analysis, …) are installed by the composition root through :attr:`MainWindow.context`
(a :class:`~player.ui.shell.context.FeatureContext`); the shell knows none of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import cast

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from player.analysis.version import ANALYSIS_VERSION
from player.domain.keys import pitch_label, recording_pitch
from player.fspath import file_on_disk
from player.library.browse import FirstRead, Overview, read_library
from player.library.grouping import play_order
from player.library.track_rows import LibraryTracks
from player.services import Services
from player.store.library_view import recording_pitch as stored_recording_pitch
from player.store.library_view import tracks_at_paths
from player.store.plays import recent_sessions
from player.store.tracks import (
    add_library_root,
    library_roots,
    problems,
    record_problem,
    tracks_by_ids,
)
from player.ui.elided import ElidedLabel
from player.ui.jobs import CancelToken, JobRunner, LatestJob
from player.ui.plain import plain, tip
from player.ui.shell.context import MENU_END, FeatureContext
from player.ui.shell.controller import BackendBridge, PlaybackController
from player.ui.shell.library_models import composer_rows, track_line
from player.ui.shell.library_panel import LibraryPanel
from player.ui.shell.next_paint import after_next_paint
from player.ui.shell.panels import UNPLAYABLE, HistoryPanel, ProblemsPanel, QueuePanel
from player.ui.shell.queue_model import QueueModel
from player.ui.shell.screen_fit import geometry_worth_saving, restore_geometry
from player.ui.shell.steady_tabs import SteadyTabs
from player.ui.shell.transport import TransportBar
from player.ui.style import named

PROGRESS_EVERY_S = 0.1
HISTORY_PLAYS = 2000
"""The History tab shows the newest sessions up to this many plays (`continuo history`: all)."""
LibraryRead = Callable[[], tuple[Overview, list[tuple[str, str]]]]
"""Gives the library's overview and problems list (a worker thread calls it)."""
PROBLEM_COUNT_EVERY_MS = 500
"""The Problems tab's count changes at most this often (:meth:`MainWindow._show_problem_count`)."""


class StatusSlots:
    """The status bar's named places: scan, analysis, model (later issues) and output.

    ``show("analysis", "Analysing 12 of 340…")`` fills a slot; an empty text hides it.
    """

    def __init__(self, window: QMainWindow) -> None:
        bar = window.statusBar()
        self.scan = ElidedLabel("scanStatus")
        self.scan_progress = named(QProgressBar(), "scanProgress")
        self.scan_progress.setFixedWidth(120)
        self.scan_progress.setTextVisible(False)
        self.scan_progress.hide()
        self.analysis = ElidedLabel("analysisStatus")  # the analysis feature's progress
        self.model = ElidedLabel("modelStatus")  # who fills Up next (the Up next feature)
        self.output = plain(named(QLabel(), "outputStatus"))  # quotes a device name
        self.fault = named(QLabel(), "faultStatus")  # Services.faults: met by any thread
        self.fault.setTextFormat(Qt.TextFormat.PlainText)
        self.fault.setWordWrap(True)
        self.fault.hide()
        bar.addWidget(self.scan)
        bar.addWidget(self.fault, 1)
        bar.addWidget(self.scan_progress)
        for label in (self.analysis, self.model):
            label.hide()
            bar.addPermanentWidget(label)
        bar.addPermanentWidget(self.output)

    def show(self, slot: str, text: str, tooltip: str = "") -> None:
        label = getattr(self, slot)
        if isinstance(label, ElidedLabel):
            label.set_full_text(text, tooltip)
        else:
            label.setText(text)
            label.setToolTip(tip(tooltip))
        label.setVisible(bool(text))


class MainWindow(QMainWindow):
    library_loaded = Signal(int)  # number of tracks shown
    scan_finished = Signal(object)  # ScanProgress
    _scan_progress = Signal(object)  # from the scan thread, queued to the GUI thread
    _fault = Signal(str)  # from any thread (Services.faults), queued to the GUI thread

    def __init__(
        self,
        services: Services,
        *,
        play_on_load: bool = False,
        play_paths: Sequence[Path] = (),
        first_library: Future[FirstRead] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle("Continuo")
        self.settings = QSettings(
            str(services.profile.root / "window.ini"), QSettings.Format.IniFormat
        )
        self.jobs = JobRunner(self)
        self._history_reads = LatestJob(self, self.jobs)  # plays ending in a burst: one read
        self.bridge = BackendBridge(self)
        services.listeners.append(self.bridge)
        self.queue = QueueModel(self)
        self.controller = PlaybackController(services.backend, self.bridge, self.queue)
        self._play_on_load = play_on_load
        self._play_paths = list(play_paths)  # played once a scan has added them
        self._scanned = False
        self._scan_cancel: CancelToken | None = None
        self._closing = CancelToken()  # stops the background work that outlives no window
        self._first_library = first_library  # the start's library read, begun before the window
        self._first_shown = False  # its first screen went on screen with the window's first paint
        self._last_progress = 0.0

        self.library = LibraryPanel(services.open_db, priority=services.priority)
        self.library.setObjectName("libraryPane")
        self.queue_panel = QueuePanel(self.queue)
        self.history = HistoryPanel()
        self.problems = ProblemsPanel()
        self.side = named(QTabWidget(), "sideTabs")
        self.side.setDocumentMode(True)
        self.side.setUsesScrollButtons(False)  # every tab in sight: the pane is never narrower
        self._steady_side = SteadyTabs(self.side)  # a new count repaints the bar, not the page
        self.side.addTab(self.queue_panel, "Queue")
        self.side.addTab(self.history, "History")
        self.side.addTab(self.problems, "Problems")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self._padded(self.library))
        self.splitter.addWidget(self._padded(self.side))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 520])
        self.transport = TransportBar(self.controller)
        self.banner = plain(named(QLabel(), "backendWarning"))
        self.banner.setContentsMargins(16, 6, 16, 0)
        self.banner.setWordWrap(True)
        central = named(QWidget(), "central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)
        self.status = StatusSlots(self)
        self.features: object = None  # what the composition root installed (the shell never looks)

        self._build_menus()
        self._build_shortcuts()
        self.context = FeatureContext(
            self,
            services,
            settings=self.settings,
            jobs=self.jobs,
            playback=self.controller,
            queue=self.queue,
            library=self.library,
            queue_panel=self.queue_panel,
            problems=self.problems,
            side=self.side,
            status=self.status,
            transport=self.transport,
        )
        self.bridge.started.connect(self.context.track_started)  # after the controller's handler
        self.bridge.ended.connect(self.context.track_ended)
        self.scan_finished.connect(lambda _: self.context.scan_finished.emit())
        self.scan_finished.connect(self._announce_changes)
        self.context.history_changed.connect(self.reload_history)
        self._problem_count = 0
        self._count_paced = QTimer(self, singleShot=True, interval=PROBLEM_COUNT_EVERY_MS)
        self._count_paced.timeout.connect(self._show_problem_tab)
        self.problems.counted.connect(self._show_problem_count)
        self.library.play_requested.connect(self._play_requested)
        self.library.queue_requested.connect(self._queue_requested)
        self.library.message.connect(lambda m: self.statusBar().showMessage(m, 10000))
        self.controller.play_ended.connect(self.reload_history)
        self.controller.now_playing.connect(self._now_playing)
        self.controller.unplayable.connect(self._unplayable)
        self.controller.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self._scan_progress.connect(self._show_scan_progress)
        self._fault.connect(self._show_faults)
        services.faults.subscribe(self._fault.emit)
        self._show_notices()
        self._restore()
        # After the restore: the saved volume put back is not written back (a write makes
        # QSettings save window.ini, two fdatasyncs, ~20 ms, before the first paint).
        self.transport.volume_changed.connect(lambda v: self.settings.setValue("volume", v))

    @staticmethod
    def _padded(widget: QWidget) -> QWidget:
        box = named(QWidget(), "sidePanel")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 12, 14, 6)
        layout.addWidget(widget)
        return box

    # set-up ---------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&Add music folder…", self.add_folder)
        file_menu.addAction("&Rescan library", self.start_scan)
        for closing in (
            file_menu.addSeparator(),
            file_menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            closing.setProperty(MENU_END, True)  # features' File entries go above Quit
        playback = self.menuBar().addMenu("&Playback")
        # the keys are window shortcuts (_build_shortcuts); the menu names them
        playback.addAction("Play / pause\tSpace", self.controller.toggle)
        playback.addAction("Next\tCtrl+Right", self.controller.next)
        playback.addAction("Previous\tCtrl+Left", self.controller.previous)
        playback.addAction("Stop", self.controller.stop)
        self.library_menu = self.menuBar().addMenu("&Library")  # features add to it
        self.output_menu = self.menuBar().addMenu("&Output")
        self.output_menu.aboutToShow.connect(self._fill_output_menu)

    def _build_shortcuts(self) -> None:
        bindings: list[tuple[QKeySequence.StandardKey | Qt.Key | str, Callable[[], object]]] = [
            (Qt.Key.Key_Space, self.controller.toggle),
            (QKeySequence.StandardKey.Find, self.focus_search),
            ("Ctrl+Right", self.controller.next),
            ("Ctrl+Left", self.controller.previous),
            (Qt.Key.Key_MediaPlay, self.controller.toggle),
            (Qt.Key.Key_MediaTogglePlayPause, self.controller.toggle),
            (Qt.Key.Key_MediaPause, self.controller.toggle),
            (Qt.Key.Key_MediaNext, self.controller.next),
            (Qt.Key.Key_MediaPrevious, self.controller.previous),
            (Qt.Key.Key_MediaStop, self.controller.stop),
        ]
        for key, slot in bindings:
            QShortcut(QKeySequence(key), self, slot)

    def _fill_output_menu(self) -> None:
        self.output_menu.clear()
        group = QActionGroup(self.output_menu)
        chosen = self.settings.value("output_device", None)
        choices = [(None, "System default")] + [
            (d.index, d.name) for d in self.services.backend.output_devices()
        ]
        for index, name in choices:
            action = QAction(name, self.output_menu, checkable=True)
            action.setChecked(str(index) == str(chosen) if chosen is not None else index is None)
            action.triggered.connect(lambda _=False, i=index: self.choose_output(i))
            group.addAction(action)
            self.output_menu.addAction(action)

    def choose_output(self, index: int | None) -> None:
        self.services.backend.set_output_device(index)
        self.settings.setValue("output_device", index)
        self._show_output()

    def _show_notices(self) -> None:
        self.banner.setText("\n".join(self.services.notices))
        self.banner.setVisible(bool(self.services.notices))
        self._show_output()

    def _show_faults(self, latest: str) -> None:
        """Every fault still active, else the last word about one that is over."""
        active = self.services.faults.active()
        self.status.show("fault", "\n".join(active) if active else latest)

    def _show_problem_count(self, count: int) -> None:
        """The count on the Problems tab: at once, then at most every
        :data:`PROBLEM_COUNT_EVERY_MS` while it keeps changing (a run of files that fail to
        play adds one each: every new tab text lays the side tabs out and repaints the page
        they show, the queue)."""
        self._problem_count = count
        if not self._count_paced.isActive():
            self._show_problem_tab()

    def _show_problem_tab(self) -> None:
        count = self._problem_count
        tab, text = self.side.indexOf(self.problems), f"Problems ({count})" if count else "Problems"
        if self.side.tabText(tab) != text:
            self._steady_side.set_text(tab, text)
            self._count_paced.start()

    def _show_output(self) -> None:
        self.status.output.setText(f"Output: {self.services.backend.name}")

    def _restore(self) -> None:
        restore_geometry(
            self,
            cast(QByteArray | None, self.settings.value("geometry")),
            str(self.settings.value("geometry_platform", "")),
            QSize(1280, 720),
        )
        splitter = self.settings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.library.tabs.setCurrentIndex(int(str(self.settings.value("library_tab", 0))))
        self.transport.set_volume(float(str(self.settings.value("volume", 0.8))))
        device = self.settings.value("output_device")
        if device not in (None, "", "@Invalid()"):
            self.services.backend.set_output_device(int(str(device)))
            self._show_output()

    def closeEvent(self, event) -> None:
        self.context.closing.emit()
        if geometry_worth_saving(self):
            self.settings.setValue("geometry", self.saveGeometry())
            self.settings.setValue("geometry_platform", QGuiApplication.platformName())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("library_tab", self.library.tabs.currentIndex())
        self.settings.sync()
        if self._scan_cancel is not None:
            self._scan_cancel.cancel()
        self._closing.cancel()
        # The backend outlives the window (the composition root stops it after the event loop,
        # and the play log still records that end): its threads must not reach this window's
        # bridge once Qt may delete it.
        if self.bridge in self.services.listeners:
            self.services.listeners.remove(self.bridge)
        self.library.close_reader()
        super().closeEvent(event)

    # actions --------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.library.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.library.search.selectAll()

    def add_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # made on first use: its types cost the start

        folder = QFileDialog.getExistingDirectory(self, "Add a music folder")
        if folder:
            open_db = self.services.open_db

            def add() -> None:
                db = open_db()
                try:
                    add_library_root(db, folder)
                finally:
                    db.close()

            self.jobs.run(add, lambda _: self.start_scan())

    def activate_from_second_start(self, paths: list[str]) -> None:
        """Another ``continuo [FILE_OR_FOLDER...]`` start on this profile: come to the front,
        add what it was given to the library and play it once scanned (as ``--play`` does)."""
        self.context.raise_window()
        if not paths:
            return
        given = [Path(p) for p in paths]
        open_db = self.services.open_db

        def add() -> None:
            db = open_db()
            try:
                for path in given:
                    add_library_root(db, str(path))
            finally:
                db.close()

        self._play_paths, self._play_on_load, self._scanned = given, True, False
        self.jobs.run(add, lambda _: self.start_scan())

    def _play_requested(self, track, rest) -> None:
        self.controller.play_track(track, then=rest)

    def _queue_requested(self, tracks) -> None:
        self.queue.add(tracks)
        self.side.setCurrentWidget(self.queue_panel)

    def _now_playing(self, track) -> None:
        self.library.set_playing(track)
        title = f"{track.display_title} — {track_line(track)}" if track else ""
        self.setWindowTitle(f"{title} · Continuo" if track else "Continuo")
        self.transport.now_playing.show_pitch("")
        if track is not None and track.recording_key:
            self._show_pitch(track)

    def _show_pitch(self, track) -> None:
        """The playing recording's key and concert pitch under now playing, once read."""
        open_db, key = self.services.open_db, track.recording_key

        def read() -> str:
            db = open_db()
            try:
                facts = stored_recording_pitch(db, key, ANALYSIS_VERSION)
                movements = sorted(tracks_by_ids(db, list(facts)), key=play_order)
            finally:
                db.close()
            return pitch_label(*recording_pitch([facts[int(t.id or 0)] for t in movements]))

        def show(label: str) -> None:
            current = self.controller.current
            if current is not None and current.recording_key == key:
                self.transport.now_playing.show_pitch(label)

        self.jobs.run(read, show, self._job_failed)

    # background work ------------------------------------------------------------------------
    def show_first_screen(self) -> None:
        """Before the window is first shown: when the start's library read (``first_library``)
        is in already and needs no numpy (:attr:`~player.library.browse.FirstRead.plain`), its
        composers and rows go on screen with the first paint; the rest of it (the ids as a
        numpy array, the search texts, the problems) follows after the paint (:meth:`start`).
        Nothing waits for a read not in yet: it is shown when it arrives, after the paint."""
        first = self._first_library
        if first is None or not first.done() or first.exception() is not None:
            return
        read = first.result()
        if read.plain:
            composers = read.overview.composers
            self.library.show_library(composers, composer_rows(composers), read.ids)
            self._first_shown = True

    def start(self) -> None:
        """After the window is shown: show the library the database holds (read since the
        composition root began it: ``first_library``, and maybe on screen since the first
        paint: :meth:`show_first_screen`) and the History tab (a short read); once the library
        is on screen (or could not be read), the rest of the start's work begins: the rescan of
        the folders, the rest of the database's check and the features' own
        (``context.library_shown``), none of it competing with the library for the GIL."""
        first, self._first_library = self._first_library, None
        read = (lambda: first.result().finish()) if first is not None else None
        self.reload_library(then=self._after_library_shown, read=read, shown=self._first_shown)
        self.reload_history()

    def after_library_drawn(self, fn: Callable[[], object]) -> None:
        """Call ``fn`` once the library has been drawn: on the next turn of the event loop when
        its first screen was drawn with the window, else after the library's next paint (or
        0.5 s, if none comes)."""
        if self._first_shown:
            QTimer.singleShot(0, self, fn)
        else:
            after_next_paint(self.library.drawn_in(), fn, at_latest_ms=500)

    def _after_library_shown(self) -> None:
        self.start_scan()
        if self.services.unchecked:
            finish, closing = self.services.finish_check, self._closing
            self.jobs.run(lambda: finish(closing), None, self._job_failed)
        self.context.library_shown.emit()

    def reload_library(
        self,
        then: Callable[[], None] | None = None,
        read: LibraryRead | None = None,
        shown: bool = False,
    ) -> None:
        """Read the library off the GUI thread (or wait there for ``read``'s answer) and show
        it; ``then`` runs after it is shown (or after the read failed). ``shown``: the views
        show it already (:meth:`show_first_screen`) and take only what needed numpy."""
        open_db = self.services.open_db
        read = read or (lambda: read_library(open_db, ANALYSIS_VERSION))

        def load():
            from player.ui.shell.library_tree import make_roots  # numpy, on the worker

            overview, found_problems = read()
            return overview, [] if shown else make_roots(overview), found_problems

        def done(result) -> None:
            self._library_ready(result, shown)
            if then is not None and not self._closing():  # nothing starts once closed
                then()

        def failed(error: Exception) -> None:
            self._job_failed(error)
            if then is not None and not self._closing():
                then()

        self.jobs.run(load, done, failed)

    def _library_ready(self, result, shown: bool) -> None:
        overview, roots, found_problems = result
        if shown:
            self.library.library_ready()
        else:
            self.library.set_library(overview, roots)
        assert self.library.cache is not None
        self.controller.set_library(LibraryTracks(overview.ids, self.library.cache))
        self.problems.set_problems(found_problems)
        if self._play_on_load and self._play_paths:
            if self._scanned:
                self._play_on_load = False
                self._play_given_paths()
        elif self._play_on_load and len(overview.ids):
            self._play_on_load = False
            self.controller.play_library()
        self.library_loaded.emit(len(overview.ids))

    def _play_given_paths(self) -> None:
        """``continuo FILE_OR_FOLDER... --play``: exactly those, in the order given (a folder's
        tracks in library order), found in the store off the GUI thread."""
        open_db, paths = self.services.open_db, [str(p) for p in self._play_paths]

        def find():
            db = open_db()
            try:
                return tracks_at_paths(db, paths)
            finally:
                db.close()

        def play(tracks) -> None:
            if not self.controller.play_tracks(tracks):
                self.statusBar().showMessage("None of the files given could be played", 10000)

        self.jobs.run(find, play, self._job_failed)

    def _unplayable(self, track, message: str) -> None:
        """A file that failed to play joins the Problems list (until the file changes); one
        not on disk does not: its drive may only be unmounted, the message said so, and
        listing it as damaged would send the listener looking in the wrong place."""
        open_db = self.services.open_db

        def record():
            db = open_db()
            try:
                if file_on_disk(track.path):
                    record_problem(db, track.path, UNPLAYABLE, track.size, track.mtime_ns)
                return problems(db)
            finally:
                db.close()

        self.jobs.run(record, self.problems.set_problems, self._job_failed)

    def reload_history(self) -> None:
        open_db = self.services.open_db
        recorder = self.services.recorder

        def load():
            recorder.flush()
            db = open_db()
            try:
                return recent_sessions(db, HISTORY_PLAYS)
            finally:
                db.close()

        self._history_reads.submit(load, lambda r: self.history.set_sessions(*r), self._job_failed)

    def start_scan(self) -> None:
        if self._scan_cancel is not None:
            return
        open_db, scan = self.services.open_db, self.services.scan
        cancel = self._scan_cancel = CancelToken()

        def run():
            db = open_db()
            try:
                roots = library_roots(db)
                if not roots:
                    return None
                return scan(db, roots, on_progress=self._progress_from_thread, should_stop=cancel)
            finally:
                db.close()

        self.status.scan.setText("Scanning your music…")
        self.jobs.run(run, self._scan_done, self._scan_failed)

    def _progress_from_thread(self, progress) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S or progress.done == progress.total:
            self._last_progress = now
            self._scan_progress.emit(progress)

    def _show_scan_progress(self, progress) -> None:
        self.status.scan_progress.show()
        self.status.scan_progress.setRange(0, max(progress.total, 1))
        self.status.scan_progress.setValue(progress.done)
        self.status.scan.setText(f"Scanning {progress.done:,} of {progress.total:,} files")

    def _scan_done(self, progress) -> None:
        self._scan_cancel = None
        self._scanned = True
        self.status.scan_progress.hide()
        if progress is None:
            self.status.scan.setText("No music folders yet")
        else:
            parts = [f"{progress.added} new", f"{progress.updated} changed"]
            if progress.missing:
                parts.append(f"{progress.missing} missing")
            if progress.problems:
                parts.append(f"{progress.problems} problems")
            self.status.scan.setText(f"Library scanned: {', '.join(parts)}")
            self.reload_library()
        self.scan_finished.emit(progress)

    def _announce_changes(self, progress) -> None:
        """``library_changed`` only when the scan added, changed or lost tracks: each listener
        (Up next's index, playlists) re-reads its part of the library then."""
        if progress is not None and (progress.added or progress.updated or progress.missing):
            self.context.tracks_changed.emit(progress.changed_paths)
            self.context.library_changed.emit()

    def _scan_failed(self, error: Exception) -> None:
        self._scan_cancel = None
        self.status.scan_progress.hide()
        self.status.scan.setText(f"Scan failed: {getattr(error, 'short', error)}")
        self.scan_finished.emit(None)
        self.context.library_changed.emit()  # it may have stored part of what it read

    def _job_failed(self, error: Exception) -> None:
        self.statusBar().showMessage(f"{getattr(error, 'short', error)}", 10000)
