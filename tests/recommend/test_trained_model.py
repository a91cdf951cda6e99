"""With a real tiny model: trained by ``trainer/`` on a profile's history, exported, loaded by the player."""

from __future__ import annotations

import shutil
from itertools import groupby

import numpy as np
import pytest

from player.recommend.up_next import Recommender
from player.store import open_database
from tests.recommend.conftest import build_library, sessions_apart
from tests.recommend.tiny_model import train_tiny_model

pytest.importorskip("torch")  # the `train` extra
pytest.importorskip("trainer.export")

SHIFT = 5  # in every session, work i is followed by work i + SHIFT


def units(suggestions):
    return [[s.track_id for s in g] for _, g in groupby(suggestions, key=lambda s: s.work_group)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    library = build_library(tmp_path_factory.mktemp("trained") / "profile")
    keys = list(library.works)
    for i, start in enumerate(sessions_apart(40)):
        first, then = keys[i % len(keys)], keys[(i + SHIFT) % len(keys)]
        library.play_session(library.works[first] + library.works[then], start)
    train_tiny_model(library.profile.root, library.profile.models / "current" / "model.onnx")
    return library, keys


def test_up_next_comes_from_the_personal_model_and_follows_the_learned_habit(trained):
    library, keys = trained
    rec = Recommender(library.profile.database, library.profile.models / "current")
    learned = 0
    for i, key in enumerate(keys):
        session = library.works[key]
        result = rec.suggest(session, n=4)
        grouped = units(result)
        assert len(grouped) == 4 and not set(session) & {s.track_id for s in result}
        assert {s.source for s in result} == {"personal model"}
        assert all(s.reason for s in result)
        assert all(u in library.works.values() or len(u) == 1 for u in grouped)
        learned += grouped[0] == library.works[keys[(i + SHIFT) % len(keys)]]
    assert learned >= 0.75 * len(keys)
    status = rec.status()
    assert status.source == "personal model" and status.provider in ("CPU", "CUDA")


def test_the_model_ranks_when_content_similarity_is_available_too(trained, tmp_path):
    """The analysis has run (each composer its own sound) and a model fits: the model ranks
    everything, content only proposes candidates, and the learned habit still leads."""
    from tests.recommend.test_up_next import analyse_by_composer

    library, keys = trained
    copy = tmp_path / "profile"
    shutil.copytree(library.profile.root, copy)
    db = open_database(copy / "continuo.db")
    analyse_by_composer(db, library.composer_of)
    db.close()
    without_model = Recommender(copy / "continuo.db", tmp_path / "no-model")
    fallback = {s.source for s in without_model.suggest(library.works[keys[0]], n=5)}
    assert "content similarity" in fallback  # content would rank (the sessions boost the habit)
    rec = Recommender(copy / "continuo.db", copy / "models" / "current")
    learned = 0
    for i, key in enumerate(keys):
        result = rec.suggest(library.works[key], n=3)
        assert {s.source for s in result} == {"personal model"}
        learned += units(result)[0] == library.works[keys[(i + SHIFT) % len(keys)]]
    assert learned >= 0.75 * len(keys)
    assert rec.status().source == "personal model"


def test_never_and_quick_skips_override_the_model_at_once(trained, tmp_path):
    library, keys = trained
    copy = tmp_path / "profile"
    shutil.copytree(library.profile.root, copy)
    rec = Recommender(copy / "continuo.db", copy / "models" / "current")
    session = library.works[keys[0]]
    target = library.works[keys[SHIFT]]
    assert units(rec.suggest(session, n=3))[0] == target
    rec.give_feedback(target[1], "never")
    assert target not in units(rec.suggest(session, n=10))
    second = units(rec.suggest(session, n=3))[0]
    rec.track_ended(second[0], 3_000, "skipped")
    rec.track_ended(second[0], 3_000, "skipped")
    assert units(rec.suggest(session, n=3))[0] != second


def test_a_model_trained_on_another_library_is_refused(trained, tmp_path):
    library, _ = trained
    # the same works in other recordings: other item keys, so the model knows none of them
    other = build_library(tmp_path / "other", performers="another quartet")
    shutil.copytree(library.profile.models / "current", other.profile.models / "current")
    rec = Recommender(other.profile.database, other.profile.models / "current")
    result = rec.suggest([other.pieces["J. Brahms"]], n=2)
    assert rec.status().model_problem == "The personal model was trained on another library"
    assert len(units(result)) == 2 and {s.source for s in result} == {"popularity"}


def test_the_player_scores_as_the_trainer_with_content_and_long_sessions(tmp_path):
    """A model trained with content vectors, exported and loaded by the player: for sessions
    longer than it reads, onnxruntime over the library gives the trainer's own scores."""
    from player.recommend.library import load_library
    from player.recommend.model import load_model
    from tests.recommend.test_up_next import analyse_by_composer

    library = build_library(tmp_path / "profile")
    analyse_by_composer(library.db, library.composer_of)
    keys = list(library.works)
    for i, start in enumerate(sessions_apart(40)):
        works = [keys[(i + k * SHIFT) % len(keys)] for k in range(3)]  # nine tracks a session
        library.play_session([t for w in works for t in library.works[w]], start)
    target = library.profile.models / "current" / "model.onnx"
    trained_model, data = train_tiny_model(library.profile.root, target, steps=30, max_len=4)
    assert data.item_content is not None and data.item_content.shape[1] > 0
    index = load_library(library.db)
    player = load_model(target.parent, index, providers=["CPUExecutionProvider"])
    assert player.content_dim == data.item_content.shape[1]
    assert player.max_session_length == 4
    as_data = np.array([data.items.add(k) for k in index.item_keys])  # library row -> data index
    known = np.flatnonzero(player.item_index > 1)
    assert len(known) == len(index) - len(library.pieces)  # pieces were never played
    for key in keys[:6]:
        rows = index.rows(library.works[key] + library.works[keys[(keys.index(key) + 1) % 18]])
        assert len(rows) == 6  # longer than the model reads
        expected = trained_model.score_batch([as_data[rows]])[0]
        got = player.scores(rows)
        np.testing.assert_allclose(got[known], expected[as_data[known]], rtol=1e-4, atol=1e-4)
