import sqlite3

import pytest

from player.store import migrations, open_database
from player.store.feedback import (
    add_feedback,
    all_feedback,
    log_suggestions,
    removed_since,
    set_outcome,
    suggestion_log,
)
from player.store.tracks import Track, all_tracks, upsert_tracks


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db, [Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title=str(i)) for i in range(3)]
    )
    return db


def ids(db):
    return [t.id for t in all_tracks(db)]


def test_migration_3_adds_both_tables_on_top_of_schema_2(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrations.migrate(conn, 2)
    assert migrations.migrate(conn, 3) == 3
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feedback", "suggestions", "features"} <= tables


def test_feedback_is_kept_in_order_and_checked(db):
    a, b, _ = ids(db)
    add_feedback(db, a, "more_like", "2026-01-01T10:00:00.000+00:00")
    add_feedback(db, b, "never", "2026-01-01T09:00:00.000+00:00")
    assert [(f.track_id, f.kind) for f in all_feedback(db)] == [(b, "never"), (a, "more_like")]
    with pytest.raises(ValueError, match="'love'"):
        add_feedback(db, a, "love")
    with pytest.raises(sqlite3.IntegrityError):  # the schema refuses it too
        db.conn.execute(
            "INSERT INTO feedback (track_id, kind, created_at) VALUES (?, 'love', 'x')", (a,)
        )
    with pytest.raises(sqlite3.IntegrityError):  # and feedback on a track that does not exist
        add_feedback(db, 9999, "skip")


def test_an_outcome_goes_to_the_latest_open_suggestion_of_the_track(db):
    a, b, _ = ids(db)
    log_suggestions(
        db, [(a, "popularity", "from your library")], "for_you", "2026-01-01T10:00:00.000+00:00"
    )
    log_suggestions(
        db,
        [(a, "your sessions", "often follows X"), (b, "popularity", "r")],
        "for_you",
        "2026-01-01T11:00:00.000+00:00",
    )
    assert set_outcome(db, a, "removed", "2026-01-01T11:05:00.000+00:00")
    log = suggestion_log(db)
    assert [(r.track_id, r.source, r.outcome) for r in log] == [
        (a, "popularity", None),
        (a, "your sessions", "removed"),
        (b, "popularity", None),
    ]
    assert removed_since(db, "2026-01-01T11:00:00.000+00:00") == {a}
    assert removed_since(db, "2026-01-01T12:00:00.000+00:00") == set()
    # every Up next request asks: through the index of the few removed (the statement as
    # SQLite ran it), not over every suggestion ever shown
    ran: list[str] = []
    db.conn.set_trace_callback(ran.append)
    removed_since(db, "2026-01-01T12:00:00.000+00:00")
    db.conn.set_trace_callback(None)
    (query,) = [sql for sql in ran if sql.lstrip().upper().startswith("SELECT")]
    plan = " ".join(str(row[-1]) for row in db.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "USING INDEX suggestions_removed" in plan, plan
    with pytest.raises(ValueError, match="'liked'"):
        set_outcome(db, b, "liked")


def test_a_track_never_suggested_has_no_outcome_to_set(db):
    _, _, c = ids(db)
    assert set_outcome(db, c, "accepted") is False
    assert suggestion_log(db) == []
