"""POP: the most played training items, the same list for everyone (session-rec's floor)."""

from __future__ import annotations

import numpy as np

from trainer.dataset import SessionData
from trainer.evaluate import item_counts


class Pop:
    name = "pop"

    def __init__(self) -> None:
        self.counts = np.zeros(0, dtype=np.float32)

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        self.counts = item_counts(train).astype(np.float32)

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(prefixes), len(self.counts))).copy()
