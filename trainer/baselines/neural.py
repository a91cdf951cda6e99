"""What the torch baselines (GRU4Rec, SASRec) share: padded windows, sampled softmax, a
time-budgeted training loop with early stopping on validation MRR@20, and batched scoring.

Training examples are windows of at most ``max_len + 1`` items cut from each session (right
padded); every position predicts the next item. The defaults are sized for a CPU: the candidate
set (the batch's targets plus the negatives) dominates the cost of a step. With many items the full softmax is too slow on
a CPU, so each step scores the batch's targets plus ``n_negatives`` items drawn by popularity^0.75
and subtracts ``log q`` (the sampling probability) from the logits — the logQ correction of
Yi et al. 2019 — which keeps the sampled softmax an unbiased estimate of the full one.
"""

from __future__ import annotations

import copy
import sys
import time

import numpy as np
import torch
from torch import nn

from trainer.dataset import PAD, SessionData
from trainer.evaluate import evaluate, item_counts


def windows(sessions: list[np.ndarray], max_len: int) -> np.ndarray:
    """Sessions cut into right-padded windows of ``max_len + 1`` items (overlapping by one)."""
    rows = []
    for s in sessions:
        for start in range(0, max(len(s) - 1, 1), max_len):
            chunk = s[start : start + max_len + 1]
            if len(chunk) >= 2:
                rows.append(np.pad(chunk, (0, max_len + 1 - len(chunk))))
    return np.array(rows, dtype=np.int64).reshape(-1, max_len + 1)


def pad_prefixes(prefixes: list[np.ndarray], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The last ``max_len`` items of each prefix, right padded, and each one's last position."""
    clipped = [p[-max_len:] for p in prefixes]
    batch = np.zeros((len(clipped), max(len(p) for p in clipped)), dtype=np.int64)
    for row, p in enumerate(clipped):
        batch[row, : len(p)] = p
    last = np.array([len(p) - 1 for p in clipped], dtype=np.int64)
    return torch.from_numpy(batch), torch.from_numpy(last)


def item_embedding(n_items: int, hidden: int) -> nn.Embedding:
    """A sparse-gradient item table: each step touches only the items it saw (SparseAdam)."""
    table = nn.Embedding(n_items, hidden, padding_idx=PAD, sparse=True)
    nn.init.normal_(table.weight, std=hidden**-0.5)
    with torch.no_grad():
        table.weight[PAD].zero_()
    return table


class SequenceModel(nn.Module):
    """A session encoder: ``encode(items (B, L)) -> hidden (B, L, H)``; ``output`` scores items."""

    def __init__(self, n_items: int, hidden: int) -> None:
        super().__init__()
        self.output = item_embedding(n_items, hidden)
        self.bias = nn.Embedding(n_items, 1, sparse=True)
        nn.init.zeros_(self.bias.weight)

    def encode(self, items: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class NeuralBaseline:
    """Fits a :class:`SequenceModel` made by ``build(n_items)``; a :class:`Recommender`."""

    name = "neural"

    def __init__(
        self,
        *,
        hidden: int = 100,
        max_len: int = 30,
        batch_size: int = 32,
        lr: float = 2e-3,
        n_negatives: int = 512,
        epochs: int = 20,
        time_budget_s: float = 120.0,
        valid_predictions: int = 1000,
        seed: int = 0,
        progress: bool = False,
    ) -> None:
        self.hidden, self.max_len, self.batch_size, self.lr = hidden, max_len, batch_size, lr
        self.n_negatives, self.epochs, self.time_budget_s = n_negatives, epochs, time_budget_s
        self.valid_predictions, self.seed, self.progress = valid_predictions, seed, progress
        self.history: list[dict[str, float]] = []

    def build(self, n_items: int) -> SequenceModel:
        raise NotImplementedError

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        n_items = len(train.items)
        self.model = self.build(n_items)
        sparse = [
            m.weight for m in self.model.modules() if isinstance(m, nn.Embedding) and m.sparse
        ]
        dense = [p for p in self.model.parameters() if all(p is not q for q in sparse)]
        optimisers = [
            torch.optim.SparseAdam(sparse, lr=self.lr),
            torch.optim.Adam(dense, lr=self.lr),
        ]
        data = torch.from_numpy(windows(train.sessions, self.max_len))
        weights = item_counts(train).astype(np.float64) ** 0.75
        weights[:2] = 0.0
        q = torch.from_numpy(weights / weights.sum())
        log_q = torch.log(q.clamp_min(1e-12)).float()
        started, best, best_state, step = time.monotonic(), -1.0, None, 0
        for epoch in range(self.epochs):
            self.model.train()
            order = torch.from_numpy(rng.permutation(len(data)))
            losses = []
            for lo in range(0, len(order), self.batch_size):
                batch = data[order[lo : lo + self.batch_size]]
                negatives = torch.multinomial(q, self.n_negatives, replacement=True)
                loss = self._loss(batch, negatives, log_q)
                for optimiser in optimisers:
                    optimiser.zero_grad()
                loss.backward()
                for optimiser in optimisers:
                    optimiser.step()
                losses.append(loss.item())
                step += 1
                if time.monotonic() - started > self.time_budget_s:
                    break
            record = {"epoch": epoch + 1, "step": step, "loss": float(np.mean(losses))}
            if valid is not None:
                metrics = evaluate(
                    self,
                    valid,
                    train=train,
                    progress=False,
                    max_predictions=self.valid_predictions,
                )
                record["valid_MRR@20"] = metrics["MRR@20"]
                if metrics["MRR@20"] > best:
                    best, best_state = metrics["MRR@20"], copy.deepcopy(self.model.state_dict())
            record["seconds"] = time.monotonic() - started
            self.history.append(record)
            if self.progress:
                print(f"{self.name}: {record}", file=sys.stderr, flush=True)
            if time.monotonic() - started > self.time_budget_s:
                break
        if best_state is not None:
            self.model.load_state_dict(best_state)
        self.model.eval()

    def _loss(
        self, batch: torch.Tensor, negatives: torch.Tensor, log_q: torch.Tensor
    ) -> torch.Tensor:
        inputs, targets = batch[:, :-1], batch[:, 1:]
        mask = targets != PAD
        hidden = self.model.encode(inputs)[mask]  # (N, H)
        targets = targets[mask]
        candidates, label = torch.unique(torch.cat([targets, negatives]), return_inverse=True)
        logits = hidden @ self.model.output(candidates).T + self.model.bias(candidates).T
        logits = logits - log_q[candidates]
        return nn.functional.cross_entropy(logits, label[: len(targets)])

    @torch.no_grad()
    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        self.model.eval()
        items, last = pad_prefixes(prefixes, self.max_len)
        hidden = self.model.encode(items)[torch.arange(len(prefixes)), last]
        scores = hidden @ self.model.output.weight.T + self.model.bias.weight.T
        return scores.numpy()
