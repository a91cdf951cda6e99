"""Each baseline on a tiny synthetic data set whose answer is obvious."""

from __future__ import annotations

import time

import numpy as np
import pytest

from trainer.baselines import GRIDS, make
from trainer.benchmark import tune
from trainer.dataset import SessionData, Vocabulary
from trainer.evaluate import evaluate

N_CYCLE = 20


def cycle_data(n_sessions: int, seed: int) -> SessionData:
    """Sessions that walk one fixed cycle of 20 items: after item i always comes item i + 1."""
    rng = np.random.default_rng(seed)
    items = Vocabulary()
    keys = [items.add(f"t{i}") for i in range(N_CYCLE)]
    sessions = []
    for _ in range(n_sessions):
        start, length = rng.integers(N_CYCLE), rng.integers(4, 9)
        sessions.append(np.array([keys[(start + j) % N_CYCLE] for j in range(length)]))
    return SessionData(
        session_ids=[str(i) for i in range(n_sessions)],
        sessions=sessions,
        items=items,
        artists=Vocabulary(),
        item_artist=np.ones(len(items), dtype=np.int64),
    )


@pytest.fixture(scope="module")
def cycle():
    data = cycle_data(260, seed=3)
    return data.subset(range(200)), data.subset(range(200, 230)), data.subset(range(230, 260))


@pytest.mark.parametrize(
    ("name", "params", "metric", "floor"),
    [
        ("sr", {}, "MRR@10", 0.99),
        ("iknn", {}, "HR@10", 0.95),
        ("sknn", {"k": 20, "sample_size": 100}, "HR@10", 0.9),
        ("vsknn", {"k": 20, "sample_size": 100, "idf": 1.0}, "HR@10", 0.9),
        ("vsknn", {"k": 20, "sample_size": 100, "decay": "div"}, "HR@10", 0.9),
    ],
)
def test_count_baselines_learn_the_cycle(cycle, name, params, metric, floor):
    train, _, test = cycle
    model = make(name, **params)
    model.fit(train)
    result = evaluate(model, test, train=train, progress=False)
    assert result[metric] >= floor, result


def test_sr_predicts_the_follower_first(cycle):
    train, _, _ = cycle
    model = make("sr")
    model.fit(train)
    scores = model.score_batch([np.array([2]), np.array([5, 6])])
    assert scores.argmax(axis=1).tolist() == [3, 7]
    # "div" weighting: one step ahead weighs twice two steps ahead (equal pair counts aside)
    one, two = scores[0, 3], scores[0, 4]
    assert one > two > 0


def test_pop_ranks_by_training_count():
    items = Vocabulary()
    a, b, c = (items.add(k) for k in "abc")
    data = SessionData(
        ["0", "1"],
        [np.array([a, b, c, b]), np.array([c, b])],
        items,
        Vocabulary(),
        np.ones(5, np.int64),
    )
    model = make("pop")
    model.fit(data)
    assert model.score_batch([np.array([a])])[0].tolist() == [0, 0, 1, 3, 2]


def test_sknn_samples_only_recent_sessions(cycle):
    train, _, _ = cycle
    narrow = make("sknn", k=1, sample_size=1)
    narrow.fit(train)
    scores = narrow.score_batch([train.sessions[0][:2]])[0]
    last = [s for s in train.sessions if np.isin(train.sessions[0][:2], s).any()][-1]
    # one neighbour, the most recent sharing session: only its items get votes
    assert set(np.flatnonzero(scores > 0)) == set(last.tolist())


@pytest.mark.parametrize("name", ["gru4rec", "sasrec"])
def test_torch_baselines_learn_the_cycle(cycle, name):
    train, valid, test = cycle
    model = make(
        name,
        hidden=32,
        max_len=8,
        batch_size=16,
        lr=0.01,
        n_negatives=8,
        epochs=3,
        dropout=0.0,
        time_budget_s=120.0,
        valid_predictions=100,
    )
    model.fit(train, valid)
    result = evaluate(model, test, train=train, progress=False)
    assert result["HR@10"] >= 0.8, (result, model.history)
    assert [h["epoch"] for h in model.history] == [1, 2, 3]
    assert model.history[-1]["loss"] < model.history[0]["loss"]


def test_time_budget_stops_training(cycle):
    train, _, _ = cycle
    model = make("gru4rec", hidden=16, max_len=8, batch_size=4, epochs=500, time_budget_s=0.5)
    began = time.monotonic()
    model.fit(train)
    took = time.monotonic() - began
    # 500 epochs take far longer than 0.5 s on any machine; how many fit depends on its speed.
    seconds = [h["seconds"] for h in model.history]
    assert len(seconds) < 500
    assert all(s <= 0.5 for s in seconds[:-1]) and 0.5 < seconds[-1] <= took  # stopped by it


def markov_data(n_sessions: int, seed: int) -> SessionData:
    """Sessions over 40 items where each item has three likely successors and some noise, so the
    baselines' parameters change their rankings (on :func:`cycle_data` every setting is perfect)."""
    rng = np.random.default_rng(seed)
    items = Vocabulary()
    keys = [items.add(f"m{i}") for i in range(40)]
    successors = rng.integers(0, 40, size=(40, 3))
    sessions = []
    for _ in range(n_sessions):
        walk = [int(rng.integers(40))]
        for _ in range(int(rng.integers(3, 9))):
            noise = rng.random() >= 0.8
            walk.append(
                int(rng.integers(40)) if noise else int(successors[walk[-1], rng.integers(3)])
            )
        sessions.append(np.array([keys[i] for i in walk]))
    return SessionData(
        session_ids=[str(i) for i in range(n_sessions)],
        sessions=sessions,
        items=items,
        artists=Vocabulary(),
        item_artist=np.ones(len(items), dtype=np.int64),
    )


@pytest.mark.parametrize("name", ["iknn", "sr", "sknn", "vsknn"])
def test_tuning_tries_every_grid_point_and_keeps_the_best(name):
    data = markov_data(700, seed=1)
    train, valid = data.subset(range(600)), data.subset(range(600, 700))
    lines: list[str] = []
    best, trials = tune(
        name, train, valid, valid_predictions=300, exclude_seen=False, log=lines.append
    )
    assert [t["params"] for t in trials] == GRIDS[name] and len(lines) == len(trials)
    assert all(0 < t["MRR@20"] <= t["HR@20"] <= 1 for t in trials)
    assert best == max(trials, key=lambda t: t["MRR@20"])["params"]
    assert len({t["MRR@20"] for t in trials}) > 1  # the grid's parameters reach the model


def test_an_unknown_algorithm_is_named():
    with pytest.raises(ValueError, match="unknown algorithm 'nope'"):
        make("nope")


@pytest.mark.parametrize("name", ["sr", "iknn"])
def test_last_known_item_stands_in_for_a_new_one(name):
    train = cycle_data(200, seed=5)
    new = train.items.add("never-played")  # in the vocabulary, not in training
    model = make(name)
    model.fit(train)
    scores = model.score_batch([np.array([4, new])])[0]
    scores[4] = 0.0  # item-kNN's self-similarity (evaluate masks prefix items)
    assert scores.argmax() in (3, 5)  # the neighbours of item 4 (SR: its follower, 5)
    assert name == "iknn" or scores.argmax() == 5
    strict = make(name, skip_unknown=False)
    strict.fit(train)
    assert not strict.score_batch([np.array([4, new])]).any()
