"""Item-kNN: items that co-occur with the prefix's last item in training sessions (cosine);
with ``skip_unknown`` the last item seen in training.

Hidasi et al. 2016's item-kNN baseline as in session-rec: ``sim(i, j) = c_ij / (c_i c_j)^alpha``
(alpha 0.5 is the cosine) with a shrinkage ``lambda_`` added to the denominator. Similarities
are computed on demand for a batch of last items by two sparse products, never as a full
item × item matrix.
"""

from __future__ import annotations

import numpy as np

from trainer.baselines.common import dense, last_items, session_item_matrix
from trainer.dataset import SessionData


class ItemKNN:
    name = "iknn"

    def __init__(
        self, *, alpha: float = 0.5, lambda_: float = 20.0, skip_unknown: bool = True
    ) -> None:
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], not {alpha}")
        self.alpha, self.lambda_, self.skip_unknown = alpha, lambda_, skip_unknown

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        self.x = session_item_matrix(train, len(train.items))
        self.xt = self.x.T.tocsr()
        self.support = np.asarray(self.x.sum(axis=0)).ravel().astype(np.float32)
        self.known = self.support > 0 if self.skip_unknown else None

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        last = last_items(prefixes, self.known)
        co = dense(self.xt[last] @ self.x)  # (B, n_items): sessions holding both items
        denom = (self.support[last, None] ** self.alpha) * (
            self.support[None, :] ** (1 - self.alpha)
        )
        return co / np.maximum(denom + self.lambda_, 1e-9)
