"""The real window, offscreen: scan, browse, search, play through PortAudio, and the play log after."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from player.app import build_services, build_window
from player.audio.backend import PlaybackState
from player.profile import Profile
from player.store.plays import all_plays, listening_sessions
from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.main_window import PROBLEM_COUNT_EVERY_MS
from player.ui.style import apply_style
from tests.ui.library import make_library

pytestmark = pytest.mark.audio


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = make_library(tmp_path_factory.mktemp("music"))
    (folder / "broken").mkdir()
    (folder / "broken" / "empty.ogg").write_bytes(b"")
    return folder


def open_window(qtbot, qapp, profile_dir, library=None, **options):
    apply_style(qapp)
    services = build_services(
        Profile(profile_dir).create(), [library] if library else [], **options
    )
    window = build_window(services)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=30000):
        window.start()
    return window


def close_window(window):
    window.close()
    window.jobs.wait()
    window.services.close()


@pytest.fixture
def window(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "profile", library)
    qtbot.waitUntil(lambda: window.library.tree_model.rowCount() == 3, timeout=10000)
    yield window
    close_window(window)


def names(model, parent=None):
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def test_tree_groups_composer_work_movements_and_lists_problems(window):
    tree = window.library.tree_model
    assert names(tree) == [
        "Johann Sebastian Bach",
        "Wolfgang Amadeus Mozart",
        "Giovanni Pierluigi da Palestrina",
    ]
    bach = tree.index(0, 0)
    assert names(tree, bach) == ["Brandenburg Concerto No. 3 in G major, BWV 1048"]
    assert names(tree, tree.index(0, 0, bach)) == ["1. Allegro", "2. Adagio", "3. Allegro"]
    assert window.library.table_model.rowCount() == 6
    problems = window.problems.model
    assert problems.rowCount() == 1
    assert problems.index(0, 0).data() == "empty.ogg"
    assert problems.index(0, 1).data()  # a reason is given
    assert window.side.tabText(2) == "Problems (1)"
    assert window.status.scan.text() == "Library scanned: 6 new, 0 changed, 1 problems"


def test_the_problem_count_keeps_a_pace_through_a_run_of_failures(window, qtbot):
    """Each new count repaints the side panel's page: a run of absent files (one problem
    each) shows its count at once, then at most every PROBLEM_COUNT_EVERY_MS."""
    side, counted = window.side, window.problems.counted
    qtbot.waitUntil(lambda: not window._count_paced.isActive(), timeout=3000)
    emitted: list[int] = []  # the window's own Problems list may still count, between turns
    counted.connect(emitted.append)
    counted.emit(5)
    assert side.tabText(2) == "Problems (5)"
    counted.emit(6)
    counted.emit(7)
    assert side.tabText(2) == "Problems (5)"
    qtbot.waitUntil(
        lambda: side.tabText(2) == f"Problems ({emitted[-1]})",
        timeout=PROBLEM_COUNT_EVERY_MS * 4,
    )


def test_search_filters_tree_and_table_as_you_type(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.library.search.hasFocus()
    qtbot.keyClicks(window.library.search, "quartet")
    proxy, table = window.library.tree_proxy, window.library.table_model
    qtbot.waitUntil(lambda: proxy.rowCount() == 1 and table.rowCount() == 2, timeout=3000)
    assert proxy.index(0, 0).data() == "Wolfgang Amadeus Mozart"
    window.library.search.clear()
    qtbot.keyClicks(window.library.search, "bach adagio")  # Space types, it does not play
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=3000)
    assert window.services.backend.state == PlaybackState.STOPPED
    assert table.index(0, 3).data() == "Adagio"
    window.library.search.clear()
    qtbot.waitUntil(lambda: proxy.rowCount() == 3 and table.rowCount() == 6, timeout=3000)


def test_a_selected_work_goes_to_the_queue_whole(window):
    proxy = window.library.tree_proxy
    quartet = proxy.index(0, 0, proxy.index(1, 0))
    window.library.tree.selectionModel().select(
        quartet, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )
    tracks = window.library.selected_tracks(window.library.tree)
    window.library.queue_requested.emit(tracks)
    assert [t.movement for t in window.queue.user] == ["Adagio – Allegro", "Andante cantabile"]
    assert window.side.currentWidget() is window.queue_panel
    assert window.queue.peek() == (tracks[0], "queue")


def playing_title(window) -> str | None:
    """What the window was told is playing (the backend's started event reached the GUI)."""
    track = window.controller.current
    return f"{track.composer.split()[-1]} {track.display_title}" if track else None


def test_double_click_plays_seek_pause_next_and_the_log(window, qtbot, tmp_path):
    backend = window.services.backend
    assert not window.history.empty.isHidden()  # "Nothing heard yet", not a blank tab
    tree = window.library.tree
    tree.expandAll()
    proxy = window.library.tree_proxy
    first = proxy.index(0, 0, proxy.index(0, 0, proxy.index(0, 0)))
    assert first.data(TRACK_ROLE).movement == "Allegro"
    bach_work = first.data(TRACK_ROLE).work
    where = tree.visualRect(first).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a real double-
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)  # click: press first
    asked = time.monotonic()  # nothing of the first Allegro can be heard before this
    qtbot.waitUntil(lambda: backend.state == PlaybackState.PLAYING, timeout=5000)
    qtbot.waitUntil(lambda: playing_title(window) == "Bach Allegro", timeout=5000)
    now_playing = window.transport.now_playing
    qtbot.waitUntil(lambda: now_playing.work.toolTip().startswith("Brandenburg"), timeout=3000)
    assert now_playing.movement.toolTip() == "1. Allegro"
    assert [t.movement for t in window.queue.user] == ["Adagio", "Allegro"]
    # position counts frames PortAudio consumed: it advances only if sound goes out
    qtbot.waitUntil(lambda: backend.position_s > 0.5, timeout=5000)
    before_seek = backend.position_s

    slider = window.transport.seek_slider
    slider.setSliderDown(True)
    slider.setValue(3000)
    slider.setSliderDown(False)
    qtbot.waitUntil(lambda: 3.0 <= backend.position_s < 4.5, timeout=3000)

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: backend.state == PlaybackState.PAUSED, timeout=3000)
    paused = time.monotonic()
    held = backend.position_s
    qtbot.wait(500)
    assert abs(backend.position_s - held) < 0.1
    qtbot.keyClick(window, Qt.Key.Key_Space)
    resumed = time.monotonic()
    qtbot.waitUntil(lambda: backend.state == PlaybackState.PLAYING, timeout=3000)
    qtbot.waitUntil(lambda: backend.position_s >= held + 1.0, timeout=5000)
    at_skip = backend.position_s  # heard: ≥ 0.5 s before the seek, then 3.0 s → here

    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    skipped = time.monotonic()
    qtbot.waitUntil(lambda: playing_title(window) == "Bach Adagio", timeout=5000)
    # Adagio ends, the last Allegro follows gaplessly, then "Up next" (the recommender) goes on
    qtbot.waitUntil(lambda: window.controller.current.work != bach_work, timeout=10000)
    suggested = window.controller.current.display_title
    window.controller.stop()
    qtbot.waitUntil(lambda: backend.state == PlaybackState.STOPPED, timeout=3000)
    recorder = window.services.recorder
    qtbot.waitUntil(lambda: recorder.flush() and recorder.current_play_id is None, timeout=3000)
    # the writer may have taken the stop's end between that flush and the check, and not
    # written it yet: one more flush writes what it took
    assert recorder.flush()

    db = window.services.open_db()
    plays = all_plays(db)
    got = [(p.title, p.ended_how, p.started_by) for p in plays]
    assert got == [
        ("Allegro", "skipped", "user"),
        ("Adagio", "finished", "queue"),
        ("Allegro", "finished", "queue"),
        (suggested, "stopped", "suggestion"),
    ]
    # the skipped Allegro: at least what the positions showed, at most the time it could
    # have been heard (from the double-click to the skip, less the pause)
    heard_at_least = (before_seek + at_skip - 3.0) * 1000 - 20
    heard_at_most = (skipped - asked - (resumed - paused)) * 1000 + 50
    assert heard_at_least <= plays[0].ms_heard <= heard_at_most
    assert [p.ms_heard for p in plays[1:3]] == pytest.approx([2000, 2000], abs=20)  # whole
    sessions = listening_sessions(db)
    db.close()
    assert [len(s) for s in sessions] == [4]
    history = window.history.model
    qtbot.waitUntil(lambda: history.rowCount() == 1 and history.rowCount(history.index(0, 0)) == 4)
    assert window.history.empty.isHidden() and not window.history.view.isHidden()

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "player",
            "history",
            "--json",
            "--profile",
            str(tmp_path / "profile"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    logged = json.loads(out)
    assert len(logged) == 1
    assert [(p["title"], p["ended_how"], p["started_by"]) for p in logged[0]["plays"]] == got
    assert logged[0]["plays"][1]["work"] == "Brandenburg Concerto No. 3 in G major, BWV 1048"
    assert logged[0]["plays"][1]["composer"] == "Johann Sebastian Bach"


def test_no_audio_device_plays_silently_and_says_so(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "p", library, no_audio=True)
    try:
        assert window.banner.isVisible()
        assert "silently" in window.banner.text()
        assert "No sound" in window.status.output.text() or "Null" in window.status.output.text()
        qtbot.waitUntil(lambda: window.library.table_model.rowCount() == 6, timeout=10000)
        window.controller.play_library()
        qtbot.waitUntil(lambda: window.services.backend.position_s > 0.3, timeout=5000)
    finally:
        close_window(window)


def test_damaged_database_is_moved_aside_and_a_fresh_one_used(qtbot, qapp, tmp_path, library):
    profile = tmp_path / "p"
    profile.mkdir()
    garbage = b"this is not an SQLite database " * 200
    (profile / "continuo.db").write_bytes(garbage)
    window = open_window(qtbot, qapp, profile, library, no_audio=True)
    try:
        moved = list(profile.glob("continuo.db.damaged-*"))
        assert len(moved) == 1 and moved[0].read_bytes() == garbage
        assert "kept the damaged file" in window.banner.text()
        assert moved[0].name in window.banner.text()
        qtbot.waitUntil(lambda: window.library.table_model.rowCount() == 6, timeout=10000)
    finally:
        close_window(window)


def test_window_geometry_and_state_are_remembered(qtbot, qapp, tmp_path):
    window = open_window(qtbot, qapp, tmp_path / "p", no_audio=True)
    window.resize(700, 520)  # the offscreen screen is 800 × 600
    window.library.tabs.setCurrentIndex(1)
    window.transport.set_volume(0.35)
    close_window(window)
    again = open_window(qtbot, qapp, tmp_path / "p", no_audio=True)
    try:
        assert (again.width(), again.height()) == (700, 520)
        assert again.library.tabs.currentIndex() == 1
        assert again.transport.volume_slider.value() == 35
        assert again.library.empty.isVisible()  # no music folder: the window says what to do
    finally:
        close_window(again)


def test_a_start_writes_no_setting_before_the_listener_changes_one(qtbot, qapp, tmp_path):
    """The saved volume put back at start is not written back: a write made QSettings save
    window.ini (two fdatasyncs) before the window's first paint."""
    close_window(open_window(qtbot, qapp, tmp_path / "p", no_audio=True))
    saved = tmp_path / "p" / "window.ini"
    before = (saved.read_bytes(), saved.stat().st_mtime_ns)
    window = open_window(qtbot, qapp, tmp_path / "p", no_audio=True)
    try:
        qtbot.wait(100)  # QSettings saves in a later turn of the event loop
        assert (saved.read_bytes(), saved.stat().st_mtime_ns) == before
        window.transport.set_volume(0.35)  # the listener's change is saved
        window.settings.sync()
        assert "volume=0.35" in saved.read_text()
    finally:
        close_window(window)


def test_output_menu_lists_devices_and_remembers_the_choice(window, qtbot):
    window._fill_output_menu()
    actions = window.output_menu.actions()
    assert actions[0].text() == "System default" and actions[0].isChecked()
    devices = window.services.backend.output_devices()
    assert [a.text() for a in actions[1:]] == [d.name for d in devices]
    assert devices, "the private PulseAudio server offers at least one output"
    actions[1].trigger()
    assert int(window.settings.value("output_device")) == devices[0].index
    window._fill_output_menu()
    assert window.output_menu.actions()[1].isChecked()
    window.controller.play_library()  # sound still goes out through the chosen device
    qtbot.waitUntil(lambda: window.services.backend.position_s > 0.3, timeout=5000)


def test_a_device_that_cannot_be_opened_falls_back_to_silence_and_says_why(
    qtbot, qapp, tmp_path, library
):
    window = open_window(qtbot, qapp, tmp_path / "p", library, device=9999)
    try:
        assert window.status.output.text() == "Output: No sound output"
        assert window.banner.isVisible()
        assert "No sound output could be opened" in window.banner.text()
        assert "under Output" in window.banner.text()
    finally:
        close_window(window)


def test_the_transport_shows_the_time_of_the_track_it_names(window, qtbot):
    """Across a gapless boundary the backend is a moment ahead of the track's start event (the
    name above the time): polled all the while, the transport never shows the next track's
    time under the one before's name. Its time goes forward, from one track to the next."""
    proxy = window.library.tree_proxy
    quartet = proxy.index(0, 0, proxy.index(1, 0))
    window.library.tree.selectionModel().select(
        quartet, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )
    first, second = window.library.selected_tracks(window.library.tree)
    backend, transport = window.services.backend, window.transport
    window.controller.play_track(first, then=[second])
    shown = []
    deadline = time.monotonic() + 30
    while not (window.controller.current == second and backend.position_s > 0.5):
        assert time.monotonic() < deadline, "the second movement was not heard"
        transport.refresh()
        named = transport.now_playing.track
        if named is not None and transport.seek_slider.maximum() > 0:
            shown.append((named.id == second.id, transport.seek_slider.value()))
        qtbot.wait(1)
    window.controller.stop()
    assert {False, True} <= {track for track, _ in shown}
    for (track, position), (then, later) in itertools.pairwise(shown):
        assert then >= track  # never the first's name again once the second's is shown
        # under one name the time goes forward (the clock may step back a little when an
        # underrun on a loaded machine anchors it anew); the second's start under the first's
        # name would be its whole length back
        assert then > track or later >= position - 500
