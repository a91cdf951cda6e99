"""The window as a shell: features install alone or in any order through the feature context.

A real offscreen window over a real profile and a generated library; sound is off (the
NullBackend keeps time), so these need no audio device.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from player.app import build_services, build_window
from player.profile import Profile
from player.ui.features import (
    about,
    analysis,
    appearance,
    art,
    demo_notice,
    import_history,
    insights,
    mpris,
    playlists,
    retrain,
    similar,
    track_actions,
    up_next,
)
from player.ui.shell.main_window import MainWindow
from player.ui.style import apply_style
from tests.ui.library import make_library
from tests.ui.test_window import close_window

SHELL_MENUS = ["File", "Playback", "Library", "Output"]
ALL = [
    analysis,
    similar,
    up_next,
    insights,
    about,
    retrain,
    demo_notice,
    art,
    mpris,
    appearance,
    track_actions,
    playlists,
    import_history,
]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


def open_shell(qtbot, qapp, profile_dir, library, *, recommender: bool = True) -> MainWindow:
    """The bare shell, no feature installed, shown and started (library scanned and loaded)."""
    apply_style(qapp)
    services = build_services(Profile(profile_dir).create(), [library], no_audio=True)
    if not recommender:
        services = dataclasses.replace(services, make_recommender=None)
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=30000):
        window.start()
    qtbot.waitUntil(lambda: window.library.tree_model.rowCount() == 3, timeout=10000)
    return window


def menus(window) -> dict[str, list[str]]:
    """Menu bar titles (without "&") in order, each with its entries' texts."""
    found = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        found[menu.title().replace("&", "")] = [a.text() for a in menu.actions() if a.text()]
    return found


def tabs(window) -> list[str]:
    return [window.side.tabText(i) for i in range(window.side.count())]


def first_track(window):
    return window.controller.library_tracks[0]


def test_a_bare_shell_browses_and_plays_without_any_feature(qtbot, qapp, tmp_path, library):
    window = open_shell(qtbot, qapp, tmp_path / "profile", library)
    try:
        assert list(menus(window)) == SHELL_MENUS
        assert tabs(window) == ["Queue", "History", "Problems"]
        assert window.library.extra_actions == [] and window.queue_panel.extra_actions == []
        track = first_track(window)
        window.controller.play_track(track)
        qtbot.waitUntil(lambda: window.controller.current == track, timeout=5000)
        assert window.queue.up_next == []  # nothing fills Up next: that is a feature's job
    finally:
        close_window(window)


def test_similar_alone_on_a_bare_shell(qtbot, qapp, tmp_path, library):
    window = open_shell(qtbot, qapp, tmp_path / "profile", library)
    try:
        action = similar.install(window.context)
        assert tabs(window) == ["Queue", "History", "Problems", "Similar"]
        assert [e.label for e in window.library.extra_actions] == ["Similar"]
        assert menus(window)["Library"] == ["&Similar to the playing track"]
        action.show_for([first_track(window)])
        assert window.side.currentWidget() is action.panel
        # no analysis feature installed: the lookup still answers, saying why there is nothing
        qtbot.waitUntil(lambda: "Not analysed yet" in action.panel.note.text(), timeout=10000)
        assert action.panel.model.rowCount() == 0
    finally:
        close_window(window)


def test_up_next_alone_without_a_recommender_walks_the_library(qtbot, qapp, tmp_path, library):
    window = open_shell(qtbot, qapp, tmp_path / "profile", library, recommender=False)
    try:
        assert up_next.install(window.context) is None
        tracks = window.controller.library_tracks
        window.controller.play_track(tracks[0])
        qtbot.waitUntil(lambda: bool(window.queue.up_next), timeout=5000)
        assert window.queue.up_next_source == "library order"
        assert window.queue.up_next[0].work != tracks[0].work  # the works after this one

        # files gone since the scan (a drive not mounted) are left out
        gone = window.queue.up_next[0]
        aside = Path(gone.path).rename(tmp_path / "aside")  # the library is the module's
        try:
            window.queue.set_up_next([], source="", started_by="queue")
            window.controller.play_track(tracks[0])
            qtbot.waitUntil(lambda: bool(window.queue.up_next), timeout=5000)
            assert gone.id not in {t.id for t in window.queue.up_next}
            assert all(Path(t.path).is_file() for t in window.queue.up_next)
        finally:
            aside.rename(gone.path)
    finally:
        close_window(window)


def test_features_in_reverse_order_give_the_same_window(qtbot, qapp, tmp_path, library):
    usual = build_window(
        build_services(Profile(tmp_path / "usual").create(), [library], no_audio=True)
    )
    qtbot.addWidget(usual)
    reverse = open_shell(qtbot, qapp, tmp_path / "reverse", library)
    try:
        installed = {feature: feature.install(reverse.context) for feature in reversed(ALL)}
        expected, got = menus(usual), menus(reverse)
        assert list(got) == list(expected)  # the menu bar's order does not follow install order
        assert {title: sorted(entries) for title, entries in got.items()} == {
            title: sorted(entries) for title, entries in expected.items()
        }
        assert sorted(tabs(reverse)) == sorted(tabs(usual))
        assert got["File"][-1] == expected["File"][-1] == "&Quit"  # features' entries go above
        # the features still hear each other through the context: a scan restarts analysis
        with qtbot.waitSignal(reverse.scan_finished, timeout=30000):
            reverse.start_scan()
        assert installed[analysis].running
    finally:
        close_window(reverse)
        usual.close()
        usual.jobs.wait()
        usual.services.close()
