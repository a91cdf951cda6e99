"""The personal model's fit kept per track: a library change runs only its new or changed
tracks through the item tower, plays never refit, a new model or a damaged file refits all.

Each test compares the recommender that kept its fit with one started afresh on the same
profile without any cache (its fit computed from nothing): same vectors, same suggestions.
"""

from __future__ import annotations

import numpy as np
import pytest

from player.analysis.version import ANALYSIS_VERSION
from player.recommend import fit_cache
from player.recommend.up_next import Recommender
from player.store import caches
from player.store.features import TrackFeatures, save_features
from player.store.tracks import Track, all_tracks, upsert_tracks
from tests.recommend.conftest import sessions_apart
from tests.recommend.contract_model import write_model

CLASSES = 6
CPU = ["CPUExecutionProvider"]


@pytest.fixture
def model_dir(library):
    """A model trained on every track of the library as it is now (the two-tower stand-in)."""
    tracks = all_tracks(library.db)
    directory = library.profile.models / "current"
    keys = [t.item_key for t in tracks]
    write_model(directory, keys, sorted({t.composer.casefold() for t in tracks}))
    for start, composer in zip(sessions_apart(3), ("J. S. Bach", "J. Brahms", "E. Satie"), strict=True):  # fmt: skip
        library.play_session(library.work(composer, 0) + library.work(composer, 1), start)
    return directory


def recommender(library, model_dir) -> Recommender:
    return Recommender(library.profile.database, model_dir, providers=CPU)


def fitted(rec: Recommender):
    model = rec._state()[2]
    assert model is not None, rec.status().model_problem
    return model


def fresh_fit(library, model_dir, tmp_path):
    """The model fitted to the profile as it is now by a recommender without any cache."""
    cache = caches.cache_dir(library.db)
    aside = tmp_path / "cache-aside"
    if cache.exists():
        cache.rename(aside)
    try:
        rec = recommender(library, model_dir)
        rec.read_only = True  # reads the profile, writes no cache
        model = fitted(rec)
        assert model.computed_rows == len(model.library)
        return rec, model
    finally:
        if aside.exists():
            aside.rename(cache)


def assert_same_fit(kept, fresh) -> None:
    np.testing.assert_array_equal(kept.library.track_ids, fresh.library.track_ids)
    np.testing.assert_array_equal(kept.item_index, fresh.item_index)
    np.testing.assert_array_equal(kept.artist_index, fresh.artist_index)
    np.testing.assert_allclose(kept.candidate_vectors, fresh.candidate_vectors, rtol=1e-6)


def suggestions(rec, session, n=30):
    return [(s.track_id, s.source, s.reason) for s in rec.suggest(session, n=n)]


def new_piece(composer: str, title: str) -> Track:
    return Track(
        path=f"/music/{composer}/{title}.flac",
        size=1,
        mtime_ns=1,
        title=title,
        item_key=f"{composer.lower()} |  | {title.lower()} | solo",
        composer=composer,
        duration_s=150.0,
    )


def test_a_track_a_scan_adds_is_fitted_alone_and_suggested_as_after_a_full_fit(
    library, model_dir, tmp_path
):
    rec = recommender(library, model_dir)
    before = fitted(rec)
    assert before.computed_rows == len(before.library)  # nothing kept yet: all computed
    session = library.work("J. S. Bach", 0)[:1]
    rec.suggest(session)
    added = new_piece("J. S. Bach", "Prelude in C")  # not in the model's vocabulary
    upsert_tracks(library.db, [added])
    rec.library_changed([added.path])
    after = fitted(rec)
    assert after is not before and after.computed_rows == 1  # the new track alone
    row = after.library.row_of[next(t.id for t in all_tracks(library.db) if t.path == added.path)]
    assert after.item_index[row] == 1  # <unk>: a cold start from its composer (and content)
    fresh_rec, fresh = fresh_fit(library, model_dir, tmp_path)
    assert_same_fit(after, fresh)
    got = suggestions(rec, session)
    assert got == suggestions(fresh_rec, session)
    assert after.library.track_ids[row] in {track for track, _, _ in got}


def test_a_track_whose_key_changed_is_fitted_again_alone(library, model_dir, tmp_path):
    rec = recommender(library, model_dir)
    fitted(rec)
    track = next(t for t in all_tracks(library.db) if t.composer == "J. Brahms")
    track.item_key = "brahms | a key the model never saw"
    upsert_tracks(library.db, [track])
    rec.library_changed([track.path])
    after = fitted(rec)
    assert after.computed_rows == 1
    assert after.item_index[after.library.row_of[track.id]] == 1  # <unk> now
    assert_same_fit(after, fresh_fit(library, model_dir, tmp_path)[1])


