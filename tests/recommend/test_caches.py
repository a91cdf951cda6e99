"""The library index and the model's fit kept in cache files: used only while they hold.

Each test compares what comes through the cache with what is built without it, after the
change that must (or must not) make the cache be built again, and with damaged files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from player.recommend import fit_cache, library_cache
from player.recommend.library import load_library
from player.recommend.library_cache import cached_library
from player.recommend.model import load_model
from player.recommend.up_next import Recommender
from player.store import caches, open_database
from player.store.tracks import (
    Track,
    all_tracks,
    mark_missing,
    merge_identities,
    move_track,
    refresh_identities,
    upsert_tracks,
)
from tests.recommend.conftest import sessions_apart
from tests.recommend.contract_model import write_model

FIELDS = (
    "track_ids", "item_keys", "model_artist_keys", "artist_keys", "composers", "labels",
    "work_of", "unit_of", "durations", "key_codes", "title_keys", "unit_first", "unit_rows",
    "unit_starts", "unit_durations", "artist_codes", "work_keys", "recording_keys",
)  # fmt: skip
ROOT = str(Path(__file__).resolve().parents[2])
"""The checkout, for the indexing process's imports."""


def assert_same_index(a, b) -> None:
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=name)
        else:
            assert x == y, name
    assert [u.tolist() for u in a.units] == [u.tolist() for u in b.units]
    assert a.row_of == b.row_of


def library_file(db):
    return caches.cache_dir(db) / library_cache.FILE


def test_the_index_from_the_cache_equals_a_fresh_one(library):
    db = library.db
    first = cached_library(db)
    assert library_file(db).is_file()
    assert_same_index(first, load_library(db))
    assert_same_index(cached_library(db), load_library(db))


def test_a_changed_track_makes_the_index_again(library):
    db = library.db
    cached_library(db)
    track = all_tracks(db)[0]
    track.duration_s = 999.0  # a file re-tagged or replaced
    upsert_tracks(db, [track])
    index = cached_library(db)
    assert_same_index(index, load_library(db))
    assert index.durations[index.row_of[track.id]] == 999.0


def test_a_new_track_and_a_missing_one_make_the_index_again(library):
    db = library.db
    cached_library(db)
    upsert_tracks(db, [Track(path="/music/new.flac", size=1, mtime_ns=1, title="New")])
    assert_same_index(cached_library(db), load_library(db))
    mark_missing(db, ["/music/new.flac"])
    assert_same_index(cached_library(db), load_library(db))


