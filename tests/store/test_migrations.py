"""Rows written at every older schema version survive the migrations to the latest one, and a
damaged database's recovery keeps what only its -wal holds (a newer schema's refusal is tested
in test_database.py, the recovery of damaged pages in tests/faults/).

Rows are written with plain SQL at the old version (the store's functions speak the latest
schema) and read back through the store's functions after ``open_database`` migrated them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from player.domain.identity import IDENTITY_VERSION
from player.store import migrations, open_database
from player.store.art import ArtRecord, art_record
from player.store.caches import read_mark
from player.store.features import key_and_tuning, library_content_vectors, load_histograms
from player.store.feedback import all_feedback, removed_since, suggestion_log
from player.store.imports import imported_count
from player.store.library_view import composer_tracks
from player.store.playlists import all_playlists, playlist_track_ids
from player.store.plays import all_plays
from player.store.repair import recover
from player.store.settings import get_setting
from player.store.tracks import all_tracks, library_roots, problems

AT = "2025-03-01T10:00:00.000+00:00"
HISTOGRAM = np.arange(6, dtype=np.float32) / 10
LEARNED = np.array([0.6, 0.8], dtype=np.float32)

# what each version's own tables hold, written at that version (a new migration adds its rows)
ROWS: dict[int, list[tuple[str, tuple]]] = {
    1: [
        ("INSERT INTO library_roots VALUES (?, ?)", ("/music", AT)),
        (
            "INSERT INTO tracks (id, path, size, mtime_ns, item_key, title, composer, work,"
            " movement_number, duration_s, added_at, scanned_at)"
            " VALUES (7, '/music/a.flac', 10, 1, 'k', 'Adagio', 'Albinoni', 'Sonata', 2, 61.5,"
            " ?, ?)",
            (AT, AT),
        ),
        (
            "INSERT INTO plays (track_id, started_at, ms_heard, ended_how, started_by, updated_at)"
            " VALUES (7, ?, 61000, 'finished', 'user', ?)",
            (AT, AT),
        ),
        ("INSERT INTO scan_problems VALUES ('/music/b.flac', 'truncated', 3, 1, ?)", (AT,)),
        ("INSERT INTO settings VALUES ('up_next/mode', 'discover')", ()),
    ],
    2: [
        (
            "INSERT INTO features (track_id, analysis_version, status, histogram, n_segments,"
            " analysed_at) VALUES (7, 'v-test', 'ok', ?, 4, ?)",
            (HISTOGRAM.tobytes(), AT),
        ),
    ],
    3: [
        ("INSERT INTO feedback (track_id, kind, created_at) VALUES (7, 'more_like', ?)", (AT,)),
        (
            "INSERT INTO suggestions (track_id, source, reason, mode, shown_at, outcome)"
            " VALUES (7, 'your sessions', 'often follows', 'for_you', ?, 'accepted')",
            (AT,),
        ),
    ],
    4: [("UPDATE tracks SET composer_mbid = 'mbid-albinoni', year = 1962 WHERE id = 7", ())],
    5: [
        ("INSERT INTO playlists VALUES (3, 'Evening', ?, ?)", (AT, AT)),
        ("INSERT INTO playlist_entries VALUES (3, 0, 7), (3, 1, 7)", ()),
        ("INSERT INTO track_art VALUES (7, 10, 1, 5, 'abc.jpg')", ()),
    ],
    6: [
        (
            "INSERT INTO plays (id, track_id, started_at, ms_heard, ended_how, started_by,"
            " updated_at) VALUES (90, 7, '2025-03-02T10:00:00.000+00:00', 61500, 'finished',"
            " 'user', ?)",
            (AT,),
        ),
        ("INSERT INTO imported_plays VALUES ('lastfm', 'k1', 90, ?)", (AT,)),
    ],
    7: [("UPDATE features SET key = 'F major', tuning_hz = 415.3 WHERE track_id = 7", ())],
    8: [("UPDATE features SET content_vector = ? WHERE track_id = 7", (LEARNED.tobytes(),))],
    9: [],  # indexes only: the rows before them are read through them (check_rows)
    10: [("UPDATE plays SET ms_heard = 61000 WHERE id = 1", ())],  # the trigger marks it
    11: [],  # an index only: the suggestions before it are read through it (check_rows)
}


def check_rows(db, version: int) -> None:
    """The rows of every version up to ``version``, read through the store."""
    # change marks: made by migration 10 after the rows already there; each write since counts
    tracks, plays = read_mark(db, "tracks"), read_mark(db, "plays")
    assert tracks is not None and plays is not None and tracks.generation != plays.generation
    assert (tracks.changes, plays.changes, plays.low) == (
        (0, 1, 1) if version >= 10 else (0, 0, None)  # plays by triggers; tracks by their writers
    )
    (track,) = all_tracks(db)
    assert (track.id, track.title, track.composer, track.work) == (
        7,
        "Adagio",
        "Albinoni",
        "Sonata",
    )
    assert (track.movement_number, track.duration_s) == (2, 61.5)
    assert [(p.track_id, p.ms_heard, p.ended_how) for p in all_plays(db)] == [
        (7, 61000, "finished")
    ] + ([(7, 61500, "finished")] if version >= 6 else [])
    assert library_roots(db) == ["/music"]
    assert problems(db) == [("/music/b.flac", "truncated")]
    assert get_setting(db, "up_next/mode") == "discover"
    if version >= 2:
        ids, histograms = load_histograms(db, "v-test")
        assert ids.tolist() == [7] and np.array_equal(histograms[0], HISTOGRAM)
    if version >= 3:
        assert [(f.track_id, f.kind) for f in all_feedback(db)] == [(7, "more_like")]
        assert [(r.track_id, r.outcome) for r in suggestion_log(db)] == [(7, "accepted")]
        assert removed_since(db, "2000-01-01T00:00:00.000+00:00") == set()  # migration 11's index
    if version >= 6:
        assert imported_count(db) == 1
    if version < 4:  # migration 4 computed the identity from the stored tags
        assert track.identity_version == IDENTITY_VERSION and track.work_key and track.composer_key
    else:
        assert (track.composer_mbid, track.year) == ("mbid-albinoni", 1962)
    if version >= 5:
        (playlist,) = all_playlists(db)
        assert (playlist.name, playlist_track_ids(db, playlist.id)) == ("Evening", [7, 7])
        assert art_record(db, 7) == ArtRecord(10, 1, 5, "abc.jpg")
    # features written before migration 7 read as "no key yet"; at 7 as written
    if version >= 2:
        expected = ("F major", 415.3) if version >= 7 else ("", 0.0)
        assert key_and_tuning(db, 7, "v-test") == expected
    # the library tree opens a composer through migration 9's index
    assert [t.id for t in composer_tracks(db, track.composer_key)] == [7]
    # rows before migration 8 have no learned vector: the TF-IDF of their histogram ranks
    if version >= 2:
        ids, vectors = library_content_vectors(db, "v-test")
        assert ids.tolist() == [7]
        if version >= 8:
            np.testing.assert_allclose(vectors[0], LEARNED, rtol=1e-6)
        else:
            assert vectors.shape == (1, len(HISTOGRAM))


def test_every_version_has_rows_to_carry():
    assert sorted(ROWS) == list(range(1, migrations.LATEST_VERSION + 1))


@pytest.mark.parametrize("version", range(1, migrations.LATEST_VERSION + 1))
def test_rows_written_at_each_version_survive_the_migrations(tmp_path, version):
    path = tmp_path / "continuo.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, version)
    for v in range(1, version + 1):
        for sql, args in ROWS[v]:
            conn.execute(sql, args)
    conn.close()
    db = open_database(path)
    try:
        assert migrations.schema_version(db.conn) == migrations.LATEST_VERSION
        check_rows(db, version)
        assert db.integrity_check() == "ok"
    finally:
        db.close()


def test_recovery_keeps_the_wal_with_the_copy_and_its_commits_in_the_rebuilt_file(tmp_path):
    """A crash leaves the last commits only in -wal: the copy set aside takes it along (so it
    still reads), the rebuilt file holds them, and no stale -wal/-shm is left beside it."""
    live = tmp_path / "live"
    live.mkdir()
    writer = sqlite3.connect(live / "continuo.db", isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the commit stays in the -wal file
    writer.execute("CREATE TABLE t (x)")
    writer.execute("INSERT INTO t VALUES ('only in the wal')")
    crashed = tmp_path / "profile"  # the three files as a killed process leaves them
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        (crashed / f"continuo.db{suffix}").write_bytes((live / f"continuo.db{suffix}").read_bytes())
    writer.close()
    path = crashed / "continuo.db"
    result = recover(path)
    copy = result.damaged_copy
    assert copy.exists() and Path(f"{copy}-wal").exists()
    reader = sqlite3.connect(copy)
    assert reader.execute("SELECT x FROM t").fetchall() == [("only in the wal",)]
    reader.close()
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    rebuilt = sqlite3.connect(path)
    assert rebuilt.execute("SELECT x FROM t").fetchall() == [("only in the wal",)]
    rebuilt.close()
