"""The engine's status in shared memory: read by the app without asking the engine process.

One float64 array (:class:`SharedBlock`) in three parts, each written by exactly
one side (float64 holds frame numbers exactly up to 2**53):

* **Clock** — written by the consumer side of the ring: the PortAudio callback, or the
  engine's command thread while the stream is stopped (then no callback runs). Where the last
  block handed to the device starts in the ring (``frame``), how many of its frames were music
  (``count``), when its first frame reaches the speaker on ``time.monotonic``'s clock (``dac``),
  and where the contiguous run it belongs to began (``run_start``). From these
  :meth:`Clock.heard` tells which ring frame is being heard *now*, so position and "ms heard"
  follow the speaker, not the buffer. Guarded by a sequence counter (odd while writing).
  Also the callback's counters: calls, PortAudio underflows, blocks that found the ring dry,
  the longest gap between calls, the lowest ring fill, the largest block.
* **Table** — written by the engine's event thread: the last command acted on, the state, the
  first frame of the last play/seek, and the plays in the ring (id, duration, first/last frame,
  frames heard, the start of its last segment and the second of the file there). Guarded by its
  own sequence counter.
* **Epoch** — written by the app: bumping it asks the callback to start its longest-gap /
  lowest-fill figures over (``callback_margin``).
"""

from __future__ import annotations

import mmap
import os
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    Numbers = np.ndarray | memoryview[float]
    """The block as either side holds it: the engine wraps it in numpy, the app reads it as
    it is."""

# clock (consumer side)
C_SEQ, C_FRAME, C_COUNT, C_DAC, C_RUN_START = 0, 1, 2, 3, 4
# callback counters (consumer side)
N_CALLS, N_UNDERFLOW, N_DRY, GAP_MAX, FILL_MIN, BLOCK_MAX, EPOCH_SEEN = 5, 6, 7, 8, 9, 10, 11
LATENCY, RATE = 12, 13  # the stream's output latency (s) and rate, written by the stream's owner
EPOCH = 14  # the app's
# table (event thread)
T_SEQ, T_CMD, T_STATE, T_PENDING_SEQ, T_PENDING_AT, T_CURSOR, T_ROWS = 15, 16, 17, 18, 19, 20, 21
ROWS = 22
MAX_PLAYS = 6
ROW = 8  # id, duration_s, start, end (-1: open), heard, started, seg_start, seg_pos_s
SIZE = ROWS + MAX_PLAYS * ROW

STATES = ("stopped", "playing", "paused")  # T_STATE holds the index (PlaybackState values)


class SharedBlock:
    """The block in memory both processes map: a deleted file on ``/dev/shm`` (or the temp
    folder), handed to the engine process as an open file descriptor. ``array`` is a
    ``memoryview`` of its float64 numbers: the app starts the engine before it loads Qt, and
    reading a few numbers needs no numpy (importing it there cost ~50-85 ms before the first
    paint); the engine wraps it in a numpy array (``np.asarray``), which shares the memory."""

    def __init__(self, fd: int | None = None) -> None:
        size = SIZE * 8
        if fd is None:
            folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
            fd, name = tempfile.mkstemp(prefix="continuo-audio-", dir=folder)
            os.unlink(name)  # gone once both processes have let go of it
            os.ftruncate(fd, size)
        self.fd = fd
        self._map = mmap.mmap(fd, size)
        self.array = memoryview(self._map).cast("d")

    def close_fd(self) -> None:
        """Let go of the descriptor (the mapping stays) once the engine process has its copy."""
        os.close(self.fd)


def _read(block: Numbers, seq: int, part: slice) -> list[float]:
    """A consistent copy of ``part``, guarded by the counter at ``seq`` (the writer may be in
    another process; it is never stopped for long, so a few tries suffice)."""
    for _ in range(1000):
        before = block[seq]
        if before % 2 == 0:
            copy = list(block[part])
            if block[seq] == before:
                return copy
        time.sleep(0)
    return list(block[part])


