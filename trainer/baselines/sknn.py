"""SKNN and V-SKNN: recommend what the most similar past sessions contained (Ludewig & Jannach
2018, §2.1; Jannach & Ludewig 2017).

For a prefix, candidate neighbours are the ``sample_size`` most recent training sessions that
share an item with it (training data is kept in id/time order, so "recent" is "last"); the ``k``
most similar of them vote for their items with their similarity. SKNN compares whole sessions
(cosine of binary vectors); V-SKNN weights the prefix's items by position with a linear decay
(the last item counts most, an item ``d`` steps back ``1 - d / len``; or ``1 / (d + 1)``,
"div") and uses the dot product;
``idf`` boosts rare items in the vote (``score · (1 + idf · log(N / n_i))``, as session-rec's
``idf_weighting``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from trainer.baselines.common import dense, session_item_matrix
from trainer.dataset import SessionData

DECAYS = {  # weight of a prefix item ``back`` steps before the last, in a prefix of ``n``
    "none": lambda back, n: np.ones_like(back),
    "linear": lambda back, n: 1.0 - back / n,
    "div": lambda back, n: 1.0 / (back + 1.0),
}


class SessionKNN:
    def __init__(
        self,
        *,
        k: int = 100,
        sample_size: int = 1000,
        decay: str = "none",
        idf: float = 0.0,
        name: str | None = None,
    ) -> None:
        if decay not in DECAYS:
            raise ValueError(f"decay must be one of {list(DECAYS)}, not {decay!r}")
        if k < 1 or sample_size < k:
            raise ValueError(f"need 1 <= k <= sample_size, not k={k}, sample_size={sample_size}")
        self.k, self.sample_size, self.decay, self.idf = k, sample_size, decay, idf
        self.name = name or ("sknn" if decay == "none" else "vsknn")

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        self.x = session_item_matrix(train, len(train.items))
        self.xt = self.x.T.tocsr()
        lengths = np.asarray(self.x.sum(axis=1)).ravel()
        self.inv_norm = 1.0 / np.sqrt(np.maximum(lengths, 1.0)).astype(np.float32)
        counts = np.asarray(self.x.sum(axis=0)).ravel()
        idf = np.log(max(len(train.sessions), 1) / np.maximum(counts, 1.0)).astype(np.float32)
        self.vote = sp.csr_matrix(self.x.multiply((1.0 + self.idf * idf)[None, :]))

    def _query(self, prefixes: list[np.ndarray]) -> sp.csr_matrix:
        rows = np.repeat(np.arange(len(prefixes)), [len(p) for p in prefixes])
        cols = np.concatenate(prefixes)
        weigh = DECAYS[self.decay]
        weights = np.concatenate([weigh(np.arange(len(p), 0, -1) - 1.0, len(p)) for p in prefixes])
        query = sp.csr_matrix(
            (weights.astype(np.float32), (rows, cols)), shape=(len(prefixes), self.x.shape[1])
        )
        if self.decay == "none":
            query.data[:] = 1.0  # a set, as SKNN's cosine wants
        return query

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        sims = (self._query(prefixes) @ self.xt).tocsr()
        if self.decay == "none":
            sims = sims.multiply(self.inv_norm[None, :]).tocsr()
        rows, cols, values = [], [], []
        for row in range(sims.shape[0]):
            lo, hi = sims.indptr[row], sims.indptr[row + 1]
            idx, val = sims.indices[lo:hi], sims.data[lo:hi]
            if len(idx) > self.sample_size:  # the most recent sharing sessions
                keep = np.argpartition(idx, len(idx) - self.sample_size)[-self.sample_size :]
                idx, val = idx[keep], val[keep]
            if len(idx) > self.k:
                keep = np.argpartition(val, len(val) - self.k)[-self.k :]
                idx, val = idx[keep], val[keep]
            rows.append(np.full(len(idx), row))
            cols.append(idx)
            values.append(val)
        neighbours = sp.csr_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=sims.shape
        )
        return dense(neighbours @ self.vote)
