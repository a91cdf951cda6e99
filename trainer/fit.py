"""The CNN + self-attention model as a :class:`~trainer.evaluate.Recommender`.

``fit`` builds the catalogue from the training sessions, trains with early stopping on the
validation sessions (the protocol's own :func:`~trainer.evaluate.evaluate` on a fixed sample of
their prefixes), and keeps the best weights; ``score_batch`` scores data-vocabulary prefixes, so
the benchmark compares it with the baselines on equal terms.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from trainer.catalogue import Catalogue
from trainer.checkpoint import TrainState, load
from trainer.config import ModelConfig, TrainConfig, to_dict
from trainer.dataset import SessionData
from trainer.evaluate import mask_scores, metrics_from_ranks, prediction_points, ranks_of
from trainer.export import export
from trainer.model import SessionModel
from trainer.readers import read_sessions
from trainer.split import split
from trainer.train import encode_prefixes, init_distributed, item_matrix, new_state, run


def data_summary(data: SessionData, source: str) -> dict:
    return {
        "sessions": len(data.sessions),
        "events": data.n_events,
        "items": int(len({int(i) for s in data.sessions for i in s})),
        "source": source,
    }


def validator(
    catalogue: Catalogue, valid: SessionData, n: int
) -> Callable[[SessionModel], dict[str, float]]:
    """A fast full-catalogue MRR@20/HR@20 on ``n`` evenly spaced validation predictions.

    The protocol of :func:`~trainer.evaluate.evaluate` (targets the catalogue lacks skipped,
    prefix items excluded), but in the model's index space and without the top-k lists.
    """
    item_map = catalogue.item_map(valid.items)
    prefixes, targets = prediction_points(valid, item_map > 1)
    keep = np.linspace(0, len(targets) - 1, min(n, len(targets))).astype(np.int64)
    prefixes = [item_map[prefixes[i]] for i in keep]
    targets = item_map[targets[keep]]

    def validate(model: SessionModel) -> dict[str, float]:
        queries = encode_prefixes(model, catalogue, prefixes)
        vectors = item_matrix(model, catalogue)
        ranks = []
        for lo in range(0, len(targets), 500):
            scores = queries[lo : lo + 500] @ vectors.T
            mask_scores(scores, prefixes[lo : lo + 500], exclude_seen=True)
            ranks.append(ranks_of(scores, targets[lo : lo + 500]))
        return metrics_from_ranks(np.concatenate(ranks) if ranks else np.zeros(0, np.int64), (20,))

    return validate


class SessionRecommender:
    """Items never seen in training score -inf: the model has no trained vector to rank them by."""

    name = "cnn-sa"

    def __init__(
        self,
        model_config: ModelConfig | None = None,
        train_config: TrainConfig | None = None,
        *,
        checkpoint: Path | None = None,
        progress: bool = True,
        source: str = "",
        on_evaluation: Callable[[TrainState], None] | None = None,
    ) -> None:
        self.model_config = model_config or ModelConfig()
        self.train_config = train_config or TrainConfig()
        self.checkpoint, self.progress, self.source = checkpoint, progress, source
        self.on_evaluation = on_evaluation  # called after each validation (the app's progress)
        self.state: TrainState | None = None
        self._model: SessionModel | None = None
        self._vectors: np.ndarray | None = None  # catalogue item vectors, cached per evaluation

    def fit(
        self,
        train: SessionData,
        valid: SessionData | None = None,
        *,
        extra_summary: dict | None = None,
    ) -> None:
        catalogue = Catalogue.from_training(train)
        model_config = replace(
            self.model_config,
            n_items=len(catalogue),
            n_artists=len(catalogue.artists),
            content_dim=catalogue.content_dim,
        )
        summary = data_summary(train, self.source) | (extra_summary or {})
        state = new_state(catalogue, model_config, self.train_config, summary)
        self.resume(state, train, valid)

    def resume(self, state: TrainState, train: SessionData, valid: SessionData | None) -> None:
        """Train ``state`` (new or loaded from a checkpoint) on ``train`` until it finishes."""
        self._use(state, train)
        catalogue = state.catalogue
        validate = None
        if valid is not None and valid.sessions:
            validate = validator(catalogue, valid, state.train_config.eval_prefixes)
        sessions = [self._item_map[s] for s in train.sessions]
        self.state = run(
            state,
            sessions,
            validate=validate,
            checkpoint=self.checkpoint,
            progress=self.progress,
            on_evaluation=self.on_evaluation,
        )
        self._model = self.state.best_session_model()
        self._vectors = None

    def _use(self, state: TrainState, data: SessionData) -> None:
        """Index maps between ``data``'s vocabulary and the model's catalogue."""
        self._item_map = state.catalogue.item_map(data.items)
        self._to_data = np.full(len(state.catalogue), -1, np.int64)
        known = self._item_map > 1
        self._to_data[self._item_map[known]] = np.flatnonzero(known)
        self._n_data = len(data.items)
        self._catalogue = state.catalogue
        self._vectors = None

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("score_batch before fit")
        if self._vectors is None:  # once per evaluation: the weights only change between them
            self._vectors = item_matrix(self._model, self._catalogue)
        queries = encode_prefixes(
            self._model, self._catalogue, [self._item_map[p] for p in prefixes]
        )
        scores = np.full((len(prefixes), self._n_data), -np.inf, np.float32)
        trained = np.flatnonzero(self._to_data >= 0)
        scores[:, self._to_data[trained]] = queries @ self._vectors[trained].T
        return scores


def configs_from_args(args: argparse.Namespace) -> tuple[ModelConfig, TrainConfig]:
    """The configs a ``fit``-like command asks for (unset options keep the dataclass defaults)."""
    train_config = TrainConfig(lr=args.lr, device=args.device)
    if args.time_budget_s:
        # leave room for the final checkpoint and the export within the budget
        train_config.time_budget_s = max(args.time_budget_s - 15.0, 0.9 * args.time_budget_s)
    for name in ("epochs", "max_steps", "seed"):
        if getattr(args, name, None) is not None:
            setattr(train_config, name, getattr(args, name))
    return ModelConfig(hidden=args.hidden), train_config


def train_and_export(
    data: SessionData,
    out: Path,
    model_config: ModelConfig,
    train_config: TrainConfig,
    *,
    source: str,
    progress: bool = True,
    resume: bool = False,
    extra_summary: dict | None = None,
    on_evaluation: Callable[[TrainState], None] | None = None,
) -> dict:
    """Hold out the last sessions for validation, train, export; returns what metrics.json holds."""
    started = time.monotonic()
    rank = init_distributed(train_config.device)
    out.mkdir(parents=True, exist_ok=True)
    train, valid = split(data, train_config.valid_share) if len(data.sessions) > 1 else (data, None)
    checkpoint = out / "checkpoint.pt"
    recommender = SessionRecommender(
        model_config,
        train_config,
        checkpoint=checkpoint,
        progress=progress,
        source=source,
        on_evaluation=on_evaluation,
    )
    if resume and checkpoint.exists():
        recommender.resume(load(checkpoint), train, valid)
    else:
        recommender.fit(train, valid, extra_summary=extra_summary)
    state = recommender.state
    assert state is not None  # fit() and resume() both leave a state
    if rank != 0:  # under torchrun the first process writes the results
        return {}
    meta = export(state, out / "model.onnx")
    history = state.history
    last = history[-1] if history else {}
    epoch_events = sum(len(s) - 1 for s in train.sessions)
    metrics = {
        "validation": state.best_metrics,
        "best_step": state.best_step,
        "steps": state.step,
        "epochs": last.get("epoch", 0.0),
        "train_seconds": last.get("seconds", 0.0),
        "events_per_s": last.get("events_per_s", 0.0),
        "epoch_seconds": epoch_events / max(last.get("events_per_s", 0.0), 1e-9),
        "total_seconds": time.monotonic() - started,
        "data": meta["data_summary"],
        "model_config": to_dict(state.model_config),
        "train_config": to_dict(state.train_config),
        "history": history,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


def fit_file(args: argparse.Namespace) -> dict:
    """``continuo-train fit``: read, train, export to ``args.out``, write metrics.json."""
    data, report = read_sessions(args.sessions)
    if not args.quiet:
        print(report.summary(), file=sys.stderr)
    model_config, train_config = configs_from_args(args)
    metrics = train_and_export(
        data,
        args.out,
        model_config,
        train_config,
        source=Path(args.sessions).name,
        progress=not args.quiet,
        resume=args.resume,
    )
    if not metrics:
        return metrics
    best = metrics["validation"]
    print(
        f"{args.out}/model.onnx: validation MRR@20 {best.get('MRR@20', 0):.4f} "
        f"HR@20 {best.get('HR@20', 0):.4f} at step {metrics['best_step']} of {metrics['steps']}; "
        f"{metrics['events_per_s']:.0f} events/s, {metrics['epoch_seconds']:.0f} s per epoch"
    )
    return metrics
