"""The window's start: the library first, the rest once it is on screen; what waits still works
when the listener reaches it at once.

A second start on a scanned profile (real SQLite file, generated audio, offscreen window).
"""

from __future__ import annotations

import builtins
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from player.app import build_services, build_window
from player.audio.backend import Playable
from player.domain.plays import EndReason
from player.library.browse import EAGER_TRACKS
from player.profile import Profile
from player.store.db import open_database
from player.store.playlists import create_playlist
from player.store.tracks import Track, upsert_tracks
from player.ui.features.insights.dialog import EMPTY_TEXT, READING_TEXT
from player.ui.shell.next_paint import after_next_paint
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


LARGE_WORKS = EAGER_TRACKS // 3 + 1  # three movements each: a library not grouped at once
LARGE_TRACKS = 3 * LARGE_WORKS


@pytest.fixture(scope="module")
def large_profile(tmp_path_factory) -> Profile:
    """A profile whose library is too big to be grouped at once (stored, no files): Haydn's
    divertimenti and one Mozart serenade."""
    profile = Profile(tmp_path_factory.mktemp("large") / "profile").create()
    db = open_database(profile.database)
    try:
        upsert_tracks(
            db,
            [
                Track(
                    path=f"/box/{w:04d}/{m}.flac",
                    size=1,
                    mtime_ns=1,
                    title=f"Movement {m}",
                    composer="Wolfgang Amadeus Mozart" if w == 0 else "Joseph Haydn",
                    work="Serenade No. 13" if w == 0 else f"Divertimento No. {w}",
                    movement=("Allegro", "Menuetto", "Presto")[m],
                    movement_number=m + 1,
                    duration_s=60.0 + m,
                )
                for w in range(LARGE_WORKS)
                for m in range(3)
            ],
        )
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
    """Notes ``what()`` at the widget's first paint (in :attr:`at_paint`)."""

    def __init__(self, widget, what) -> None:
        super().__init__(widget)
        self.what = what
        self.at_paint: list[object] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self.at_paint:
            self.at_paint.append(self.what())
        return False


def test_continuo_paints_the_window_and_shows_the_library_then_installs_its_features(
    qtbot, qapp, profile
):
    """``continuo``'s start: the first paint shows the shell in the chosen colours and the
    library comes next; the features (menus, panels, Up next) are installed once the library
    is drawn, and work from then on."""
    apply_style(qapp)
    services = build_services(profile, no_audio=True)
    window = build_window(services, features_after_library=True)
    qtbot.addWidget(window)
    seen = PaintSeen(window, lambda: window.features)
    shown: list[object] = []
    drawn: list[PaintSeen] = []

    def library_loaded(_count: int) -> None:
        if not shown:  # the start's (the rescan shows it again later)
            shown.append(window.features)
            drawn.append(PaintSeen(window.library.drawn_in(), lambda: window.features))

    window.library_loaded.connect(library_loaded)
    assert window.features is None and window.menuBar().actions()  # the shell's menus are there
    try:
        window.show()
        after_next_paint(window, window.start)  # as run_window does
        qtbot.waitUntil(lambda: window.features is not None, timeout=10000)
        assert seen.at_paint == [None] and shown == [None]  # painted, shown,
        assert drawn[0].at_paint == [None]  # the library drawn, then the features
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


def test_a_large_library_is_drawn_with_the_window_and_complete_after_the_paint(
    qtbot, qapp, large_profile
):
    """``continuo``'s start on a library too big to be grouped at once: its read is in before
    the window is shown, so the first paint draws its composers and the table holds every row
    (a page read); after the paint the rest arrives: the controller's library, search, sort,
    a composer's works, and the features."""
    apply_style(qapp)
    window = build_window(build_services(large_profile, no_audio=True), features_after_library=True)
    qtbot.addWidget(window)
    panel = window.library
    seen = PaintSeen(window, lambda: (panel.table_model.rowCount(), panel.tree_proxy.rowCount()))
    found: list[tuple[str, int]] = []
    panel.results_shown.connect(lambda text, n: found.append((text, n)))
    try:
        early = window._first_library
        assert early is not None
        qtbot.waitUntil(early.done, timeout=10000)  # as it is by the end of the window's build
        window.show_first_screen()
        assert panel.table_model.rowCount() == LARGE_TRACKS
        assert panel.table_model.index(0, 1).data() == "Divertimento No. 1"  # Haydn first
        assert [panel.tree_proxy.index(r, 0).data() for r in range(2)] == [
            "Joseph Haydn",
            "Wolfgang Amadeus Mozart",
        ]
        assert len(window.controller.library_tracks) == 0  # its ids need numpy: after the paint
        window.show()
        after_next_paint(window, window.start)  # as run_window does
        qtbot.waitUntil(lambda: window.features is not None, timeout=10000)
        assert seen.at_paint == [(LARGE_TRACKS, 2)]
        library = window.controller.library_tracks
        assert len(library) == LARGE_TRACKS
        assert library[LARGE_TRACKS - 1].work == "Serenade No. 13"
        assert library.index_of(int(library[5].id or 0)) == 5
        panel.search.setText("serenade")
        qtbot.waitUntil(lambda: ("serenade", 3) in found, timeout=10000)
        assert panel.tree_proxy.rowCount() == 1 and panel.table_model.rowCount() == 3
        panel.search.setText("")
        qtbot.waitUntil(lambda: ("", LARGE_TRACKS) in found, timeout=10000)
        panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # Work, descending
        qtbot.waitUntil(
            lambda: panel.table_model.index(0, 1).data() == "Serenade No. 13", timeout=10000
        )
        haydn = panel.tree_proxy.index(0, 0)
        panel.tree.expand(haydn)
        qtbot.waitUntil(lambda: panel.tree_proxy.rowCount(haydn) == LARGE_WORKS - 1, timeout=10000)
    finally:
        close_window(window)


