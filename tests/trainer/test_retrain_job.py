"""The app's retraining child: its ONNX ranking equals the trainer's, and its install rule."""

from __future__ import annotations

import numpy as np
import pytest

from tests.trainer.synthetic import fit_tiny_model
from trainer.evaluate import prediction_points
from trainer.export import export
from trainer.retrain_job import OnnxScorer, small_train_config, verdict


def test_the_exported_model_ranks_held_out_prefixes_as_the_trainer_does(tmp_path):
    model, _, recent = fit_tiny_model(
        120, seed=2, hidden=16, max_len=6, steps=8, batch_sessions=16, eval_every=4
    )
    export(model.state, tmp_path / "model.onnx")
    prefixes, _ = prediction_points(recent)
    prefixes = prefixes[:40]
    assert max(len(p) for p in prefixes) > 6  # longer than the model reads
    expected = model.score_batch(prefixes)
    got = OnnxScorer.load("new", tmp_path / "model.onnx", recent).score_batch(prefixes)
    assert got.shape == expected.shape
    finite = np.isfinite(expected)
    assert np.array_equal(finite, np.isfinite(got)) and finite.sum() > 40 * 50
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-4, atol=1e-4)


def figures(new, current=None, fallback=0.3):
    return {
        "new": {"mrr20": new},
        "current": None if current is None else {"mrr20": current},
        "fallback": {"mrr20": fallback, "name": "co-occurrence"},
    }


@pytest.mark.parametrize(
    ("case", "installed", "words"),
    [
        (figures(0.5, current=0.4), True, "the current model 0.400"),
        (figures(0.4, current=0.4), True, "≥ the current model"),
        (figures(0.3, current=0.4, fallback=0.1), False, "0.300 < the current model 0.400"),
        (figures(0.2, fallback=0.3), False, "< the co-occurrence fallback 0.300"),
        (figures(0.31, fallback=0.3), True, "≥ the co-occurrence fallback"),
    ],
)
def test_a_new_model_replaces_only_what_it_is_not_worse_than(case, installed, words):
    ok, reason = verdict(case)
    assert ok is installed and words in reason


def test_a_small_history_still_gets_several_steps_and_validations_an_epoch():
    config = small_train_config(30, time_budget_s=20.0, lr=0.005, seed=1)
    steps_per_epoch = 30 / config.batch_sessions
    assert steps_per_epoch >= 3
    assert config.eval_every <= 2 * steps_per_epoch + 5
    assert config.negatives == 0  # full softmax: a personal catalogue is small
    # a long history still validates at least every 50 steps, a tiny one every 5 at the least
    assert small_train_config(30_000, time_budget_s=20.0, lr=0.005, seed=1).eval_every == 50
    assert small_train_config(1, time_budget_s=20.0, lr=0.005, seed=1).eval_every == 5
