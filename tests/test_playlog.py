"""The play-log recorder: rows written at start, every few seconds, and at the end, off the caller's thread."""

import time
from pathlib import Path

import numpy as np
import soundfile as sf

from player.audio.backend import EndReason, Playable
from player.audio.null import NullBackend
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
    """Through a real (silent) backend playing a generated file: the running play's time heard
    is saved as the backend counts it, paused time not counted; the end's figure wins."""
    path = _profile_db(tmp_path)
    sf.write(tmp_path / "2.wav", np.zeros((8000 * 30, 1), np.float32), 8000)  # 30 s
    backend = NullBackend()
    recorder = PlayLogRecorder(
        path, snapshot=backend.snapshot, save_every_s=0.3, tick_s=0.05
    ).start()
    backend.listener = recorder
    assert recorder.flush() and recorder.interrupted_closed == 1
    item = Playable(tmp_path / "2.wav", token=PlayToken(2, "queue"))
    backend.play(item)
    db = open_database(path)
    try:
        deadline = time.monotonic() + 30
        while (running := all_plays(db)[-1]).ms_heard < 600:  # saved while running
            assert time.monotonic() < deadline, "the running play was never saved"
            time.sleep(0.05)
        assert running.track_id == 2 and running.ended_how is None
        assert running.started_by == "queue"
        assert running.ms_heard <= backend.snapshot().ms_heard  # never more than was heard
        backend.pause()
        heard = backend.snapshot().ms_heard
        time.sleep(0.8)  # several saves while paused: paused time is not heard
        recorder.flush()
        assert all_plays(db)[-1].ms_heard == heard == backend.snapshot().ms_heard
        recorder.track_ended(item, EndReason.FINISHED, 1234)
        recorder.flush()
        plays = all_plays(db)
        assert [(p.track_id, p.ended_how) for p in plays] == [(1, "interrupted"), (2, "finished")]
        assert plays[-1].ms_heard == 1234
    finally:
        recorder.close()
        backend.listener = None
        backend.close()
        db.close()
