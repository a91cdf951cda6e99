"""Model directories that follow (or deliberately break) contract 3, written with ``onnx.helper``.

The graph is the contract's simplest two-tower model: an item vector is the sum of an item
embedding, an artist embedding and a projection of the content vector; a session vector is the
mean of its item vectors. It exists to test the player's checks and plumbing (padding, shapes,
refusals); the trained CNN + self-attention model comes from ``trainer/``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUTS = [
    ("session_items", TensorProto.INT64, ["B", "L"]),
    ("session_artists", TensorProto.INT64, ["B", "L"]),
    ("session_content", TensorProto.FLOAT, ["B", "L", "C"]),
    ("candidate_items", TensorProto.INT64, ["N"]),
    ("candidate_artists", TensorProto.INT64, ["N"]),
    ("candidate_content", TensorProto.FLOAT, ["N", "C"]),
]


def _graph(n_items: int, n_artists: int, content_dim: int, hidden: int, seed: int):
    rng = np.random.default_rng(seed)
    weights = [
        numpy_helper.from_array(rng.normal(size=(n_items, hidden)).astype(np.float32), "item_emb"),
        numpy_helper.from_array(
            rng.normal(size=(n_artists, hidden)).astype(np.float32), "artist_emb"
        ),
        numpy_helper.from_array(
            rng.normal(size=(content_dim, hidden)).astype(np.float32), "content_w"
        ),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_l"),
    ]
    nodes = []
    for side in ("session", "candidate"):
        nodes += [
            helper.make_node("Gather", ["item_emb", f"{side}_items"], [f"{side}_i"]),
            helper.make_node("Gather", ["artist_emb", f"{side}_artists"], [f"{side}_a"]),
            helper.make_node("MatMul", [f"{side}_content", "content_w"], [f"{side}_c"]),
            helper.make_node("Add", [f"{side}_i", f"{side}_a"], [f"{side}_ia"]),
            helper.make_node("Add", [f"{side}_ia", f"{side}_c"], [f"{side}_vec"]),
        ]
    nodes += [
        helper.make_node("ReduceMean", ["session_vec", "axis_l"], ["session_vectors"], keepdims=0),
        helper.make_node("Identity", ["candidate_vec"], ["candidate_vectors"]),
        helper.make_node("Transpose", ["candidate_vectors"], ["candidate_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["session_vectors", "candidate_t"], ["scores"]),
    ]
    inputs = [helper.make_tensor_value_info(n, t, s) for n, t, s in INPUTS]
    outputs = [
        helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["B", "N"]),
        helper.make_tensor_value_info("session_vectors", TensorProto.FLOAT, ["B", hidden]),
        helper.make_tensor_value_info("candidate_vectors", TensorProto.FLOAT, ["N", hidden]),
    ]
    return helper.make_graph(nodes, "contract_two_towers", inputs, outputs, weights)


def write_model(
    directory: Path,
    items: list[str],
    artists: list[str],
    *,
    content_dim: int = 0,
    hidden: int = 16,
    seed: int = 0,
    **meta_changes,
) -> Path:
    """Write ``model.onnx`` + ``model.vocab.json`` for these item and artist keys.

    ``meta_changes`` override fields of the ``continuo`` metadata (``format_version=2`` …);
    ``meta_changes["continuo"] = None`` leaves the metadata out.
    """
    directory.mkdir(parents=True, exist_ok=True)
    vocab = {"items": ["<pad>", "<unk>", *items], "artists": ["<pad>", "<unk>", *artists]}
    vocab_bytes = json.dumps(vocab).encode()
    (directory / "model.vocab.json").write_bytes(vocab_bytes)
    meta = {
        "format_version": 1,
        "inputs": [n for n, _, _ in INPUTS],
        "item_key": "continuo_item_key",
        "vocabulary": {
            "file": "model.vocab.json",
            "sha256": hashlib.sha256(vocab_bytes).hexdigest(),
            "items": len(vocab["items"]),
            "artists": len(vocab["artists"]),
        },
        "content_dim": content_dim,
        "analysis_version": None,
        "hidden_size": hidden,
        "max_session_length": 40,
        "data_summary": {"sessions": 0, "events": 0, "items": len(items), "source": "test"},
        "metrics": {},
        "created_at": "2026-01-01T00:00:00.000+00:00",
    }
    meta.update(meta_changes)
    graph = _graph(len(vocab["items"]), len(vocab["artists"]), content_dim, hidden, seed)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    if meta.pop("continuo", True) is not None:
        helper.set_model_props(model, {"continuo": json.dumps(meta)})
    onnx.checker.check_model(model)
    onnx.save(model, directory / "model.onnx")
    return directory
