"""Sparse building blocks the count-based baselines share (scipy.sparse, no Python loops per item)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from trainer.dataset import SessionData


def session_item_matrix(data: SessionData, n_items: int) -> sp.csr_matrix:
    """Binary ``(n_sessions, n_items)`` matrix: which items each session contains."""
    rows = np.repeat(np.arange(len(data.sessions)), [len(s) for s in data.sessions])
    cols = np.concatenate(data.sessions) if data.sessions else np.zeros(0, dtype=np.int64)
    matrix = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(data.sessions), n_items)
    )
    matrix.data[:] = 1.0  # repeats inside a session count once
    return matrix


def last_items(prefixes: list[np.ndarray], known: np.ndarray | None = None) -> np.ndarray:
    """The last item of each prefix — or, with ``known`` (bool per item), the last item the
    model has seen in training: a session that just played a new track still has a context,
    and skipping to it is what makes these methods usable on catalogues full of rare items."""
    if known is None:
        return np.array([int(p[-1]) for p in prefixes], dtype=np.int64)
    out = np.empty(len(prefixes), dtype=np.int64)
    for row, prefix in enumerate(prefixes):
        seen = prefix[known[prefix]]
        out[row] = seen[-1] if len(seen) else int(prefix[-1])
    return out


def dense(rows: sp.spmatrix) -> np.ndarray:
    return np.asarray(rows.todense(), dtype=np.float32)
