"""The play-log recorder: turns the backend's start/end callbacks into rows of the play log.

It listens to the audio backend (a :class:`~player.audio.backend.BackendListener`) and writes on
its own thread with its own database connection, so neither the backend's threads nor the GUI
ever wait on the disk. While a track plays, the time heard is saved every ``save_every_s``
seconds (≤ 5 s): a killed app loses at most that much listening and never a finished play.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from player.audio.backend import EndReason, Playable
from player.domain.plays import ended_how
from player.store.db import Database, open_database, utc_now
from player.store.plays import close_interrupted_plays, end_play, start_play, update_play

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlayToken:
    """The handle the player puts in :attr:`Playable.token`: which track, and who chose it."""

    track_id: int
    started_by: str = "user"  # "user", "queue" or "suggestion" (player.store.plays.STARTERS)


def token_of(item: Playable) -> PlayToken | None:
    token = item.token
    if isinstance(token, PlayToken):
        return token
    if isinstance(token, int):
        return PlayToken(token)
    return None


class PlayLogRecorder:
    """Writes plays as they start, run and end; use as (part of) the backend's listener.

    ``is_playing`` tells whether sound is going out right now (the backend's state), so that
    paused time is not counted as heard. The backend's own ``ms_heard`` at the end wins.
    """

    def __init__(
        self,
        database: Path,
        *,
        is_playing: Callable[[], bool],
        save_every_s: float = 2.0,
        tick_s: float = 0.25,
    ) -> None:
        if not 0 < save_every_s <= 5:
            raise ValueError(f"save_every_s must be in (0, 5] seconds, not {save_every_s!r}")
        self._path = database
        self._is_playing = is_playing
        self._save_every_s = save_every_s
        self._tick_s = tick_s
        self._commands: queue.Queue[tuple] = queue.Queue()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="play-log", daemon=True)
        self.interrupted_closed = 0  # plays left open by a previous crash, closed at start
        self.current_play_id: int | None = None

    def start(self) -> PlayLogRecorder:
        """Start the writer thread; it first closes plays a crash left open."""
        self._thread.start()
        self._ready.wait(10)
        return self

    # BackendListener -------------------------------------------------------------------------
    def track_started(self, item: Playable) -> None:
        token = token_of(item)
        if token is not None:
            self._commands.put(("start", token, utc_now()))

    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        if token_of(item) is not None:
            self._commands.put(("end", ended_how(reason), int(ms_heard)))

    def error(self, item: Playable | None, message: str) -> None:
        """Errors are shown by the window; the log records the play's end via ``track_ended``."""

    # control --------------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every command so far is written (tests, shutdown)."""
        done = threading.Event()
        self._commands.put(("flush", done))
        return done.wait(timeout)

    def close(self) -> None:
        """Write what is pending and stop; a play still running stays open (its time is saved)."""
        if self._thread.is_alive():
            self._commands.put(("quit",))
            self._thread.join(10)

    # writer thread --------------------------------------------------------------------------
    def _run(self) -> None:
        db = open_database(self._path)
        try:
            self.interrupted_closed = close_interrupted_plays(db)
            self._ready.set()
            self._loop(db)
        finally:
            db.close()
            self._ready.set()

    def _loop(self, db: Database) -> None:
        heard_s = 0.0
        saved_at = last = time.monotonic()
        while True:
            try:
                command = self._commands.get(timeout=self._tick_s)
            except queue.Empty:
                command = ("tick",)
            now = time.monotonic()
            if self.current_play_id is not None and self._is_playing():
                heard_s += now - last
            last = now
            if command[0] == "quit":
                return
            try:
                if command[0] == "start":
                    _, token, started_at = command
                    play_id = start_play(db, token.track_id, token.started_by, started_at)
                    self.current_play_id, heard_s, saved_at = play_id, 0.0, now
                elif command[0] == "end" and self.current_play_id is not None:
                    end_play(db, self.current_play_id, command[2], command[1])
                    self.current_play_id = None
                elif command[0] == "flush":
                    command[1].set()
                if self.current_play_id is not None and now - saved_at >= self._save_every_s:
                    update_play(db, self.current_play_id, int(heard_s * 1000))
                    saved_at = now
            except sqlite3.Error:  # a busy or full disk must not stop the log for good
                log.exception("could not write the play log")
