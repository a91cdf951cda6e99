"""The quantized search over the model's item vectors: the exact top k of a full float scan,
for random and adversarial vectors (ties, zeros, one huge component, few or no allowed rows)."""

from __future__ import annotations

import numpy as np
import pytest

from player.recommend.item_search import (
    QUERY_LEVELS,
    ROW_LEVELS,
    SHIFT,
    QuantizedVectors,
    VectorSearch,
    top_k,
)


def full_scan(vectors, query, k, allowed):
    """The reference: every float score, blocked rows out, the k best (finite) ones."""
    scores = np.einsum("nh,h->n", vectors, query)
    scores[~allowed] = -np.inf
    best = top_k(scores, k)
    return best[np.isfinite(scores[best])]


def assert_same_top(vectors, query, k, allowed, quantized=None):
    """Same rows as the full scan; where scores tie at the cut, the same scores (any of the
    tied rows is as right as another), distinct allowed rows, best first."""
    quantized = quantized or QuantizedVectors.of(vectors)
    got = quantized.top(vectors, query, k, allowed)
    expected = full_scan(vectors, query, k, allowed)
    scores = np.einsum("nh,h->n", vectors, query)
    assert len(got) == len(expected) == len(set(got.tolist()))
    assert allowed[got].all()
    assert np.array_equal(scores[got], scores[expected])  # sorted best first, ties included
    if len(np.unique(scores[expected])) == len(expected) and (
        not len(expected) or (scores[allowed] == scores[expected[-1]]).sum() == 1
    ):
        assert got.tolist() == expected.tolist()


def test_random_vectors_of_every_scale_give_the_full_scans_top_k():
    rng = np.random.default_rng(1)
    vectors = (rng.standard_normal((5000, 32)) * rng.uniform(0.01, 50, (5000, 1))).astype(
        np.float32
    )
    quantized = QuantizedVectors.of(vectors)
    for _ in range(30):
        query = (rng.standard_normal(32) * rng.uniform(1e-3, 1e3)).astype(np.float32)
        allowed = rng.random(len(vectors)) < rng.uniform(0.05, 1)
        assert_same_top(vectors, query, int(rng.integers(1, 400)), allowed, quantized)


def test_vectors_alike_but_for_their_rounding_give_the_full_scans_top_k():
    """The worst case for a bound: thousands of rows within a rounding step of each other."""
    rng = np.random.default_rng(2)
    base = rng.standard_normal(24).astype(np.float32)
    vectors = (base + 1e-4 * rng.standard_normal((3000, 24))).astype(np.float32)
    for _ in range(10):
        query = (base + 0.1 * rng.standard_normal(24)).astype(np.float32)
        assert_same_top(vectors, query, 50, np.ones(len(vectors), dtype=bool))


def test_ties_zeros_and_one_huge_component():
    rng = np.random.default_rng(3)
    allowed = np.ones(400, dtype=bool)
    same = np.tile(rng.standard_normal(8).astype(np.float32), (400, 1))
    assert_same_top(same, rng.standard_normal(8).astype(np.float32), 30, allowed)  # all equal
    duplicated = np.repeat(rng.standard_normal((40, 8)).astype(np.float32), 10, axis=0)
    assert_same_top(duplicated, rng.standard_normal(8).astype(np.float32), 25, allowed)
    zeros = np.zeros((400, 8), dtype=np.float32)
    assert_same_top(zeros, rng.standard_normal(8).astype(np.float32), 10, allowed)
    mixed = rng.standard_normal((400, 8)).astype(np.float32)
    mixed[::3] = 0
    mixed[5, 2] = 1e6  # one component far beyond the rest of its row
    for query in (np.zeros(8, np.float32), rng.standard_normal(8).astype(np.float32)):
        assert_same_top(mixed, query, 20, allowed)
    spike = np.zeros(8, dtype=np.float32)
    spike[2] = 1e-30  # a query below float32's normal range
    assert_same_top(mixed, spike, 20, allowed)


