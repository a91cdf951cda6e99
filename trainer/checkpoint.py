"""Self-describing checkpoints: everything needed to resume a run or export it without guessing.

A checkpoint is one ``torch.save`` file of plain types and tensors (loadable with
``weights_only=True``): the two configs, the model's catalogue (vocabularies, artists, content,
counts), the weights, the optimiser state, the step and epoch position, the metric history, the
best weights so far and a summary of the training data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from trainer.catalogue import Catalogue
from trainer.config import ModelConfig, TrainConfig, from_dict, to_dict
from trainer.model import SessionModel

FORMAT = "continuo-session-model"
VERSION = 1
_FIELDS = (
    "model",
    "optimizer",
    "step",
    "epoch",
    "batch",
    "horizon",
    "history",
    "best_metrics",
    "best_step",
    "best_model",
    "data_summary",
    "finished",
)


@dataclass
class TrainState:
    """Where a run is; what :func:`save` writes and :func:`load` returns."""

    model_config: ModelConfig
    train_config: TrainConfig
    catalogue: Catalogue
    model: dict[str, torch.Tensor]
    optimizer: list[dict[str, Any]] | None = None  # one state per optimiser
    step: int = 0  # optimiser steps done
    epoch: int = 0  # current pass over the training windows
    batch: int = 0  # next batch within the epoch
    horizon: int = 0  # step count the learning-rate schedule decays over
    history: list[dict[str, float]] = field(default_factory=list)  # one entry per evaluation
    best_metrics: dict[str, float] = field(default_factory=dict)
    best_step: int = 0
    best_model: dict[str, torch.Tensor] | None = None
    data_summary: dict[str, Any] = field(default_factory=dict)
    finished: bool = False  # early-stopped, out of steps or out of time

    def best_session_model(self) -> SessionModel:
        """The model with the best validation weights (the last ones when never validated)."""
        model = SessionModel(self.model_config)
        model.load_state_dict(self.best_model if self.best_model is not None else self.model)
        return model.eval()


def save(state: TrainState, path: Path) -> None:
    """Write atomically (a crash never leaves half a checkpoint)."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model_config": to_dict(state.model_config),
        "train_config": to_dict(state.train_config),
        "catalogue": state.catalogue.to_state(),
        **{name: getattr(state, name) for name in _FIELDS},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load(path: Path) -> TrainState:
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if payload.get("format") != FORMAT or payload.get("version") != VERSION:
        raise ValueError(
            f"{path} is not a Continuo session-model checkpoint of version {VERSION} "
            f"(format {payload.get('format')!r}, version {payload.get('version')!r})"
        )
    return TrainState(
        model_config=from_dict(ModelConfig, payload["model_config"]),
        train_config=from_dict(TrainConfig, payload["train_config"]),
        catalogue=Catalogue.from_state(payload["catalogue"]),
        **{name: payload[name] for name in _FIELDS},
    )
