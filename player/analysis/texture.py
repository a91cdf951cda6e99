"""Texture, rhythm and interval statistics of one segment of the note spectrum.

The segment descriptor (``segments.segment_descriptor``) says which notes sound and how much
they vary; it cannot say how the sound moves: how often notes start, how regular the starts
are, how many voices sound at once, or which intervals the harmony is made of independently of
the key. Those set a chorale apart from a jig or a madrigal played on the same instrument, so
the content embedding (``embedding.py``) reads them beside the descriptor. All are computed
from the segment's 40 ms note-spectrum frames (log-compressed, in [0, 1]), a few microseconds
each: no second pass over the audio.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from player.analysis.note_spectrum import N_NOTES, amplitude, fold_chroma

N_CEPSTRUM = 12
"""DCT coefficients 1 … 12 of the mean note spectrum: its envelope over the register (timbre
and tessitura), without the level (coefficient 0)."""
MIN_LAG, MAX_LAG = 2, 30
"""Onset-strength autocorrelation lags searched for the pulse, in frames (80 ms … 1.2 s)."""
_ACTIVE_DB = 0.15
"""A note sounds in a frame when it is a spectral peak within 12 dB (0.15 of the 80 dB scale)
of the frame's loudest."""
TEXTURE_DIM = 2 + 3 + 2 + 2 + N_CEPSTRUM + 7
_ROLLED = (np.arange(12)[np.newaxis, :] - np.arange(1, 7)[:, np.newaxis]) % 12
"""Row k-1 indexes a chroma rolled by k pitch classes: ``chroma[_ROLLED] @ chroma`` pairs every
pitch class with the one k semitones above (interval classes 1 … 6)."""


def segment_texture(S: np.ndarray) -> np.ndarray:
    """Pool one segment's frames into texture statistics.

    Parameters
    ----------
    S : np.ndarray [shape=(88, n)] note spectrum of the segment's frames, values in [0, 1]

    Returns
    -------
    t : np.ndarray [shape=(TEXTURE_DIM,), dtype=float32]
        level mean and std; onset strength (summed rise of the notes between frames) mean, std
        and the share of frames one standard deviation above the mean; the onset strength's
        highest normalised autocorrelation between 80 ms and 1.2 s and its lag in seconds
        (pulse clarity and period); sounding notes per frame, mean and std (/ 10); the
        cepstrum of the mean spectrum; the interval-class vector of the segment's amplitude chroma
        (share of energy pairs a minor second … a tritone apart, key-free) and the chroma's
        normalised entropy.
    """
    if S.ndim != 2 or S.shape[0] != N_NOTES or S.shape[1] == 0:
        raise ValueError(f"S must have shape (88, n>0), got {S.shape}")
    level = S.mean(axis=0)
    flux = np.maximum(np.diff(S, axis=1), 0.0).sum(axis=0) if S.shape[1] > 1 else np.zeros(1)
    onsets = float(np.mean(flux > flux.mean() + flux.std())) if flux.std() > 0 else 0.0
    clarity, period = _pulse(flux)
    upper = np.vstack([S[1:], np.zeros((1, S.shape[1]), S.dtype)])
    lower = np.vstack([np.zeros((1, S.shape[1]), S.dtype), S[:-1]])
    loud = np.greater_equal(S, S.max(axis=0) - _ACTIVE_DB) & (S > 0)
    active = np.greater_equal(S, upper) & np.greater_equal(S, lower) & loud
    voices = active.sum(axis=0) / 10.0
    mean = S.mean(axis=1)
    cepstrum = scipy.fft.dct(mean, norm="ortho")[1 : 1 + N_CEPSTRUM]
    chroma = fold_chroma(amplitude(mean)).astype(np.float64)  # log values fold to a flat profile
    chroma /= max(chroma.sum(), 1e-9)
    intervals = chroma[_ROLLED] @ chroma
    entropy = -float(np.sum(chroma * np.log(np.maximum(chroma, 1e-12)))) / np.log(12.0)
    return np.concatenate(
        [
            [level.mean(), level.std()],
            [flux.mean(), flux.std(), onsets],
            [clarity, period],
            [voices.mean(), voices.std()],
            cepstrum,
            intervals,
            [entropy],
        ]
    ).astype(np.float32)


def _pulse(flux: np.ndarray, hop_s: float = 0.04) -> tuple[float, float]:
    """Highest normalised autocorrelation of the onset strength over the pulse lags, and its
    lag in seconds; (0, 0) for a segment too short or too flat to have one."""
    x = flux - flux.mean()
    energy = float(x @ x)
    if len(x) <= MAX_LAG or energy <= 0:
        return 0.0, 0.0
    r = np.correlate(x, x, mode="full")[len(x) - 1 + MIN_LAG : len(x) + MAX_LAG] / energy
    best = int(np.argmax(r))
    return float(r[best]), (best + MIN_LAG) * hop_s
