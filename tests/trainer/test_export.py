"""ONNX export under contract 3: names, dynamic shapes, metadata, vocabulary hash, parity."""

import hashlib
import json

import numpy as np
import onnx
import pytest
import torch

from player.domain.model_contract import INPUTS, OUTPUTS
from player.recommend.onnx_session import OnnxSession
from tests.trainer.synthetic import fit_tiny_model
from trainer.export import export


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model, _, _ = fit_tiny_model(
        150, seed=1, hidden=24, max_len=8, steps=6, batch_sessions=32, eval_every=3
    )
    path = tmp_path_factory.mktemp("model") / "model.onnx"
    meta = export(model.state, path)
    return model.state, path, meta


def test_graph_inputs_outputs_and_metadata(exported):
    state, path, meta = exported
    proto = onnx.load(str(path))
    assert [i.name for i in proto.graph.input] == list(INPUTS)
    assert [o.name for o in proto.graph.output] == list(OUTPUTS)
    assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) >= 18
    stored = json.loads({p.key: p.value for p in proto.metadata_props}["continuo"])
    assert stored == meta
    vocab_bytes = (path.parent / "model.vocab.json").read_bytes()
    assert meta["vocabulary"]["sha256"] == hashlib.sha256(vocab_bytes).hexdigest()
    vocab = json.loads(vocab_bytes)
    assert vocab["items"][:2] == ["<pad>", "<unk>"] and vocab["artists"][:2] == ["<pad>", "<unk>"]
    assert meta["vocabulary"]["items"] == len(vocab["items"]) == 62
    assert (
        meta["content_dim"] == 4 and meta["hidden_size"] == 24 and meta["max_session_length"] == 8
    )
    assert meta["format_version"] == 1 and meta["inputs"] == list(INPUTS)
    assert meta["item_key"] == "item_id" and meta["analysis_version"] is None
    assert meta["metrics"]["mrr@20"] == pytest.approx(state.best_metrics["MRR@20"])
    assert set(meta["data_summary"]) == {"sessions", "events", "items", "source"}
    assert meta["created_at"].endswith("Z")


@pytest.mark.parametrize(("batch", "length", "candidates"), [(1, 1, 1), (5, 3, 17), (3, 8, 61)])
def test_onnxruntime_matches_torch(exported, batch, length, candidates):
    state, path, _ = exported
    model = state.best_session_model()
    rng = np.random.default_rng(batch * 100 + length)
    items = rng.integers(1, 62, (batch, length))
    for row in range(batch):  # sessions of varied length, left-padded
        items[row, : rng.integers(0, length)] = 0
    items[:, -1] = rng.integers(2, 62, batch)
    cands = rng.permutation(np.arange(1, 62))[:candidates]  # distinct: no exact ties to order
    artists = state.catalogue.item_artist
    content = state.catalogue.item_content
    feeds = dict(
        zip(
            INPUTS,
            (items, artists[items], content[items], cands, artists[cands], content[cands]),
            strict=True,
        )
    )
    scores, sessions, vectors = OnnxSession(path).run(OUTPUTS, feeds)
    with torch.no_grad():
        expected = [t.numpy() for t in torch_outputs(model, feeds)]
    np.testing.assert_allclose(scores, expected[0], atol=1e-4, rtol=1e-4)
    np.testing.assert_allclose(sessions, expected[1], atol=1e-4, rtol=1e-4)
    np.testing.assert_allclose(vectors, expected[2], atol=1e-4, rtol=1e-4)
    k = min(20, candidates)
    assert (
        np.argsort(-scores, 1, kind="stable")[:, :k]
        == np.argsort(-expected[0], 1, kind="stable")[:, :k]
    ).all()


def torch_outputs(model, feeds):
    from trainer.model import ExportModel

    return ExportModel(model)(*(torch.from_numpy(np.asarray(feeds[name])) for name in INPUTS))