def test_many_rows_searched_from_a_sample_give_the_full_scans_top_k():
    """Many rows: a sample of the approximations places the first threshold; the answer is
    still exact whether the rows above it hold every row that can reach the floor (clusters of
    rows far apart) or not (rows alike), with many or few rows blocked and ties by the many."""
    rng = np.random.default_rng(6)
    centres = rng.standard_normal((40, 16)) * 3
    clustered = (centres[rng.integers(40, size=40_000)] + rng.standard_normal((40_000, 16))).astype(
        np.float32
    )
    base = rng.standard_normal(16)
    alike = (base + 1e-3 * rng.standard_normal((40_000, 16))).astype(np.float32)
    tied = np.repeat(rng.standard_normal((50, 16)), 800, axis=0).astype(np.float32)
    for vectors in (clustered, alike, tied):
        quantized = QuantizedVectors.of(vectors)
        for share in (1.0, 0.3, 0.002):
            allowed = rng.random(len(vectors)) < share
            for k in (1, 37, 300):
                query = (vectors[int(rng.integers(len(vectors)))] + rng.standard_normal(16)).astype(
                    np.float32
                )
                assert_same_top(vectors, query, k, allowed, quantized)


def test_the_scores_a_search_keeps_are_the_exact_ones_and_hold_its_answer():
    """What a caller scores next (the candidates of every source) is taken from the scores the
    search worked out where it has them: they must be the very scores a scan gives."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((30_000, 24)).astype(np.float32)
    search = VectorSearch(vectors, prune_from=1, scan_first=1)
    for _ in range(4):  # a full scan first, then the quantized search
        query = rng.standard_normal(24).astype(np.float32)
        allowed = rng.random(len(vectors)) < 0.9
        best, scored = search.search(query, 300, allowed)
        assert np.array_equal(best, search.top(query, 300, allowed))
        assert np.all(np.diff(scored.rows) > 0) and set(best.tolist()) <= set(scored.rows.tolist())
        exact = np.einsum("nh,h->n", vectors, query)
        assert np.array_equal(scored.values, exact[scored.rows])
        asked = rng.choice(len(vectors), 2000, replace=False)
        assert np.array_equal(
            scored.of(asked, lambda rows, q=query: search.scores(q, rows)), exact[asked]
        )
    assert search.quantized is not None


def test_a_search_with_few_rows_allowed_scores_only_those():
    """Discover after years of listening leaves a few rows of many: they are scored alone (the
    scan's answer, their exact scores kept), and no integer copy is made for them."""
    rng = np.random.default_rng(8)
    vectors = rng.standard_normal((20_000, 24)).astype(np.float32)
    search = VectorSearch(vectors, prune_from=1, scan_first=0)
    for share in (0.0, 0.001, 0.05):
        allowed = rng.random(len(vectors)) < share
        query = rng.standard_normal(24).astype(np.float32)
        best, scored = search.search(query, 300, allowed)
        exact = np.einsum("nh,h->n", vectors, query)
        expected = full_scan(vectors, query, 300, allowed)
        assert np.array_equal(exact[best], exact[expected]) and allowed[best].all()
        assert np.array_equal(scored.rows, np.flatnonzero(allowed))
        assert np.array_equal(scored.values, exact[scored.rows])
    assert search.quantized is None


@pytest.mark.parametrize("share", [0.0, 0.01, 1.0])
def test_k_at_or_beyond_the_rows_allowed(share):
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((200, 16)).astype(np.float32)
    allowed = rng.random(200) < share
    for k in (1, int(allowed.sum()), 200, 1000):
        assert_same_top(vectors, rng.standard_normal(16).astype(np.float32), k, allowed)
    quantized = QuantizedVectors.of(vectors)
    assert len(quantized.top(vectors, vectors[0], 0, allowed)) == 0


def test_the_integer_product_is_exact_at_the_extremes():
    """onnxruntime multiplies unsigned by signed bytes with an instruction that saturates pairs
    of products on CPUs without VNNI: at the codes' extremes every score is still exact."""
    rng = np.random.default_rng(5)
    vectors = np.where(rng.random((300, 64)) < 0.5, -1.0, 1.0).astype(np.float32)
    vectors[0] = 1.0
    vectors[1] = -1.0
    quantized = QuantizedVectors.of(vectors)
    assert np.abs(quantized.codes).max() == ROW_LEVELS
    for query_bytes in (np.full(64, 255), np.full(64, 1), rng.integers(1, 256, 64)):
        feeds = {"query": query_bytes.astype(np.uint8)[None, :], "codes": quantized.codes}
        got = quantized.scan.run(None, feeds)[0][0]
        expected = query_bytes.astype(np.int64) @ quantized.codes.astype(np.int64)
        assert np.array_equal(got, expected)
    assert 2 * (QUERY_LEVELS + SHIFT) * (ROW_LEVELS + 1) <= 32_767
