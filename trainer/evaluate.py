"""The evaluation protocol every algorithm is measured by (session-rec, Ludewig et al. 2021, §3).

Next-item prediction for every prefix of every test session: the model sees ``session[:i]`` and
must rank ``session[i]``. Targets never seen in training are skipped (no algorithm over the training
vocabulary can name them). Items already in the prefix are excluded from the ranking by default:
playlists rarely repeat a track, and the player never suggests what was just heard — the same rule
``continuo-train predict`` applies. A repeated target then counts as a miss.

Any algorithm fits :class:`Recommender`; the baselines in :mod:`trainer.baselines` and the
CNN + self-attention model are all evaluated by :func:`evaluate`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import torch

from trainer.dataset import PAD, UNKNOWN, SessionData

COLD_THRESHOLD = 5


@runtime_checkable
class Recommender(Protocol):
    """What the protocol needs from an algorithm.

    ``fit`` trains on ``train`` (and may tune or stop early on ``valid``). ``score_batch`` gets
    item-index prefixes (int64 arrays, each non-empty, indices over ``train.items``; an index may
    be an item with no training occurrence) and returns float32 scores of shape
    ``(len(prefixes), len(train.items))``, higher is better — a fresh array: :func:`evaluate`
    masks it in place (a copy of 150k items × 256 rows per batch is measurable). Scores of
    PAD/UNKNOWN and the exclusion of prefix items are handled by :func:`evaluate`; the model
    need not do either.
    """

    name: str

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None: ...

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray: ...


def item_counts(data: SessionData) -> np.ndarray:
    """Occurrences of every item index in ``data``, int64 of shape ``(len(data.items),)``."""
    if not data.sessions:
        return np.zeros(len(data.items), dtype=np.int64)
    return np.bincount(np.concatenate(data.sessions), minlength=len(data.items)).astype(np.int64)


def prediction_points(
    test: SessionData, known: np.ndarray | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Every ``(prefix, target)`` of the test sessions, skipping targets not in ``known``.

    Parameters
    ----------
    test : SessionData
    known : bool array, shape (n_items,), optional
        Items a target may be (seen in training). Without it, only PAD/UNKNOWN are skipped.

    Returns
    -------
    prefixes : list of int64 arrays (views into the sessions)
    targets : int64 array, shape (len(prefixes),)
    """
    prefixes: list[np.ndarray] = []
    targets: list[int] = []
    for session in test.sessions:
        for i in range(1, len(session)):
            target = int(session[i])
            if target < 2 or (known is not None and not known[target]):
                continue
            prefixes.append(session[:i])
            targets.append(target)
    return prefixes, np.asarray(targets, dtype=np.int64)


def _numpy(scores: np.ndarray | torch.Tensor) -> np.ndarray:
    return scores.numpy() if isinstance(scores, torch.Tensor) else scores


def mask_scores(
    scores: np.ndarray | torch.Tensor, prefixes: Sequence[np.ndarray], exclude_seen: bool
) -> None:
    """Set PAD/UNKNOWN (and, with ``exclude_seen``, each row's prefix items) to -inf, in place.

    ``scores`` is a float32 array or CPU tensor of shape ``(len(prefixes), n_items)``.
    """
    values = _numpy(scores)
    values[:, PAD] = -np.inf
    values[:, UNKNOWN] = -np.inf
    if exclude_seen and len(prefixes):
        rows = np.repeat(np.arange(len(prefixes)), [len(p) for p in prefixes])
        values[rows, np.concatenate(prefixes)] = -np.inf


def ranks_of(scores: np.ndarray | torch.Tensor, targets: np.ndarray) -> np.ndarray:
    """Rank of each row's target, 1 = best: the expected rank when ties are broken at random.

    ``1 + (items scored higher) + (other items scored the same) / 2``, so a model that scores
    everything alike (SR after an item without rules) earns no credit for the tie. A target
    scored -inf (excluded, or not scorable) gets a rank past every cut-off.
    """
    values = _numpy(scores)
    target_scores = values[np.arange(len(targets)), targets][:, None]
    higher = np.count_nonzero(values > target_scores, axis=1)
    same = np.count_nonzero(values == target_scores, axis=1) - 1
    ranks = 1.0 + higher + same / 2.0
    ranks[~np.isfinite(target_scores[:, 0])] = values.shape[1] + 1
    return ranks


def top_k(scores: np.ndarray | torch.Tensor, k: int) -> np.ndarray:
    """Indices of the ``k`` best items per row, best first, shape ``(B, k)``; -1 where fewer
    than ``k`` items have a finite score (torch.topk: an argpartition over 150k items took
    seconds a batch)."""
    tensor = torch.from_numpy(scores) if isinstance(scores, np.ndarray) else scores
    best = tensor.topk(min(k, tensor.shape[1]), dim=1)
    indices = best.indices.numpy().copy()
    indices[~np.isfinite(best.values.numpy())] = -1
    if indices.shape[1] < k:
        indices = np.pad(indices, ((0, 0), (0, k - indices.shape[1])), constant_values=-1)
    return indices


