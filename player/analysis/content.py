"""Content vectors: TF-IDF over segment classes and cosine neighbours (seed paper §3.2, eq. 5).

A track's "document" is its segment-class histogram (summed class probabilities). The
histogram is what is stored; IDF depends on the whole library and is recomputed from the
stored histograms whenever the library changes, without touching audio.
"""

from __future__ import annotations

import numpy as np


def _check_histograms(histograms: np.ndarray) -> np.ndarray:
    h = np.asarray(histograms, dtype=np.float64)
    if h.ndim != 2:
        raise ValueError(f"histograms must have shape (n_tracks, n_classes), got {h.shape}")
    if (h < 0).any():
        raise ValueError("histograms must be non-negative")
    return h


def inverse_document_frequency(histograms: np.ndarray) -> np.ndarray:
    """IDF per class over a set of tracks.

    Eq. 5's ``log(m / (m_i + 1))`` turns negative for a class present in every track; the
    smoothed ``log((1 + m) / (1 + m_i)) + 1`` keeps its ranking and stays positive. With soft
    histograms, a track counts toward ``m_i`` by ``min(1, mass of class i)``: one whole segment
    of a class makes it "appear" in that track.

    Parameters
    ----------
    histograms : np.ndarray [shape=(m, K)]

    Returns
    -------
    idf : np.ndarray [shape=(K,), dtype=float32]
    """
    h = _check_histograms(histograms)
    m = len(h)
    document_frequency = np.minimum(h, 1.0).sum(axis=0)
    return (np.log((1.0 + m) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


def tfidf(histograms: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """L2-normalised TF-IDF vectors, ``tf = n_i / sum_j n_j`` (eq. 5). Shape (m, K), float32.

    An empty histogram gives a zero vector (similar to nothing).
    """
    h = _check_histograms(histograms)
    idf = np.asarray(idf, dtype=np.float64)
    if idf.shape != (h.shape[1],):
        raise ValueError(f"idf must have shape ({h.shape[1]},), got {idf.shape}")
    tf = h / np.maximum(h.sum(axis=1, keepdims=True), 1e-12)
    w = tf * idf
    return (w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def most_similar(
    vectors: np.ndarray, query: int | np.ndarray, *, k: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` with the highest cosine similarity to ``query``.

    Parameters
    ----------
    vectors : np.ndarray [shape=(m, K)] L2-normalised content vectors
    query : a row index of ``vectors`` (excluded from the answer) or a vector of shape (K,)
    k : how many neighbours, > 0

    Returns
    -------
    indices : np.ndarray [shape=(min(k, m'),)] best first
    similarities : np.ndarray [shape=(min(k, m'),)] cosine similarities, descending
    """
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    v = np.asarray(vectors, dtype=np.float32)
    is_row = isinstance(query, (int, np.integer))
    q = v[query] if is_row else np.asarray(query, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    sims = v @ q
    if is_row:
        sims[query] = -np.inf
    k = min(k, int(np.isfinite(sims).sum()))
    top = np.argpartition(-sims, k - 1)[:k] if k else np.zeros(0, int)
    top = top[np.argsort(-sims[top], kind="stable")]
    return top, sims[top]
