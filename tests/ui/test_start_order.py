"""The window's start: the library first, the rest once it is on screen; what waits still works
when the listener reaches it at once.

A second start on a scanned profile (real SQLite file, generated audio, offscreen window).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer

from player.app import build_services, build_window
from player.profile import Profile
from player.store.db import open_database
from player.store.playlists import create_playlist
from player.ui.features.insights.dialog import EMPTY_TEXT, READING_TEXT
from player.ui.style import apply_style
from tests.ui.library import make_library
from tests.ui.test_window import close_window, open_window


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


@pytest.fixture
def profile(qtbot, qapp, tmp_path, library) -> Profile:
    """A profile scanned by a first start, with a playlist."""
    close_window(open_window(qtbot, qapp, tmp_path / "profile", library, no_audio=True))
    profile = Profile(tmp_path / "profile")
    db = open_database(profile.database)
    try:
        create_playlist(db, "Evening")
    finally:
        db.close()
    return profile


def menu_action(window, menu: str, text: str):
    for action in window.menuBar().actions():
        if action.menu() is not None and action.menu().title().replace("&", "") == menu:
            return next(a for a in action.menu().actions() if a.text().replace("&", "") == text)
    raise LookupError(f"{menu} → {text}")


def test_the_library_comes_first_and_the_rest_follows_it(qtbot, qapp, profile):
    apply_style(qapp)
    window = build_window(build_services(profile, no_audio=True))
    qtbot.addWidget(window)
    events: list[str] = []
    window.library_loaded.connect(lambda n: events.append(f"library {n}"))
    window.context.library_shown.connect(lambda: events.append("shown"))
    window.scan_finished.connect(lambda _: events.append("scan"))
    show_sessions = window.history.set_sessions
    window.history.set_sessions = lambda *a: (show_sessions(*a), events.append("history"))  # type: ignore[method-assign]
    playlists = window.features.playlists
    try:
        window.show()
        window.start()
        assert events == [] and playlists.playlists == []  # nothing read on the GUI thread
        qtbot.waitUntil(lambda: "scan" in events and "history" in events, timeout=30000)
        events.remove("history")  # read beside the library: a short read
        assert events[:3] == ["library 6", "shown", "scan"]  # the library, then the rest
        qtbot.waitUntil(lambda: [p.name for p in playlists.playlists] == ["Evening"], timeout=10000)
        assert window.context.started
        late: list[str] = []
        window.context.after_library_shown(lambda: late.append("at once"))
        assert late == ["at once"]  # a feature installed after the start is not left waiting
    finally:
        close_window(window)


def test_what_waits_for_the_library_works_when_reached_at_once(qtbot, qapp, profile):
    """Insights (made on first use) and Up next's settings, asked for in the first instant,
    before the library is on screen and before Up next has prepared."""
    apply_style(qapp)
    window = build_window(build_services(profile, no_audio=True))
    qtbot.addWidget(window)
    try:
        window.show()
        window.start()
        assert not window.context.started
        menu_action(window, "View", "Insights…").trigger()
        menu_action(window, "Up next", "Settings…").trigger()
        insights = window.features.insights
        assert insights.isVisible() and insights.view.empty_label.text() == READING_TEXT
        qtbot.waitUntil(lambda: insights.view.empty_label.text() == EMPTY_TEXT, timeout=10000)
        up_next = window.features.up_next
        assert up_next is not None
        qtbot.waitUntil(lambda: up_next.settings_dialog is not None, timeout=10000)
        assert up_next.settings_dialog.isVisible()
        up_next.settings_dialog.reject()
        qtbot.waitUntil(lambda: len(window.controller.library_tracks) == 6, timeout=10000)
        window.controller.play_library()
        qtbot.waitUntil(lambda: len(window.queue.up_next) > 0, timeout=20000)  # suggestions
        insights.close()
    finally:
        close_window(window)


class PaintSeen(QObject):
    """Notes, at the window's first paint, whether its features were installed yet."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.features_at_paint: list[object] = []
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self.features_at_paint:
            self.features_at_paint.append(self.window.features)
        return False


def test_continuo_paints_the_window_and_shows_the_library_then_installs_its_features(
    qtbot, qapp, profile
):
    """``continuo``'s start: the first paint shows the shell in the chosen colours and the
    library comes next; the features (menus, panels, Up next) are installed as the library is
    shown, and work from then on."""
    apply_style(qapp)
    services = build_services(profile, no_audio=True)
    window = build_window(services, features_after_library=True)
    qtbot.addWidget(window)
    seen = PaintSeen(window)
    shown: list[object] = []
    window.library_loaded.connect(lambda n: shown.append(window.features))
    assert window.features is None and window.menuBar().actions()  # the shell's menus are there
    try:
        window.show()
        QTimer.singleShot(0, window.start)  # as run_window does
        qtbot.waitUntil(lambda: window.features is not None, timeout=10000)
        assert seen.features_at_paint == [None] and shown == [None]  # painted, shown, then these
        menu_action(window, "Up next", "Settings…").trigger()
        up_next = window.features.up_next
        assert up_next is not None
        qtbot.waitUntil(lambda: up_next.settings_dialog is not None, timeout=10000)
        assert up_next.settings_dialog.isVisible()
        up_next.settings_dialog.reject()
        menu_action(window, "View", "Insights…").trigger()
        insights = window.features.insights
        assert insights.isVisible()
        qtbot.waitUntil(lambda: insights.view.empty_label.text() == EMPTY_TEXT, timeout=10000)
        insights.close()
        playlists = window.features.playlists
        qtbot.waitUntil(lambda: [p.name for p in playlists.playlists] == ["Evening"], timeout=10000)
        window.controller.play_library()
        qtbot.waitUntil(lambda: len(window.queue.up_next) > 0, timeout=20000)  # suggestions
    finally:
        close_window(window)


def test_continuo_plays_on_load_with_its_features_seeing_the_first_track(qtbot, qapp, profile):
    """``continuo --play``: the library starts playing as it is shown, before the features are
    installed; they are there before the first track's start reaches them (Up next fills)."""
    apply_style(qapp)
    services = build_services(profile, no_audio=True)
    window = build_window(services, play_on_load=True, features_after_library=True)
    qtbot.addWidget(window)
    try:
        window.show()
        window.start()
        qtbot.waitUntil(lambda: window.features is not None, timeout=10000)
        up_next = window.features.up_next
        assert up_next is not None
        qtbot.waitUntil(lambda: window.controller.current is not None, timeout=10000)
        qtbot.waitUntil(lambda: bool(up_next.ready_after_start_s), timeout=20000)  # saw it start
        assert len(window.queue.up_next) > 0
    finally:
        close_window(window)
