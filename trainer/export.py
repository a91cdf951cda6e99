"""ONNX export of a checkpoint's best weights under contract 3 (docs/architecture.md).

Writes ``model.onnx`` (opset 18; batch, session length and candidate count dynamic; six inputs,
three outputs) and ``model.vocab.json`` beside it, and puts the ``continuo`` metadata JSON in the
model's ``metadata_props`` with the vocabulary file's sha256 so the player can refuse a mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from datetime import UTC, datetime
from pathlib import Path

import onnx
import torch

from player.domain.model_contract import FORMAT_VERSION, INPUTS, METADATA_KEY, OUTPUTS, VOCAB_FILE
from trainer.checkpoint import TrainState
from trainer.model import ExportModel

OPSET = 18


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def metadata(state: TrainState, vocab_sha256: str) -> dict:
    """The ``continuo`` metadata object of contract 3."""
    summary = state.data_summary
    metrics = state.best_metrics
    return {
        "format_version": FORMAT_VERSION,
        "inputs": list(INPUTS),
        "item_key": summary.get("item_key", "item_id"),
        "vocabulary": {
            "file": VOCAB_FILE,
            "sha256": vocab_sha256,
            "items": len(state.catalogue.items),
            "artists": len(state.catalogue.artists),
        },
        "content_dim": state.catalogue.content_dim,
        "analysis_version": summary.get("analysis_version"),
        "hidden_size": state.model_config.hidden,
        "max_session_length": state.model_config.max_len,
        "data_summary": {k: summary.get(k, 0) for k in ("sessions", "events", "items", "source")},
        "metrics": {
            "mrr@20": float(metrics.get("MRR@20", 0.0)),
            "hr@20": float(metrics.get("HR@20", 0.0)),
        },
        "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def example_inputs(state: TrainState, batch: int = 2, length: int = 3, candidates: int = 5):
    """Inputs of the right types and shapes for tracing (and for tests)."""
    n_items = len(state.catalogue.items)
    generator = torch.Generator().manual_seed(0)
    items = torch.randint(2, max(3, n_items), (batch, length), generator=generator)
    cands = torch.randint(2, max(3, n_items), (candidates,), generator=generator)
    artists = torch.from_numpy(state.catalogue.item_artist)
    content = torch.from_numpy(state.catalogue.item_content)
    return (items, artists[items], content[items], cands, artists[cands], content[cands])


def export(state: TrainState, out: Path) -> dict:
    """Write ``out`` (the ONNX file) and its vocabulary beside it; returns the metadata."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    vocab = json.dumps(
        {
            "items": state.catalogue.items,
            "artists": state.catalogue.artists,
            # beyond the contract: each item's artist index, so a ranker without a library
            # (``continuo-train predict``) gives candidates the artists they were trained with
            "item_artists": state.catalogue.item_artist.tolist(),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    meta = metadata(state, hashlib.sha256(vocab).hexdigest())
    graph = ExportModel(state.best_session_model()).eval()
    tmp = out.with_name(out.name + ".export.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            example_inputs(state),
            str(tmp),
            input_names=list(INPUTS),
            output_names=list(OUTPUTS),
            opset_version=OPSET,
            dynamic_axes={
                "session_items": {0: "batch", 1: "length"},
                "session_artists": {0: "batch", 1: "length"},
                "session_content": {0: "batch", 1: "length"},
                "candidate_items": {0: "candidates"},
                "candidate_artists": {0: "candidates"},
                "candidate_content": {0: "candidates"},
                "scores": {0: "batch", 1: "candidates"},
                "session_vectors": {0: "batch"},
                "candidate_vectors": {0: "candidates"},
            },
            dynamo=False,
        )
    proto = onnx.load(str(tmp))
    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(meta)
    tmp.unlink()
    _write_atomic(out.with_name(VOCAB_FILE), vocab)
    _write_atomic(out, proto.SerializeToString())
    return meta