@pytest.mark.parametrize("what", ["garbage", "cut short", "other arrays", "texts cut"])
def test_a_damaged_index_file_is_made_again(library, what):
    db = library.db
    cached_library(db)
    path = library_file(db)
    if what == "garbage":
        path.write_bytes(b"\x00" * 100)
    elif what == "cut short":
        path.write_bytes(path.read_bytes()[:-200])
    else:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files if k != caches.META}
            stamp = __import__("json").loads(str(data[caches.META]))
        if what == "other arrays":
            arrays["work_of"] = arrays["work_of"][:-1]
        else:
            arrays["labels"] = arrays["labels"][: len(arrays["labels"]) // 2]
        caches.save(path, stamp, arrays)
    assert_same_index(cached_library(db), load_library(db))


def test_a_tag_holding_the_separator_is_indexed_but_not_cached(library):
    db = library.db
    upsert_tracks(db, [Track(path="/music/odd.flac", size=1, mtime_ns=1, title="A\x00B")])
    index = cached_library(db)
    assert not library_file(db).exists()
    assert_same_index(index, load_library(db))


def test_a_read_only_profile_indexes_without_writing(library):
    read_only = open_database(library.db.path, read_only=True)
    assert_same_index(cached_library(read_only), load_library(library.db))
    assert not library_file(library.db).exists()
    read_only.close()


def index_in_a_child(db) -> int:
    """Run the indexing process as the app does; its exit status."""
    command = [sys.executable, "-m", "player.recommend.library_child", str(db.path)]
    return subprocess.run(command, env={**os.environ, "PYTHONPATH": ROOT}, timeout=120).returncode


def test_the_index_a_child_process_writes_equals_one_made_here(library):
    db = library.db
    assert index_in_a_child(db) == 0
    assert library_file(db).is_file()
    made_here = load_library(db)
    assert_same_index(cached_library(db), made_here)  # read from the child's file
    library_file(db).unlink()
    cached_library(db)  # made here and written
    assert_same_index(cached_library(db), made_here)


def test_a_large_library_is_indexed_elsewhere_and_loaded(library, monkeypatch):
    db = library.db
    monkeypatch.setattr(library_cache, "ELSEWHERE_FROM", 1)
    monkeypatch.setenv("PYTHONPATH", ROOT)
    assert_same_index(cached_library(db), load_library(db))
    assert library_file(db).is_file()
    upsert_tracks(db, [Track(path="/music/odd.flac", size=1, mtime_ns=1, title="A\x00B")])
    assert_same_index(cached_library(db), load_library(db))  # not cached: indexed here


def test_a_child_that_cannot_open_the_database_says_so(tmp_path):
    missing = tmp_path / "none" / "continuo.db"
    command = [sys.executable, "-m", "player.recommend.library_child", str(missing)]
    done = subprocess.run(command, env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True)
    assert done.returncode == 1
    assert done.stderr.strip()
    assert not missing.parent.exists()


def fit_arrays(model):
    return model.item_index, model.artist_index, model.candidate_vectors


def test_the_fit_from_the_cache_equals_a_fresh_one_and_follows_its_inputs(library, tmp_path):
    db, model_dir, cache = library.db, library.profile.models / "current", tmp_path / "cache"
    tracks = all_tracks(db)
    write_model(model_dir, [t.item_key for t in tracks], sorted({t.composer.casefold() for t in tracks}))  # fmt: skip
    index = load_library(db)
    fresh = load_model(model_dir, index)
    cached = load_model(model_dir, index)
    cached.fit_library(index, cache=cache)  # made, then kept
    assert (cache / fit_cache.FILE).is_file()
    again = load_model(model_dir, index)
    again.fit_library(index, cache=cache)  # from the file
    for a, b, c in zip(fit_arrays(fresh), fit_arrays(cached), fit_arrays(again), strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # another library (a track's key changed): fitted again, not taken from the file
    tracks[0].item_key = "something | else"
    upsert_tracks(db, [tracks[0]])
    other = load_library(db)
    refit = load_model(model_dir, other)
    refit.fit_library(other, cache=cache)
    assert refit.item_index[other.row_of[tracks[0].id]] == 1  # <unk>: not in the vocabulary
    np.testing.assert_array_equal(refit.item_index, load_model(model_dir, other).item_index)
    # a damaged file: fitted again
    (cache / fit_cache.FILE).write_bytes(b"PK\x03\x04 damaged")
    damaged = load_model(model_dir, other)
    damaged.fit_library(other, cache=cache)
    np.testing.assert_array_equal(damaged.candidate_vectors, refit.candidate_vectors)


def test_a_recommender_started_from_its_caches_suggests_as_one_started_without(library):
    tracks = all_tracks(library.db)
    model_dir = library.profile.models / "current"
    write_model(model_dir, [t.item_key for t in tracks], sorted({t.composer.casefold() for t in tracks}))  # fmt: skip
    for start, composer in zip(sessions_apart(4), ("J. S. Bach", "J. Brahms", "E. Satie", "J. S. Bach"), strict=True):  # fmt: skip
        library.play_session(library.work(composer, 0) + library.work(composer, 1), start)
    session = library.work("J. S. Bach", 0)[:1]

    def suggestions():
        rec = Recommender(library.profile.database, model_dir, providers=["CPUExecutionProvider"])
        found = [(s.track_id, s.source, s.reason) for s in rec.suggest(session, n=6)]
        assert rec.status().provider == "CPU"
        return found

    cache = caches.cache_dir(library.db)
    assert not cache.exists()
    without = suggestions()  # makes the caches
    assert sorted(p.name for p in cache.iterdir()) == ["library.npz", "model-fit.npz", "plays.npz"]
    assert suggestions() == without  # from them


def stale_identity(db, track_id: int) -> None:
    """Make a track's identity look computed by older rules (a write no writer makes)."""
    db.conn.execute("UPDATE tracks SET identity_version = 0 WHERE id = ?", (track_id,))


def test_every_writer_of_the_tracks_moves_their_change_mark(library):
    """The tracks' mark is kept by their writers (no trigger on updates: it slowed the scan's
    upserts), so each must count: else a cached index would outlive the change."""
    db = library.db
    track = all_tracks(db)[0]
    writers = [
        lambda: upsert_tracks(db, [Track(path="/music/w.flac", size=1, mtime_ns=1, title="W")]),
        lambda: mark_missing(db, ["/music/w.flac"]),
        lambda: move_track(db, track.id, track),
        lambda: (stale_identity(db, track.id), refresh_identities(db)),
        lambda: merge_identities(db),
        lambda: db.conn.execute("DELETE FROM tracks WHERE path = '/music/w.flac'"),  # a trigger
    ]
    for write in writers:
        before = caches.read_mark(db, "tracks").changes
        write()
        assert caches.read_mark(db, "tracks").changes > before
    unchanged = caches.read_mark(db, "tracks")
    refresh_identities(db)  # every scan asks; none to refresh: the caches stay valid
    mark_missing(db, [])
    assert caches.read_mark(db, "tracks") == unchanged


def test_an_empty_library_is_indexed_and_cached(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    index = cached_library(db)
    assert len(index) == 0 and len(index.units) == 0 and index.row_of.get(1) is None
    assert_same_index(cached_library(db), load_library(db))
    db.close()
