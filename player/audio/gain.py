"""Loudness on the decoder side: ReplayGain per track and a smoothly ramped volume.

Applied before frames enter the ring, so the PortAudio callback only copies. The price is
that a volume change is heard after what is already buffered (at most the ring's length).
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


class GainRamp:
    """A gain that moves linearly to its target over ``ramp_frames`` frames, so changes never click."""

    def __init__(self, *, value: float, ramp_frames: int) -> None:
        if ramp_frames < 1:
            raise ValueError(f"ramp_frames must be ≥ 1, got {ramp_frames}")
        self.value = value
        self.target = value
        self._step = 0.0
        self._ramp_frames = ramp_frames

    def set_target(self, target: float) -> None:
        self.target = target
        self._step = (target - self.value) / self._ramp_frames

    def apply(self, block: np.ndarray) -> np.ndarray:
        """Scale ``block`` (shape ``(n, channels)``) in place and return it."""
        if self.value != self.target:
            remaining = max(1, math.ceil(abs(self.target - self.value) / abs(self._step) - 1e-9))
            k = min(len(block), remaining)
            ramp = self.value + self._step * np.arange(1, k + 1)
            self.value = self.target if k == remaining else float(ramp[-1])
            ramp[-1] = self.value
            block[:k] *= ramp[:, None].astype(np.float32)
            block[k:] *= np.float32(self.value)
        elif self.value != 1.0:
            block *= np.float32(self.value)
        return block
