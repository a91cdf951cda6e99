"""The content embedding: trained on generated audio, exported, and read back by the player.

Two tiny "collections" of generated recordings (slow sustained chords, quick melodies) go
through the player's own analysis; the trainer learns an embedding on them and exports it; the
player's onnxruntime path must give the torch model's vectors for the same tracks, and refuse
a model that does not fit with a one-line reason.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from player.analysis.embedding import (
    METADATA_KEY,
    ContentEmbedding,
    feature_dim,
    learned_vector,
    load_embedding,
    segment_features,
)
from player.analysis.pipeline import analyse_file
from player.analysis.segments import SegmentClassModel
from player.analysis.version import EMBEDDING_VERSION
from tests.analysis.synth import SR, melody, tone, write
from trainer.content_embedding import EmbeddingConfig, embed, export, metadata, train


def chords(seed: int, seconds: float = 6.0) -> np.ndarray:
    """Sustained three-note chords, 1.5 s each, roots drawn at random."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(int(seconds / 1.5)):
        root = int(rng.integers(45, 60))
        parts.append(sum(tone(root + i, 1.5) for i in (0, 4, 7)) / 2)
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    model = SegmentClassModel.load()
    tracks, labels = [], []
    for seed in range(3):
        for label, y in (("chords", chords(seed)), ("melody", melody(24, seed=seed, note_s=0.25))):
            analysis = analyse_file(write(folder / f"{label}-{seed}.wav", y, SR), model=model)
            tracks.append(analysis)
            labels.append(label)
    return model, tracks, labels


@pytest.fixture(scope="module")
def trained(analysed, tmp_path_factory):
    model, tracks, labels = analysed
    features = [segment_features(a.class_probabilities, a.descriptors, a.textures) for a in tracks]
    config = EmbeddingConfig(hidden=32, dim=8, epochs=60)
    embedder, summary = train(features, labels, config)
    path = tmp_path_factory.mktemp("model") / "embedding.onnx"
    export(embedder, path, metadata(embedder, config, summary, model.version))
    return embedder, features, path


def test_the_players_vectors_are_the_torch_models(analysed, trained):
    class_model, tracks, labels = analysed
    embedder, features, path = trained
    player_side = ContentEmbedding.load(class_model, path)
    assert (player_side.input_dim, player_side.output_dim) == (feature_dim(64), 8)
    for analysis, x in zip(tracks, features, strict=True):
        torch_vector = embed(embedder, x)
        onnx_vector = learned_vector(player_side, analysis)
        assert onnx_vector is not None
        np.testing.assert_allclose(onnx_vector, torch_vector, atol=1e-5)
        assert np.linalg.norm(onnx_vector) == pytest.approx(1.0, abs=1e-5)
    assert path.stat().st_size < 300_000


def test_training_pulls_a_collection_together(analysed, trained):
    _, _, labels = analysed
    embedder, features, _ = trained
    v = np.stack([embed(embedder, x) for x in features])
    same = np.equal.outer(labels, labels) & ~np.eye(len(labels), dtype=bool)
    sims = v @ v.T
    assert sims[same].mean() > sims[~np.equal.outer(labels, labels)].mean() + 0.5


def rewrite_metadata(source, target, **changes):
    proto = onnx.load(str(source))
    meta = json.loads(proto.metadata_props[0].value)
    meta.update(changes)
    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(meta)
    target.write_bytes(proto.SerializeToString())
    return target


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"input_dim": 7}, "reads 7 values per segment, the analysis gives 284"),
        ({"class_model": "segment-classes-v0"}, "made for class model 'segment-classes-v0'"),
        ({"version": "content-embedding-v0"}, f"not '{EMBEDDING_VERSION}'"),
    ],
)
def test_a_model_for_other_features_is_refused_with_its_reason(
    analysed, trained, tmp_path, changes, reason
):
    path = rewrite_metadata(trained[2], tmp_path / "other.onnx", **changes)
    embedding, why = load_embedding(analysed[0], path)
    assert embedding is None
    assert reason in why and "\n" not in why


def test_a_damaged_or_missing_model_is_refused(analysed, tmp_path):
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"\x08\x07not onnx at all" * 10)
    embedding, why = load_embedding(analysed[0], damaged)
    assert embedding is None and "damaged or not an ONNX model" in why
    embedding, why = load_embedding(analysed[0], tmp_path / "absent.onnx")
    assert embedding is None and "does not exist" in why


def test_the_shipped_embedding_fits_this_analysis(analysed):
    class_model, tracks, _ = analysed
    shipped, why = load_embedding(class_model)
    assert shipped is not None, why
    vector = learned_vector(shipped, tracks[0])
    assert vector is not None and vector.shape == (shipped.output_dim,)
