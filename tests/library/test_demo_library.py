"""The bundled demo library scans cleanly and is what the issue promised: ≥ 8 pieces, 30–120 s each,
under 15 MB, real classical tags, and multi-movement works."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from player.library.scanner import scan_library
from player.store import tracks as store
from player.store.db import open_database

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"


def test_demo_library_scans_into_a_composer_work_movement_tree(tmp_path):
    files = sorted(DEMO.rglob("*.ogg"))
    assert len(files) >= 8
    assert sum(f.stat().st_size for f in files) < 15_000_000
    db = open_database(tmp_path / "continuo.db")
    result = scan_library(db, [DEMO])
    assert (result.added, result.problems) == (len(files), 0)
    tracks = store.all_tracks(db)
    db.close()
    assert all(30.0 <= t.duration_s <= 120.5 for t in tracks), [
        (t.path, t.duration_s) for t in tracks
    ]
    assert all(t.performers == "Continuo demo ensemble" and t.genre == "Classical" for t in tracks)
    assert all(t.composer and t.work and t.date for t in tracks)
    works = defaultdict(list)
    for t in tracks:
        works[(t.composer, t.work)].append(t.movement_number)
    assert works[("Wolfgang Amadeus Mozart", "String Quartet No. 2 in D major, K. 155")] == [
        1,
        2,
        3,
    ]
    assert works[("Johann Sebastian Bach", "Four-part chorales")] == [1, 2, 3]
    assert len({t.composer for t in tracks}) >= 5
    assert len({t.item_key for t in tracks}) == len(tracks)
