"""The engine's event thread: frames heard become Started/Ended events; the status table.

It sleeps until something is due — the next play boundary reaching the speaker (computed from
the callback's clock), a jump recorded by the command thread, an error to send, or a wake-up
from the command thread after each command — never on a fixed poll. Each time it wakes it
accounts for the frames heard, publishes the status table (``status.py``) *before* sending the
events, so an app that reads the state when it hears "ended" sees the state after it, and
tells the command thread when the last frame was heard (so the stream stops).

It is the only thread that sends on the pipe once the engine runs.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from player.audio import messages as m
from player.audio.backend import PlaybackState
from player.audio.status import STATES, PlayRow, Table, publish_table
from player.audio.timeline import Event

if TYPE_CHECKING:
    from player.audio.engine import Engine

log = logging.getLogger(__name__)

MIN_SLEEP_S = 0.01  # a boundary overdue (the callback late, the ring dry): look again this soon


class EventPump:
    def __init__(self, engine: Engine, conn: Connection) -> None:
        self._engine = engine
        self._conn = conn
        self._outbox: queue.SimpleQueue[m.Event] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="continuo-audio-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def post(self, event: m.Event) -> None:
        """Send ``event`` (an error, a device change) from another thread, in order."""
        self._outbox.put(event)
        self._wake.set()

    def close(self) -> None:
        """Deliver what is left (the stop's Ended), then end the thread."""
        self._closing = True
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        engine = self._engine
        while True:
            closing = self._closing
            seq = engine.handled_seq  # first: what follows reflects at least this command
            events = engine.timeline.advance(engine.clock.heard())
            finished = (
                engine.eos and engine.mode is PlaybackState.PLAYING and engine.timeline.idle()
            )
            state = PlaybackState.STOPPED if finished else engine.mode
            self._publish(seq, state)
            try:
                self._send_all(events)
            except OSError:  # the app is gone: nothing to tell
                return
            if finished:
                engine.wake()
            if closing:
                return
            self._wake.wait(self._sleep_s())
            self._wake.clear()

    def _publish(self, seq: int, state: PlaybackState) -> None:
        engine = self._engine
        cursor, plays = engine.timeline.snapshot()
        rows = tuple(
            PlayRow(
                play_id=int(play.item.token),  # type: ignore[call-overload]
                duration_s=play.duration_s,
                start=play.start,
                end=play.end,
                heard=play.heard,
                started=play.started,
                seg_start=segment.start,
                seg_pos_s=segment.pos_s,
            )
            for play, segment in plays
        )
        table = Table(
            cmd_seq=seq,
            state=STATES.index(state.value),
            pending_seq=engine.pending_seq,
            pending_at=engine.pending_at,
            cursor=cursor,
            plays=rows,
        )
        publish_table(engine.clock.block, table)

    def _send_all(self, events: list[Event]) -> None:
        while True:
            try:
                self._conn.send(self._outbox.get_nowait())
            except queue.Empty:
                break
        for event in events:
            play_id = int(event.play.item.token)  # type: ignore[call-overload]
            if event.kind == "started":
                self._conn.send(m.Started(play_id))
            else:
                assert event.reason is not None
                self._conn.send(m.Ended(play_id, event.reason, event.ms_heard))

    def _sleep_s(self) -> float | None:
        """Until the next boundary is heard; None (until woken) when none is coming."""
        engine = self._engine
        if not self._outbox.empty() or engine.timeline.jumps_waiting():
            return 0.0
        if not engine.running:
            return None
        mark = engine.timeline.next_boundary()
        if mark is None:
            return None
        return max(engine.clock.when(mark) - time.monotonic(), MIN_SLEEP_S)
