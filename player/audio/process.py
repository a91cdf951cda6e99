"""ProcessBackend: the app's side of the sound engine, which runs in a child process.

Why a process: the PortAudio callback is Python, and in the app any thread holding the GIL —
a library view built in one long C++ call, a search, the recommender — delays it (measured:
1.67 s without a callback while the window filled 100,000 tracks). In its own process only the
engine's threads compete with it (``engine.py``).

The app talks to it with typed commands (``messages.py``) over one pipe and reads its state
from shared memory (``status.py``) without asking: ``position_s``/``state``/``current`` cost a
few array reads, however often the transport asks. :meth:`ProcessBackend.snapshot` takes the
track, its position and the state from *one* reading of the table and then the clock, so a
reader never pairs one track's position with another's name. Each field here has one writer:

* the **caller** (UI thread; commands are serialised by ``_send_lock``) writes ``_asked``
  (the last state asked for and its command number, with the last play/seek asked for, shown
  until the engine hears it: one reference, so a reader sees them from one command),
  ``_items`` (play ids → Playable), ``_volume``,
  ``_child`` (replaced when play() finds the engine gone) and the shared block's epoch;
* one **reader thread** per engine process *blocks* on the pipe and delivers the engine's
  events to the listener; it alone writes the engine's name, rate and device list as the
  engine reports them (and the device to reopen after a change), marks the engine dead
  when the pipe closes, and keeps a dead engine's underrun counts and the counts at each
  play's start (a play during which the output ran dry is logged when it ends, as a player's
  log says "audio underrun": the counts themselves are read from shared memory, not sent).

If the engine process dies (killed, crashed) the reader thread tells the listener: an error
that says so, and ``track_ended(ERROR)`` for the play in progress with what was heard until
then, so the play log keeps it. The next ``play()`` starts a new engine process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path

from player.audio import messages as m
from player.audio.backend import (
    NOTHING_PLAYS,
    BackendListener,
    EndReason,
    OutputDevice,
    Playable,
    PlaybackSnapshot,
    PlaybackState,
)
from player.audio.status import (
    BLOCK_MAX,
    EPOCH,
    FILL_MIN,
    GAP_MAX,
    LATENCY,
    N_DRY,
    N_UNDERFLOW,
    STATES,
    Clock,
    SharedBlock,
    Table,
    read_table,
)
from player.fspath import shown

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0  # a loaded machine may take long to import numpy and open PulseAudio
KEEP_ITEMS = 64  # play ids remembered; far more than can be in the engine at once


class OutputUnavailable(Exception):
    """The engine process could not open any sound output (the message says why)."""


@dataclass(frozen=True)
class _Pending:
    seq: int
    play_id: int
    item: Playable
    pos_s: float
    duration_s: float


@dataclass(frozen=True)
class _Asked:
    """What the caller asked for last: the state (by command ``seq``) and the play or seek
    the engine has not acted on yet (None: none, or a stop came after it)."""

    seq: int
    state: PlaybackState
    pending: _Pending | None = None


@dataclass(eq=False)
class _Engine:
    """One engine process and the app's end of its pipe and shared block."""

    process: subprocess.Popen
    conn: Connection
    shared: SharedBlock
    block: memoryview[float]  # SharedBlock.array
    ready: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)  # the reader is done
    failure: str = ""
    rate: int = 48000
    dead: bool = False  # the pipe closed (reader thread)
    closing: bool = False  # close() asked for its end (caller)


