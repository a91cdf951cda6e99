"""The protocol's metrics on tiny cases whose answers are worked out by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from trainer.baselines import GRIDS
from trainer.dataset import SessionData, Vocabulary
from trainer.evaluate import evaluate, item_counts, prediction_points
from trainer.split import concat, split_by_id, split_by_time, train_valid_test


def make_data(sessions: list[list[str]], ids: list[str] | None = None, times=None) -> SessionData:
    items, artists = Vocabulary(), Vocabulary()
    encoded = [np.array([items.add(k) for k in s], dtype=np.int64) for s in sessions]
    return SessionData(
        session_ids=ids or [str(i) for i in range(len(sessions))],
        sessions=encoded,
        items=items,
        artists=artists,
        item_artist=np.ones(len(items), dtype=np.int64),
        session_times=times,
    )


class Fixed:
    """Scores every item by a fixed table, whatever the prefix."""

    name = "fixed"

    def __init__(self, scores: list[float]) -> None:
        self.scores = np.array(scores, dtype=np.float32)

    def fit(self, train, valid=None) -> None:
        pass

    def score_batch(self, prefixes):
        return np.tile(self.scores, (len(prefixes), 1))


@pytest.fixture
def tiny():
    # index: pad 0, unk 1, a 2, b 3, c 4, d 5, e 6
    data = make_data([["a", "b", "c", "d"], ["a", "b"], ["a", "c", "b"], ["a", "e"]])
    train, test = data.subset([0, 1]), data.subset([2, 3])
    return train, test


def test_ranks_with_prefix_items_excluded(tiny):
    train, test = tiny
    model = Fixed([9, 9, 5, 4, 3, 2, 1])  # a > b > c > d > e; PAD/UNK must be ignored
    r = evaluate(model, test, train=train, cutoffs=(1, 2), progress=False)
    # a→c: a is excluded, so b, c → rank 2; a,c→b: rank 1; a→e skipped (e unseen in train)
    assert r["n"] == 2
    assert r["HR@1"] == pytest.approx(0.5)
    assert r["HR@2"] == pytest.approx(1.0)
    assert r["MRR@2"] == pytest.approx((1 / 2 + 1) / 2)
    assert r["NDCG@2"] == pytest.approx((1 / math.log2(3) + 1) / 2)


def test_ranks_without_exclusion(tiny):
    train, test = tiny
    model = Fixed([0, 0, 5, 4, 3, 2, 1])
    r = evaluate(model, test, train=train, cutoffs=(2, 3), progress=False, exclude_seen=False)
    # c is third behind a and b; b second
    assert r["HR@2"] == pytest.approx(0.5)
    assert r["MRR@3"] == pytest.approx((1 / 3 + 1 / 2) / 2)


def test_ties_count_half(tiny):
    train, test = tiny
    # after a: b, c, d, e tie → c's expected rank is 1 + 3 / 2; after a, c: b, d, e → 1 + 2 / 2
    r = evaluate(Fixed([0, 0, 1, 1, 1, 1, 1]), test, train=train, cutoffs=(2, 3), progress=False)
    assert r["MRR@3"] == pytest.approx((1 / 2.5 + 1 / 2) / 2)
    assert r["HR@2"] == pytest.approx(0.5)


def test_a_repeated_target_is_excluded_and_counts_as_a_miss():
    data = make_data([["a", "b", "c"], ["a", "b", "a"]])
    train, test = data.subset([0]), data.subset([1])
    model = Fixed([0, 0, 5, 4, 3])  # a > b > c
    r = evaluate(model, test, train=train, cutoffs=(1, 3), progress=False)
    # a→b: a is excluded, b ranks 1; a,b→a: a is in the prefix, so it cannot be named: a miss
    assert r["n"] == 2
    assert (r["HR@1"], r["HR@3"], r["MRR@3"]) == pytest.approx((0.5, 0.5, 0.5))
    kept = evaluate(model, test, train=train, cutoffs=(1, 3), progress=False, exclude_seen=False)
    # without the exclusion: a→b ranks 2 (behind a), a,b→a ranks 1
    assert (kept["HR@1"], kept["MRR@3"]) == pytest.approx((0.5, (1 / 2 + 1) / 2))


class Successor:
    """Scores the item after the prefix's last one highest, then by index: the ranks depend on
    each row's own prefix, so a batch whose rows were shifted would score differently."""

    name = "successor"

    def __init__(self, n_items: int) -> None:
        self.n_items = n_items

    def fit(self, train, valid=None) -> None:
        pass

    def score_batch(self, prefixes):
        scores = np.tile(-np.arange(self.n_items, dtype=np.float32), (len(prefixes), 1))
        for row, prefix in enumerate(prefixes):
            scores[row, min(int(prefix[-1]) + 1, self.n_items - 1)] = 100.0
        return scores


