"""The listener's rules Up next keeps: no recent repeats, composers varied, feedback that fades.

One place for each rule, so the window, `continuo suggest` and the replay benchmark apply the
same ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import numpy as np

from player.recommend.history import History
from player.recommend.library import LibraryIndex

DAY_S = 86_400.0


def heard_in_full_at(library: LibraryIndex, history: History) -> np.ndarray:
    """When (POSIX seconds) a recording of each work was last heard in full; -inf never.

    A recording counts as heard in full when every movement of it was heard; the moment is when
    the last of those movements was heard (its latest hearing each). Vectorised: it runs after
    every play over the whole library. Returns shape (W,), indexed by work.
    """
    works = np.full(int(library.work_of.max()) + 1 if len(library) else 0, -np.inf)
    if not len(history.last_heard) or not len(library):
        return works
    unit_done = np.minimum.reduceat(history.last_heard[library.unit_rows], library.unit_starts)
    heard = np.flatnonzero(np.isfinite(unit_done))
    np.maximum.at(works, library.work_of[library.unit_first[heard]], unit_done[heard])
    return works


class HeldBack(Mapping[int, str]):
    """``work -> why`` for the works heard in full lately; each "why" is written when asked
    (a request names two at most, and a week of listening holds back a hundred works)."""

    def __init__(self, heard_in_full: np.ndarray, now: datetime, days: float) -> None:
        self._heard, self._now = heard_in_full, now.timestamp()
        self.works = np.flatnonzero(heard_in_full >= self._now - days * DAY_S)

    def mask(self, works: np.ndarray) -> np.ndarray:
        """Whether each of ``works`` (work indices) is held back."""
        held = np.zeros(len(self._heard), dtype=bool)
        held[self.works] = True
        return held[works]

    def __getitem__(self, work: int) -> str:
        if work not in self:
            raise KeyError(work)
        return f"heard in full {_ago(self._now - float(self._heard[work]))}"

    def __contains__(self, work: object) -> bool:
        return isinstance(work, (int, np.integer)) and bool((self.works == work).any())

    def __iter__(self) -> Iterator[int]:
        return iter(self.works.tolist())

    def __len__(self) -> int:
        return len(self.works)


def held_back(heard_in_full: np.ndarray, now: datetime, days: float) -> HeldBack:
    """``work -> why`` for works heard in full (:func:`heard_in_full_at`) within ``days`` days."""
    return HeldBack(heard_in_full, now, days)


def _ago(seconds: float) -> str:
    days = round(seconds / DAY_S)
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "yesterday"
    hours = round(seconds / 3600)
    return f"{hours} h ago" if hours else "just now"


def composers_full(recent: Sequence[str], most: int, window: int) -> set[str]:
    """The composers of whom one more unit would put more than ``most`` of theirs in some
    ``window`` units in a row (``recent``: the composers of the units already ahead, in
    order; ``most`` at least 1); any other composer may come next."""
    last = list(recent[-(window - 1) :]) if window > 1 else []
    return {c for c in set(last) if last.count(c) >= most}


def fade(age_days: float, half_life_days: float) -> float:
    """The weight left to negative feedback given ``age_days`` ago."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))
