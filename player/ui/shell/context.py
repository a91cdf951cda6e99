"""The one thing a UI feature gets from the window: :class:`FeatureContext`.

A feature (``player/ui/features/<name>/``) is a widget plus the logic that drives it, installed
by ``install(ctx)``. It sees only this context: the services it may use, the window's playback
and queue, signals for what happens, and calls that put its menu entries, panels and status
text in the window's places. It never sees the window itself, so features install in any order
and each one can be tested alone on a bare shell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QSize, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QMainWindow, QMenu, QTabWidget, QWidget

from player.services import Services
from player.store.tracks import Track
from player.ui.jobs import JobRunner
from player.ui.shell.controller import PlaybackController
from player.ui.shell.library_panel import LibraryPanel
from player.ui.shell.panels import ProblemsPanel, QueuePanel, TrackMenuEntry
from player.ui.shell.queue_model import QueueModel
from player.ui.shell.transport import TransportBar

if TYPE_CHECKING:
    from player.audio.backend import Playable
    from player.ui.shell.main_window import StatusSlots

MENU_ORDER = ("File", "Playback", "Library", "Output", "Up next", "View", "Help", "Tools")
"""The menu bar's order, whichever feature makes a menu first (others go at the end)."""

TrackAction = Callable[[list[Track]], None]  # gets the right-clicked tracks
MENU_END = "continuoMenuEnd"
"""A property the shell sets on a menu's closing entries (File → Quit); features' entries go
above them."""


def _plain(title: str) -> str:
    return title.replace("&", "")


