"""The issue's bad-files test: a folder of broken files never stops a scan and each gets a reason."""

from __future__ import annotations

import os
import struct

import pytest

from player.library.scanner import BATCH_SIZE, scan_library
from player.store import tracks as store
from player.store.db import open_database
from tests.library.audio_files import tag_vorbis, write_audio


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "profile" / "continuo.db")
    yield database
    database.close()


def _bad_folder(root):
    good = [
        tag_vorbis(write_audio(root / "good" / "a.flac"), title="Good A", composer="Good"),
        tag_vorbis(write_audio(root / "good" / "b.ogg"), title="Good B", composer="Good"),
    ]
    full = write_audio(root / "bad" / "truncated.flac", seconds=3).read_bytes()
    (root / "bad" / "truncated.flac").write_bytes(full[: len(full) // 2])
    wav = write_audio(root / "bad" / "truncated.wav", seconds=3).read_bytes()
    (root / "bad" / "truncated.wav").write_bytes(wav[: len(wav) // 3])
    mp3 = write_audio(root / "bad" / "truncated.mp3", seconds=5).read_bytes()
    (root / "bad" / "truncated.mp3").write_bytes(mp3[: len(mp3) // 2])
    (root / "bad" / "zero.ogg").write_bytes(b"")
    (root / "bad" / "letter.mp3").write_text("Dear listener,\nthis is not an MP3.\n" * 40)
    (root / "bad" / "noise.flac").write_bytes(b"fLaC" + os.urandom(4000))
    # An ID3 tag whose header claims 256 MB of frames in a 2 kB file.
    (root / "bad" / "absurd-id3.mp3").write_bytes(
        b"ID3\x04\x00\x00" + bytes([0x7F] * 4) + b"\0" * 2000
    )
    huge = tag_vorbis(
        write_audio(root / "bad" / "huge-tags.flac"), title="T" * 3_000_000, composer="Huge"
    )
    return good, huge


def test_scan_of_bad_files_finishes_keeps_good_ones_and_gives_reasons(db, tmp_path):
    root = tmp_path / "music"
    good, huge = _bad_folder(root)
    result = scan_library(db, [root])
    assert result.done == result.total == 10
    titles = {t.path: t.title for t in store.all_tracks(db)}
    assert titles[str(good[0])] == "Good A" and titles[str(good[1])] == "Good B"
    assert len(titles[str(huge)]) == 300  # playable: kept, its title cut, and reported
    reasons = dict(store.problems(db))
    bad = {p.name: reasons.get(str(p)) for p in (root / "bad").iterdir()}
    assert all(bad.values()), bad
    assert "empty" in bad["zero.ogg"]
    assert "ends early" in bad["truncated.wav"]
    assert "ends early" in bad["truncated.mp3"]
    assert "truncated" in bad["truncated.flac"] or "ends early" in bad["truncated.flac"]
    assert "Not an audio file" in bad["letter.mp3"]
    assert "cut" in bad["huge-tags.flac"]
    assert str(good[0]) not in reasons and str(good[1]) not in reasons
    assert result.problems == len(bad) == 8
    assert db.integrity_check() == "ok"
    # A second scan re-reads nothing and keeps every reason.
    again = scan_library(db, [root])
    assert (again.unchanged, again.problems, again.added) == (10, 0, 0)
    assert dict(store.problems(db)) == reasons


def test_header_fields_that_overflow_are_problems_not_crashes(db, tmp_path):
    # A WAV whose fmt chunk declares 0 channels and a 4 GB data chunk.
    header = (
        b"RIFF"
        + struct.pack("<I", 36)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 0, 44100, 0, 0, 16)
    )
    path = tmp_path / "music" / "zero-channels.wav"
    path.parent.mkdir()
    path.write_bytes(header + b"data" + struct.pack("<I", 0xFFFFFFFF) + b"\0" * 64)
    result = scan_library(db, [tmp_path / "music"])
    assert result.problems == 1 and store.track_count(db) == 0


def test_problems_are_written_in_batches_and_none_is_lost(db, tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    count = BATCH_SIZE + 5
    for n in range(count):
        (root / f"{n:03d}.mp3").write_text(f"letter {n}, not an MP3\n" * 20)
    tag_vorbis(write_audio(root / "good.flac"), title="Good")
    result = scan_library(db, [root])
    assert (result.added, result.problems) == (1, count)
    reasons = dict(store.problems(db))
    assert len(reasons) == count and all("Not an audio file" in r for r in reasons.values())
