"""Fill a time budget with whole units: a small knapsack over their durations.

"40 minutes left": the listener wants whole recordings that end in time, as close to the time
left as the library allows. Among fillings of (nearly) the same length, the one holding the
better-ranked units wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STEP_CHOICES_S = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
MOST_CELLS = 8000
"""Durations are counted in the finest of these steps that keeps the table at most this wide
(rounded up, so the total never runs over): 0.5 s steps for an hour, 5 s for ten hours."""
MOST_ITEMS = 40
"""Candidates considered (the rank tie-break is a bit per item in a 64-bit value)."""


def fill(
    seconds: Sequence[float], budget_s: float, groups: Sequence[int] | None = None
) -> list[int]:
    """Indices (ascending) of the items to take: total ≤ ``budget_s``, as close to it as possible.

    ``seconds`` are the candidates' durations in rank order (best first); items sharing a
    ``groups`` value (recordings of one work) are taken at most one of each. Ties in the filled
    time (to a step, see :data:`MOST_CELLS`) go to the set whose members rank better.
    """
    n = min(len(seconds), MOST_ITEMS)
    if not budget_s > 0 or n == 0:
        return []
    step = next((s for s in STEP_CHOICES_S if budget_s / s <= MOST_CELLS), budget_s / MOST_CELLS)
    capacity = int(budget_s / step + 1e-9)
    weights = [max(1, int(np.ceil(s / step - 1e-9))) for s in seconds[:n]]
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(groups[i] if groups is not None else -1 - i, []).append(i)
    # value: filled steps first, then rank: item i adds the bit 2**(n-1-i), so a set holding a
    # better-ranked item beats any set without it, and bits never add up to one step (2**n)
    scale = 1 << n
    best = np.full(capacity + 1, -1, dtype=np.int64)  # -1: not reachable
    best[0] = 0
    took = []  # per group: which member filled each capacity (-1: none)
    for items in members.values():
        after = best.copy()
        choice = np.full(capacity + 1, -1, dtype=np.int64)
        for i in items:
            w = weights[i]
            if w > capacity:
                continue
            shifted = np.full(capacity + 1, -1, dtype=np.int64)
            reachable = best[: capacity + 1 - w] >= 0
            value = w * scale + (1 << (n - 1 - i))
            shifted[w:] = np.where(reachable, best[: capacity + 1 - w] + value, -1)
            better = shifted > after
            choice[better] = i
            after = np.where(better, shifted, after)
        took.append(choice)
        best = after
    c = int(np.argmax(best))
    chosen = []
    for choice in reversed(took):
        i = int(choice[c])
        if i >= 0:
            chosen.append(i)
            c -= weights[i]
    return sorted(chosen)