class Clock:
    """The consumer side's record of the last block handed to the device."""

    def __init__(self, block: Numbers) -> None:
        self.block = block
        self._b = block

    def publish(self, frame: int, count: int, dac: float, run_start: int) -> None:
        b = self._b
        b[C_SEQ] += 1
        b[C_FRAME], b[C_COUNT], b[C_DAC], b[C_RUN_START] = frame, count, dac, run_start
        b[C_SEQ] += 1

    def hold(self, frame: int) -> None:
        """The stream is stopped at ring frame ``frame``: that frame is what is heard next."""
        self.publish(frame, 0, time.monotonic(), frame)

    def heard(self, now: float | None = None) -> int:
        """The ring frame reaching the speaker at ``now`` (default: now), by the last block's
        schedule, never beyond the music handed over nor before the run it belongs to."""
        return self.heard_in_run(now)[0]

    def heard_in_run(self, now: float | None = None) -> tuple[int, int]:
        """:meth:`heard` and the first ring frame of the run it belongs to (a run: the stream
        playing from one start, resume or seek to the next), read together."""
        frame, count, dac, run_start = _read(self._b, C_SEQ, slice(C_FRAME, C_RUN_START + 1))
        now = time.monotonic() if now is None else now
        rate = self._b[RATE] or 1.0
        at = frame + (now - dac) * rate
        return int(min(max(at, run_start), frame + count)), int(run_start)

    def when(self, frame: int) -> float:
        """When ring frame ``frame`` reaches the speaker (``time.monotonic``), at this pace."""
        start, _, dac, _ = _read(self._b, C_SEQ, slice(C_FRAME, C_RUN_START + 1))
        return dac + (frame - start) / (self._b[RATE] or 1.0)


@dataclass(frozen=True)
class PlayRow:
    play_id: int
    duration_s: float
    start: int
    end: int | None
    heard: int  # frames heard up to the table's cursor
    started: bool
    seg_start: int
    seg_pos_s: float


@dataclass(frozen=True)
class Table:
    """What the event thread published last."""

    cmd_seq: int  # the last command the engine acted on
    state: int  # index into STATES
    pending_seq: int  # the last play/seek acted on …
    pending_at: int  # … and its first ring frame
    cursor: int  # frames before it are accounted for in ``PlayRow.heard``
    plays: tuple[PlayRow, ...]

    def where(self, frame: int, rate: float) -> tuple[PlayRow, float] | None:
        """The play heard at ring frame ``frame`` and the second of its file there."""
        for row in reversed(self.plays):
            if row.seg_start <= frame and (row.end is None or frame < row.end):
                return row, row.seg_pos_s + (frame - row.seg_start) / rate
            if row.seg_start <= frame and frame == row.end:
                return row, row.duration_s
        return None

    def heard_ms(self, row: PlayRow, frame: int, rate: float) -> int:
        """Milliseconds of ``row`` heard once the speaker has reached ring frame ``frame``."""
        stop = frame if row.end is None else min(frame, row.end)
        extra = max(stop - max(self.cursor, row.start), 0)
        return round((row.heard + extra) * 1000 / rate)


def publish_table(block: Numbers, table: Table) -> None:
    block[T_SEQ] += 1
    block[T_CMD], block[T_STATE] = table.cmd_seq, table.state
    block[T_PENDING_SEQ], block[T_PENDING_AT] = table.pending_seq, table.pending_at
    block[T_CURSOR], block[T_ROWS] = table.cursor, min(len(table.plays), MAX_PLAYS)
    for i, row in enumerate(table.plays[-MAX_PLAYS:]):
        at = ROWS + i * ROW
        values = (
            row.play_id, row.duration_s, row.start, -1 if row.end is None else row.end,
            row.heard, row.started, row.seg_start, row.seg_pos_s,
        )  # fmt: skip
        for j, value in enumerate(values):
            block[at + j] = float(value)
    block[T_SEQ] += 1


def read_table(block: Numbers) -> Table:
    v = _read(block, T_SEQ, slice(T_SEQ, SIZE))
    head = v[: ROWS - T_SEQ]
    n = int(head[T_ROWS - T_SEQ])
    rows = []
    for i in range(n):
        r = v[ROWS - T_SEQ + i * ROW : ROWS - T_SEQ + (i + 1) * ROW]
        end = None if r[3] < 0 else int(r[3])
        row = PlayRow(
            int(r[0]), float(r[1]), int(r[2]), end, int(r[4]), bool(r[5]), int(r[6]), r[7]
        )
        rows.append(row)
    return Table(
        cmd_seq=int(head[T_CMD - T_SEQ]),
        state=int(head[T_STATE - T_SEQ]),
        pending_seq=int(head[T_PENDING_SEQ - T_SEQ]),
        pending_at=int(head[T_PENDING_AT - T_SEQ]),
        cursor=int(head[T_CURSOR - T_SEQ]),
        plays=tuple(rows),
    )
