"""The child process behind the player's "Retrain on my history": train, compare, install.

``python -m trainer.retrain_job --profile P --staging DIR`` trains on all but the listener's most
recent sessions, then ranks those held-out sessions with the new model, the installed one and the
fallbacks the player would otherwise use (popularity and co-occurrence in the history). The new
model replaces ``P/models/current`` only when it is not worse than what it replaces (the current
model, or the best fallback when there is none). It writes only inside ``DIR`` until then, so the
parent can cancel by ending the process and deleting ``DIR``.

Progress goes to stdout as JSON lines (``{"event": ...}``) that :mod:`player.retrain` parses:
``start``, ``progress`` (step, horizon, epoch, validation MRR@20, seconds, ETA), ``evaluating``,
``result`` (figures and whether the model was installed), ``refused`` (too little history).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from player.errors import ContinuoError
from player.profile import Profile
from player.recommend.onnx_session import OnnxSession
from trainer.baselines.itemknn import ItemKNN
from trainer.baselines.pop import Pop
from trainer.checkpoint import TrainState
from trainer.config import ModelConfig, TrainConfig
from trainer.dataset import PAD, UNKNOWN, SessionData
from trainer.evaluate import Recommender, evaluate
from trainer.fit import train_and_export
from trainer.from_history import MIN_SESSIONS, install
from trainer.readers import NoSessionsError, read_sessions
from trainer.split import split
from trainer.train import left_pad

HOLDOUT_SHARE = 0.2  # the most recent sessions every candidate is compared on
REFUSED_EXIT = 3
# Settings for a personal history (tens to hundreds of sessions, a few hundred tracks), measured
# on generated histories and the demo profile (docs in the report): the paper's lr 0.001 barely
# moves a small model in a minute, 0.005 with small batches and a narrow model learns in seconds.
SMALL_MODEL = ModelConfig(hidden=64, heads=4, max_len=20, attn_layers=1, dropout=0.2)


def emit(event: str, **fields) -> None:
    """One machine-readable progress line on stdout."""
    print(json.dumps({"event": event, **fields}), flush=True)


def small_train_config(
    train_sessions: int,
    *,
    time_budget_s: float,
    lr: float,
    seed: int,
    embedding_lr_scale: float = 5.0,
) -> TrainConfig:
    """Small batches so even 30 sessions give several steps an epoch; validation every few."""
    batch = 8
    steps_per_epoch = max(1, math.ceil(train_sessions / batch))
    config = TrainConfig(
        lr=lr,
        embedding_lr_scale=embedding_lr_scale,  # pinned: the defaults suit 100k-item catalogues
        batch_sessions=batch,
        epochs=60.0,
        warmup_steps=10,
        negatives=0,
        eval_every=max(5, min(50, steps_per_epoch * 2)),
        patience=8,
        valid_share=0.15,
        seed=seed,
        device="cpu",
        threads=1,
    )
    if time_budget_s:
        config.time_budget_s = time_budget_s
    return config


@dataclass
class OnnxScorer:
    """An exported model as a :class:`~trainer.evaluate.Recommender` over ``data``'s vocabulary.

    Candidates the model never saw score -inf (the player proposes only trained items too);
    content vectors are passed when the model was trained with the same width.
    """

    name: str
    session: OnnxSession
    item_map: np.ndarray
    artist_map: np.ndarray
    content: np.ndarray
    vectors: np.ndarray
    max_len: int

    @classmethod
    def load(cls, name: str, path: Path, data: SessionData) -> OnnxScorer:
        session = OnnxSession(path, threads=1, providers=["CPUExecutionProvider"])
        meta = json.loads(session.metadata()["continuo"])
        vocab = json.loads((path.parent / meta["vocabulary"]["file"]).read_text("utf-8"))
        items = {key: i for i, key in enumerate(vocab["items"])}
        artists = {key: i for i, key in enumerate(vocab["artists"])}
        item_map = np.array([items.get(k, UNKNOWN) for k in data.items.keys], np.int64)
        item_map[:2] = (PAD, UNKNOWN)
        artist_map = np.array(
            [artists.get(data.artists.keys[a], UNKNOWN) for a in data.item_artist], np.int64
        )
        dim = int(meta["content_dim"])
        content = np.zeros((len(item_map), dim), np.float32)
        if data.item_content is not None and data.item_content.shape[1] == dim:
            content = data.item_content.astype(np.float32)  # a copy
            content[:2] = 0.0  # padding and unknown read as zeros, as in training
        one = np.full((1, 1), UNKNOWN, np.int64)
        feeds: dict[str, np.ndarray] = {
            "session_items": one,
            "session_artists": one,
            "session_content": np.zeros((1, 1, dim), np.float32),
            "candidate_items": item_map,
            "candidate_artists": artist_map,
            "candidate_content": content,
        }
        vectors = session.run(["candidate_vectors"], feeds)[0]
        vectors[item_map <= UNKNOWN] = np.nan  # marks rows the model cannot rank
        max_len = int(meta["max_session_length"])
        return cls(name, session, item_map, artist_map, content, vectors, max_len)

    def fit(self, train: SessionData, valid: SessionData | None = None) -> None:
        """Already trained."""

    def score_batch(self, prefixes: list[np.ndarray]) -> np.ndarray:
        rows = left_pad(prefixes, self.max_len)  # the most recent items the model reads
        feeds = {
            "session_items": self.item_map[rows],
            "session_artists": np.where(rows > 0, self.artist_map[rows], PAD),
            "session_content": self.content[rows],
            "candidate_items": np.full(1, UNKNOWN, np.int64),
            "candidate_artists": np.full(1, UNKNOWN, np.int64),
            "candidate_content": np.zeros((1, self.content.shape[1]), np.float32),
        }
        query = self.session.run(["session_vectors"], feeds)[0]
        scores = query @ np.nan_to_num(self.vectors).T
        scores[:, np.isnan(self.vectors[:, 0])] = -np.inf
        return scores.astype(np.float32)


def _mrr(model, train: SessionData, recent: SessionData) -> dict[str, float]:
    result = evaluate(model, recent, train=train, cutoffs=(20,), progress=False)
    return {"mrr20": result["MRR@20"], "hr20": result["HR@20"], "n": int(result["n"])}


def compare(train: SessionData, recent: SessionData, new: Path, current: Path) -> dict[str, object]:
    """MRR@20 on the held-out sessions of the new model, the current one and the fallbacks."""
    figures: dict[str, object] = {"new": _mrr(OnnxScorer.load("new", new, recent), train, recent)}
    try:
        figures["current"] = _mrr(OnnxScorer.load("current", current, recent), train, recent)
    except (ContinuoError, OSError, KeyError, ValueError) as error:  # none, or unusable
        figures["current"] = None
        figures["current_problem"] = getattr(error, "short", str(error)) if current.exists() else ""
    fallbacks: dict[str, Recommender] = {"popularity": Pop(), "co-occurrence": ItemKNN()}
    scores: dict[str, dict[str, float]] = {}
    for name, model in fallbacks.items():
        model.fit(train)
        scores[name] = _mrr(model, train, recent)
    best = max(scores, key=lambda name: scores[name]["mrr20"])  # ties: the first
    figures["fallback"] = scores[best] | {"name": best}
    return figures


def verdict(figures: dict) -> tuple[bool, str]:
    """Install when the new model is not worse than what the player would use instead."""
    new = figures["new"]["mrr20"]
    if figures["current"] is not None:
        rival, what = figures["current"]["mrr20"], "the current model"
    else:
        rival, what = figures["fallback"]["mrr20"], f"the {figures['fallback']['name']} fallback"
    if new >= rival:
        return True, f"new model MRR@20 {new:.3f} ≥ {what} {rival:.3f}"
    return False, f"new model MRR@20 {new:.3f} < {what} {rival:.3f}: kept what you had"


def _progress(started: float, budget: float):
    def report(state: TrainState) -> None:
        entry = state.history[-1] if state.history else {}
        elapsed = time.monotonic() - started
        left = elapsed / max(state.step, 1) * max(state.horizon - state.step, 0)
        if budget:
            left = min(left, max(budget - elapsed, 0.0))
        emit(
            "progress",
            step=state.step,
            horizon=state.horizon,
            epoch=round(float(entry.get("epoch", 0.0)), 2),
            mrr20=entry.get("MRR@20"),
            best_mrr20=state.best_metrics.get("MRR@20"),
            elapsed_s=round(elapsed, 1),
            eta_s=round(left, 1),
        )

    return report


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    profile = Profile(Path(args.profile))
    try:
        data, _ = read_sessions(profile.root, "profile")
        usable = len(data.sessions)
    except NoSessionsError:  # a missing or damaged profile raises another ReadError
        data, usable = None, 0
    if data is None or usable < MIN_SESSIONS:
        emit("refused", sessions=usable, needed=MIN_SESSIONS)
        return REFUSED_EXIT
    train, recent = split(data, HOLDOUT_SHARE)
    emit(
        "start",
        sessions=usable,
        train_sessions=len(train.sessions),
        holdout_sessions=len(recent.sessions),
        items=len(data.items) - 2,
    )
    analysis_version = None
    if data.item_content is not None:
        from player.analysis.version import ANALYSIS_VERSION

        analysis_version = ANALYSIS_VERSION
    staging = Path(args.staging)
    budget = args.time_budget_s
    train_config = small_train_config(
        len(train.sessions),
        time_budget_s=max(budget - 5.0, 0.7 * budget) if budget else 0.0,
        lr=args.lr,
        seed=args.seed,
        embedding_lr_scale=args.embedding_lr_scale,
    )
    model_config = ModelConfig(**{**SMALL_MODEL.__dict__, "hidden": args.hidden})
    train_and_export(
        train,
        staging,
        model_config,
        train_config,
        source="continuo profile",
        progress=False,
        extra_summary={"item_key": "continuo_item_key", "analysis_version": analysis_version},
        on_evaluation=_progress(started, budget),
    )
    (staging / "checkpoint.pt").unlink(missing_ok=True)  # the player needs the ONNX file only
    emit("evaluating", holdout_sessions=len(recent.sessions))
    current = profile.models / "current"
    figures = compare(train, recent, staging / "model.onnx", current / "model.onnx")
    ok, reason = verdict(figures)
    if ok and not args.dry_run:
        # the parent may end us at any moment: never between the two renames
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        install(staging, current)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    else:
        shutil.rmtree(staging, ignore_errors=True)
    emit(
        "result",
        installed=ok and not args.dry_run,
        reason=reason,
        seconds=round(time.monotonic() - started, 1),
        **figures,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m trainer.retrain_job", description=__doc__)
    p.add_argument("--profile", type=Path, required=True, help="Continuo profile directory")
    p.add_argument("--staging", type=Path, required=True, help="new folder under PROFILE/models")
    p.add_argument("--time-budget-s", type=float, default=120.0, help="training time (0: none)")
    p.add_argument("--hidden", type=int, default=SMALL_MODEL.hidden, help="hidden size")
    p.add_argument("--lr", type=float, default=0.005, help="peak learning rate")
    p.add_argument(
        "--embedding-lr-scale", type=float, default=5.0, help="item/artist table lr multiplier"
    )
    p.add_argument("--seed", type=int, default=7, help="random seed")
    p.add_argument("--dry-run", action="store_true", help="compare but never install")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if hasattr(os, "nice"):
        os.nice(10)  # the listener's music comes first
    try:
        return run(args)
    except ContinuoError as error:
        emit("error", short=error.short, detail=error.detail)
        return 2


if __name__ == "__main__":
    sys.exit(main())
