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


def last_items(prefixes: list[np.ndarray]) -> np.ndarray:
    return np.array([int(p[-1]) for p in prefixes], dtype=np.int64)


def dense(rows: sp.spmatrix) -> np.ndarray:
    return np.asarray(rows.todense(), dtype=np.float32)
