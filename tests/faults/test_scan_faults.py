"""One odd file never stops a scan: odd names (any bytes), odd tags (any text), odd numbers.

Every file either becomes a track or a Problem with a reason; names that are not UTF-8 are
stored with their exact bytes and play.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.audio.backend import Playable
from player.audio.decoder import TrackDecoder
from player.library.scanner import BATCH_SIZE, scan_library
from player.store.db import open_database
from player.store.tracks import all_tracks, problems
from tests.faults.conftest import unprivileged
from tests.library.audio_files import tag_vorbis, write_audio

ODD_VALUES = ["²", "1/0", "-5", "99999", "½", "\x00", "3\x00/4", "Ⅳ", "٣", "1e308", "NaN", ""]
HUGE = "<10 MB of x>"  # stands for the value, so a failing example's report stays short
TAG_NAMES = [
    "title",
    "composer",
    "work",
    "movementname",
    "movement",
    "movementtotal",
    "tracknumber",
    "discnumber",
    "date",
    "performer",
    "replaygain_track_gain",
    "replaygain_track_peak",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_audio(tmp_path_factory.mktemp("template") / "t.flac", seconds=0.2)


def scan(folder: Path, database: Path):
    db = open_database(database)
    try:
        summary = scan_library(db, [folder])
        return summary, all_tracks(db), problems(db)
    finally:
        db.close()


def plays(path: str) -> bool:
    decoder = TrackDecoder(Playable(Path(path)), out_rate=44100, out_channels=2)
    try:
        return len(decoder.read()) > 0
    finally:
        decoder.close()


def test_scan_stores_every_file_past_odd_names_and_numbers(tmp_path, template):
    """The issue's reproduction, beyond one batch: a name byte that is not UTF-8, a track "²"."""
    music = tmp_path / "music"
    music.mkdir()
    count = BATCH_SIZE + 20
    for i in range(count):
        shutil.copy(template, music / f"{i:03d}.flac")
    odd_name = os.fsencode(music) + b"/1\xff odd.flac"
    shutil.copy(template, os.fsdecode(odd_name))
    tag_vorbis(music / "005.flac", tracknumber="²", discnumber="½", movement="1/0")
    summary, tracks, found = scan(music, tmp_path / "c.db")
    assert found == [] and summary.problems == 0
    assert len(tracks) == count + 1
    (odd,) = [t for t in tracks if "odd" in t.path]
    assert os.fsencode(odd.path) == odd_name  # the exact bytes, round-tripped through SQLite
    assert plays(odd.path)
    five = next(t for t in tracks if t.path.endswith("005.flac"))
    assert (five.track_number, five.disc_number) == (None, None)  # "²", "½": not numbers
    assert (five.movement_number, five.movement_count) == (1, None)  # "1/0": one of nonsense
    again, tracks_again, _ = scan(music, tmp_path / "c.db")  # the next start: nothing changed
    assert again.unchanged == count + 1 and tracks_again == tracks


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(TAG_NAMES),
    value=st.one_of(
        st.sampled_from(ODD_VALUES),
        st.text(max_size=200),  # any Unicode a tag can hold, NUL included
        st.just(HUGE),
    ),
)
def test_any_tag_value_becomes_a_track_or_a_problem(template, name, value):
    with tempfile.TemporaryDirectory() as folder:
        music = Path(folder) / "music"
        music.mkdir()
        path = music / "a.flac"
        shutil.copy(template, path)
        tag_vorbis(path, **{name: "x" * 10_000_000 if value == HUGE else value})
        summary, tracks, found = scan(music, Path(folder) / "c.db")
    # a track (perhaps with a Problem saying what was cut), or a Problem saying why not
    assert summary.done == 1 and len(tracks) <= 1 and (tracks or found)
    assert all(reason for _, reason in found)
    if tracks:
        track = tracks[0]
        for text in (track.title, track.composer, track.work, track.movement, track.date):
            assert "\x00" not in text and len(text) <= 300
        for number in (track.track_number, track.disc_number, track.movement_number):
            assert number is None or 0 < number <= 9999
        gain = track.replaygain_track_db
        assert gain is None or np.isfinite(gain)


def _file_names():
    forbidden = {ord("/"), 0}
    return (
        st.binary(min_size=1, max_size=120)
        .map(lambda raw: bytes(b for b in raw if b not in forbidden))
        .filter(lambda raw: raw and not raw.startswith(b"."))
        .map(lambda raw: raw + b".flac")
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_file_names())
def test_any_file_name_is_stored_faithfully_and_plays(template, name):
    with tempfile.TemporaryDirectory() as folder:
        music = os.fsencode(folder) + b"/music"
        os.mkdir(music)
        shutil.copy(template, music + b"/" + name)
        summary, tracks, found = scan(Path(os.fsdecode(music)), Path(folder) / "c.db")
        assert found == [] and len(tracks) == 1
        assert os.fsencode(tracks[0].path) == music + b"/" + name
        assert plays(tracks[0].path)


@pytest.mark.parametrize("suffix", [".ogg", ".opus"])
@pytest.mark.parametrize("keep", [0.9, 0.5, 0.2, 0.02])
def test_truncated_ogg_is_called_damaged_or_truncated(tmp_path, suffix, keep):
    """Never "holds no audio" or "not an audio file" for an Ogg file cut short."""
    full = write_audio(tmp_path / "full" / f"a{suffix}", seconds=5).read_bytes()
    music = tmp_path / "music"
    music.mkdir()
    (music / f"cut{suffix}").write_bytes(full[: int(len(full) * keep)])
    summary, tracks, found = scan(music, tmp_path / "c.db")
    assert tracks == [] and len(found) == 1
    reason = found[0][1]
    assert "truncated" in reason and "damaged" in reason or "ends early" in reason, reason


_SCAN_IN_CHILD = """
import json, sys
from pathlib import Path
from player.library.scanner import scan_library
from player.store.db import open_database
from player.store.tracks import all_tracks, problems
db = open_database(sys.argv[1])
scan_library(db, [Path(sys.argv[2])])
print(json.dumps({"tracks": [t.path for t in all_tracks(db)], "problems": problems(db)}))
"""


def test_unreadable_file_and_folder_are_problems_and_keep_their_tracks(tmp_path, template):
    """Run as a listener would be (root without the capabilities that bypass permissions)."""
    music = tmp_path / "music"
    for name in ("open/a.flac", "closed/b.flac", "secret.flac"):
        (music / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(template, music / name)
    database = tmp_path / "c.db"
    _, first, _ = scan(music, database)
    assert len(first) == 3
    (music / "secret.flac").touch()  # changed: the next scan reads it again
    (music / "secret.flac").chmod(0)
    (music / "closed").chmod(0)
    try:
        done = subprocess.run(
            unprivileged([sys.executable, "-c", _SCAN_IN_CHILD, str(database), str(music)]),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        (music / "secret.flac").chmod(0o644)
        (music / "closed").chmod(0o755)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    reasons = dict(seen["problems"])
    assert "permission denied" in reasons[str(music / "secret.flac")]
    assert "permission denied" in reasons[str(music / "closed")]
    assert sorted(seen["tracks"]) == sorted(t.path for t in first)  # nothing hidden or lost
