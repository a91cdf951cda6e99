"""Model loading: the contract checks, refusals with their one-line reason, and the numpy scoring."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from player.analysis.version import ANALYSIS_VERSION
from player.errors import ModelError
from player.recommend.item_search import top_k
from player.recommend.library import load_library
from player.recommend.model import QUANTIZE_AFTER, load_model
from player.recommend.onnx_session import OnnxSession, candidate_providers
from player.recommend.up_next import Recommender, _content_outranked
from player.store.features import TrackFeatures, save_features
from player.store.tracks import all_tracks
from tests.recommend.contract_model import write_model

CLASSES = 6


def library_keys(db):
    tracks = all_tracks(db)
    return [t.item_key for t in tracks], sorted({t.composer.casefold() for t in tracks})


@pytest.fixture
def model_dir(library):
    return library.profile.models / "current"


def test_provider_order_prefers_accelerators_and_ends_with_cpu():
    available = ["TensorrtExecutionProvider", "CPUExecutionProvider", "CUDAExecutionProvider"]
    assert candidate_providers(available) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert candidate_providers(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_the_provider_reported_is_the_one_the_session_runs_on(library, model_dir):
    write_model(model_dir, *library_keys(library.db))
    session = OnnxSession(model_dir / "model.onnx", threads=1)
    assert session.session.get_providers()[0] == session.provider
    assert session.provider in ort.get_available_providers()
    assert session.session.get_session_options().intra_op_num_threads == 1
    with pytest.raises(ValueError, match="0"):
        OnnxSession(model_dir / "model.onnx", threads=0)


def test_numpy_scores_equal_the_models_own_scores(library, model_dir):
    items, artists = library_keys(library.db)
    write_model(model_dir, items[:-5], artists, hidden=8)  # five tracks the model never saw
    index = load_library(library.db)
    model = load_model(model_dir, index, providers=["CPUExecutionProvider"])
    assert model.candidate_vectors.shape == (len(index), 8)
    assert (model.item_index[-5:] == 1).all() and (model.item_index[:-5] > 1).all()
    rows = np.array([3, 7, 12])
    session = ort.InferenceSession(str(model_dir / "model.onnx"))
    (expected,) = session.run(
        ["scores"],
        {
            "session_items": model.item_index[rows][None],
            "session_artists": model.artist_index[rows][None],
            "session_content": np.zeros((1, 3, 0), np.float32),
            "candidate_items": model.item_index,
            "candidate_artists": model.artist_index,
            "candidate_content": np.zeros((len(index), 0), np.float32),
        },
    )
    np.testing.assert_allclose(model.scores(rows), expected[0], rtol=1e-5, atol=1e-4)
    best = top_k(model.scores(rows), 5)
    assert list(best) == list(np.argsort(-expected[0], kind="stable")[:5])
    assert model.nbytes >= model.candidate_vectors.nbytes > 0


def break_truncated(model_dir):
    data = (model_dir / "model.onnx").read_bytes()
    (model_dir / "model.onnx").write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize(
    ("change", "short"),
    [
        (None, "No personal model yet"),
        ({"format_version": 2}, "The personal model needs a newer Continuo"),
        ({"format_version": "one"}, "The personal model has an unknown format"),
        ({"continuo": None}, "Not a Continuo model"),
        ({"inputs": ["session_items"]}, "The personal model has the wrong inputs"),
        ({"vocabulary": {"sha256": "0" * 64}}, "The personal model's vocabulary does not match it"),
        ({"content_dim": 0, "foreign": True}, "The personal model was trained on another library"),
        ("truncated", "The model file model.onnx is damaged or not an ONNX model"),
    ],
)
def test_an_unusable_model_is_refused_with_its_reason_and_a_fallback_fills_up_next(
    library, model_dir, change, short
):
    items, artists = library_keys(library.db)
    if change == "truncated":
        write_model(model_dir, items, artists)
        break_truncated(model_dir)
    elif change is not None:
        change = dict(change)
        if change.pop("foreign", False):
            items = [f"other library | {i}" for i in range(40)] + items[:10]
        write_model(model_dir, items, artists, **change)
    with pytest.raises(ModelError) as info:
        load_model(model_dir, load_library(library.db))
    assert info.value.short == short
    rec = Recommender(library.profile.database, model_dir)
    result = rec.suggest([library.pieces["J. Brahms"]], n=3)
    assert len(result) >= 3 and {s.source for s in result} == {"popularity"}
    assert rec.status().model_problem == short


def test_a_model_for_this_library_fills_up_next_and_a_new_model_is_swapped_in(library, model_dir):
    rec = Recommender(library.profile.database, model_dir)
    rec.suggest([library.pieces["J. Brahms"]], n=2)
    assert rec.status().model_problem == "No personal model yet"
    write_model(model_dir, *library_keys(library.db))
    rec.reload_model()
    result = rec.suggest([library.pieces["J. Brahms"]], n=2)
    assert {s.source for s in result} == {"personal model"}
    assert all(s.reason.startswith("fits your session after") for s in result)
    status = rec.status()
    assert status.source == "personal model" and status.model_problem is None
    assert status.provider in ("CPU", "CUDA")


@pytest.mark.parametrize(
    ("content_dim", "version", "refusal"),
    [
        (0, None, None),  # a model that reads no content fits any library
        (CLASSES, ANALYSIS_VERSION, None),
        (CLASSES + 1, ANALYSIS_VERSION, "The personal model expects other sound features"),
        (CLASSES, "pipeline-0", "The personal model expects other sound features"),
    ],
)
def test_content_vectors_must_match_the_librarys_analysis(
    library, model_dir, content_dim, version, refusal
):
    rng = np.random.default_rng(0)
    for track_id in library.composer_of:
        histogram = rng.uniform(0.1, 2.0, CLASSES).astype(np.float32)
        save_features(
            library.db, track_id, ANALYSIS_VERSION, TrackFeatures(histogram, 5, 1, 1, 1, 0)
        )
    write_model(
        model_dir, *library_keys(library.db), content_dim=content_dim, analysis_version=version
    )
    index = load_library(library.db)
    assert index.content is not None and index.content.shape == (len(index), CLASSES)
    if refusal is None:
        model = load_model(model_dir, index)
        assert model.content.shape == (len(index), content_dim)
    else:
        with pytest.raises(ModelError, match=refusal):
            load_model(model_dir, index)


def test_the_quantized_search_finds_exactly_the_full_scans_top_k(library, model_dir):
    """A large library's model searches its own candidates through an integer copy of their
    vectors first; the bound makes that exact: the same rows as a scan of every float vector,
    for any session and any blocked rows."""
    items, artists = library_keys(library.db)
    write_model(model_dir, items, artists, hidden=16)
    index = load_library(library.db)
    model = load_model(model_dir, index, providers=["CPUExecutionProvider"])
    model.prune_from = 1
    model.fit_library(index)
    rng = np.random.default_rng(5)
    for i in range(50):
        assert (model.quantized is not None) == (i > QUANTIZE_AFTER)  # a model asked often
        query = model.session_vector(rng.choice(len(index), int(rng.integers(1, 6))))
        allowed = rng.random(len(index)) < 0.7
        k = int(rng.integers(1, 30))
        exact = np.einsum("nh,h->n", model.known_vectors, query)
        exact[~allowed[model.known_rows]] = -np.inf
        expected = model.known_rows[top_k(exact, k)]
        expected = expected[np.isfinite(exact[top_k(exact, k)])]
        got = model.top_known(query, k, allowed)
        assert sorted(got.tolist()) == sorted(expected.tolist())
    assert model.quantized is not None and model.quantized.codes.shape == (
        16,
        len(model.known_rows),
    )


def test_a_session_asked_again_gets_the_towers_own_vector_until_the_next_fit(library, model_dir):
    """Up next asks again about the session it just asked about: the vector kept for it is the
    one the tower gives (and cannot be changed by a caller); a fit forgets it (rows may stand
    for other tracks now), and only the latest few sessions are kept."""
    items, artists = library_keys(library.db)
    write_model(model_dir, items, artists, hidden=16)
    index = load_library(library.db)
    model = load_model(model_dir, index, providers=["CPUExecutionProvider"])
    fresh = load_model(model_dir, index, providers=["CPUExecutionProvider"])
    fresh.sessions_kept = 0
    rng = np.random.default_rng(11)
    sessions = [
        rng.choice(len(index), int(rng.integers(1, 6))) for _ in range(model.sessions_kept + 4)
    ]
    first = [model.session_vector(rows) for rows in sessions]
    again = [model.session_vector(rows) for rows in sessions[-3:]]
    assert all(a is b for a, b in zip(again, first[-3:], strict=True))  # kept
    assert model.session_vector(sessions[0]) is not first[0]  # pushed out by later ones
    for rows, vector in zip(sessions, first, strict=True):
        assert np.array_equal(vector, fresh.session_vector(rows))
        assert not vector.flags.writeable
    model.fit_library(index)
    assert model.session_vector(sessions[-1]) is not first[-1]
    assert np.array_equal(model.session_vector(sessions[-1]), first[-1])


def test_content_is_searched_only_when_its_candidates_could_rank(library, model_dir):
    """For you with a model trained on every track: the content source's candidates score below
    all of the model's own, so its search is left out, unless "More like this" could lift them
    (a "Less like this" only pushes rows down), Discover's new-composer bonus could, a time
    budget reaches far down the ranking, or some track is one only the other sources reach (the
    model never trained on it)."""
    items, artists = library_keys(library.db)
    index = load_library(library.db)
    still = np.zeros(len(index))
    write_model(model_dir, items, artists)
    every = load_model(model_dir, index)
    assert _content_outranked(every, "for_you", still)
    lifted, pushed = still.copy(), still.copy()
    lifted[3], pushed[3] = 0.5, -1.0
    assert not _content_outranked(every, "for_you", lifted)
    assert _content_outranked(every, "for_you", pushed)
    assert not _content_outranked(every, "discover", still)
    assert not _content_outranked(every, "for_you", still, budgeting=True)
    assert not _content_outranked(None, "for_you", still)
    write_model(model_dir, items[:-5], artists)  # five tracks the model never saw
    assert not _content_outranked(load_model(model_dir, index), "for_you", still)
