"""A preallocated float32 frame ring: one producer (the decoder thread), one consumer (PortAudio).

Why no lock: the consumer runs in PortAudio's callback, which must never wait. Each side owns
one counter and only reads the other's, and the counters are plain Python ints, so under the
GIL a reader sees either the old or the new value, never a torn one. The producer copies
frames in *before* it advances ``write_pos``; the consumer copies frames out *before* it
advances ``read_pos``. Both counters are absolute frame numbers that only grow, so "how much
is buffered" is ``write_pos - read_pos`` with no wrap-around ambiguity.

Dropping what is buffered (a seek, a new track, stop) is asked for by the producer, done by
the consumer: the producer notes its ``write_pos``, writes the first new frames after the old
ones (so the consumer never jumps into an empty ring), then sets ``discard_before`` to the noted
position; the consumer, on its next read, jumps ``read_pos`` forward to it. The producer keeps
the ring at most half full so that there is always room for those first new frames.

The producer may also move ``write_pos`` *back* (to replace a gapless successor nobody has
heard yet), but only while it can confirm the consumer is before that point; see
``PortAudioBackend._take_back``. Each jump is written to a small log
(``jumps``) so that the event thread can tell frames that were heard from frames that were
dropped, without the callback doing any bookkeeping beyond two integer stores.
"""

from __future__ import annotations

import numpy as np

JUMP_LOG = 64  # jumps the event thread may fall behind by; the callback jumps at most once a call


class FrameRing:
    """Single-producer/single-consumer ring of ``capacity`` frames of ``channels`` float32."""

    def __init__(self, capacity: int, channels: int) -> None:
        if capacity < 1 or channels < 1:
            raise ValueError(f"ring needs capacity and channels ≥ 1, got {capacity}, {channels}")
        self.capacity = capacity
        self.channels = channels
        self._data = np.zeros((capacity, channels), dtype=np.float32)
        self.write_pos = 0  # owned by the producer
        self.read_pos = 0  # owned by the consumer
        self.discard_before = 0  # set by the producer, honoured by the consumer
        self.jumps = np.zeros((JUMP_LOG, 2), dtype=np.int64)  # (from, to), written by the consumer
        self.jump_count = 0  # owned by the consumer

    # producer side -------------------------------------------------------------------------

    def space(self) -> int:
        """Frames the producer may write now (conservative: ignores a pending discard)."""
        return self.capacity - (self.write_pos - self.read_pos)

    def buffered(self) -> int:
        """Frames written and still to be played (a pending discard counted as done)."""
        return self.write_pos - max(self.read_pos, self.discard_before)

    def write(self, frames: np.ndarray) -> None:
        """Append ``frames`` (shape ``(n, channels)``); the caller checked :meth:`space`."""
        n = len(frames)
        if n > self.space():
            raise ValueError(f"ring overflow: {n} frames into {self.space()} free")
        start = self.write_pos % self.capacity
        first = min(n, self.capacity - start)
        self._data[start : start + first] = frames[:first]
        self._data[: n - first] = frames[first:]
        self.write_pos += n

    def discard(self, before: int) -> None:
        """Ask the consumer to skip to ring frame ``before`` (frames after it may be written already)."""
        self.discard_before = before

    # consumer side (PortAudio callback, or any thread while the stream is stopped) ----------

    def read_into(self, out: np.ndarray) -> int:
        """Copy up to ``len(out)`` frames into ``out``, zero the rest; returns frames copied."""
        pos = self.read_pos
        target = self.discard_before
        if pos < target:
            slot = self.jump_count % JUMP_LOG
            self.jumps[slot, 0] = pos
            self.jumps[slot, 1] = target
            self.jump_count += 1
            pos = target
        n = min(len(out), self.write_pos - pos)
        start = pos % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self._data[start : start + first]
        out[first:n] = self._data[: n - first]
        out[n:] = 0.0
        self.read_pos = pos + n
        return n

    def apply_discard(self) -> None:
        """Do a pending jump without reading; only while no callback can run (stream stopped)."""
        self.read_into(self._data[:0])
