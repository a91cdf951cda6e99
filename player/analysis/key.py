"""Key and concert pitch of a recording: chroma against Albrecht–Shanahan key profiles.

The track's chroma (amplitude per pitch class, folded from the note spectrum on the tuned note
grid; amplitude rather than the log-compressed level, which flattened the profile) is correlated
with the 24 rotations of a major and a minor key profile, and so is the chroma of the last
seconds of sound (the final cadence) at half weight; the best sum is the key. The tuning (the A4
the performers used) comes from the pitch analysis, as a deviation of at most half a semitone
from A440.

Why Albrecht & Shanahan's profiles (2013: pitch-class durations in a corpus of major- and
minor-mode pieces) rather than Krumhansl & Kessler's probe-tone ratings: the probe-tone profile
rates the non-scale tones nearly as high as the scale's, so a polyphonic chroma — where every
note's overtones fill the neighbouring classes — matched the dominant or the parallel key as well
as the key. Measured on the tuning chorales of ``tests/benchmarks/bench_key_tuning.py``
(docs/analysis.md): exact keys 0.49 (Krumhansl–Kessler) against 0.95, against 0.87 for
Temperley's, 0.91 for Bellman–Budge's and 0.82 for Aarden–Essen profiles.

Audio alone cannot tell F major at A = 415 from E major at A = 440: the two differ by 1.3 cents.
When the tags name a key (:func:`player.domain.keys.notated_key`), the notated key is
reported, and the heard key tells how far the performance lies from modern pitch: a heard
E major for a notated F major means A4 ≈ 415 (period pitch), not 440.
"""

from __future__ import annotations

import numpy as np

from player.domain.keys import Key

MAJOR_PROFILE = np.array(
    [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081]
)
MINOR_PROFILE = np.array(
    [0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]
)
"""Albrecht & Shanahan (2013), pitch-class distributions of major and minor pieces, tonic first."""

ENDING_WEIGHT = 0.5
"""Weight of the final seconds' key scores beside the whole track's (chosen on the tuning
chorales: 0 → 0.72, 0.5 → 0.95, 1 → 0.92, 2 → 0.81 exact)."""

A4_HZ = 440.0


def key_scores(chroma: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``chroma`` (12,) with each key's profile: shape (2, 12), row 0
    major, row 1 minor, column = tonic. Zeros for a flat or empty chroma."""
    c = np.asarray(chroma, dtype=np.float64)
    if c.shape != (12,):
        raise ValueError(f"chroma must have shape (12,), got {c.shape}")
    c = c - c.mean()
    norm = np.linalg.norm(c)
    if norm == 0 or not np.isfinite(norm):
        return np.zeros((2, 12))
    scores = np.empty((2, 12))
    for row, profile in enumerate((MAJOR_PROFILE, MINOR_PROFILE)):
        p = profile - profile.mean()
        rotations = np.stack([np.roll(p, k) for k in range(12)])  # row k: tonic k
        scores[row] = rotations @ c / (np.linalg.norm(p) * norm)
    return scores


def estimate_key(
    chroma: np.ndarray,
    tuning: float,
    notated: Key | None = None,
    ending: np.ndarray | None = None,
) -> tuple[Key, float]:
    """The key and the concert pitch (A4 in Hz) of a recording.

    Parameters
    ----------
    chroma : np.ndarray, shape (12,)
        Pitch-class energy on the note grid tuned by ``tuning``, C first.
    tuning : float
        The grid's deviation from A440 in semitones, within ±0.5.
    notated : Key, optional
        The key the tags name. It is reported as the key; the heard key — the notated one or
        the one a semitone below or above, whichever the chroma fits best — places A4:
        a performance heard a semitone low is at A4 = 440 · 2^((tuning − 1)/12) ≈ 415.
    ending : np.ndarray, shape (12,), optional
        The chroma of the last seconds of sound. Its key scores, times ``ENDING_WEIGHT``,
        are added to the whole track's: movements end on the tonic, and the whole-track
        profile alone confuses a key with its dominant (on the tuning chorales of
        ``bench_key_tuning.py`` the ending raised exact keys from 0.72 to 0.95).

    Returns
    -------
    key, tuning_hz : Key, float
    """
    scores = key_scores(chroma)
    if ending is not None:
        scores = scores + ENDING_WEIGHT * key_scores(ending)
    if notated is None:
        mode, tonic = np.unravel_index(int(np.argmax(scores)), scores.shape)
        return Key(int(tonic), ("major", "minor")[mode]), A4_HZ * 2.0 ** (tuning / 12.0)
    row = 0 if notated.mode == "major" else 1
    shift = max((-1, 0, 1), key=lambda s: scores[row, (notated.tonic + s) % 12])
    return notated, A4_HZ * 2.0 ** ((tuning + shift) / 12.0)
