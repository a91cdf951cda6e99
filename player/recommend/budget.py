"""Fill a time budget with whole units: a small knapsack over their durations.

"40 minutes left": the listener wants whole recordings that end in time, as close to the time
left as the library allows. Among fillings of (nearly) the same length, the one holding the
better-ranked units wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STEPS = 2000
"""Durations are counted in steps of 1/STEPS of the budget (rounded up, so the total never
runs over): 1.8 s steps for an hour, whatever the budget the table stays this wide."""
MOST_ITEMS = 40
"""Candidates considered (the rank tie-break is a bit per item in a 64-bit value)."""


def fill(seconds: Sequence[float], budget_s: float) -> list[int]:
    """Indices (ascending) of the items to take: total ≤ ``budget_s``, as close to it as possible.

    ``seconds`` are the candidates' durations in rank order (best first). Ties in the filled
    time (to a step, see :data:`STEPS`) go to the set whose members rank better.
    """
    n = min(len(seconds), MOST_ITEMS)
    if not budget_s > 0 or n == 0:
        return []
    step = budget_s / STEPS
    capacity = STEPS
    weights = [max(1, int(np.ceil(s / step))) for s in seconds[:n]]
    # value: filled steps first, then rank: item i adds the bit 2**(n-1-i), so a set holding a
    # better-ranked item beats any set without it, and bits never add up to one step (2**n)
    scale = 1 << n
    best = np.full(capacity + 1, -1, dtype=np.int64)  # -1: not reachable
    best[0] = 0
    took = np.zeros((n, capacity + 1), dtype=bool)
    for i, w in enumerate(weights):
        if w > capacity:
            continue
        value = w * scale + (1 << (n - 1 - i))
        shifted = np.full(capacity + 1, -1, dtype=np.int64)
        reachable = best[: capacity + 1 - w] >= 0
        shifted[w:] = np.where(reachable, best[: capacity + 1 - w] + value, -1)
        better = shifted > best
        took[i] = better
        best = np.where(better, shifted, best)
    c = int(np.argmax(best))
    chosen = []
    for i in range(n - 1, -1, -1):
        if took[i, c]:
            chosen.append(i)
            c -= weights[i]
    return sorted(chosen)
