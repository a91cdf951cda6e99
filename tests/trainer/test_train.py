"""Real training steps on data with a known answer; windows, schedule, checkpoints, resume."""

import numpy as np
import pytest
import torch

from tests.trainer.synthetic import cyclic_sessions
from trainer.checkpoint import load
from trainer.config import ModelConfig, TrainConfig
from trainer.fit import SessionRecommender
from trainer.split import split_by_id
from trainer.train import learning_rate, make_windows

SMALL = ModelConfig(hidden=32, heads=2, max_len=12, dropout=0.1, item_dropout=0.0)


def _train_config(**overrides) -> TrainConfig:
    values = dict(
        lr=0.01,
        max_steps=40,
        batch_sessions=32,
        eval_every=20,
        eval_prefixes=300,
        seed=3,
        threads=1,
        device="cpu",
    )
    values.update(overrides)
    return TrainConfig(**values)


def test_windows_cover_every_target_once():
    rng = np.random.default_rng(0)
    sessions = [np.arange(2, 2 + n) for n in (1, 2, 5, 13, 14, 40)]
    windows = make_windows(sessions, 6, rng)
    assert windows.shape[1] == 7
    targets = windows[:, 1:][windows[:, :-1] > 0]  # a target needs a non-padding input
    expected = np.concatenate([s[1:] for s in sessions])
    assert sorted(targets.tolist()) == sorted(expected.tolist())
    for row in windows:  # left-padded, and consecutive items of one session
        kept = row[row > 0]
        assert (row[: 7 - len(kept)] == 0).all() and (np.diff(kept) == 1).all()


def test_schedule_warms_up_then_decays_to_a_tenth():
    lrs = [learning_rate(s, peak=1.0, warmup=10, horizon=100) for s in range(101)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert lrs[100] == pytest.approx(0.1) and all(
        a >= b for a, b in zip(lrs[10:], lrs[11:], strict=False)
    )


@pytest.mark.parametrize("negatives", [0, 24])  # full softmax, and sampled with logQ
def test_training_learns_the_next_item(negatives):
    train, valid = split_by_id(cyclic_sessions(), 0.2)
    config = _train_config(negatives=negatives, full_softmax_max_items=0 if negatives else 10**6)
    model = SessionRecommender(SMALL, config, progress=False)
    model.fit(train, valid)
    history = model.state.history
    assert history[-1]["loss"] < 0.6 * history[0]["loss"]
    # the next item is always the successor: random ranking would give MRR@20 ≈ 0.08
    assert model.state.best_metrics["MRR@20"] > 0.5
    scores = model.score_batch([train.sessions[0][:3]])
    assert scores.shape == (1, len(train.items))
    assert scores[0].argmax() == train.sessions[0][3]


def test_same_seed_same_weights():
    train, valid = split_by_id(cyclic_sessions(80), 0.2)
    states = []
    for _ in range(2):
        model = SessionRecommender(SMALL, _train_config(max_steps=5), progress=False)
        model.fit(train, valid)
        states.append(model.state.model)
    for name, tensor in states[0].items():
        torch.testing.assert_close(tensor, states[1][name], rtol=0, atol=0)


def test_checkpoint_describes_itself_and_resumes(tmp_path):
    train, valid = split_by_id(cyclic_sessions(120), 0.2)
    path = tmp_path / "checkpoint.pt"
    first = SessionRecommender(
        SMALL, _train_config(max_steps=10, eval_every=5), checkpoint=path, progress=False
    )
    first.fit(train, valid)
    state = load(path)
    assert state.step == 10 and state.finished and len(state.history) == 2
    assert state.catalogue.items[:2] == ["<pad>", "<unk>"] and len(state.catalogue) == 62
    assert state.model_config.hidden == 32 and state.best_metrics["MRR@20"] > 0
    assert state.data_summary["sessions"] == len(train.sessions)
    # go on to step 20 from the stored weights and optimiser moments
    state.train_config.max_steps, state.finished = 20, False
    second = SessionRecommender(progress=False, checkpoint=path)
    second.resume(state, train, valid)
    resumed = load(path)
    assert resumed.step == 20 and [h["step"] for h in resumed.history] == [5, 10, 15, 20]
    # the best of all four validations is kept across the resume, with the step it came from
    mrr = [h["MRR@20"] for h in resumed.history]
    assert resumed.best_metrics["MRR@20"] == max(mrr)
    assert resumed.best_step == resumed.history[int(np.argmax(mrr))]["step"]
    # training went on from the stored weights: steps 11-15 start where step 10 left off, far
    # below the loss of fresh weights (steps 1-5)
    assert resumed.history[2]["loss"] < 0.8 * state.history[0]["loss"]
