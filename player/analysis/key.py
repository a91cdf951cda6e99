"""Key and concert pitch of a recording: chroma against Albrecht–Shanahan key profiles.

The track's chroma (per pitch class, folded from the note spectrum on the tuned note grid with
the timbre's spectral envelope removed: :func:`player.analysis.note_spectrum.key_chroma`) is correlated
with the 24 rotations of a major and a minor key profile, and so is the chroma of the last
seconds of sound (the final cadence) at half weight; the best sum is the key. The tuning (the A4
the performers used) comes from the pitch analysis, as a deviation of at most half a semitone
from A440.

Why Albrecht & Shanahan's profiles (2013: pitch-class durations in a corpus of major- and
minor-mode pieces) rather than Krumhansl & Kessler's probe-tone ratings: the probe-tone profile
rates the non-scale tones nearly as high as the scale's, so a polyphonic chroma — where every
note's overtones fill the neighbouring classes — matched the dominant or the parallel key as well
as the key. Measured with ``tests/benchmarks/bench_key_tuning.py`` (docs/analysis.md): exact
keys on the tuning chorales 0.53 (Krumhansl–Kessler) against 0.95, on the held-out chorales
0.51 against 0.73.

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

PROFILES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "Albrecht–Shanahan": (MAJOR_PROFILE, MINOR_PROFILE),
    "Krumhansl–Kessler": (
        np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
        np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
    ),
    "Temperley": (
        np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0]),
        np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0]),
    ),
    "Bellman–Budge": (
        np.array([16.8, 0.86, 12.95, 1.41, 13.49, 11.93, 1.25, 20.28, 1.8, 8.04, 0.62, 10.57]),
        np.array([18.16, 0.69, 12.99, 13.34, 1.07, 11.15, 1.38, 21.07, 7.49, 1.53, 0.92, 10.21]),
    ),
    "Aarden–Essen": (
        np.array([17.77, 0.15, 14.93, 0.16, 19.8, 11.36, 0.29, 22.06, 0.15, 8.15, 0.23, 4.95]),
        np.array([18.26, 0.74, 14.05, 16.86, 0.7, 14.44, 0.7, 18.62, 4.57, 1.93, 7.38, 1.76]),
    ),
}
"""Published key profiles (major, minor; tonic first) that were measured against each other on
the tuning chorales; the first is the one used."""

PARTIAL_CLASSES = np.array([0, 0, 7, 0, 4, 7])
"""Pitch class of partials 1 … 6 relative to the note: octave, twelfth (a fifth up), double
octave, major seventeenth (a third up), nineteenth."""
PARTIAL_DECAY = 0.75
"""Partial ``h`` counts ``h ** -PARTIAL_DECAY`` in the heard profile (see :func:`heard_profile`;
chosen on the tuning chorales and 40 further tuning choir renders: 0.5–1 all score alike,
0 and 0.25 lose organ and choir renders of the tuning set)."""

ENDING_WEIGHT = 0.5
"""Weight of the final seconds' key scores beside the whole track's (chosen on the tuning
chorales with a 4 s ending: 0 → 0.72, 0.5 → 0.95, 1 → 0.92, 2 → 0.81 exact; with pipeline-6's
2 s ending, 0.5 and 1 both score 1.00 there, 2 scores 0.72; 0.5 scores best on the 40 extra
tuning choir renders, 0.93 against 0.90; with pipeline-7's timbre-free chroma 0.25 / 0.5 / 0.75 /
1 score 225 / 231 / 227 / 224 of the 232 tuning renders with a clear notated key)."""

A4_HZ = 440.0


def heard_profile(profile: np.ndarray) -> np.ndarray:
    """A key profile as a chroma hears it: each pitch class with its partials' classes.

    The published profiles count notes; a chroma also holds every note's overtones, and the
    third and fifth partials land a fifth and a major third above the note, so a chroma leans
    towards the dominant key (a key with one sharp more). Correlating it with the profile
    spread the same way (partials 1–6, weight ``h ** -PARTIAL_DECAY``) removes that lean
    instead of trying to remove the overtones from the audio: choir renders, whose vowels are
    rich in partials, were named in their dominant in most errors. On the tuning chorales exact
    keys 0.95 → 0.97, on 40 further tuning choir renders 0.70 → 0.88.
    """
    weights = np.arange(1, len(PARTIAL_CLASSES) + 1) ** -PARTIAL_DECAY
    return sum(w * np.roll(profile, int(k)) for w, k in zip(weights, PARTIAL_CLASSES, strict=True))


def key_scores(
    chroma: np.ndarray, profiles: tuple[np.ndarray, np.ndarray] = (MAJOR_PROFILE, MINOR_PROFILE)
) -> np.ndarray:
    """Pearson correlation of ``chroma`` (12,) with each key's profile as heard
    (:func:`heard_profile`): shape (2, 12), row 0 major, row 1 minor, column = tonic. Zeros
    for a flat or empty chroma."""
    c = np.asarray(chroma, dtype=np.float64)
    if c.shape != (12,):
        raise ValueError(f"chroma must have shape (12,), got {c.shape}")
    c = c - c.mean()
    norm = np.linalg.norm(c)
    if norm == 0 or not np.isfinite(norm):
        return np.zeros((2, 12))
    scores = np.empty((2, 12))
    for row, profile in enumerate(profiles):
        p = heard_profile(profile)
        p = p - p.mean()
        rotations = np.stack([np.roll(p, k) for k in range(12)])  # row k: tonic k
        scores[row] = rotations @ c / (np.linalg.norm(p) * norm)
    return scores


def estimate_key(
    chroma: np.ndarray,
    tuning: float,
    notated: Key | None = None,
    ending: np.ndarray | None = None,
    profiles: tuple[np.ndarray, np.ndarray] = (MAJOR_PROFILE, MINOR_PROFILE),
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
    profiles : (major, minor) key profiles, tonic first; the benchmark compares
        :data:`PROFILES` through it.

    Returns
    -------
    key, tuning_hz : Key, float
    """
    scores = key_scores(chroma, profiles)
    if ending is not None:
        scores = scores + ENDING_WEIGHT * key_scores(ending, profiles)
    if notated is None:
        mode, tonic = np.unravel_index(int(np.argmax(scores)), scores.shape)
        return Key(int(tonic), ("major", "minor")[mode]), A4_HZ * 2.0 ** (tuning / 12.0)
    row = 0 if notated.mode == "major" else 1
    shift = max((-1, 0, 1), key=lambda s: scores[row, (notated.tonic + s) % 12])
    return notated, A4_HZ * 2.0 ** ((tuning + shift) / 12.0)
