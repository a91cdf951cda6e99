"""With a real tiny model: trained by ``trainer/`` on a profile's history, exported, loaded by the player."""

from __future__ import annotations

import shutil
from itertools import groupby

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
