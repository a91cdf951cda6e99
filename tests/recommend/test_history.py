"""The recommender's history kept up play by play equals a fresh read of the whole log."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.audio.backend import EndReason, Playable
from player.audio.null import NullBackend
from player.playlog import PlayLogRecorder, PlayToken
from player.recommend.history import History, HistoryLog, load_history
from player.recommend.library import load_library
from player.recommend.up_next import Recommender
from player.store.features import TrackFeatures, save_features
from player.store.plays import end_play, start_play, update_play
from player.store.tracks import Track, mark_missing, track_by_id, upsert_tracks
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
    silent = NullBackend()  # nothing plays: the plays' figures come with their ends
    recorder = PlayLogRecorder(profile.database, snapshot=silent.snapshot, tick_s=0.05).start()
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
        silent.close()
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


def test_a_new_library_counts_the_kept_plays_again_without_reading_the_log(library):
    """A scan removes a heard track and brings back one that was missing: the kept plays,
    counted over the new rows, equal a fresh read (the returning track's plays count again)."""
    db = library.db
    first, second, third = sessions_apart(3)
    satie = library.pieces["E. Satie"]
    library.play_session([satie, *library.work("J. S. Bach", 0)], first)
    library.play_session([*library.work("W. A. Mozart", 1), satie], second)
    library.play_session(library.work("J. Brahms", 2), third)  # the last session
    mark_missing(db, [track_by_id(db, satie).path])
    log = HistoryLog.load(db, load_library(db))
    assert satie not in log.library.row_of
    back = track_by_id(db, satie)
    assert back is not None
    back.missing = False
    upsert_tracks(db, [back])
    mark_missing(db, [track_by_id(db, library.work("J. S. Bach", 0)[1]).path])
    index = load_library(db)
    log.rebase(index)
    assert_same(log.history, load_history(db, index))
    assert log.history.play_counts[index.row_of[satie]] == 2
    # the log goes on from there: a play in the last session, then a new session
    when = third + timedelta(hours=1)
    play = start_play(db, satie, "user", stamp(when))
    end_play(db, play, 200_000, "finished")
    assert log.update(db, [play])
    assert_same(log.history, load_history(db, index))


def test_new_analysis_results_patch_the_index_and_keep_the_history(library):
    """An analysis run's content vectors, keys and tunings equal a fresh index's; the rows stay,
    so the recommender's history is the one it had."""
    db = library.db
    [when] = sessions_apart(1)
    library.play_session(library.work("J. Brahms", 0), when)
    profile = library.profile
    rec = Recommender(profile.database, profile.models / "current")
    rec.prepare()
    kept, history = rec._log, rec._log.history
    index = rec._library
    assert index.content is None
    rng = np.random.default_rng(3)
    with db.transaction():
        for track_id in library.work("J. Brahms", 0) + library.work("C. Debussy", 1):
            histogram = rng.dirichlet(np.ones(8)).astype(np.float32) * 30
            features = TrackFeatures(histogram, 30, 200.0, 0.7, 200.0, 0.0, "E minor", 443.0)
            save_features(db, track_id, ANALYSIS_VERSION, features)
    rec.features_changed()
    rec.prepare()
    patched, fresh = rec._library, load_library(db)
    assert patched is not index and rec._log is kept and rec._log.history is history
    assert patched.unit_rows is index.unit_rows and patched.labels is index.labels  # shared
    np.testing.assert_array_equal(patched.content, fresh.content)
    np.testing.assert_array_equal(patched.key_codes, fresh.key_codes)
    np.testing.assert_array_equal(patched.tuning_hz, fresh.tuning_hz)
    assert patched.content_version == fresh.content_version == ANALYSIS_VERSION
    assert rec.suggest(library.work("J. Brahms", 0)[:1], n=3)


def test_a_recordings_movements_keep_playing_order_from_tags_or_file_names(library):
    """The index sorts a recording's movements as ``movement_order`` does: stored rising
    movement numbers stand, and discs named only by the file names ("2-01") still come after
    disc 1 although their movement numbers say otherwise."""
    db = library.db
    files = [("2-01 Finale.flac", 1), ("1-01 Allegro.flac", 2), ("1-02 Adagio.flac", 3)]
    upsert_tracks(
        db,
        [
            Track(
                path=f"/music/Haydn/Op. 76/{name}",
                size=1,
                mtime_ns=1,
                title=name[5:-5],
                composer="J. Haydn",
                work="String Quartet Op. 76 No. 1",
                movement=name[5:-5],
                movement_number=number,
                duration_s=100.0,
            )
            for name, number in files
        ],
    )
    index = load_library(db)
    haydn = [r for r in range(len(index)) if index.composers[r].endswith("Haydn")]
    unit = index.units[int(index.unit_of[haydn[0]])]
    played = [Path(track_by_id(db, int(index.track_ids[r])).path).name for r in unit]
    assert played == ["1-01 Allegro.flac", "1-02 Adagio.flac", "2-01 Finale.flac"]
    bach = index.units[int(index.unit_of[index.row_of[library.work("J. S. Bach", 0)[0]]])]
    assert [int(index.track_ids[r]) for r in bach] == library.work("J. S. Bach", 0)
