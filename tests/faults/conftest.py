"""The fault-injection suite: real second processes, a real small filesystem, real permissions.

Each case makes the fault with real parts (a process holding SQLite's lock, a tmpfs filled to the
last byte, a folder made read-only and a test process without the capabilities that let root
ignore it, bytes overwritten in a real database file, a model edited with ``onnx``), then checks
what the listener sees and that nothing already stored is lost.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from player.app import build_services, build_window
from player.library.scanner import scan_library
from player.profile import Profile
from player.store.db import open_database
from player.store.plays import end_play, start_play
from tests.ui.library import make_library

_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("COMMIT")
conn.close()
"""

FIRST_PLAY = datetime(2026, 1, 1, 10, tzinfo=UTC)
DROPPED_CAPABILITIES = "-dac_override,-dac_read_search,-fowner,-linux_immutable"


@contextmanager
def held_exclusively(database: Path) -> Iterator[subprocess.Popen]:
    """Another process holds ``database`` the way a database tool or a stuck copy would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        release(holder)


def release(holder: subprocess.Popen) -> None:
    if holder.stdin is not None and not holder.stdin.closed:
        holder.stdin.close()
    holder.wait(10)


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run so that file permissions apply: as root, without the capabilities that
    bypass them (so a read-only folder is read-only, as it is for any listener)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--bounding-set={DROPPED_CAPABILITIES}", "--inh-caps=-all", *command]


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A real 8 MB filesystem (tmpfs) that the test can fill to the last byte."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0777", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here ({done.stderr.strip() or done.returncode}); "
            "the full-disk cases need root (as in CI)"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` until the filesystem refuses another byte; returns the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 20, 4096, 1):  # big blocks, then what is left, to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


@pytest.fixture(scope="session")
def music(tmp_path_factory) -> Path:
    """Six tagged OGG movements in three works (tests/ui/library.py)."""
    return make_library(tmp_path_factory.mktemp("faults-music"))


def open_window(qtbot, profile: Profile, libraries=(), *, tracks: int, no_audio: bool = True):
    """The real window on ``profile``, after its first scan, showing ``tracks`` tracks."""
    services = build_services(profile, list(libraries), no_audio=no_audio)
    window = build_window(services)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=30000):
        window.start()
    qtbot.waitUntil(lambda: len(window.controller.library_tracks) == tracks, timeout=10000)
    return window


def close_window(window) -> None:
    window.close()
    window.jobs.wait()
    window.services.close()


def make_profile(root: Path, music: Path, *, plays: int = 40) -> Profile:
    """A profile with ``music`` scanned and ``plays`` finished plays in its log."""
    profile = Profile(root).create()
    db = open_database(profile.database)
    try:
        scan_library(db, [music])
        tracks = [r[0] for r in db.conn.execute("SELECT id FROM tracks ORDER BY id")]
        for i in range(plays):
            started = (FIRST_PLAY + timedelta(minutes=i)).isoformat(timespec="milliseconds")
            play = start_play(db, tracks[i % len(tracks)], "user", started)
            end_play(db, play, 2000, "finished")
    finally:
        db.close()
    return profile


def snapshot(database: Path) -> dict[str, list[tuple]]:
    """Every row of the tables a listener would miss, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in ("library_roots", "tracks", "plays", "feedback", "settings")
        }
    finally:
        conn.close()


def assert_kept(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    """Every row stored before is still there, unchanged (new rows may have been added)."""
    for table, rows in before.items():
        missing = set(rows) - set(after[table])
        assert not missing, f"{table}: {len(missing)} rows lost or changed"
