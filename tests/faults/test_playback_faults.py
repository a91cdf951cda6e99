"""A queued file that turned unplayable since the scan is skipped, listed as a Problem, and the
music goes on: with the sound card (PortAudio on the private null sink) and without (NullBackend)."""

from __future__ import annotations

import os

import pytest

from player.profile import Profile
from player.store.plays import all_plays
from player.ui.shell.panels import UNPLAYABLE
from tests.faults.conftest import close_window, open_window
from tests.ui.library import make_library


def overwrite_keeping_size_and_mtime(path) -> None:
    """What a failing disk or a bad sync does: other bytes, same size and time, so a rescan
    does not notice."""
    info = path.stat()
    path.write_bytes(os.urandom(info.st_size))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def listed(window) -> list[tuple[str, str]]:
    """(path, reason) of each row the Problems tab shows."""
    model = window.problems.model
    return [(model.item(r, 0).toolTip(), model.item(r, 1).text()) for r in range(model.rowCount())]


@pytest.mark.audio
@pytest.mark.parametrize("no_audio", [False, True], ids=["portaudio", "null"])
def test_unplayable_movement_is_skipped_and_listed_and_playing_goes_on(qtbot, tmp_path, no_audio):
    music = make_library(tmp_path / "music")
    profile = Profile(tmp_path / "p").create()
    window = open_window(qtbot, profile, [music], tracks=6, no_audio=no_audio)
    services = window.services
    try:
        first, second, third = window.controller.library_tracks[:3]  # Bach's three movements
        assert (first.movement_number, second.movement_number) == (1, 2)
        overwrite_keeping_size_and_mtime(music / os.path.relpath(second.path, music))
        with qtbot.waitSignal(window.scan_finished, timeout=30000):
            window.start_scan()  # unchanged size and time: the scan keeps the track

        started = []
        window.controller.now_playing.connect(lambda t: t is not None and started.append(t.id))
        window.controller.play_track(first, then=[second, third])
        qtbot.waitUntil(lambda: started == [first.id], timeout=5000)
        window.controller.seek(first.duration_s - 0.5)
        qtbot.waitUntil(lambda: third.id in started, timeout=15000)
        assert second.id not in started
        qtbot.waitUntil(lambda: (second.path, UNPLAYABLE) in listed(window), timeout=5000)
        window.controller.stop()
        services.recorder.flush()
        db = services.open_db()
        played = [p.track_id for p in all_plays(db)]
        db.close()
        assert played[:2] == [first.id, third.id]
    finally:
        close_window(window)


def test_a_file_not_on_disk_is_skipped_said_and_not_listed_as_damaged(qtbot, tmp_path):
    """A drive unmounted since the scan: the queue goes on, the message says "not on disk", the
    Problems tab does not call the file damaged, and once it is back it plays."""
    music = make_library(tmp_path / "music")
    profile = Profile(tmp_path / "p").create()
    window = open_window(qtbot, profile, [music], tracks=6, no_audio=True)
    try:
        first, second, third = window.controller.library_tracks[:3]
        away = tmp_path / "unmounted"
        os.replace(second.path, away)
        said: list[str] = []
        window.controller.message.connect(said.append)
        started = []
        window.controller.now_playing.connect(lambda t: t is not None and started.append(t.id))
        window.controller.play_track(second, then=[third])
        qtbot.waitUntil(lambda: third.id in started, timeout=15000)
        assert second.id not in started
        assert any("is not on disk" in text for text in said)
        # a damaged file on disk failing after it is listed, as playback found it; by then
        # the absent one's turn (recorded first) has long been taken
        overwrite_keeping_size_and_mtime(music / os.path.relpath(first.path, music))
        window.controller.play_track(first, then=[third])
        qtbot.waitUntil(lambda: (first.path, UNPLAYABLE) in listed(window), timeout=5000)
        assert second.path not in [path for path, _ in listed(window)]
        stages = window.problems.model
        assert [stages.item(r, 2).text() for r in range(stages.rowCount())] == ["playback"]

        os.replace(away, second.path)
        window.controller.play_track(second)
        qtbot.waitUntil(lambda: started[-1] == second.id, timeout=5000)
        assert started.count(first.id) == 0
    finally:
        close_window(window)
