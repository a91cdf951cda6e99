"""Models that pass every check on their files but fail when run: edited with ``onnx`` from a
valid contract model, they are refused with a reason at the first inference (or the first
request they fail) and Up next goes on from the next source."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import onnx
from onnx import helper, numpy_helper

from player.recommend.sources import MODEL
from player.recommend.up_next import Recommender
from player.store.tracks import all_tracks
from tests.faults.conftest import snapshot
from tests.recommend.conftest import START, build_library
from tests.recommend.contract_model import write_model


def edit_session_vectors(model_dir, nodes_after_raw, initializers=()) -> None:
    """Rewrite ``session_vectors`` as ``nodes_after_raw`` applied to the original vector
    (``session_raw``); ``scores`` keeps using the original, so only the edited output is odd."""
    path = model_dir / "model.onnx"
    model = onnx.load(path)
    graph = model.graph
    for node in graph.node:
        node.output[:] = ["session_raw" if o == "session_vectors" else o for o in node.output]
        node.input[:] = ["session_raw" if i == "session_vectors" else i for i in node.input]
    graph.node.extend(nodes_after_raw)
    graph.initializer.extend(initializers)
    for output in graph.output:
        if output.name == "session_vectors":  # its width is not declared: shape from the run
            output.CopyFrom(helper.make_tensor_value_info("session_vectors", 1, ["B", "H2"]))
    onnx.checker.check_model(model)
    onnx.save(model, path)


def setup(tmp_path):
    library = build_library(tmp_path / "profile")
    tracks = all_tracks(library.db)
    keys = [t.item_key for t in tracks]
    composers = sorted({t.composer.casefold() for t in tracks})
    model_dir = write_model(library.profile.models / "current", keys, composers, hidden=8)
    bach = library.works[("J. S. Bach", "Suite No. 1")]
    library.play_session(bach, START - timedelta(days=1))
    return library, model_dir, bach


def suggest(library, bach):
    recommender = Recommender(
        library.profile.database,
        library.profile.models / "current",
        providers=["CPUExecutionProvider"],
    )
    result = recommender.suggest(bach[:1], n=3, expand_works=False)
    return result, recommender.status()


def test_towers_of_different_widths_are_refused_at_the_first_inference(tmp_path):
    library, model_dir, bach = setup(tmp_path)
    edit_session_vectors(
        model_dir,
        [helper.make_node("Concat", ["session_raw", "session_raw"], ["session_vectors"], axis=1)],
    )
    before = snapshot(library.profile.database)
    result, status = suggest(library, bach)
    assert result and all(s.source != MODEL for s in result)  # the next source filled Up next
    assert status.model_problem == "The personal model's two towers do not fit together"
    assert "16 values per session, candidate_vectors 8" in status.model_detail
    assert (model_dir / "model.onnx").exists()  # refused, never deleted
    assert snapshot(library.profile.database)["plays"] == before["plays"]


def test_nan_outputs_are_refused_at_the_first_inference(tmp_path):
    library, model_dir, bach = setup(tmp_path)
    nan = numpy_helper.from_array(np.array([np.nan], dtype=np.float32), "nan")
    edit_session_vectors(
        model_dir, [helper.make_node("Mul", ["session_raw", "nan"], ["session_vectors"])], [nan]
    )
    result, status = suggest(library, bach)
    assert result and all(s.source != MODEL for s in result)
    assert status.model_problem == "The personal model gives invalid numbers"


def test_nan_for_real_sessions_only_is_refused_at_that_request(tmp_path):
    """sqrt(2 - sum(session_items)): finite for the one-item probe, NaN for a real session."""
    library, model_dir, bach = setup(tmp_path)
    two = numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two")
    edit_session_vectors(
        model_dir,
        [
            helper.make_node("Cast", ["session_items"], ["items_f"], to=onnx.TensorProto.FLOAT),
            helper.make_node("ReduceSum", ["items_f"], ["items_sum"], keepdims=0),
            helper.make_node("Sub", ["two", "items_sum"], ["room"]),
            helper.make_node("Sqrt", ["room"], ["factor"]),
            helper.make_node("Mul", ["session_raw", "factor"], ["session_vectors"]),
        ],
        [two],
    )
    result, status = suggest(library, bach)
    assert result and all(s.source != MODEL for s in result)
    assert status.model_problem == "The personal model gives invalid numbers"
    assert "for this session" in status.model_detail
