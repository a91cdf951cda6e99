"""A preallocated float32 frame ring: one producer (the command thread), one consumer (PortAudio).

Why no lock: the consumer runs in PortAudio's callback, which must never wait. Each side owns
one counter and only reads the other's, and the counters are plain Python ints, so under the
GIL a reader sees either the old or the new value, never a torn one. The producer copies
frames in *before* it advances ``write_pos``; the consumer copies frames out *before* it
advances ``read_pos``. Both counters are absolute frame numbers, so "how much is buffered" is
``write_pos - read_pos`` with no wrap-around ambiguity.

Jumps of the consumer (dropping what is buffered on a seek, a new track or stop; going back
to the frame being heard when the stream is stopped for a pause) are made with
:meth:`move_read` by the command thread *while the stream is stopped*, when no callback runs:
then the command thread is the consumer. The producer keeps at most ``capacity / 2`` frames
ahead of the consumer (a little more only while a new track's first frames go in behind the
old ones, which are then dropped), so the frames just behind ``read_pos`` — what the device
still had queued — are intact to go back to; :meth:`move_read` refuses a frame already
overwritten.

The producer may also move ``write_pos`` *back* (to replace a gapless successor nobody has
heard yet), but only while it can confirm the consumer is before that point; see
``Engine._take_back``.
"""

from __future__ import annotations

import numpy as np


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

    # producer side -------------------------------------------------------------------------

    def space(self) -> int:
        """Frames the producer may write now."""
        return self.capacity - (self.write_pos - self.read_pos)

    def buffered(self) -> int:
        """Frames written and still to be played."""
        return self.write_pos - self.read_pos

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

    # consumer side (the PortAudio callback, or the command thread while the stream is stopped)

    def read_into(self, out: np.ndarray) -> int:
        """Copy up to ``len(out)`` frames into ``out``, zero the rest; returns frames copied."""
        pos = self.read_pos
        n = min(len(out), self.write_pos - pos)
        start = pos % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self._data[start : start + first]
        out[first:n] = self._data[: n - first]
        out[n:] = 0.0
        self.read_pos = pos + n
        return n

    def move_read(self, frame: int) -> None:
        """Continue reading at ``frame``: forward over dropped frames, or back to frames still
        intact (not yet overwritten by the producer)."""
        if not self.write_pos - self.capacity <= frame <= self.write_pos:
            raise ValueError(
                f"ring frame {frame} is not held (write_pos {self.write_pos}, "
                f"capacity {self.capacity})"
            )
        self.read_pos = frame
