"""How feedback moves rankings: "More like this", "Less like this", quick skips, "Never suggest".

Feedback on a track spreads to what sounds like it (content cosine) or, before the analysis has
run, to its work and composer; "Never suggest" removes the track's whole work unit.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from player.domain.plays import is_quick_skip
from player.recommend.library import LibraryIndex
from player.store.feedback import Feedback

__all__ = ["adjustment", "is_quick_skip", "never_units"]

WEIGHTS = {"more_like": 1.0, "less_like": -1.0, "skip": -0.35}
"""In rank percentiles of the ranking source: an explicit word moves a work from one end to the
other; two quick skips move a top work below the undecided middle."""
SAME_COMPOSER = 0.5
"""Similarity of two tracks by one composer when no content vectors exist (same work: 1)."""


def never_units(library: LibraryIndex, feedback: list[Feedback]) -> set[int]:
    """Work units holding a track marked "Never suggest"."""
    rows = library.rows([f.track_id for f in feedback if f.kind == "never"])
    return {int(u) for u in library.unit_of[rows]}


def adjustment(library: LibraryIndex, feedback: list[Feedback]) -> np.ndarray:
    """Per-row ranking adjustment (N,), in rank percentiles of the ranking source's scores.

    Each track's feedback weights are summed (two skips weigh as one "Less like this") and
    spread to every row by similarity, clipped at zero so that unlike music is left alone.
    """
    per_row: dict[int, float] = defaultdict(float)
    for item in feedback:
        row = library.row_of.get(item.track_id)
        if row is not None and item.kind in WEIGHTS:
            per_row[row] += WEIGHTS[item.kind]
    adjust = np.zeros(len(library), dtype=np.float64)
    for row, weight in per_row.items():
        if weight == 0:
            continue
        adjust += weight * _similarity(library, row)
    return adjust


def _similarity(library: LibraryIndex, row: int) -> np.ndarray:
    same_work = (library.work_of == library.work_of[row]).astype(np.float64)
    if library.content_unit is not None and library.content_unit[row].any():
        cosine = np.clip(library.content_unit @ library.content_unit[row], 0.0, 1.0)
        return np.maximum(cosine, same_work)
    same_composer = np.array(
        [a == library.artist_keys[row] for a in library.artist_keys], dtype=np.float64
    )
    return np.maximum(SAME_COMPOSER * same_composer, same_work)
