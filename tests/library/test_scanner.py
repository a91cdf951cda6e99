"""Incremental scans into a real profile database."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import time

import psutil
import pytest

from player.library import readers
from player.library.scanner import ScanProgress, scan_library
from player.store import tracks as store
from player.store.db import open_database
from player.store.tracks import TRACK_COLUMNS
from tests.library.audio_files import tag_vorbis, write_audio


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "profile" / "continuo.db")
    yield database
    database.close()


@pytest.fixture
def music(tmp_path):
    root = tmp_path / "music"
    for n in range(1, 4):
        tag_vorbis(
            write_audio(
                root / "Haydn" / "Quartet Op. 76 No. 3" / f"0{n}.flac", seconds=0.5, freq=200 * n
            ),
            composer="Joseph Haydn",
            work="String Quartet Op. 76 No. 3",
            movementname=f"Movement {n}",
            movement=str(n),
            title=f"Movement {n}",
        )
    tag_vorbis(
        write_audio(root / "Bach - Chorales" / "01 Chorale.ogg", seconds=0.5), title="Chorale"
    )
    (root / "cover.jpg").write_bytes(b"not music")
    (root / ".hidden.flac").write_bytes(b"")
    return root


def _paths(db, *, include_missing=False):
    return {t.path: t for t in store.all_tracks(db, include_missing=include_missing)}


def test_first_scan_adds_every_audio_file_and_remembers_the_root(db, music):
    seen: list[ScanProgress] = []
    result = scan_library(db, [music], on_progress=seen.append)
    assert (result.done, result.total, result.added, result.problems) == (4, 4, 4, 0)
    assert store.library_roots(db) == [str(music)]
    tracks = _paths(db)
    assert len(tracks) == 4
    haydn = tracks[str(music / "Haydn" / "Quartet Op. 76 No. 3" / "02.flac")]
    assert (haydn.composer, haydn.movement_number, haydn.movement) == (
        "Joseph Haydn",
        2,
        "Movement 2",
    )
    bach = tracks[str(music / "Bach - Chorales" / "01 Chorale.ogg")]
    assert (bach.composer, bach.work) == ("Bach", "Chorales")
    assert seen[0].total == 4 and seen[-1].done == 4 and seen[-1].current == ""


def test_unchanged_files_are_not_opened_again(db, music):
    scan_library(db, [music])
    victim = music / "Bach - Chorales" / "01 Chorale.ogg"
    stat = victim.stat()
    victim.write_bytes(b"\0" * stat.st_size)  # same size; restore the mtime: must not be read
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = scan_library(db, [music])
    assert (result.unchanged, result.added, result.updated, result.problems) == (4, 0, 0, 0)


def test_changed_file_is_read_again_keeping_its_id(db, music):
    scan_library(db, [music])
    path = music / "Haydn" / "Quartet Op. 76 No. 3" / "01.flac"
    old = _paths(db)[str(path)]
    tag_vorbis(path, movementname="Allegro")
    os.utime(path, ns=(old.mtime_ns + 5_000_000_000, old.mtime_ns + 5_000_000_000))
    result = scan_library(db, [music])
    assert (result.updated, result.unchanged) == (1, 3)
    new = _paths(db)[str(path)]
    assert (new.id, new.movement) == (old.id, "Allegro")


def test_deleted_file_is_marked_missing_and_kept(db, music):
    scan_library(db, [music])
    gone = music / "Haydn" / "Quartet Op. 76 No. 3" / "03.flac"
    gone.unlink()
    result = scan_library(db, [music])
    assert result.missing == 1
    assert str(gone) not in _paths(db)
    assert _paths(db, include_missing=True)[str(gone)].missing is True


def test_moved_file_keeps_its_track_id(db, music, tmp_path):
    scan_library(db, [music])
    old_path = music / "Haydn" / "Quartet Op. 76 No. 3" / "02.flac"
    old_id = _paths(db)[str(old_path)].id
    new_path = music / "Sorted" / "Haydn Op. 76-3 mvt 2.flac"
    new_path.parent.mkdir()
    old_path.rename(new_path)
    result = scan_library(db, [music])
    assert result.missing == 1
    moved = store.track_by_id(db, old_id)
    assert (moved.path, moved.missing) == (str(new_path), False)
    assert len(store.all_tracks(db, include_missing=True)) == 4


def test_the_summary_names_the_files_whose_tracks_changed(db, music):
    first = scan_library(db, [music])
    quartet = music / "Haydn" / "Quartet Op. 76 No. 3"
    every = [quartet / f"0{n}.flac" for n in (1, 2, 3)] + [music / "Bach - Chorales" / "01 Chorale.ogg"]  # fmt: skip
    assert first.changed_paths == frozenset(map(str, every))
    assert scan_library(db, [music]).changed_paths == frozenset()  # nothing changed
    retagged, gone, moved = quartet / "01.flac", quartet / "03.flac", quartet / "02.flac"
    tag_vorbis(retagged, work="Quartet Op. 76 No. 4")
    later = retagged.stat().st_mtime_ns + 5_000_000_000
    os.utime(retagged, ns=(later, later))
    gone.unlink()
    moved.rename(music / "moved.flac")
    added = tag_vorbis(write_audio(music / "new.flac", seconds=0.2), title="New")
    result = scan_library(db, [music])
    assert result.changed_paths == {*map(str, (retagged, gone, moved, music / "moved.flac", added))}


def test_cancelled_scan_resumes(db, music):
    calls = iter(range(100))
    result = scan_library(db, [music], should_stop=lambda: next(calls) >= 2)
    assert (result.done, result.total, result.added) == (2, 4, 2)
    assert store.track_count(db) == 2
    result = scan_library(db, [music])
    assert (result.added, result.unchanged) == (2, 2)
    assert store.track_count(db) == 4


def test_good_track_survives_its_file_being_damaged(db, music):
    scan_library(db, [music])
    path = music / "Haydn" / "Quartet Op. 76 No. 3" / "01.flac"
    before = _paths(db)[str(path)]
    path.write_bytes(path.read_bytes()[: before.size // 3])
    result = scan_library(db, [music])
    assert result.problems == 1
    after = _paths(db)[str(path)]
    assert (after.id, after.movement, after.size) == (before.id, before.movement, before.size)
    assert [p for p, _ in store.problems(db)] == [str(path)]


def test_unplugged_root_keeps_its_tracks(db, music, tmp_path):
    scan_library(db, [music])
    parked = tmp_path / "parked"
    shutil.move(music, parked)
    result = scan_library(db, [music])
    assert (result.total, result.missing) == (0, 0)
    assert store.track_count(db) == 4
    assert store.problems(db) == [(str(music), "The music folder is not there (unplugged?)")]
    shutil.move(parked, music)
    result = scan_library(db, [music])
    assert (result.unchanged, result.problems) == (4, 0)
    assert store.problems(db) == []


def test_progress_is_throttled(db, tmp_path):
    root = tmp_path / "many"
    source = write_audio(root / "0.wav", seconds=0.05)
    for n in range(1, 300):
        shutil.copy(source, root / f"{n}.wav")
    seen: list[ScanProgress] = []
    start = time.monotonic()
    result = scan_library(db, [root], on_progress=seen.append)
    elapsed = time.monotonic() - start
    assert result.added == 300
    assert len(seen) <= elapsed * 20 + 3
    assert [p.done for p in seen] == sorted(p.done for p in seen)


def test_nested_roots_and_link_loops_scan_each_file_once(db, music):
    (music / "Haydn" / "loop").symlink_to(music)
    result = scan_library(db, [music, music / "Haydn"])
    assert (result.total, result.added) == (4, 4)
    assert store.library_roots(db) == sorted([str(music), str(music / "Haydn")])


def test_a_file_opened_on_its_own_is_scanned_once_even_inside_a_folder(tmp_path):
    inside = write_audio(tmp_path / "music" / "a.flac")
    alone = write_audio(tmp_path / "elsewhere" / "b.flac")
    db = open_database(tmp_path / "profile" / "continuo.db")
    result = scan_library(db, [tmp_path / "music", inside, alone])
    assert (result.total, result.added) == (2, 2)
    assert sorted(t.path for t in store.all_tracks(db)) == [str(alone), str(inside)]
    db.close()


def test_worker_processes_read_as_threads_do_and_stop_when_asked(db, music, tmp_path, monkeypatch):
    (music / "broken.flac").write_bytes(b"fLaC" + bytes(64))
    by_threads = open_database(tmp_path / "threads.db")
    scan_library(by_threads, [music])
    monkeypatch.setattr(readers, "PROCESS_MIN_FILES", 1)
    workers: list[int] = []
    calls = iter(range(100))

    def stop_after_two() -> bool:
        workers.append(len(multiprocessing.active_children()))
        return next(calls) >= 2

    stopped = scan_library(db, [music], should_stop=stop_after_two)
    assert (stopped.done, stopped.added) == (2, 2) and max(workers) > 0
    result = scan_library(db, [music])
    assert (result.added, result.unchanged, result.problems) == (2, 2, 1)
    assert multiprocessing.active_children() == []

    def stored(database):
        return {
            t.path: {**{f: getattr(t, f) for f in TRACK_COLUMNS}, "id": None}
            for t in store.all_tracks(database)
        }

    assert stored(db) == stored(by_threads)
    assert store.problems(db) == store.problems(by_threads)
    by_threads.close()


_KILLED_SCAN = """
import sys, time
from pathlib import Path
from player.library import readers
from player.library.scanner import scan_library
from player.store.db import open_database
readers.PROCESS_MIN_FILES = 1
def stuck():
    print("scanning", flush=True)
    time.sleep(60)
    return False
scan_library(open_database(Path(sys.argv[1])), [Path(sys.argv[2])], should_stop=stuck)
"""


def test_worker_processes_end_when_the_scan_is_killed_and_the_next_scan_resumes(db, music):
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SCAN, str(music.parent / "killed.db"), str(music)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "scanning\n"
    workers = psutil.Process(child.pid).children(recursive=True)
    assert workers
    child.kill()
    child.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    result = scan_library(open_database(music.parent / "killed.db"), [music])
    assert (result.added, result.problems) == (4, 0)
