"""The listener's rules Up next keeps: no recent repeats, composers varied, feedback that fades.

One place for each rule, so the window, `continuo suggest` and the replay benchmark apply the
same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from player.recommend.history import History
from player.recommend.library import LibraryIndex

DAY_S = 86_400.0


def heard_in_full_at(library: LibraryIndex, history: History) -> dict[int, float]:
    """``work -> when`` (POSIX seconds) a recording of it was last heard in full.

    A recording counts as heard in full when every movement of it was heard; the moment is when
    the last of those movements was heard (its latest hearing each). Vectorised: it runs once
    every history load over the whole library.
    """
    if not len(history.last_heard) or not len(library):
        return {}
    unit_done = np.full(len(library.units), np.inf)
    np.minimum.at(unit_done, library.unit_of, history.last_heard)
    heard = np.flatnonzero(np.isfinite(unit_done))
    work_of_unit = library.work_of[[int(library.units[u][0]) for u in heard]]
    result: dict[int, float] = {}
    for work, when in zip(work_of_unit.tolist(), unit_done[heard].tolist(), strict=True):
        result[work] = max(result.get(work, when), when)
    return result


def held_back(heard_in_full: dict[int, float], now: datetime, days: float) -> dict[int, str]:
    """``work -> why`` for works heard in full (:func:`heard_in_full_at`) within ``days`` days."""
    limit = now.timestamp() - days * DAY_S
    return {
        work: f"heard in full {_ago(now.timestamp() - when)}"
        for work, when in heard_in_full.items()
        if when >= limit
    }


def _ago(seconds: float) -> str:
    days = round(seconds / DAY_S)
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "yesterday"
    hours = round(seconds / 3600)
    return f"{hours} h ago" if hours else "just now"


def composer_allowed(recent: Sequence[str], composer: str, most: int, window: int) -> bool:
    """Whether one more unit by ``composer`` keeps at most ``most`` of theirs in any ``window``
    units in a row (``recent``: the composers of the units already ahead, in order)."""
    return list(recent[-(window - 1) :] if window > 1 else []).count(composer) < most


def fade(age_days: float, half_life_days: float) -> float:
    """The weight left to negative feedback given ``age_days`` ago."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))