@pytest.mark.parametrize("learned", [True, False], ids=["embedding", "tf-idf"])
def test_new_content_vectors_refit_only_the_tracks_they_changed(library, tmp_path, learned):
    """The analysis finished three more tracks: with the learned embedding only they have new
    inputs; without it (TF-IDF of the histograms, IDF over the library) every track's vector
    moved, and every track is fitted again."""
    tracks = all_tracks(library.db)
    dim = 8 if learned else CLASSES
    model_dir = library.profile.models / "current"
    write_model(
        model_dir,
        [t.item_key for t in tracks],
        sorted({t.composer.casefold() for t in tracks}),
        content_dim=dim,
        analysis_version=ANALYSIS_VERSION,
    )
    rng = np.random.default_rng(0)

    def analyse(track_ids):
        for track_id in track_ids:
            histogram = rng.uniform(0.1, 2.0, CLASSES).astype(np.float32)
            vector = rng.standard_normal(dim).astype(np.float32) if learned else None
            features = TrackFeatures(histogram, 5, 1, 1, 1, 0, content_vector=vector)
            save_features(library.db, track_id, ANALYSIS_VERSION, features)

    ids = [t.id for t in tracks]
    analyse(ids[:-3])
    rec = recommender(library, model_dir)
    assert fitted(rec).computed_rows == len(ids)
    analyse(ids[-3:])
    rec.features_changed()
    after = fitted(rec)
    assert after.computed_rows == (3 if learned else len(ids))
    assert_same_fit(after, fresh_fit(library, model_dir, tmp_path)[1])


def test_plays_never_refit_a_new_model_refits_every_track(library, model_dir):
    rec = recommender(library, model_dir)
    model = fitted(rec)
    session = library.work("J. Brahms", 0)[:2]
    library.play_session(library.work("J. Brahms", 2), sessions_apart(5)[-1])
    rec.history_changed()  # plays came in: the history is read again, the fit stays
    rec.suggest(session)
    assert fitted(rec) is model
    # a retraining on the new plays: another model file, every track fitted to it
    tracks = all_tracks(library.db)
    write_model(
        model_dir,
        [t.item_key for t in tracks],
        sorted({t.composer.casefold() for t in tracks}),
        seed=1,
    )
    rec.reload_model()
    retrained = fitted(rec)
    assert retrained is not model and retrained.computed_rows == len(tracks)
    assert not np.allclose(retrained.candidate_vectors, model.candidate_vectors)


def test_a_start_after_a_scan_takes_the_unchanged_tracks_from_the_file(
    library, model_dir, tmp_path
):
    assert fitted(recommender(library, model_dir)).computed_rows == len(all_tracks(library.db))
    added = new_piece("E. Satie", "Gnossienne No. 1")
    upsert_tracks(library.db, [added])  # scanned while the player was closed
    started = fitted(recommender(library, model_dir))
    assert started.computed_rows == 1
    assert_same_fit(started, fresh_fit(library, model_dir, tmp_path)[1])
    assert fitted(recommender(library, model_dir)).computed_rows == 0  # kept with the new track


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"PK\x03\x04 damaged"),
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        lambda path: caches.save(path, {"format": fit_cache.FORMAT, "model": "another"}, {}),
    ],
    ids=["garbage", "truncated", "another model"],
)
def test_a_damaged_or_foreign_fit_file_is_made_again(library, model_dir, tmp_path, damage):
    fitted(recommender(library, model_dir))
    path = caches.cache_dir(library.db) / fit_cache.FILE
    damage(path)
    rebuilt = fitted(recommender(library, model_dir))
    assert rebuilt.computed_rows == len(rebuilt.library)
    assert_same_fit(rebuilt, fresh_fit(library, model_dir, tmp_path)[1])
    assert fitted(recommender(library, model_dir)).computed_rows == 0  # the file holds again


def test_fingerprints_follow_each_rows_texts_and_content():
    content = np.arange(12, dtype=np.float32).reshape(4, 3)
    texts = [["a", "b", "c", "d"], ["x", "x", "y", "y"]]
    base = fit_cache.fingerprints(texts, content)
    assert len(set(base.tolist())) == 4
    changed = content.copy()
    changed[2, 1] = np.nextafter(changed[2, 1], np.float32(100))  # one bit of one value
    again = fit_cache.fingerprints(texts, changed)
    assert (again != base).tolist() == [False, False, True, False]
    # the same texts split otherwise are other inputs
    moved = fit_cache.fingerprints([["a", "b", "c", "dx"], ["x", "x", "y", ""]], content)
    assert (moved != base).tolist() == [False, False, False, True]
    assert np.array_equal(fit_cache.fingerprints(texts, content), base)  # stable
