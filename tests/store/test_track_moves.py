"""missing_tracks and move_track: a moved recording keeps its id and its plays."""

from __future__ import annotations

from dataclasses import replace

from player.store import tracks as store
from player.store.db import open_database
from player.store.tracks import Track


def test_move_track_keeps_id_and_clears_missing_and_problem(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    old = Track(path="/m/a.flac", size=10, mtime_ns=1, title="A", item_key="k")
    store.upsert_tracks(db, [old, replace(old, path="/m/b.flac", item_key="j")])
    store.mark_missing(db, ["/m/a.flac"])
    missing = store.missing_tracks(db)
    assert [(t.path, t.missing) for t in missing] == [("/m/a.flac", True)]
    store.record_problem(db, "/n/a.flac", "old reason", 1, 1)
    store.move_track(db, missing[0].id, replace(old, path="/n/a.flac", mtime_ns=2, title="A2"))
    moved = store.track_by_id(db, missing[0].id)
    assert (moved.path, moved.title, moved.mtime_ns, moved.missing) == ("/n/a.flac", "A2", 2, False)
    assert store.missing_tracks(db) == []
    assert store.problems(db) == []
    assert store.track_count(db) == 2
    db.close()
