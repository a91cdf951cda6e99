"""Reading a long play log: the newest sessions for the History view, the log as arrays, bulk writes."""

from __future__ import annotations

import pytest

from player.store.db import open_database
from player.store.play_log import read_play_log
from player.store.plays import heard_plays_by_recording, log_plays, recent_sessions
from player.store.tracks import Track, all_tracks, upsert_tracks


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db, [Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title=f"T{i}") for i in range(3)]
    )
    yield db
    db.close()


def three_sessions_of_three(db) -> None:
    """Sessions on three days, 10:00, 10:05, 10:10 each, tracks 1, 2, 3."""
    log_plays(
        db,
        [
            (
                track,
                f"2026-01-0{day}T10:{5 * (track - 1):02d}:00.000+00:00",
                60_000,
                "finished",
                "user",
            )
            for day in (1, 2, 3)
            for track in (1, 2, 3)
        ],
    )


def test_recent_sessions_are_whole_and_count_the_older_plays(db):
    three_sessions_of_three(db)
    sessions, older = recent_sessions(db, max_plays=4)  # reads 1 play of day 2: left out
    assert [[p.started_at.day for p in s] for s in sessions] == [[3, 3, 3]]
    assert older == 6
    sessions, older = recent_sessions(db, max_plays=9)
    assert [len(s) for s in sessions] == [3, 3, 3] and older == 0
    assert sessions[-1][-1].path == "/m/2.flac"  # track 3 is the third row written


def test_a_session_longer_than_the_limit_is_shown_cut_rather_than_not_at_all(db):
    three_sessions_of_three(db)
    sessions, older = recent_sessions(db, max_plays=2)
    assert [[p.track_id for p in s] for s in sessions] == [[2, 3]]
    assert older == 7


def test_play_columns_hold_the_log_in_start_order(db):
    log_plays(
        db,
        [
            (2, "2026-01-01T10:05:00.250+00:00", 1_500, "skipped", "queue"),
            (1, "2026-01-01T10:00:00.000+00:00", 300_000, "finished", "user"),
        ],
    )
    log = read_play_log(db).columns()
    assert log.track_id.tolist() == [1, 2]
    assert (log.start_ms[1] - log.start_ms[0]) == 300_250
    assert log.end_ms.tolist() == (log.start_ms + [300_000, 1_500]).tolist()
    assert log.finished.tolist() == [True, False]
    assert len(read_play_log(open_database(db.path)).columns().track_id) == 2


def test_log_plays_refuses_an_unknown_ending_and_writes_nothing(db):
    with pytest.raises(ValueError, match="ending"):
        log_plays(db, [(1, "2026-01-01T10:00:00.000+00:00", 1, "finished", "user"),
                       (1, "2026-01-01T11:00:00.000+00:00", 1, "exploded", "user")])  # fmt: skip
    assert len(read_play_log(db).columns().track_id) == 0


def test_heard_plays_are_counted_per_recording(tmp_path):
    db = open_database(tmp_path / "heard.db")
    movement = dict(size=1, mtime_ns=1, composer="Franz Schubert", work="Trout Quintet")
    upsert_tracks(
        db,
        [
            Track(path="/a/1.flac", title="Allegro vivace", performers="Brendel", **movement),
            Track(path="/a/2.flac", title="Andante", performers="Brendel", **movement),
            Track(path="/b/1.flac", title="Allegro vivace", performers="Richter", **movement),
        ],
    )
    log_plays(
        db,
        [
            (1, "2026-01-01T10:00:00.000+00:00", 1_000, "finished", "user"),  # finished: heard
            (2, "2026-01-01T10:10:00.000+00:00", 45_000, "stopped", "user"),  # 45 s: heard
            (3, "2026-01-01T10:20:00.000+00:00", 5_000, "skipped", "user"),  # a quick skip
        ],
    )
    counts = heard_plays_by_recording(db)
    by_path = {t.path: t.recording_key for t in all_tracks(db)}
    assert by_path["/a/1.flac"] == by_path["/a/2.flac"] != by_path["/b/1.flac"]
    assert counts == {by_path["/a/1.flac"]: 2}
    db.close()
