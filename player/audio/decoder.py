"""One open audio file turned into blocks of device-rate, device-channel float32 frames.

Used only by the engine's decoder thread. Files are read in blocks (a three-hour work never
sits in memory whole) and resampled with a streaming soxr resampler whose state carries over
from block to block, so block edges leave no seams; the last block flushes it.
"""

from __future__ import annotations

import numpy as np
import soundfile as sf
import soxr

from player.audio.backend import Playable
from player.audio.gain import replaygain_factor
from player.errors import AudioError
from player.fspath import file_on_disk, native, shown

BLOCK_FRAMES = 8192  # file frames per read: ~0.2 s at 44.1 kHz, small next to the ring


def channel_matrix(file_channels: int, out_channels: int) -> np.ndarray | None:
    """Mixing matrix, shape ``(file_channels, out_channels)``; None when channels already match.

    Mono goes to every output at full level; one output gets the mean of all inputs; otherwise
    input ``i`` feeds output ``i % out_channels`` and each output is averaged over its inputs.
    """
    if file_channels == out_channels:
        return None
    if file_channels == 1:
        return np.ones((1, out_channels), dtype=np.float32)
    matrix = np.zeros((file_channels, out_channels), dtype=np.float32)
    matrix[np.arange(file_channels), np.arange(file_channels) % out_channels] = 1.0
    return matrix / np.maximum(matrix.sum(axis=0, keepdims=True), 1.0)


def open_failure(item: Playable, exc: Exception) -> AudioError:
    """The error a listener sees for a file that cannot be played, naming the file and the cause.

    A file that is not there (its drive unmounted, moved or deleted since the scan) is said to
    be missing: libsndfile only reports a "System error" for it, and calling such a file
    damaged would send the listener looking in the wrong place."""
    if not file_on_disk(item.path):
        return AudioError(
            f"Cannot play {shown(item.path.name)}",
            f"{shown(item.path)} is not on disk: its drive may not be mounted, or it was moved "
            "or deleted since the last scan; playback goes on with the next track.",
        )
    return AudioError(
        f"Cannot play {shown(item.path.name)}",
        f"{shown(item.path)} could not be decoded ({exc}). The file may be damaged or in a format "
        "this system's libsndfile does not read; playback goes on with the next track.",
    )


class TrackDecoder:
    """Reads one :class:`Playable` block by block, ready for the ring (gain included)."""

    def __init__(self, item: Playable, *, out_rate: int, out_channels: int) -> None:
        self.item = item
        try:
            self._file = sf.SoundFile(native(item.path))
        except (RuntimeError, OSError, ValueError) as exc:  # LibsndfileError is a RuntimeError
            raise open_failure(item, exc) from exc
        self.in_rate = self._file.samplerate
        self.duration_s = self._file.frames / self.in_rate if self._file.frames > 0 else 0.0
        self.finished = False
        self._mix = channel_matrix(self._file.channels, out_channels)
        self._mix_first = self._file.channels > out_channels
        resample_channels = min(self._file.channels, out_channels)
        self._resampler = (
            None
            if self.in_rate == out_rate
            else soxr.ResampleStream(self.in_rate, out_rate, resample_channels, dtype="float32")
        )
        self._gain = np.float32(
            replaygain_factor(gain_db=item.replaygain_db, peak=item.replaygain_peak)
        )

    def seek(self, seconds: float) -> float:
        """Continue from ``seconds`` (clamped to the file); returns where it really starts."""
        frame = int(min(max(seconds, 0.0), self.duration_s) * self.in_rate)
        try:
            self._file.seek(frame)
        except (RuntimeError, ValueError) as exc:
            raise open_failure(self.item, exc) from exc
        if self._resampler is not None:
            self._resampler.clear()
        self.finished = False
        return frame / self.in_rate

    def read(self) -> np.ndarray:
        """The next block, shape ``(n, out_channels)``; sets :attr:`finished` after the last."""
        try:
            block = self._file.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
        except (RuntimeError, ValueError) as exc:
            raise open_failure(self.item, exc) from exc
        last = len(block) < BLOCK_FRAMES
        if self._mix is not None and self._mix_first:
            block = block @ self._mix
        if self._resampler is not None:
            block = self._resampler.resample_chunk(block, last=last)
        if self._mix is not None and not self._mix_first:
            block = block @ self._mix
        if self._gain != 1.0:
            block = block * self._gain
        self.finished = last
        return np.ascontiguousarray(block, dtype=np.float32)

    def close(self) -> None:
        self._file.close()
