"""SIGKILL mid-track: the finished play survives, the running one loses ≤ 5 s, the database is sound."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime

import pytest

from player.store.db import open_database
from player.store.plays import all_plays, close_interrupted_plays
from tests.player_process import start_player
from tests.ui.library import make_library

pytestmark = pytest.mark.audio


def _plays(db_path):
    if not db_path.exists():
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(
            "SELECT p.started_at, p.ended_how, t.movement FROM plays p JOIN tracks t "
            "ON t.id = p.track_id ORDER BY p.id"
        ).fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []
    finally:
        conn.close()


def test_sigkill_loses_at_most_five_seconds_and_no_finished_play(tmp_path):
    library = make_library(
        tmp_path / "music", works=[("Haydn", "Quartet", [("Presto", 2.0), ("Largo", 40.0)])]
    )
    profile = tmp_path / "profile"
    app = start_player(profile, library, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(plays := _plays(profile / "continuo.db")) < 2:
            assert app.poll() is None, app.stderr.read().decode()
            assert time.monotonic() < deadline, "the second movement never started"
            time.sleep(0.1)
        second_started = datetime.fromisoformat(plays[1][0])
        time.sleep(6.5)  # well past a save (every 2 s), between two saves is fine too
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    killed_at = datetime.now(UTC)
    truth_ms = (killed_at - second_started).total_seconds() * 1000

    db = open_database(profile / "continuo.db")
    try:
        assert db.integrity_check() == "ok"
        assert close_interrupted_plays(db) == 1
        presto, largo = all_plays(db)
        assert (presto.title, presto.ended_how, presto.started_by) == ("Presto", "finished", "user")
        assert presto.ms_heard == pytest.approx(2000, abs=20)  # heard whole, counted in frames
        assert (largo.title, largo.ended_how) == ("Largo", "interrupted")
        assert truth_ms - 5000 <= largo.ms_heard <= truth_ms + 500
        assert largo.ms_heard >= 2000  # it was saved while running
    finally:
        db.close()