class FeatureContext(QObject):
    """The window's services, events and places, as a feature may use them (GUI thread only)."""

    track_started = Signal(object)  # Playable; after the playback controller has seen it
    track_ended = Signal(object, object, int)  # Playable, EndReason, ms heard
    library_shown = Signal()  # once, at start: the library is on screen (after_library_shown)
    scan_finished = Signal()  # a scan ended, whether or not it found anything new
    library_changed = Signal()  # a scan added, changed or lost tracks (not after every scan)
    # just before library_changed: the files whose tracks changed (frozenset of paths), or None
    # when not known (ScanProgress.changed_paths)
    tracks_changed = Signal(object)
    features_changed = Signal()  # an analysis run stored new content features
    profile_changed = Signal()  # a new model was installed in the profile
    history_changed = Signal()  # plays came into the log other than by playing (an import)
    closing = Signal()  # the window is closing: stop or wait for background work now
    volume_changed = Signal(float)  # 0.0 … 1.0, moved by the listener or set by a feature
    art_found = Signal(int, object)  # track id, Path | None: its album art (the art feature)

    def __init__(
        self,
        window: QMainWindow,
        services: Services,
        *,
        settings: QSettings,
        jobs: JobRunner,
        playback: PlaybackController,
        queue: QueueModel,
        library: LibraryPanel,
        queue_panel: QueuePanel,
        problems: ProblemsPanel,
        side: QTabWidget,
        status: StatusSlots,
        transport: TransportBar,
    ) -> None:
        super().__init__(window)
        self._window, self._library, self._side, self._status = window, library, side, status
        self._transport = transport
        transport.volume_changed.connect(self.volume_changed)
        self.services = services
        self.settings = settings  # the window's settings file (window.ini in the profile)
        self.jobs = jobs
        self.playback = playback
        self.queue = queue
        self.queue_panel = queue_panel  # Up next decorates the queue's view
        self.problems = problems
        self.started = False  # the library has been on screen (library_shown was emitted)
        self.library_shown.connect(self._note_shown)  # first: set before the others run
        self._playing: Playable | None = None  # started and not ended (catch_up)
        self.track_started.connect(self._note_started)
        self.track_ended.connect(self._note_ended)

    def _note_shown(self) -> None:
        self.started = True

    def _note_started(self, item: Playable) -> None:
        self._playing = item

    def _note_ended(self, item: Playable, *_: object) -> None:
        if item == self._playing:
            self._playing = None

    def catch_up(self) -> None:
        """Features installed after a track started (``continuo`` installs them once the library
        is drawn; ``--play`` starts it as it is shown) hear its start now."""
        if self._playing is not None:
            self.track_started.emit(self._playing)

    def after_library_shown(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` once the library is on screen at start (now, if it already was): a
        feature's background reads and slow set-up wait for it, so they do not compete with
        the library for the GIL or delay the first paint."""
        if self.started:
            fn()
        else:
            self.library_shown.connect(fn)

    @property
    def dialog_parent(self) -> QWidget:
        """The parent for a feature's dialogs and message boxes."""
        return self._window

    # the window ---------------------------------------------------------------------------------
    def volume(self) -> float:
        return self._transport.volume_slider.value() / 100

    def set_volume(self, volume: float) -> None:
        """Move the volume slider (which sets the output's volume and says so)."""
        self._transport.set_volume(volume)

    def raise_window(self) -> None:
        """Bring the window to the front, restoring it when minimised (a second start, MPRIS)."""
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    def close_window(self) -> None:
        self._window.close()

    def set_library_art(self, art_for: Callable[[Track], QIcon | None], size: int) -> None:
        """Pictures on the library's work rows: ``art_for(first movement)`` must answer at once
        (None while unknown); call :meth:`repaint_library` when more became known."""
        self._library.tree_model.art_for = art_for
        self._library.tree.setIconSize(QSize(size, size))

    def repaint_library(self) -> None:
        self._library.tree.viewport().update()

    def set_now_playing_art(self, pixmap: QPixmap | None) -> None:
        """The picture beside the now-playing text (None hides it)."""
        self._transport.now_playing.set_art(pixmap)

    # places -------------------------------------------------------------------------------------
    def menu(self, title: str) -> QMenu:
        """The menu bar's menu called ``title`` (``"&Tools"``), made on first use."""
        bar = self._window.menuBar()
        rank = {name: i for i, name in enumerate(MENU_ORDER)}
        before = None
        for action in bar.actions():
            menu = action.menu()
            if not isinstance(menu, QMenu):
                continue
            if _plain(menu.title()) == _plain(title):
                return menu
            mine = rank.get(_plain(title), len(MENU_ORDER))
            if before is None and rank.get(_plain(menu.title()), len(MENU_ORDER)) > mine:
                before = action
        made = QMenu(title, bar)
        if before is None:
            bar.addMenu(made)
        else:
            bar.insertMenu(before, made)
        return made

    def add_menu_action(
        self, menu: str, text: str, slot: Callable[[], object], shortcut: str = ""
    ) -> QAction:
        """An entry in the menu bar's ``menu`` (above the shell's closing entries, e.g. Quit);
        its ``shortcut`` works while the menu is closed."""
        place = self.menu(menu)
        action = QAction(text, place)
        end = next((a for a in place.actions() if a.property(MENU_END)), None)
        if end is None:
            place.addAction(action)
        else:
            place.insertAction(end, action)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            self._window.addAction(action)
        return action

    def add_track_action(
        self, label: str, slot: TrackAction, *, enabled: Callable[[list[Track]], bool] | None = None
    ) -> None:
        """An entry in the library's and the queue's right-click menus; gets the tracks.
        ``enabled(tracks)``, when given, says whether it applies to them (greyed out if not)."""
        entry = TrackMenuEntry(label, slot, enabled)
        self._library.extra_actions.append(entry)
        self.queue_panel.extra_actions.append(entry)

    def add_panel(self, widget: QWidget, title: str) -> None:
        """A tab beside Queue, History and Problems."""
        self._side.addTab(widget, title)

    def show_panel(self, widget: QWidget) -> None:
        self._side.setCurrentWidget(widget)

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the right of the status bar."""
        self._window.statusBar().addPermanentWidget(widget)

    def show_status(self, slot: str, text: str, tooltip: str = "") -> None:
        """Fill a named status-bar slot (``"analysis"``, ``"model"``); empty text hides it."""
        self._status.show(slot, text, tooltip)

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A passing message in the status bar."""
        self._window.statusBar().showMessage(text, timeout_ms)

    # work ---------------------------------------------------------------------------------------
    def run_job(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``fn`` off the GUI thread; ``done``/``failed`` get its result on the GUI thread."""
        self.jobs.run(fn, done, failed)
