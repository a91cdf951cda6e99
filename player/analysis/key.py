"""Key and concert pitch of a recording: chroma against Krumhansl–Kessler profiles.

The track's chroma (amplitude per pitch class, folded from the note spectrum on the tuned note
grid; amplitude rather than the log-compressed level, which flattened the profile: exact keys
0.24 → 0.43 on the chorale renders) is correlated with the 24 rotations of the Krumhansl–Kessler major and minor profiles; the best
is the key. The tuning (the A4 the performers used) comes from the pitch analysis, as a
deviation of at most half a semitone from A440.

Audio alone cannot tell F major at A = 415 from E major at A = 440: the two differ by 1.3 cents.
When the tags name a key (:func:`player.domain.keys.notated_key`), the notated key is
reported, and the heard key tells how far the performance lies from modern pitch: a heard
E major for a notated F major means A4 ≈ 415 (period pitch), not 440.
"""

from __future__ import annotations

import numpy as np

from player.domain.keys import Key

MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
"""Krumhansl & Kessler (1982) probe-tone ratings, tonic first."""

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
        The chroma of the last seconds of sound. Its key scores are added to the whole
        track's: movements end on the tonic, and the whole-track profile alone confuses a key
        with its dominant and relative keys (on the chorale renders of
        ``bench_key_tuning.py`` the ending raised exact keys from 0.43 to 0.59).

    Returns
    -------
    key, tuning_hz : Key, float
    """
    scores = key_scores(chroma)
    if ending is not None:
        scores = scores + key_scores(ending)
    if notated is None:
        mode, tonic = np.unravel_index(int(np.argmax(scores)), scores.shape)
        return Key(int(tonic), ("major", "minor")[mode]), A4_HZ * 2.0 ** (tuning / 12.0)
    row = 0 if notated.mode == "major" else 1
    shift = max((-1, 0, 1), key=lambda s: scores[row, (notated.tonic + s) % 12])
    return notated, A4_HZ * 2.0 ** ((tuning + shift) / 12.0)
