import sqlite3

import numpy as np
import pytest

from player.store import migrations, open_database
from player.store.features import (
    TrackFeatures,
    failures,
    library_content_vectors,
    load_histograms,
    save_failure,
    save_features,
    similar_tracks,
    tracks_needing_analysis,
)
from player.store.tracks import Track, all_tracks, mark_missing, upsert_tracks


def features(histogram):
    return TrackFeatures(np.asarray(histogram, np.float32), 3, 12.0, 0.5, 220.0, 0.1)


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "c.db")
    upsert_tracks(
        db, [Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title=str(i)) for i in range(4)]
    )
    return db


def test_migration_2_adds_features_to_a_version_1_database_with_tracks(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrations.migrate(conn, 1)
    conn.execute(
        "INSERT INTO tracks (path, size, mtime_ns, item_key, title, added_at, scanned_at) "
        "VALUES ('/a.flac', 1, 1, 'k', 'A', 'now', 'now')"
    )
    assert migrations.migrate(conn, 2) == 2
    conn.execute(
        "INSERT INTO features (track_id, analysis_version, status, histogram, analysed_at) "
        "VALUES (1, 'v', 'ok', x'0000803f', 'now')"
    )
    with pytest.raises(sqlite3.IntegrityError):  # an ok row must carry a histogram
        conn.execute(
            "INSERT INTO features (track_id, analysis_version, status, analysed_at) "
            "VALUES (1, 'v', 'ok', 'now')"
        )
    with pytest.raises(sqlite3.IntegrityError):  # the track must exist
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(
            "INSERT INTO features (track_id, analysis_version, status, reason, analysed_at) "
            "VALUES (99, 'v', 'failed', 'x', 'now')"
        )


def test_results_and_failures_leave_the_queue_and_a_new_version_requeues(db):
    ids = [t.id for t in all_tracks(db)]
    assert [i for i, _ in tracks_needing_analysis(db, "v1")] == sorted(ids)
    save_features(db, ids[0], "v1", features([1.0, 2.0, 0.0]))
    save_failure(db, ids[1], "v1", "silent")
    assert [i for i, _ in tracks_needing_analysis(db, "v1")] == sorted(ids[2:])
    assert failures(db, "v1") == {ids[1]: "silent"}
    assert len(tracks_needing_analysis(db, "v2")) == 4
    save_features(db, ids[1], "v2", features([0.0, 1.0, 1.0]))  # replaces the failed row
    assert failures(db, "v1") == {}
    got_ids, histograms = load_histograms(db, "v2")
    assert got_ids.tolist() == [ids[1]]
    np.testing.assert_array_equal(histograms, [[0.0, 1.0, 1.0]])


def test_library_content_vectors_follow_the_library_without_reanalysis(db):
    ids = [t.id for t in all_tracks(db)]
    for track_id, h in zip(ids, [[4, 0, 0], [3, 1, 0], [0, 0, 5], [1, 1, 1]], strict=True):
        save_features(db, track_id, "v", features(h))
    got, vectors = library_content_vectors(db, "v")
    assert got.tolist() == ids
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    mark_missing(db, ["/m/2.flac"])  # class 2 now appears in fewer tracks: its IDF rises
    got2, vectors2 = library_content_vectors(db, "v")
    assert got2.tolist() == [ids[0], ids[1], ids[3]]
    assert vectors2[2, 2] > vectors[3, 2]


def test_similar_tracks_ranks_by_content(db):
    ids = [t.id for t in all_tracks(db)]
    for track_id, h in zip(ids, [[4, 0, 0], [3, 1, 0], [0, 0, 5], [1, 1, 1]], strict=True):
        save_features(db, track_id, "v", features(h))
    similar = similar_tracks(db, ids[0], "v", k=2)
    assert [i for i, _ in similar] == [ids[1], ids[3]]
    assert 1.0 >= similar[0][1] > similar[1][1] > 0.0
    assert similar_tracks(db, ids[0], "other version") == []


def learned(histogram, vector):
    return TrackFeatures(
        np.asarray(histogram, np.float32), 3, 12.0, 0.5, 220.0, 0.1, content_vector=vector
    )


def test_learned_vectors_rank_when_every_track_has_one(db):
    """Learned vectors (the analysis's embedding) rank "Similar" where the histograms would
    rank the other way; they come back unit length."""
    ids = [t.id for t in all_tracks(db)]
    rows = [  # histogram says 0 ~ 1; the learned vectors say 0 ~ 2
        ([4, 0, 0], np.array([2.0, 0.0], np.float32)),
        ([3, 1, 0], np.array([0.0, 1.0], np.float32)),
        ([0, 0, 5], np.array([1.0, 0.1], np.float32)),
        ([1, 1, 1], np.array([0.5, 0.5], np.float32)),
    ]
    for track_id, (h, v) in zip(ids, rows, strict=True):
        save_features(db, track_id, "v", learned(h, v))
    got, vectors = library_content_vectors(db, "v")
    assert got.tolist() == ids and vectors.shape == (4, 2)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert similar_tracks(db, ids[0], "v", k=1)[0][0] == ids[2]


def test_one_track_without_a_learned_vector_makes_the_whole_library_tfidf(db):
    """Vectors of two kinds are never compared: a row without one (the embedding was refused)
    sends every track back to the TF-IDF of its histogram."""
    ids = [t.id for t in all_tracks(db)]
    for track_id, h in zip(ids[:3], [[4, 0, 0], [3, 1, 0], [0, 0, 5]], strict=True):
        save_features(db, track_id, "v", learned(h, np.array([1.0, 0.0], np.float32)))
    save_features(db, ids[3], "v", features([1, 1, 1]))
    got, vectors = library_content_vectors(db, "v")
    assert got.tolist() == ids and vectors.shape == (4, 3)
    assert similar_tracks(db, ids[0], "v", k=1)[0][0] == ids[1]