def metrics_from_ranks(ranks: np.ndarray, cutoffs: Sequence[int], prefix: str = "") -> dict:
    """HR@k, MRR@k and NDCG@k (one relevant item) from 1-based (possibly fractional) ranks."""
    out: dict[str, float] = {}
    n = max(len(ranks), 1)
    for k in cutoffs:
        hit = ranks <= k
        out[f"{prefix}HR@{k}"] = float(hit.sum() / n)
        out[f"{prefix}MRR@{k}"] = float((1.0 / ranks[hit]).sum() / n)
        out[f"{prefix}NDCG@{k}"] = float((1.0 / np.log2(ranks[hit] + 1)).sum() / n)
    return out


class Progress:
    """A one-line progress bar with rate and ETA on stderr (silent when ``enabled`` is false)."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.done, self.start, self._shown = 0, time.monotonic(), 0.0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if not self.enabled or (now - self._shown < 0.5 and self.done < self.total):
            return
        self._shown = now
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        end = "\n" if self.done >= self.total else ""
        print(
            f"\r{self.label}: {self.done}/{self.total} ({100 * self.done / self.total:.0f} %) "
            f"{rate:.0f}/s ETA {eta:.0f} s   ",
            end=end,
            file=sys.stderr,
            flush=True,
        )


def evaluate(
    model: Recommender,
    test: SessionData,
    *,
    cutoffs: Sequence[int] = (10, 20),
    train: SessionData | None = None,
    batch_size: int = 256,
    progress: bool = True,
    exclude_seen: bool = True,
    cold_threshold: int = COLD_THRESHOLD,
    max_predictions: int | None = None,
) -> dict[str, float]:
    """Measure ``model`` on every prefix of every test session.

    Parameters
    ----------
    model : Recommender
        Already fitted on ``train``.
    test : SessionData
        Over the same item vocabulary as ``train``.
    cutoffs : sequence of int
        List lengths for HR, MRR and NDCG.
    train : SessionData, optional
        The training data: targets it never contains are skipped, and it gives the popularity
        for the popularity bias and the cold-start split. Without it only unknown targets are
        skipped and those two measures are left out.
    batch_size : int
        Prefixes scored per call of ``model.score_batch``.
    exclude_seen : bool
        Never recommend an item already in the prefix (default; see the module notes).
    cold_threshold : int
        Targets with fewer training occurrences than this form the cold-start subset.
    max_predictions : int, optional
        Evaluate an evenly spaced subset of this many predictions (for quick validation).

    Returns
    -------
    dict with ``HR@k``, ``MRR@k``, ``NDCG@k`` for each cut-off, ``Coverage@K`` (share of training
    items that appear in any top-K list, K the largest cut-off), ``Popularity@K`` (mean popularity
    of recommended items relative to the most popular item, session-rec's measure),
    ``cold_HR@K``/``cold_MRR@K``/``cold_n`` (targets rarer than ``cold_threshold``), ``n``
    (predictions evaluated) and ``seconds``.
    """
    started = time.monotonic()
    counts = item_counts(train) if train is not None else None
    prefixes, targets = prediction_points(test, None if counts is None else counts > 0)
    if max_predictions is not None and len(targets) > max_predictions:
        keep = np.linspace(0, len(targets) - 1, max_predictions).astype(np.int64)
        prefixes, targets = [prefixes[i] for i in keep], targets[keep]
    top = max(cutoffs)
    ranks = np.empty(len(targets), dtype=np.float64)
    recommended = np.empty((len(targets), top), dtype=np.int64)
    bar = Progress(len(targets), f"evaluate {model.name}", progress)
    for lo in range(0, len(targets), batch_size):
        batch = prefixes[lo : lo + batch_size]
        scores = np.asarray(model.score_batch(batch), dtype=np.float32)
        if not scores.flags.writeable:
            scores = scores.copy()
        if scores.shape != (len(batch), len(test.items)):
            raise ValueError(
                f"{model.name}.score_batch returned shape {scores.shape}, "
                f"expected {(len(batch), len(test.items))}"
            )
        mask_scores(scores, batch, exclude_seen)
        ranks[lo : lo + len(batch)] = ranks_of(scores, targets[lo : lo + len(batch)])
        recommended[lo : lo + len(batch)] = top_k(scores, top)
        bar.update(len(batch))
    result = metrics_from_ranks(ranks, cutoffs)
    if counts is not None:
        n_train_items = max(int((counts > 0).sum()), 1)
        listed = recommended[recommended >= 0]
        result[f"Coverage@{top}"] = float(len(np.unique(listed)) / n_train_items)
        popularity = counts[listed].mean() if len(listed) else 0.0
        result[f"Popularity@{top}"] = float(popularity / max(counts.max(), 1))
        cold = counts[targets] < cold_threshold
        cold_metrics = metrics_from_ranks(ranks[cold], [top], prefix="cold_")
        result[f"cold_HR@{top}"] = cold_metrics[f"cold_HR@{top}"]
        result[f"cold_MRR@{top}"] = cold_metrics[f"cold_MRR@{top}"]
        result["cold_n"] = float(cold.sum())
    result["n"] = float(len(targets))
    result["seconds"] = time.monotonic() - started
    return result
