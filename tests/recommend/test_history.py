"""The recommender's history kept up play by play equals a fresh read of the whole log."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from player.audio.backend import EndReason, Playable
from player.playlog import PlayLogRecorder, PlayToken
from player.recommend.history import History, HistoryLog, load_history
from player.recommend.library import load_library
from player.recommend.up_next import Recommender
from player.store.plays import end_play, start_play, update_play
from player.store.tracks import mark_missing, track_by_id
from tests.recommend.conftest import sessions_apart


def assert_same(kept: History, fresh: History) -> None:
    np.testing.assert_array_equal(kept.play_counts, fresh.play_counts)
    np.testing.assert_array_equal(kept.last_heard, fresh.last_heard)
    assert kept.heard_works == fresh.heard_works
    assert kept.heard_artists == fresh.heard_artists
    assert kept.follows == fresh.follows
    assert [s.tolist() for s in kept.sessions] == [s.tolist() for s in fresh.sessions]


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def test_plays_taken_in_one_by_one_equal_a_fresh_read(library):
    db = library.db
    first, second = sessions_apart(2)
    library.play_session(library.work("J. S. Bach", 0), first)
    after = library.play_session(library.work("W. A. Mozart", 1), second)
    beethoven, brahms = library.work("L. van Beethoven", 0), library.work("J. Brahms", 2)
    gone = library.pieces["E. Satie"]
    mark_missing(db, [track_by_id(db, gone).path])  # still in the log, not in the library
    index = load_library(db)
    log = HistoryLog.load(db, index)
    assert len(log.history.sessions) == 2

    def step(play_id: int) -> None:
        assert log.update(db, [play_id]), "taken in without reading the whole log"
        assert_same(log.history, load_history(db, index))

    # the last session grows: a play starts, runs past the heard threshold, finishes
    when = after + timedelta(seconds=5)
    play = start_play(db, beethoven[0], "user", stamp(when))
    step(play)
    update_play(db, play, 20_000)
    step(play)
    update_play(db, play, 45_000)
    step(play)
    heard_once = log.history.play_counts.copy()
    end_play(db, play, 200_000, "finished")
    step(play)
    # the same track again at once: merged into the play it repeats, counted once
    when += timedelta(seconds=201)
    again = start_play(db, beethoven[0], "user", stamp(when))
    step(again)
    end_play(db, again, 200_000, "finished")
    step(again)
    np.testing.assert_array_equal(log.history.play_counts, heard_once)
    # a quick skip, and a play of a track no longer in the library
    when += timedelta(seconds=201)
    skipped = start_play(db, beethoven[1], "user", stamp(when))
    end_play(db, skipped, 4_000, "skipped")
    step(skipped)
    when += timedelta(seconds=5)
    missing = start_play(db, gone, "user", stamp(when))
    end_play(db, missing, 100_000, "finished")
    step(missing)
    assert len(log.history.sessions) == 2  # all of it went into the second session
    # an hour's pause: a new session begins and the one before is settled
    when += timedelta(hours=1)
    for track in brahms:
        play = start_play(db, track, "queue", stamp(when))
        step(play)
        end_play(db, play, 200_000, "finished")
        step(play)
        when += timedelta(seconds=201)
    sessions = log.history.sessions
    assert len(sessions) == 3 and len(sessions[1]) == 5  # Mozart ×3, Beethoven 1 (merged), 2
    mozart = int(index.work_of[index.row_of[library.work("W. A. Mozart", 1)[0]]])
    assert int(index.work_of[index.row_of[beethoven[0]]]) in log.history.follows[mozart]
    # a play older than the last session (an import, a clock set back): the whole log is read
    old = start_play(db, brahms[0], "user", stamp(first - timedelta(days=1)))
    end_play(db, old, 200_000, "finished")
    assert not log.update(db, [old])
    assert_same(log.history, load_history(db, index))
    assert len(log.history.sessions) == 4


def test_the_recorder_tells_the_recommender_which_plays_it_wrote(library, tmp_path):
    """Through the real play log: the recommender takes in its plays (a repeat, a quick skip of
    a suggestion) and suggests what a recommender reading the profile afresh suggests."""
    [earlier] = sessions_apart(1)
    library.play_session(library.work("J. S. Bach", 0), earlier)
    profile = library.profile
    rec = Recommender(profile.database, profile.models / "current")
    rec.prepare()
    loaded = rec._log
    recorder = PlayLogRecorder(profile.database, is_playing=lambda: True, tick_s=0.05).start()
    recorder.written.append(rec.plays_logged)
    mozart, brahms = library.work("W. A. Mozart", 0), library.work("J. Brahms", 1)
    played = [
        (mozart[0], "user", EndReason.FINISHED, 200_000),
        (mozart[0], "user", EndReason.FINISHED, 200_000),  # a repeat
        (mozart[1], "user", EndReason.FINISHED, 200_000),
        (brahms[0], "suggestion", EndReason.SKIPPED, 3_000),  # counts against its recording
        (mozart[2], "user", EndReason.FINISHED, 200_000),
    ]
    try:
        for track_id, started_by, reason, ms in played:
            item = Playable(Path(f"/music/{track_id}.flac"), token=PlayToken(track_id, started_by))
            recorder.track_started(item)
            rec.track_started(track_id, started_by)
            recorder.track_ended(item, reason, ms)
            rec.track_ended(track_id, ms, reason.value)
            assert recorder.flush()
            rec.suggest([track_id], n=3)
    finally:
        recorder.close()
    fresh = Recommender(profile.database, profile.models / "current")
    session = [mozart[0], mozart[1], mozart[2]]
    now = datetime.now().astimezone()
    for mode in ("for_you", "discover", "popular"):
        assert rec.suggest(session, n=6, mode=mode, now=now) == fresh.suggest(
            session, n=6, mode=mode, now=now
        )
    assert rec._log is loaded  # kept up, never read again
    kept, read = rec._state()[1], fresh._state()[1]
    assert_same(kept, read)
    assert kept.play_counts.sum() == 3 + 3  # Bach's three, Mozart's three (the repeat merged)
    assert rec._feedback == fresh._feedback and [f.kind for f in rec._feedback] == ["skip"]
