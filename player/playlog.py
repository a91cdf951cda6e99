"""The play-log recorder: turns the backend's start/end callbacks into rows of the play log.

It listens to the audio backend (a :class:`~player.audio.backend.BackendListener`) and writes on
its own thread with its own database connection, so neither the backend's threads nor the GUI
ever wait on the disk. While a track plays, the time heard is saved every ``save_every_s``
seconds (≤ 5 s): a killed app loses at most that much listening and never a finished play.
After each write it tells its ``written`` listeners which plays it wrote (the recommender takes
just those rows into its history instead of reading the whole log again).
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

from player.audio.backend import EndReason, Playable, PlaybackSnapshot
from player.domain.plays import ended_how
from player.errors import DatabaseError
from player.faults import Faults
from player.store.db import Database, fault_kind, open_database, utc_now
from player.store.plays import close_interrupted_plays, end_play, start_play, update_play

log = logging.getLogger(__name__)

FAULT_KEY = "play-log"


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


@dataclass(eq=False)  # compared by identity: two plays may hold equal values
class _Play:
    """A play as the recorder knows it; ``row`` is its id in the log once written."""

    token: PlayToken
    started_at: str
    item: Playable | None = None  # what the backend played (None: written before this run)
    ms_heard: int = 0
    ended_how: str | None = None
    row: int | None = None
    saved: bool = False  # the row holds every value above


class PlayLogRecorder:
    """Writes plays as they start, run and end; use as (part of) the backend's listener.

    ``snapshot`` is the backend's (:meth:`~player.audio.backend.AudioBackend.snapshot`): while
    a play runs, the time heard saved is the backend's own count for that play (paused time and
    skipped parts not counted), taken only from a snapshot that names the play's track, so a
    reading across a gapless boundary never gives one play the next one's time. The backend's
    ``ms_heard`` at the end wins.

    Plays live in memory until their row is written. When the database cannot be written (a
    full disk, a read-only profile, another program holding it, damage) they stay there, the
    write is retried every ``retry_s`` seconds, and ``faults`` tells the listener once; nothing
    stops the writer thread.

    Each callable in :attr:`written` gets the rows of the plays just written (started, updated
    or ended), on the writer thread, after they were committed; it must return quickly.
    """

    def __init__(
        self,
        database: Path,
        *,
        snapshot: Callable[[], PlaybackSnapshot],
        save_every_s: float = 2.0,
        tick_s: float = 0.25,
        retry_s: float = 5.0,
        faults: Faults | None = None,
    ) -> None:
        if not 0 < save_every_s <= 5:
            raise ValueError(f"save_every_s must be in (0, 5] seconds, not {save_every_s!r}")
        self._path = database
        self._snapshot = snapshot
        self._save_every_s = save_every_s
        self._tick_s = tick_s
        self._retry_s = retry_s
        self._faults = faults or Faults()
        self._commands: queue.Queue[tuple] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="play-log", daemon=True)
        self.interrupted_closed = 0  # plays a previous crash left open, closed at start (flush)
        self._db: Database | None = None
        self._closed_interrupted = False
        self._current: _Play | None = None
        self._unsaved: list[_Play] = []  # in the order they started
        self._failed_at: float | None = None  # when the last write failed (None: writing works)
        self.written: list[Callable[[list[int]], None]] = []

    @property
    def current_play_id(self) -> int | None:
        """The running play's row in the log (None when nothing runs or it is not written yet)."""
        current = self._current
        return current.row if current is not None else None

    @property
    def alive(self) -> bool:
        """The writer thread runs (it stops only at :meth:`close`)."""
        return self._thread.is_alive()

    @property
    def pending(self) -> int:
        """Plays kept in memory because they could not be written yet."""
        return len(self._unsaved)

    def start(self) -> PlayLogRecorder:
        """Start the writer thread; it first closes plays a crash left open (a pass over the
        whole log, a third of a second at a million plays: the window is built meanwhile, and
        every later command, :meth:`flush` included, waits for it)."""
        self._thread.start()
        return self

    # BackendListener -------------------------------------------------------------------------
    def track_started(self, item: Playable) -> None:
        token = token_of(item)
        if token is not None:
            self._commands.put(("start", token, utc_now(), item))

    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        if token_of(item) is not None:
            self._commands.put(("end", ended_how(reason), int(ms_heard)))

    def error(self, item: Playable | None, message: str) -> None:
        """Errors are shown by the window; the log records the play's end via ``track_ended``."""

    # control --------------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every command so far is handled and written if it can be (tests, shutdown)."""
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
        try:
            self._write()
            self._loop()
        finally:
            if self._unsaved:
                log.error("%d plays could not be written to %s", len(self._unsaved), self._path)
            if self._db is not None:
                self._db.close()

    def _loop(self) -> None:
        saved_at = time.monotonic()
        while True:
            try:
                command = self._commands.get(timeout=self._tick_s)
            except queue.Empty:
                command = ("tick",)
            now = time.monotonic()
            current = self._current
            if command[0] == "start":
                _, token, started_at, item = command
                self._current = _Play(token, started_at, item)
                self._unsaved.append(self._current)
                saved_at = now
            elif command[0] == "end" and current is not None:
                current.ended_how, current.ms_heard, current.saved = command[1], command[2], False
                self._current = None
            elif current is not None and now - saved_at >= self._save_every_s:
                self._note_heard(current)
                saved_at = now
            if current is not None and not current.saved and current not in self._unsaved:
                self._unsaved.append(current)
            if command[0] in ("flush", "quit") or self._retry_due(now):
                self._write()
            if command[0] == "flush":
                command[1].set()
            elif command[0] == "quit":
                return

    def _note_heard(self, play: _Play) -> None:
        """The running play's time heard, as the backend counts it now (unchanged when the
        backend is already on another track: its end comes with the final figure)."""
        heard = self._snapshot()
        if heard.item is None or heard.item is not play.item or heard.ms_heard == play.ms_heard:
            return
        play.ms_heard, play.saved = heard.ms_heard, False
        if play not in self._unsaved:
            self._unsaved.append(play)

    def _retry_due(self, now: float) -> bool:
        return self._failed_at is None or now - self._failed_at >= self._retry_s

    def _write(self) -> None:
        """Write every unsaved play in order; on failure keep them and say so once."""
        rows: list[int] = []
        try:
            db = self._open()
            if not self._closed_interrupted:
                self.interrupted_closed = close_interrupted_plays(db)
                self._closed_interrupted = True
            while self._unsaved:
                play = self._unsaved[0]
                if not play.saved:
                    rows.append(self._save(db, play))
                self._unsaved.pop(0)
        except (sqlite3.Error, DatabaseError) as exc:
            self._failed(exc)
            return
        finally:
            self._tell(rows)
        if self._failed_at is not None:
            self._failed_at = None
            self._faults.clear(FAULT_KEY, "The listening log is being saved again.")

    def _open(self) -> Database:
        if self._db is None:
            self._db = open_database(self._path, timeout_s=1.0)
        return self._db

    def _save(self, db: Database, play: _Play) -> int:
        """Write one play; returns its row."""
        if play.row is None:
            play.row = start_play(db, play.token.track_id, play.token.started_by, play.started_at)
        if play.ended_how is not None:
            end_play(db, play.row, play.ms_heard, play.ended_how)
        else:
            update_play(db, play.row, play.ms_heard)
        play.saved = True
        return play.row

    def _tell(self, rows: list[int]) -> None:
        """Tell the ``written`` listeners (a failing one is logged; the writer goes on)."""
        if not rows:
            return
        for listener in self.written:
            try:
                listener(rows)
            except Exception:
                log.exception("a play-log listener failed")

    def _failed(self, exc: BaseException) -> None:
        self._failed_at = time.monotonic()
        if self._db is not None and fault_kind(exc) != "busy":
            self._db.close()  # reopened at the next try: the file may be writable by then
            self._db = None
        what = getattr(exc, "short", None) or str(exc)
        self._faults.report(
            FAULT_KEY,
            f"The listening log cannot be saved now ({what}); what you play is kept in memory "
            "and saved when the profile can be written again.",
        )