class ProcessBackend:
    """The :class:`~player.audio.backend.AudioBackend` whose engine is a child process.

    Parameters are the engine's (``engine.Engine``): output ``device`` (None: the system
    default), ``samplerate`` (None: the device's), ``latency_s``, ``blocksize``, ``buffer_s``.
    With ``wait`` (the default) it returns once the engine has found its output and raises
    :class:`OutputUnavailable` when there is none; without, it returns at once (the engine
    process starts meanwhile) and :meth:`wait_ready` says later. Commands given before then
    wait in the pipe.
    """

    def __init__(
        self, listener: BackendListener | None = None, *, wait: bool = True, **options: object
    ) -> None:
        self.listener = listener
        self.unavailable_reason = ""  # as NullBackend's, which says why there is no sound
        self.name = "PortAudio"
        self.channels = 2
        self._options = options
        self._send_lock = threading.Lock()
        self._seq = 0
        self._next_id = 0
        self._items: dict[int, Playable] = {}
        self._furthest = (-1, 0)  # (run, ring frame): the furthest frame read as heard in it
        self._furthest_lock = threading.Lock()  # readers: GUI, play log, MPRIS (never the callback)
        self._asked = _Asked(0, PlaybackState.STOPPED)
        self._volume = 1.0
        self._devices: tuple[OutputDevice, ...] = ()
        self._lost_counts = [0.0, 0.0]  # underflows and dry blocks of engines that died
        self._counts_at_start: dict[int, tuple[int, int]] = {}  # play id → counts (reader)
        self._closed = False
        self._child = self._start()
        if wait and (failure := self.wait_ready()):
            raise OutputUnavailable(failure)

    def wait_ready(self) -> str:
        """Wait until the engine has found its output; "" then, else why not (and the engine
        process is ended)."""
        engine = self._child
        if not engine.ready.wait(START_TIMEOUT_S):
            engine.failure = f"the sound engine did not start within {START_TIMEOUT_S:.0f} s"
        if engine.failure:
            self._closed = engine.closing = True
            _end(engine)
        return engine.failure

    # --- state, read from shared memory ---------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The engine process's id (for tests and diagnostics)."""
        return self._child.process.pid

    @property
    def rate(self) -> int:
        return self._child.rate

    def snapshot(self) -> PlaybackSnapshot:
        """The state, the track heard, its position and what of it was heard, read together."""
        return self._reading()[1]

    @property
    def state(self) -> PlaybackState:
        child = self._child
        if child.dead:  # play() starts a new engine
            return PlaybackState.STOPPED
        return _state(self._asked, read_table(child.block))

    @property
    def position_s(self) -> float:
        return self.snapshot().position_s

    @property
    def duration_s(self) -> float:
        return self.snapshot().duration_s

    @property
    def current(self) -> Playable | None:
        return self.snapshot().item

    @property
    def underruns(self) -> int:
        """PortAudio ``output_underflow`` callbacks since the backend was made."""
        return int(self._child.block[N_UNDERFLOW] + self._lost_counts[0])

    @property
    def ring_underruns(self) -> int:
        """Callbacks that found the ring dry mid-track (the decoder fell behind)."""
        return int(self._child.block[N_DRY] + self._lost_counts[1])

    def callback_margin(self) -> dict[str, float | None]:
        """How close the callback came to an underrun since the last call (then starts over).

        ``latency_ms``: the stream's output latency (what is queued ahead of the speaker);
        ``block_ms``: the largest block PortAudio asked for; ``max_gap_ms``: the longest time
        between two callbacks (the stream's clock); ``margin_ms`` = latency - (gap - block):
        what was left before the speaker would have run dry (below 0: an underrun);
        ``min_fill_ms``: the least decoded music left in the ring after a callback mid-track
        (0: the callback found it dry). All measured in the engine process by the callback.
        """
        block, rate = self._child.block, self._child.rate
        latency_ms = float(block[LATENCY]) * 1000
        block_ms = float(block[BLOCK_MAX]) / rate * 1000
        gap_ms = float(block[GAP_MAX]) * 1000
        fill = float(block[FILL_MIN])
        measured = block[BLOCK_MAX] > 0
        block[EPOCH] += 1
        return {
            "latency_ms": round(latency_ms, 1),
            "block_ms": round(block_ms, 1),
            "max_gap_ms": round(gap_ms, 1),
            "margin_ms": round(latency_ms - max(gap_ms - block_ms, 0.0), 1),
            "min_fill_ms": round(fill / rate * 1000, 1) if measured else None,
        }

    def _reading(self) -> tuple[int | None, PlaybackSnapshot]:
        """The play id and snapshot of what is heard, or of what was asked for.

        One copy of the table (state and plays), then the clock, in that order: a play leaves
        the table only once its end was heard, and enters it well before its first frame is,
        so the frame read after the table falls in a play the table holds.
        """
        child, asked = self._child, self._asked
        if child.dead:
            return None, NOTHING_PLAYS
        table = read_table(child.block)
        frame = self._never_back(*Clock(child.block).heard_in_run())
        state = _state(asked, table)
        if state is PlaybackState.STOPPED:
            return None, NOTHING_PLAYS
        rate, pending = child.rate, asked.pending
        if pending is not None and (
            table.pending_seq < pending.seq
            or (table.pending_seq == pending.seq and frame < table.pending_at)
        ):  # not heard yet: what was asked for is shown
            row = next((r for r in table.plays if r.play_id == pending.play_id), None)
            ms = table.heard_ms(row, frame, rate) if row is not None else 0
            asked_for = (pending.item, pending.pos_s, pending.duration_s, ms)
            return pending.play_id, PlaybackSnapshot(state, *asked_for)
        where = table.where(frame, rate)
        item = self._items.get(where[0].play_id) if where else None
        if where is None or item is None:
            return None, NOTHING_PLAYS
        row, pos = where
        heard = (item, min(pos, row.duration_s), row.duration_s, table.heard_ms(row, frame, rate))
        return row.play_id, PlaybackSnapshot(state, *heard)

    def _never_back(self, frame: int, run: int) -> int:
        """``frame``, or the furthest frame read as heard before in the same run. Each callback
        anchors the clock anew to the device's report of when its block will be heard, and a
        report that moves later (seen on PulseAudio's null sink, most likely its latency being
        adjusted) put the speaker up to ~40 ms behind the previous reading: the position
        shown, and a track at a gapless boundary, went back. Within a run the speaker only
        moves forward, so a reading behind the last is held there until the music catches up
        (as the engine's pause holds at what its event thread already counted)."""
        with self._furthest_lock:
            last_run, last = self._furthest
            if run == last_run and frame < last:
                return last
            self._furthest = (run, frame)
            return frame

    # --- commands (caller) ----------------------------------------------------------------

    def play(self, item: Playable) -> None:
        with self._send_lock:
            if self._child.dead and not self._closed:
                self._child = self._start(first=False)
            seq, play_id = self._number(), self._register(item)
            pending = _Pending(seq, play_id, item, 0.0, 0.0)
            self._asked = _Asked(seq, PlaybackState.PLAYING, pending)
            self._send(m.Play(seq, self._track(play_id, item)))

    def set_next(self, item: Playable | None) -> None:
        with self._send_lock:
            track = None if item is None else self._track(self._register(item), item)
            self._send(m.SetNext(track))

    def pause(self) -> None:
        with self._send_lock:
            if self.state is PlaybackState.PLAYING:
                seq = self._number()
                self._asked = replace(self._asked, seq=seq, state=PlaybackState.PAUSED)
                self._send(m.Pause(seq))

    def resume(self) -> None:
        with self._send_lock:
            if self.state is PlaybackState.PAUSED:
                seq = self._number()
                self._asked = replace(self._asked, seq=seq, state=PlaybackState.PLAYING)
                self._send(m.Resume(seq))

    def stop(self) -> None:
        with self._send_lock:
            seq = self._number()
            self._asked = _Asked(seq, PlaybackState.STOPPED)
            self._send(m.Stop(seq))

    def seek(self, seconds: float) -> None:
        with self._send_lock:
            play_id, heard = self._reading()
            if play_id is None or heard.item is None:
                return
            target = min(max(float(seconds), 0.0), heard.duration_s)
            seq = self._number()
            pending = _Pending(seq, play_id, heard.item, target, heard.duration_s)
            self._asked = replace(self._asked, pending=pending)
            self._send(m.Seek(seq, play_id, target))

    def set_volume(self, volume: float) -> None:
        with self._send_lock:
            self._volume = min(max(float(volume), 0.0), 1.0)
            self._send(m.Volume(self._volume))

    def output_devices(self) -> list[OutputDevice]:
        """The devices the engine found when it opened (or last changed) its output."""
        return list(self._devices)

    def set_output_device(self, index: int | None) -> None:
        with self._send_lock:
            self._send(m.Device(index))

    def close(self) -> None:
        """Stop (listeners hear track_ended STOPPED), end the engine process and its reader."""
        if self._closed:
            return
        self.stop()
        with self._send_lock:
            self._closed = True
            child = self._child
            child.closing = True
            self._send(m.Close())
        _end(child)

    def _number(self) -> int:
        self._seq += 1
        return self._seq

    def _register(self, item: Playable) -> int:
        self._next_id += 1
        self._items[self._next_id] = item
        for old in [i for i in self._items if i <= self._next_id - KEEP_ITEMS]:
            del self._items[old]
        return self._next_id

    @staticmethod
    def _track(play_id: int, item: Playable) -> m.Track:
        return m.Track(play_id, item.path, item.replaygain_db, item.replaygain_peak)

    def _send(self, command: m.Command) -> None:
        with contextlib.suppress(OSError):  # the engine is gone; its reader thread says so
            self._child.conn.send(command)

    # --- the engine process and its reader thread -----------------------------------------

    def _start(self, *, first: bool = True) -> _Engine:
        """A new engine process (it opens its output while the caller goes on)."""
        with self._furthest_lock:
            self._furthest = (-1, 0)  # its ring frames count from the start again
        ours, theirs = socket.socketpair()
        shared = SharedBlock()
        handed = (theirs.fileno(), shared.fd)
        process = subprocess.Popen(
            [sys.executable, "-m", "player.audio.child", *map(str, handed)],
            pass_fds=handed,
            stdin=subprocess.DEVNULL,
            env=_environment(),
        )
        theirs.close()  # so that the engine's death closes the pipe here
        shared.close_fd()
        conn = Connection(ours.detach())
        conn.send(self._options)
        engine = _Engine(process, conn, shared, shared.array)
        if self._volume != 1.0:
            conn.send(m.Volume(self._volume))
        threading.Thread(
            target=self._read, args=(engine, first), name="continuo-audio-reader", daemon=True
        ).start()
        return engine

    def _read(self, engine: _Engine, first: bool) -> None:
        """Block on the pipe; deliver each event; notice the engine's end."""
        while True:
            try:
                event = engine.conn.recv()
            except (EOFError, OSError):
                break
            self._deliver(engine, event, first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            engine.process.wait(timeout=5)
        if not engine.ready.is_set():
            engine.failure = f"the sound engine ended before it opened an output ({_how(engine)})"
            if not first:
                self._call("error", None, f"{engine.failure}; playback stopped.")
        elif engine.closing and not engine.failure:
            self._end_open_plays(engine, EndReason.STOPPED)  # it died before the close reached it
        elif not engine.failure:
            self._died(engine)
        engine.dead = True
        engine.ready.set()
        engine.finished.set()

    def _deliver(self, engine: _Engine, event: m.Event, first: bool) -> None:
        listener = self.listener
        if isinstance(event, m.Ready):
            engine.rate = event.rate
            self.name, self.channels, self._devices = event.name, event.channels, event.devices
            engine.ready.set()
        elif isinstance(event, m.Failed):
            engine.failure = f"No sound output could be opened ({event.message})"
            if not first or engine.ready.is_set():  # nobody waits for this start: say so
                self._call("error", None, f"{engine.failure}; playback stopped.")
            engine.ready.set()
        elif isinstance(event, m.DeviceChanged):
            self._options["device"] = event.index
            self.name, self._devices = event.name, event.devices
        if isinstance(event, m.Started | m.Ended):
            self._note_underruns(event)
        if listener is None:
            return
        if isinstance(event, m.Started):
            if (item := self._items.get(event.play_id)) is not None:
                self._call("track_started", item)
        elif isinstance(event, m.Ended):
            if (item := self._items.get(event.play_id)) is not None:
                self._call("track_ended", item, event.reason, event.ms_heard)
        elif isinstance(event, m.Error):
            item = None if event.play_id is None else self._items.get(event.play_id)
            self._call("error", item, event.message)
        elif isinstance(event, m.DeviceLost):
            self._call("error", None, event.message)

    def _note_underruns(self, event: m.Started | m.Ended) -> None:
        """At a play's end, log how often the output ran dry while it played (if it did)."""
        counts = (self.underruns, self.ring_underruns)
        if isinstance(event, m.Started):
            self._counts_at_start[event.play_id] = counts
            return
        before = self._counts_at_start.pop(event.play_id, None)
        item = self._items.get(event.play_id)
        if before is None or item is None or counts == before:
            return
        log.warning(
            "Playing %s, the sound output ran dry (heard as a click or a gap): PortAudio "
            "output underflows %d, blocks the decoder had not filled in time %d",
            shown(item.path), counts[0] - before[0], counts[1] - before[1],
        )  # fmt: skip

    def _died(self, engine: _Engine) -> None:
        """The engine process ended by itself: say so, and end the play heard so far."""
        started = [row for row in read_table(engine.block).plays if row.started]
        item = self._items.get(started[-1].play_id) if started else None
        engine.dead = True  # listeners asking for the state now hear STOPPED
        self._call(
            "error",
            item,
            f"The sound engine stopped unexpectedly ({_how(engine)}). Press play to start it again.",
        )
        self._end_open_plays(engine, EndReason.ERROR)

    def _end_open_plays(self, engine: _Engine, reason: EndReason) -> None:
        """End, with what was heard of each, the plays of a dead engine that it did not end
        (the ones started and without an Ended event)."""
        table = read_table(engine.block)
        frame = Clock(engine.block).heard()
        self._lost_counts[0] += engine.block[N_UNDERFLOW]
        self._lost_counts[1] += engine.block[N_DRY]
        engine.block[N_UNDERFLOW] = engine.block[N_DRY] = 0
        engine.dead = True
        open_plays, self._counts_at_start = self._counts_at_start, {}  # they end here
        for row in table.plays:
            item = self._items.get(row.play_id) if row.play_id in open_plays else None
            if row.started and item is not None:
                self._call("track_ended", item, reason, table.heard_ms(row, frame, engine.rate))

    def _call(self, name: str, *args: object) -> None:
        if self.listener is None:
            return
        try:
            getattr(self.listener, name)(*args)
        except Exception:  # a listener's bug must not stop the audio events
            log.exception("audio listener %s failed", name)


def _state(asked: _Asked, table: Table) -> PlaybackState:
    """The state asked for until the engine has acted on it, then the engine's."""
    if table.cmd_seq < asked.seq:
        return asked.state
    return PlaybackState(STATES[table.state])


def _end(engine: _Engine) -> None:
    """Wait for an engine process asked to close; kill it if it does not."""
    try:
        engine.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        engine.process.kill()
        engine.process.wait(timeout=5)
    engine.finished.wait(timeout=5)  # the reader thread has delivered the last events
    engine.conn.close()


def _how(engine: _Engine) -> str:
    code = engine.process.poll()
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def _environment() -> dict[str, str]:
    """The app's environment, with the folder this ``player`` package came from first on the
    engine's import path, so that the engine runs the same code as the app."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=root if not path else os.pathsep.join([root, path]))
