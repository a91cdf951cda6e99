"""How feedback moves rankings: "More like this", "Less like this", quick skips, "Never suggest".

"More/Less like this" on a track spreads to what sounds like it (content cosine) or, before the
analysis has run, to its work and composer; an early skip of a suggested recording counts against
that recording only (never its work or composer); "Never suggest" removes the track's whole unit.
Negative feedback fades with its age (the half-life setting).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import numpy as np

from player.domain.plays import is_quick_skip
from player.recommend.library import LibraryIndex
from player.recommend.rules import DAY_S, fade
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


def adjustment(
    library: LibraryIndex, feedback: list[Feedback], now: datetime, half_life_days: float
) -> np.ndarray:
    """Per-row ranking adjustment (N,), in rank percentiles of the ranking source's scores.

    Each track's "more/less like" weights are summed and spread to every row by similarity,
    clipped at zero so that unlike music is left alone; skips weigh on their recording's rows
    only (two recent skips weigh as one "Less like this"). Negative weights fade with age.
    """
    per_row: dict[int, float] = defaultdict(float)
    per_unit: dict[int, float] = defaultdict(float)
    for item in feedback:
        row = library.row_of.get(item.track_id)
        if row is None or item.kind not in WEIGHTS:
            continue
        weight = WEIGHTS[item.kind]
        if weight < 0:
            age = (now - datetime.fromisoformat(item.created_at)).total_seconds() / DAY_S
            weight *= fade(age, half_life_days)
        if item.kind == "skip":
            per_unit[int(library.unit_of[row])] += weight
        else:
            per_row[row] += weight
    adjust = np.zeros(len(library), dtype=np.float64)
    for row, weight in per_row.items():
        if weight == 0:
            continue
        adjust += weight * _similarity(library, row)
    for unit, weight in per_unit.items():
        adjust[library.units[unit]] += weight
    return adjust


def _similarity(library: LibraryIndex, row: int) -> np.ndarray:
    same_work = (library.work_of == library.work_of[row]).astype(np.float64)
    if library.content_unit is not None and library.content_unit[row].any():
        cosine = np.clip(library.content_unit @ library.content_unit[row], 0.0, 1.0)
        return np.maximum(cosine, same_work)
    same_composer = (library.artist_codes == library.artist_codes[row]).astype(np.float64)
    return np.maximum(SAME_COMPOSER * same_composer, same_work)
