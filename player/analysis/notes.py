"""Notes (onset, offset, MIDI number) from an f0 track, seed paper §2.3.3.

The paper turns detected pitch periods into notes before adding them to the spectrum. A note here
is a run of voiced frames that round to one MIDI number; runs shorter than ``min_duration_s`` (a
glide between notes, a one-frame slip) are given to the longer neighbour instead of becoming notes,
so a vibrato or a scoop does not shatter a held note.
"""

from __future__ import annotations

import numpy as np

from player.analysis.pitch import PitchTrack

_UNVOICED = -1


def _runs(labels: np.ndarray) -> list[list[int]]:
    """Run-length encoding as ``[label, start, stop]`` lists (stop exclusive)."""
    if len(labels) == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [len(labels)]])
    return [[int(labels[a]), int(a), int(b)] for a, b in zip(starts, stops, strict=True)]


def _absorb_short(runs: list[list[int]], min_frames: int) -> list[list[int]]:
    """Relabel voiced runs shorter than ``min_frames`` with their longer voiced neighbour's label."""
    for i, (label, start, stop) in enumerate(runs):
        if label == _UNVOICED or stop - start >= min_frames:
            continue
        neighbours = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        voiced = [r for r in neighbours if r[0] != _UNVOICED]
        if voiced:
            runs[i][0] = max(voiced, key=lambda r: r[2] - r[1])[0]
    merged: list[list[int]] = []
    for run in runs:
        if merged and merged[-1][0] == run[0]:
            merged[-1][2] = run[2]
        else:
            merged.append(list(run))
    return merged


def notes_from_pitch(
    track: PitchTrack, *, min_duration_s: float = 0.06
) -> list[tuple[float, float, int]]:
    """Segment a pitch track into notes.

    Parameters
    ----------
    track : PitchTrack
        From :func:`player.analysis.pitch.track_pitch`.
    min_duration_s : float
        Shortest note kept; shorter pitch runs join their neighbour or are dropped.

    Returns
    -------
    list of (onset_s, offset_s, midi)
        In time order; times are frame-centre times, ``offset_s`` is where the next frame begins.
    """
    if not np.isfinite(min_duration_s) or min_duration_s <= 0:
        raise ValueError(
            f"min_duration_s must be a positive number of seconds, got {min_duration_s!r}"
        )
    f0 = np.asarray(track.f0_hz, dtype=np.float64)
    with np.errstate(divide="ignore"):
        midi = np.where(
            f0 > 0, np.rint(69.0 + 12.0 * np.log2(np.maximum(f0, 1e-9) / 440.0)), _UNVOICED
        )
    min_frames = max(1, int(round(min_duration_s / track.hop_s)))
    runs = _absorb_short(_runs(midi.astype(np.int64)), min_frames)
    return [
        (start * track.hop_s, stop * track.hop_s, label)
        for label, start, stop in runs
        if label != _UNVOICED and stop - start >= min_frames
    ]
