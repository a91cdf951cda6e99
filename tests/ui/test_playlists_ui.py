"""The Playlists tab and the track menu's "Add to playlist…", on the real window (offscreen,
silent) over a generated library and a real profile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from player.store.playlists import all_playlists, playlist_track_ids
from tests.ui.library import make_library
from tests.ui.test_window import close_window, open_window


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


@pytest.fixture
def window(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "p", library, no_audio=True)
    qtbot.waitUntil(lambda: len(window.controller.library_tracks) == 6, timeout=10000)
    yield window
    close_window(window)


def action(window, label):
    return next(e.run for e in window.library.extra_actions if e.label == label)


def stored(window):
    db = window.services.open_db()
    try:
        return {p.name: playlist_track_ids(db, p.id) for p in all_playlists(db)}
    finally:
        db.close()


def test_playlists_tab_saves_reorders_renames_exports_imports_and_deletes(qtbot, window, tmp_path):
    panel = window.features.playlists
    tracks = window.controller.library_tracks
    qtbot.waitUntil(lambda: panel.hint.text().startswith("No playlists yet"), timeout=5000)
    assert not any(b.isEnabled() for b in panel.choice_buttons)  # nothing to rename or delete
    assert panel.lists.isHidden() and panel.entries.isHidden()  # the hint alone, no blank lists
    window.controller.play_track(tracks[0])
    qtbot.waitUntil(lambda: window.controller.current == tracks[0], timeout=5000)
    window.queue.add([tracks[2], tracks[4]])
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.save_queue("Evening")
    qtbot.waitUntil(lambda: panel.entries.count() == 3, timeout=5000)
    ids = [tracks[0].id, tracks[2].id, tracks[4].id]
    assert stored(window) == {"Evening": ids}
    assert all(b.isEnabled() for b in panel.choice_buttons)
    assert not panel.lists.isHidden() and not panel.entries.isHidden()

    window.side.setCurrentWidget(panel)
    panel.entries.setFocus()
    panel.entries.item(2).setSelected(True)
    with qtbot.waitSignal(panel.changed, timeout=5000):
        qtbot.keyClick(panel.entries, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert stored(window) == {"Evening": [ids[0], ids[2], ids[1]]}
    assert [i.row() for i in panel.entries.selectedIndexes()] == [1]  # the selection follows
    with qtbot.waitSignal(panel.changed, timeout=5000):
        qtbot.keyClick(panel.entries, Qt.Key.Key_Delete)
    assert stored(window) == {"Evening": [ids[0], ids[1]]}

    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.rename("Late evening")
    assert list(stored(window)) == ["Late evening"]
    assert panel.lists.currentItem().text() == "Late evening  (2)"

    target = tmp_path / "late.m3u8"
    panel.export_file(target)
    # the file exists (empty) a moment before its text is in it
    qtbot.waitUntil(lambda: target.exists() and target.read_text("utf-8") != "", timeout=5000)
    assert target.read_text("utf-8").startswith("#EXTM3U\n#EXTINF:")
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.import_file(target)
    assert stored(window) == {"late": [ids[0], ids[1]], "Late evening": [ids[0], ids[1]]}

    window.controller.stop()
    panel.play()
    qtbot.waitUntil(lambda: window.controller.current == tracks[0], timeout=5000)
    assert window.queue.user[0].id == ids[1]

    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.delete()
    assert len(stored(window)) == 1

    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.add_tracks("New", [tracks[5]])
    assert stored(window)["New"] == [tracks[5].id]
