"""SR, sequential rules (Ludewig & Jannach 2018, §2.2): "b follows a within a few steps".

Every pair ``(a at i, b at j)`` with ``0 < j - i <= steps`` in a training session adds the weight
``1 / (j - i)`` (the paper's "div" weighting) to the rule ``a → b``. A prefix is scored by the
rules of its last item (with ``skip_unknown``, the last item that has rules: a track new to
the model would otherwise leave the list empty). The rules form one sparse item × item matrix (n_events × steps entries).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from trainer.baselines.common import dense, last_items
from trainer.dataset import SessionData

WEIGHTINGS = {
    "div": lambda gap: 1.0 / gap,
    "linear": lambda gap: np.maximum(1.0 - 0.1 * (gap - 1), 0.0),
    "same": lambda gap: np.ones_like(gap),
    "quadratic": lambda gap: 1.0 / gap**2,
}


class SequentialRules:
    name = "sr"

    def __init__(
        self, *, steps: int = 10, weighting: str = "div", prune: int = 0, skip_unknown: bool = True
    ) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, not {steps}")
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {list(WEIGHTINGS)}, not {weighting!r}")
        self.steps, self.weighting, self.prune = steps, weighting, prune
        self.skip_unknown = skip_unknown

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        n = len(train.items)
        rows, cols, weights = [], [], []
        weigh = WEIGHTINGS[self.weighting]
        for gap in range(1, self.steps + 1):
            heads = [s[:-gap] for s in train.sessions if len(s) > gap]
            if not heads:
                break
            tails = [s[gap:] for s in train.sessions if len(s) > gap]
            a, b = np.concatenate(heads), np.concatenate(tails)
            rows.append(a)
            cols.append(b)
            weights.append(np.full(len(a), weigh(np.float64(gap)), dtype=np.float32))
        if rows:
            matrix = sp.csr_matrix(
                (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                shape=(n, n),
            )
        else:
            matrix = sp.csr_matrix((n, n), dtype=np.float32)
        matrix.sum_duplicates()
        self.rules = _prune(matrix, self.prune) if self.prune else matrix
        self.known = np.diff(self.rules.indptr) > 0 if self.skip_unknown else None

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        return dense(self.rules[last_items(prefixes, self.known)])


def _prune(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep only the ``keep`` strongest rules of each item (session-rec's ``pruning``)."""
    matrix = matrix.tocsr()
    for row in range(matrix.shape[0]):
        lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
        if hi - lo > keep:
            values = matrix.data[lo:hi]
            cut = np.partition(values, hi - lo - keep)[hi - lo - keep]
            values[values < cut] = 0.0
    matrix.eliminate_zeros()
    return matrix
