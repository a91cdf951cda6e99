import numpy as np
import pytest

from player.analysis.content import inverse_document_frequency, most_similar, tfidf
from player.analysis.segments import DESCRIPTOR_DIM, SegmentClassModel, SegmentCutter
from player.errors import ModelError


def frames(n, seed=0):
    rng = np.random.default_rng(seed)
    S = rng.random((88, n)).astype(np.float32)
    midi = rng.uniform(40, 80, n)
    return S, midi, rng.random(n) > 0.3


def test_cutter_covers_every_frame_and_chunks_do_not_matter():
    S, midi, voiced = frames(275)
    whole = SegmentCutter()
    d_whole = whole.push(S, midi, voiced) + whole.finish()
    assert whole.bounds == [(0, 100), (50, 150), (100, 200), (150, 250), (200, 275)]
    chunked = SegmentCutter()
    d_chunked = []
    for a in range(0, 275, 33):
        d_chunked += chunked.push(S[:, a : a + 33], midi[a : a + 33], voiced[a : a + 33])
    d_chunked += chunked.finish()
    assert chunked.bounds == whole.bounds
    np.testing.assert_array_equal(np.stack(d_chunked), np.stack(d_whole))
    assert d_whole[0].shape == (DESCRIPTOR_DIM,)


def test_short_input_is_one_segment():
    cutter = SegmentCutter()
    assert cutter.push(*frames(30)) == []
    assert len(cutter.finish()) == 1 and cutter.bounds == [(0, 30)]


def test_shipped_model_gives_distributions():
    model = SegmentClassModel.load()
    assert 32 <= model.n_classes <= 128
    cutter = SegmentCutter()
    descriptors = np.stack(cutter.push(*frames(600, seed=2)) + cutter.finish())
    p = model.probabilities(descriptors)
    assert p.shape == (len(descriptors), model.n_classes)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert (p >= 0).all() and model.idf.shape == (model.n_classes,)


def test_a_model_for_other_descriptors_is_refused(tmp_path):
    model = SegmentClassModel.load()
    wrong = SegmentClassModel(**{**model.__dict__, "mean": np.zeros(5), "scale": np.ones(5)})
    wrong.save(tmp_path / "m.npz")
    with pytest.raises(ModelError, match="does not fit"):
        SegmentClassModel.load(tmp_path / "m.npz")
    with pytest.raises(ModelError, match="cannot be read"):
        SegmentClassModel.load(tmp_path / "missing.npz")


def test_idf_follows_eq_5_smoothed():
    h = np.array([[2.0, 0.0, 0.5], [1.0, 0.0, 0.0], [3.0, 1.0, 0.0]])
    # document frequencies: class 0 in 3 tracks, class 1 in 1, class 2 in half a track
    expected = np.log(4.0 / (1.0 + np.array([3.0, 1.0, 0.5]))) + 1.0
    np.testing.assert_allclose(inverse_document_frequency(h), expected, rtol=1e-6)
    v = tfidf(h, expected)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-6)
    tf = h[2] / h[2].sum()
    np.testing.assert_allclose(v[2], tf * expected / np.linalg.norm(tf * expected), rtol=1e-6)
    assert not tfidf(np.zeros((1, 3)), expected).any()
    with pytest.raises(ValueError, match="idf must have shape"):
        tfidf(h, expected[:2])


def test_cosine_neighbours_stay_in_their_group():
    rng = np.random.default_rng(5)
    profiles = rng.dirichlet(np.full(64, 0.2), size=3)
    h = np.concatenate([rng.multinomial(200, p, size=10) for p in profiles]).astype(float)
    groups = np.repeat(np.arange(3), 10)
    v = tfidf(h, inverse_document_frequency(h))
    for i in range(len(h)):
        idx, sims = most_similar(v, i, k=5)
        assert i not in idx and (groups[idx] == groups[i]).all()
        assert (np.diff(sims) <= 0).all() and sims[0] <= 1.0 + 1e-6
    idx, sims = most_similar(v, v[0], k=100)  # a query vector: itself comes first
    assert idx[0] == 0 and sims[0] == pytest.approx(1.0) and len(idx) == 30
