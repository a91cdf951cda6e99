"""Loudness: ReplayGain per track (the decoder, before the ring) and the listener's volume
(the PortAudio callback, on the block it hands over, so a change is applied within one block
rather than after the ring's second of buffered music).
"""

from __future__ import annotations

import math

import numpy as np


def replaygain_factor(*, gain_db: float | None, peak: float | None) -> float:
    """Linear factor for a track's ReplayGain, lowered where needed so that its peak never clips.

    Parameters
    ----------
    gain_db : float or None
        ReplayGain (track or album) in dB from the tags; None means no adjustment.
    peak : float or None
        The track's sample peak (1.0 = full scale) from the tags; None or ≤ 0 means unknown,
        in which case a boost is still applied but cannot be checked for clipping.

    Returns
    -------
    float
        ``10 ** (gain_db / 20)``, capped at ``1 / peak`` (ReplayGain 1.0 spec, "clipping
        prevention").
    """
    if gain_db is None or not math.isfinite(gain_db):
        return 1.0
    factor = 10.0 ** (gain_db / 20.0)
    if peak is not None and math.isfinite(peak) and peak > 0.0:
        factor = min(factor, 1.0 / peak)
    return factor


class OutputGain:
    """The volume the callback applies in place; a change moves linearly across one block.

    Nothing is allocated per call: the ramp and its scratch column are made once for the
    stream's block size (a shorter block takes the ramp's last steps).
    """

    def __init__(self, block_frames: int) -> None:
        if block_frames < 1:
            raise ValueError(f"block_frames must be ≥ 1, got {block_frames}")
        self.value = 1.0  # owned by the callback
        self._ramp = (np.arange(1, block_frames + 1) / block_frames).astype(np.float32)[:, None]
        self._work = np.empty((block_frames, 1), dtype=np.float32)

    def apply(self, block: np.ndarray, target: float) -> None:
        """Scale ``block`` (shape ``(n, channels)``) in place, moving from the current volume
        to ``target`` over it."""
        n = len(block)
        if target != self.value and 0 < n <= len(self._ramp):
            work = self._work[:n]
            np.multiply(self._ramp[len(self._ramp) - n :], target - self.value, out=work)
            work += np.float32(self.value)
            block *= work
            self.value = target
        elif self.value != 1.0 or target != self.value:
            self.value = target
            block *= np.float32(target)
