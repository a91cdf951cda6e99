"""The profile database under faults: busy, full disk, read-only, damaged pages, failing mid-session.

Nothing stored may be lost or hidden: each case compares the database before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from player import profile_db
from player.app import build_services, build_window
from player.errors import DatabaseError
from player.profile import Profile
from player.profile_db import DAMAGE_NOTE, open_profile_database
from player.store.db import open_database
from tests.faults.conftest import (
    assert_kept,
    close_window,
    fill,
    held_exclusively,
    make_profile,
    release,
    snapshot,
    unprivileged,
)
from tests.faults.conftest import open_window as open_profile_window

TRACKS = 6  # tests/ui/library.py


def open_window(qtbot, profile):
    return open_profile_window(qtbot, profile, tracks=TRACKS)


def play_some(qtbot, window, count: int) -> None:
    """Play ``count`` tracks and start one more, each from its last moments (plays all the same)."""
    started = []
    controller = window.controller

    def heard(track) -> None:
        if track is not None:
            started.append(track)
            controller.seek(max(0.0, track.duration_s - 0.3))

    controller.now_playing.connect(heard)
    controller.play_library()
    qtbot.waitUntil(lambda: len(started) > count, timeout=30000)
    window.controller.stop()


def test_busy_database_is_waited_for_then_reported_and_left_alone(tmp_path, music):
    profile = make_profile(tmp_path / "p", music)
    before, raw = snapshot(profile.database), profile.database.read_bytes()
    waiting: list[str] = []
    with held_exclusively(profile.database), pytest.raises(DatabaseError) as info:
        open_profile_database(profile, [], wait_s=3, on_wait=waiting.append)
    assert info.value.kind == "busy"
    assert info.value.short == "Another program holds your Continuo profile"
    assert waiting and "Another program is using" in waiting[0] and "waiting" in waiting[0]
    assert not list(profile.root.glob("*.damaged-*"))
    assert profile.database.read_bytes() == raw
    assert snapshot(profile.database) == before


def test_busy_database_opens_once_the_other_program_lets_go(tmp_path, music):
    profile = make_profile(tmp_path / "p", music)
    before = snapshot(profile.database)
    notices: list[str] = []
    with held_exclusively(profile.database) as holder:
        db = open_profile_database(profile, notices, wait_s=30, on_wait=lambda _: release(holder))
    try:
        assert not db.read_only and notices == []
        assert db.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == TRACKS
    finally:
        db.close()
    assert_kept(before, snapshot(profile.database))


def test_app_says_it_waits_for_a_busy_profile_and_opens_when_released(tmp_path, music):
    """The command line says it is waiting; the app opens once the other program lets go."""
    profile = make_profile(tmp_path / "p", music)
    before = snapshot(profile.database)
    with held_exclusively(profile.database) as holder:
        app = subprocess.Popen(
            [sys.executable, "-m", "player", "--profile", str(profile.root), "--no-audio"]
            + ["--quit-after", "0.5"],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        assert app.stderr is not None
        first = app.stderr.readline()  # blocks until the app reports; killed by the timeout
        release(holder)
        rest = app.communicate(timeout=120)[1]
    assert "Another program is using" in first and "waiting up to" in first
    assert app.returncode == 0, rest
    assert "Traceback" not in rest
    assert not list(profile.root.glob("*.damaged-*"))
    assert_kept(before, snapshot(profile.database))


def test_full_disk_at_start_opens_read_only_and_saves_plays_once_there_is_room(
    qtbot, small_disk, music
):
    profile = make_profile(small_disk / "p", music)
    before = snapshot(profile.database)
    filler = fill(small_disk)
    window = open_window(qtbot, profile)
    try:
        assert window.services.read_only
        assert "cannot write" in window.banner.text() and "kept in memory" in window.banner.text()
        assert "not rescanned" in window.status.scan.text()
        play_some(qtbot, window, 2)
        recorder = window.services.recorder
        qtbot.waitUntil(lambda: recorder.flush() and recorder.pending >= 3, timeout=10000)
        qtbot.waitUntil(lambda: "kept in memory" in window.status.fault.text(), timeout=10000)
        filler.unlink()  # space again: the log catches up on its own
        qtbot.waitUntil(lambda: recorder.flush() and recorder.pending == 0, timeout=20000)
        assert recorder.alive
        qtbot.waitUntil(lambda: "kept in memory" not in window.status.fault.text(), timeout=5000)
    finally:
        close_window(window)
    after = snapshot(profile.database)
    assert_kept(before, after)
    assert len(after["plays"]) >= len(before["plays"]) + 3
    assert not list(profile.root.glob("*.damaged-*"))


def test_disk_filling_during_a_session_keeps_plays_in_memory_and_writes_them_later(
    qtbot, small_disk, music
):
    profile = make_profile(small_disk / "p", music)
    window = open_window(qtbot, profile)
    try:
        assert not window.services.read_only and "cannot write" not in window.banner.text()
        db = open_database(profile.database)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log needs new room to grow
        db.close()
        before = snapshot(profile.database)
        filler = fill(small_disk)
        play_some(qtbot, window, 2)
        recorder = window.services.recorder
        qtbot.waitUntil(lambda: recorder.flush() and recorder.pending >= 3, timeout=10000)
        qtbot.waitUntil(lambda: "kept in memory" in window.status.fault.text(), timeout=10000)
        filler.unlink()
        qtbot.waitUntil(lambda: recorder.flush() and recorder.pending == 0, timeout=20000)
    finally:
        close_window(window)
    after = snapshot(profile.database)
    assert_kept(before, after)
    assert len(after["plays"]) >= len(before["plays"]) + 3


@pytest.mark.parametrize("what", ["folder", "file"])
def test_read_only_profile_opens_read_only_and_keeps_the_library(tmp_path, music, what):
    """Run as a listener would be (no root capabilities), with the folder or the file read-only."""
    profile = make_profile(tmp_path / "p", music)
    before = snapshot(profile.database)
    open_database(profile.database).close()  # the last connection folds the WAL in and removes it
    assert not list(profile.root.glob("continuo.db-*"))
    target = profile.root if what == "folder" else profile.database
    target.chmod(0o555 if what == "folder" else 0o444)
    try:
        done = subprocess.run(
            unprivileged([sys.executable, "-m", "tests.faults.app_probe", str(profile.root)])
            + ["--play", "2"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        target.chmod(0o755 if what == "folder" else 0o644)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["read_only"] and seen["tracks"] == TRACKS
    assert "cannot write" in seen["banner"] and "read-only" in seen["banner"]
    assert seen["played"] >= 3 and seen["pending"] >= 3  # kept in memory, not dropped
    assert "kept in memory" in seen["fault"] and seen["play_log_alive"]
    assert snapshot(profile.database) == before
    assert not list(profile.root.glob("*.damaged-*"))


def damage_page_holding(database, marker: bytes) -> bytes:
    """Overwrite the page of ``database`` that stores ``marker`` with junk; returns the new bytes."""
    data = bytearray(database.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    at = data.find(marker)
    assert at > page_size, "the marker must lie past the header page"
    page = at // page_size
    data[page * page_size : (page + 1) * page_size] = bytes(range(256)) * (page_size // 256)
    database.write_bytes(bytes(data))
    return bytes(data)


def test_damaged_page_of_plays_is_recovered_at_start_and_playing_goes_on(qtbot, tmp_path, music):
    profile = make_profile(tmp_path / "p", music, plays=3000)
    before = snapshot(profile.database)
    damaged = damage_page_holding(profile.database, before["plays"][1500][2].encode())

    history = subprocess.run(
        [sys.executable, "-m", "player", "history", "--profile", str(profile.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert history.returncode == 2 and "Traceback" not in history.stderr
    assert "is damaged" in history.stderr and "recovers what can still be read" in history.stderr
    assert profile.database.read_bytes() == damaged  # reading changed nothing

    window = open_window(qtbot, profile)
    try:
        (copy,) = profile.root.glob("continuo.db.damaged-*")
        assert copy.read_bytes() == damaged  # the original bytes are kept
        banner = window.banner.text()
        after = snapshot(profile.database)
        recovered = len(after["plays"])
        assert "was damaged" in banner and copy.name in banner
        assert f"recovered {TRACKS} tracks and {recovered:,} plays" in banner
        assert "some plays could not be read" in banner
        # one page of ~100 rows is lost; every other play is back, unchanged
        assert len(before["plays"]) - 150 < recovered < len(before["plays"])
        assert set(after["plays"]) <= set(before["plays"])
        assert after["tracks"] == before["tracks"]
        play_some(qtbot, window, 2)
        recorder = window.services.recorder
        qtbot.waitUntil(lambda: recorder.flush() and recorder.pending == 0, timeout=10000)
        assert recorder.alive and not window.status.fault.text()
    finally:
        close_window(window)
    assert len(snapshot(profile.database)["plays"]) >= recovered + 3


def test_damage_in_a_large_profile_is_reported_then_recovered_at_the_next_start(
    qtbot, tmp_path, music, monkeypatch
):
    """A large profile is checked once the library is on screen: damage found then is said in
    the window and noted, and the next start recovers the file."""
    profile = make_profile(tmp_path / "p", music, plays=3000)
    before = snapshot(profile.database)
    damaged = damage_page_holding(profile.database, before["plays"][1500][2].encode())
    monkeypatch.setattr(profile_db, "START_CHECK_BYTES", 0)  # every profile counts as large
    services = build_services(profile, no_audio=True)
    assert services.unchecked and profile.database.read_bytes() == damaged
    window = build_window(services)
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: "database is damaged" in window.status.fault.text(), timeout=20000)
        assert "start Continuo again" in window.status.fault.text()
        assert (profile.root / DAMAGE_NOTE).is_file()
    finally:
        close_window(window)
    assert profile.database.read_bytes() == damaged  # the check changed nothing

    notices: list[str] = []
    db = open_profile_database(profile, notices)
    try:
        assert db.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == TRACKS
    finally:
        db.close()
    # the copy keeps the write-ahead log the damaged start left beside it
    (copy,) = (p for p in profile.root.glob("continuo.db.damaged-*") if not p.name.endswith("-wal"))
    assert copy.read_bytes() == damaged
    assert "was damaged" in notices[0] and not (profile.root / DAMAGE_NOTE).exists()


def test_damaged_database_on_a_full_disk_is_left_as_it_is_and_read(tmp_path, small_disk, music):
    """No room for the copy: nothing is replaced, the readable part is shown read-only."""
    profile = make_profile(small_disk / "p", music, plays=3000)
    before = snapshot(profile.database)
    damaged = damage_page_holding(profile.database, before["plays"][1500][2].encode())
    fill(small_disk)
    notices: list[str] = []
    db = open_profile_database(profile, notices)
    try:
        assert db.read_only
        assert db.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == TRACKS
    finally:
        db.close()
    assert "is damaged" in notices[0] and "cannot repair it now" in notices[0]
    assert profile.database.read_bytes() == damaged
    assert not [p for p in profile.root.iterdir() if "damaged-" in p.name and p.stat().st_size]


def test_the_check_begun_early_is_the_one_the_open_takes(tmp_path, music):
    """``continuo`` checks the database on a thread while Qt is imported: a sound file reads
    "ok", damage found there is recovered by the open as if it had found it, and no file (a
    first start) is left to the open."""
    assert profile_db.check_early(Profile(tmp_path / "new")).result(timeout=10) is None

    profile = make_profile(tmp_path / "p", music, plays=3000)
    assert profile_db.check_early(profile).result(timeout=10) == "ok"

    before = snapshot(profile.database)
    damaged = damage_page_holding(profile.database, before["plays"][1500][2].encode())
    checked = profile_db.check_early(profile)
    problem = checked.result(timeout=10)
    assert problem and problem != "ok"
    assert profile.database.read_bytes() == damaged  # the check changed nothing
    notices: list[str] = []
    db = open_profile_database(profile, notices, checked=checked)
    try:
        assert db.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == TRACKS
    finally:
        db.close()
    (copy,) = profile.root.glob("continuo.db.damaged-*")
    assert copy.read_bytes() == damaged
    assert "was damaged" in notices[0]