def test_scores_are_the_same_whatever_the_batch_size():
    keys = [f"i{k}" for k in range(12)]
    rng = np.random.default_rng(4)
    sessions = [[keys[k] for k in rng.permutation(12)[:5]] for _ in range(9)]
    data = make_data([keys, *sessions])  # the first session puts every item in training
    train, test = data.subset([0]), data.subset(range(1, 10))
    model = Successor(len(data.items))
    results = [
        evaluate(model, test, train=train, cutoffs=(1, 5), progress=False, batch_size=size)
        for size in (1, 3, 7, 256)  # 36 predictions: one, several and a last short batch
    ]
    for r in results:
        r.pop("seconds")
    assert results[0]["n"] == 36 and all(r == results[0] for r in results[1:])
    # by hand: a target that is its prefix's successor ranks 1; any other ranks after it and
    # after every lower index not yet heard
    expected = []
    for session in test.sessions:
        for i in range(1, len(session)):
            prefix, target = session[:i], int(session[i])
            successor = min(int(prefix[-1]) + 1, len(data.items) - 1)
            if target == successor:
                expected.append(1.0)
                continue
            ahead = {successor} | {k for k in range(2, target) if k not in prefix}
            expected.append(1.0 + len(ahead - {target} - set(prefix.tolist())))
    ranks = np.array(expected)
    assert results[0]["MRR@5"] == pytest.approx(float((1 / ranks[ranks <= 5]).sum() / len(ranks)))
    assert results[0]["HR@1"] == pytest.approx(float((ranks == 1).mean()))


def test_coverage_popularity_and_cold(tiny):
    train, test = tiny
    counts = item_counts(train)
    assert counts.tolist() == [0, 0, 2, 2, 1, 1, 0]
    model = Fixed([0, 0, 5, 4, 3, 2, 1])
    r = evaluate(model, test, train=train, cutoffs=(2,), progress=False, cold_threshold=2)
    # top-2 lists: [b, c] after a; [b, d] after a, c  → 3 of the 4 training items
    assert r["Coverage@2"] == pytest.approx(3 / 4)
    assert r["Popularity@2"] == pytest.approx(np.mean([2, 1, 2, 1]) / 2)
    # the one cold target (c, seen once) is at rank 2
    assert r["cold_n"] == 1
    assert r["cold_MRR@2"] == pytest.approx(0.5)


def test_without_train_only_unknown_targets_are_skipped(tiny):
    _, test = tiny
    prefixes, targets = prediction_points(test)
    assert targets.tolist() == [4, 3, 6]
    assert [p.tolist() for p in prefixes] == [[2], [2, 4], [2]]


def test_wrong_score_shape_is_reported(tiny):
    train, test = tiny
    with pytest.raises(ValueError, match="expected"):
        evaluate(Fixed([1, 2, 3]), test, train=train, progress=False)


def test_split_by_id_orders_numerically():
    data = make_data([["a", "b"]] * 10, ids=[str(i) for i in (5, 10, 1, 9, 2, 8, 3, 7, 4, 6)])
    train, test = split_by_id(data, 0.2)
    assert test.session_ids == ["9", "10"]
    assert train.session_ids == [str(i) for i in range(1, 9)]
    tr, va, te = train_valid_test(data, test_fraction=0.2, valid_fraction=0.25, by="id")
    assert (tr.session_ids, va.session_ids) == (["1", "2", "3", "4", "5", "6"], ["7", "8"])
    assert concat(tr, va).session_ids == train.session_ids


def test_split_by_time():
    times = [np.array([t, t + 1.0]) for t in (30.0, 10.0, 20.0, 40.0, 0.0)]
    data = make_data([["a", "b"]] * 5, times=times)
    train, test = split_by_time(data, 0.4)
    assert test.session_ids == ["0", "3"]
    assert train.session_ids == ["4", "1", "2"]
    with pytest.raises(ValueError, match="timestamps"):
        split_by_time(make_data([["a", "b"]] * 3), 0.3)


def test_benchmark_command_writes_the_report(tmp_path):
    from trainer.cli import main

    rng = np.random.default_rng(0)
    lines = ["session_id\tposition\titem_id"]
    for session in range(60):
        start = rng.integers(12)
        lines += [f"{session}\t{j}\tt{(start + j) % 12}" for j in range(6)]
    sessions = tmp_path / "s.tsv"
    sessions.write_text("\n".join(lines) + "\n")
    test_file = tmp_path / "t.tsv"
    test_file.write_text("session_id\tposition\titem_id\nx\t0\tt3\nx\t1\tt4\nx\t2\tnew\nx\t3\tt5\n")
    report = tmp_path / "report"
    code = main(
        [
            "benchmark",
            "--sessions",
            str(sessions),
            "--algorithms",
            "pop,sr,iknn",
            "--report",
            str(report),
            "--quiet",
        ]
    )
    assert code == 0
    results = json.loads((report / "results.json").read_text())
    assert list(results) == ["pop", "sr", "iknn"]
    assert results["sr"]["test"]["MRR@20"] == pytest.approx(1.0)
    assert len(results["sr"]["trials"]) == len(GRIDS["sr"])
    assert "| sr |" in (report / "results.md").read_text()
    assert (report / "results.png").read_bytes()[:4] == b"\x89PNG"
    # a separate test file is read over the training vocabulary; its unknown item is skipped
    code = main(
        [
            "benchmark",
            "--sessions",
            str(sessions),
            "--test",
            str(test_file),
            "--algorithms",
            "sr",
            "--no-tune",
            "--report",
            str(report),
            "--quiet",
        ]
    )
    test = json.loads((report / "results.json").read_text())["sr"]["test"]
    # t3→t4; after t3, t4, "new" SR falls back to t4's rules → t5 (the target "new" is skipped)
    assert (code, test["n"], test["MRR@20"]) == (0, 2, 1.0)