def test_continuo_plays_on_load_with_its_features_seeing_the_first_track(qtbot, qapp, profile):
    """``continuo --play``: the library starts playing as it is shown, before the features are
    installed; installed, they hear that start (Up next prepares for it)."""
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


# ``continuo`` itself, in a process of its own (a test process has imported everything already):
# at the window's first paint, what has been imported and how many rows the table holds; once
# the library is shown, the features. The start's library read is waited for before the window
# is shown (by the end of the window's build it is in, unless the machine is very busy).
FIRST_PAINT_CHILD = r"""
import json, sys
import player.app
make_app = player.app.qt_app
seen = {}
def qt_app(qt_argv):
    app = make_app(qt_argv)
    if not seen:
        seen["app"] = True
        from PySide6.QtCore import QEvent, QObject, QTimer
        from player.ui.shell.main_window import MainWindow
        show_first_screen = MainWindow.show_first_screen
        def read_in_first(window):
            window._first_library.exception()  # waits for the read
            show_first_screen(window)
        MainWindow.show_first_screen = read_in_first
        class Watch(QObject):
            def eventFilter(self, obj, event):
                if (event.type() == QEvent.Type.Paint and type(obj).__name__ == "MainWindow"
                        and "paint" not in seen):
                    seen["paint"] = sorted(m for m in ("numpy", "onnxruntime", "mutagen",
                        "player.ui.features.up_next", "player.ui.features.similar") if m in sys.modules)
                    seen["rows"] = obj.library.table_model.rowCount()
                    obj.context.after_library_shown(lambda: done(obj))
                return False
        def done(window):
            if window.features is None:  # installed once the library is drawn
                QTimer.singleShot(10, lambda: done(window))
                return
            seen["features"] = True
            print("SEEN " + json.dumps(seen), flush=True)
            window.close()
        app.watch = Watch()
        app.installEventFilter(app.watch)
    return app
player.app.qt_app = qt_app
from player.cli import main
sys.exit(main(sys.argv[1:]))
"""


def first_paint(*args: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_CHILD, *args, "--no-audio"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    line = next((x for x in run.stdout.splitlines() if x.startswith("SEEN ")), None)
    assert line is not None, run.stderr
    return json.loads(line[5:])


def test_continuo_paints_before_importing_numpy_or_the_features(tmp_path, library):
    """The first paint imports no numpy and no feature (they come with the library)."""
    seen = first_paint("--profile", str(tmp_path / "p"), "--library", str(library))
    assert seen == {"app": True, "paint": [], "rows": 0, "features": True}  # scanned later


def test_continuo_draws_a_large_library_with_its_first_paint_without_numpy(large_profile):
    """A library too big to be grouped at once is in the table at the first paint, still
    without numpy (its ids are read as an ``array``; numpy comes after the paint)."""
    seen = first_paint("--profile", str(large_profile.root))
    assert seen == {"app": True, "paint": [], "rows": LARGE_TRACKS, "features": True}


def test_after_next_paint_waits_for_the_paint_and_not_forever(qtbot):
    """Called in the turn after the widget's first paint; without a paint, at the latest."""
    shown, hidden = QLabel("painted"), QLabel("never shown")
    qtbot.addWidget(shown)
    qtbot.addWidget(hidden)
    calls: list[str] = []
    seen = PaintSeen(shown, lambda: list(calls))
    after_next_paint(shown, lambda: calls.append("shown"), at_latest_ms=60000)
    after_next_paint(hidden, lambda: calls.append("hidden"), at_latest_ms=200)
    shown.show()
    qtbot.waitUntil(lambda: calls == ["shown"], timeout=10000)
    assert seen.at_paint == [[]]  # the paint came first
    qtbot.waitUntil(lambda: calls == ["shown", "hidden"], timeout=10000)
    qtbot.wait(300)
    assert calls == ["shown", "hidden"]  # once each


def test_features_installed_late_hear_the_track_that_is_playing(qtbot, qapp, profile, library):
    """What a feature installed after a track started has missed (``catch_up``): that start,
    once, and nothing once the track has ended."""
    window = build_window(build_services(profile, no_audio=True), features_after_library=True)
    qtbot.addWidget(window)
    ctx = window.context
    first, second = (Playable(path) for path in sorted(library.rglob("*.ogg"))[:2])
    try:
        ctx.track_started.emit(first)
        ctx.track_ended.emit(first, EndReason.FINISHED, 1000)
        ctx.track_started.emit(second)
        heard: list[Playable] = []
        ctx.track_started.connect(heard.append)  # a feature installed now
        ctx.catch_up()
        assert heard == [second]
        ctx.track_ended.emit(second, EndReason.STOPPED, 500)
        ctx.catch_up()
        assert heard == [second]
    finally:
        close_window(window)


def test_pyside_reads_no_imported_module_and_no_module_asks_it_for_a_feature():
    """``player.ui`` takes out PySide6's ``__feature__`` import hook (which read the source of
    every module imported after PySide6); no module of Continuo's imports ``__feature__``, the
    one thing the hook served."""
    import player.ui  # noqa: F401

    assert builtins.__import__ is not getattr(builtins, "__feature_import__", None)
    feature = re.compile(r"^\s*(from|import)\s+__feature__\b", re.MULTILINE)
    root = Path(__file__).resolve().parents[2]
    asking = [
        str(path.relative_to(root))
        for folder in ("player", "trainer", "tests")
        for path in (root / folder).rglob("*.py")
        if feature.search(path.read_text(encoding="utf-8"))
    ]
    assert asking == []
