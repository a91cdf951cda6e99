"""Train and export a tiny real model with ``trainer/`` on a profile's history (a few seconds on CPU).

Shared by the recommender tests and the window tests; needs the `train` extra (torch).
"""

from __future__ import annotations

from pathlib import Path


def train_tiny_model(profile_root: Path, target: Path, *, steps: int = 60, max_len: int = 10):
    """Fit a small session model on the profile's plays (and its analysis' content vectors, when
    there are any) and export it to ``target`` (model.onnx); returns the fitted model and the
    data it was trained on."""
    from trainer.config import ModelConfig, TrainConfig
    from trainer.export import export
    from trainer.fit import SessionRecommender
    from trainer.readers.profile import read_profile

    data, _ = read_profile(profile_root)
    model = SessionRecommender(
        ModelConfig(
            hidden=16, heads=2, max_len=max_len, attn_layers=1, dropout=0.0, item_dropout=0.0
        ),
        TrainConfig(
            max_steps=steps,
            warmup_steps=5,
            lr=0.01,
            batch_sessions=16,
            negatives=0,
            device="cpu",
            eval_every=1000,
        ),
        progress=False,
        source="profile",
    )
    model.fit(data)
    export(model.state, target)
    return model, data
