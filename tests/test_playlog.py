"""The play-log recorder: rows written at start, every few seconds, and at the end, off the caller's thread."""

import threading
import time
from pathlib import Path

from player.audio.backend import EndReason, Playable
from player.playlog import PlayLogRecorder, PlayToken
from player.store.db import open_database
from player.store.plays import all_plays, start_play
from player.store.tracks import Track, upsert_tracks


def _profile_db(tmp_path) -> Path:
    path = tmp_path / "continuo.db"
    db = open_database(path)
    upsert_tracks(
        db, [Track(path=f"/m/{i}.ogg", size=1, mtime_ns=1, title=f"T{i}") for i in (1, 2)]
    )
    start_play(db, 1, "user")  # left open by a "crash"
    db.close()
    return path


def test_recorder_logs_start_progress_and_end(tmp_path):
    path = _profile_db(tmp_path)
    playing = threading.Event()
    recorder = PlayLogRecorder(
        path, is_playing=playing.is_set, save_every_s=0.3, tick_s=0.05
    ).start()
    assert recorder.flush() and recorder.interrupted_closed == 1
    item = Playable(Path("/m/2.ogg"), token=PlayToken(2, "queue"))
    playing.set()
    began = time.monotonic()
    recorder.track_started(item)
    db = open_database(path)
    deadline = time.monotonic() + 30
    while (running := all_plays(db)[-1]).ms_heard < 600:  # saved while running, every 0.3 s
        assert time.monotonic() < deadline, "the running play was never saved"
        time.sleep(0.05)
    assert running.track_id == 2 and running.ended_how is None and running.started_by == "queue"
    assert running.ms_heard <= (time.monotonic() - began) * 1000  # never more than has passed
    playing.clear()  # paused time is not heard
    paused_at = time.monotonic()
    time.sleep(0.8)  # several saves while paused
    recorder.flush()
    paused_ms = all_plays(db)[-1].ms_heard
    assert running.ms_heard <= paused_ms <= (paused_at - began) * 1000
    recorder.track_ended(item, EndReason.FINISHED, 1234)
    recorder.flush()
    plays = all_plays(db)
    assert [(p.track_id, p.ended_how) for p in plays] == [(1, "interrupted"), (2, "finished")]
    assert plays[-1].ms_heard == 1234
    recorder.close()
    db.close()
