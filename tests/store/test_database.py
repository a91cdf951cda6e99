import sqlite3

import pytest

from player.app import open_profile_database
from player.errors import DatabaseError, NewerDatabaseError
from player.profile import Profile
from player.store import migrations, open_database
from player.store.plays import (
    all_plays,
    close_interrupted_plays,
    end_play,
    listening_sessions,
    start_play,
    update_play,
)
from player.store.tracks import (
    Track,
    all_tracks,
    mark_missing,
    problems,
    record_problem,
    upsert_tracks,
)


def make_track(path="/music/a.flac", **tags):
    return Track(path=path, size=10, mtime_ns=1, title=tags.pop("title", "Allegro"), **tags)


def test_new_database_is_wal_and_at_latest_schema(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrations.schema_version(db.conn) == migrations.LATEST_VERSION
    assert db.integrity_check() == "ok"


@pytest.mark.parametrize("version", range(1, migrations.LATEST_VERSION + 1))
def test_each_migration_applies_on_its_predecessor(tmp_path, version):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    migrations.migrate(conn, version - 1)
    assert migrations.migrate(conn, version) == version
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_failed_migration_leaves_the_schema_untouched(tmp_path, monkeypatch):
    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    with pytest.raises(RuntimeError):
        migrations.migrate(conn, len(migrations.MIGRATIONS))
    assert migrations.schema_version(conn) == migrations.LATEST_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables


def test_damaged_file_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "continuo.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError) as info:
        open_database(path)
    assert info.value.kind == "damaged" and "is damaged" in info.value.short
    assert path.read_bytes().startswith(b"this is not")


def test_a_newer_database_is_refused_by_its_type_and_never_moved_aside(tmp_path):
    profile = Profile(tmp_path / "profile").create()
    open_database(profile.database).close()
    conn = sqlite3.connect(profile.database)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerDatabaseError):
        open_profile_database(profile, notices := [])
    assert profile.database.exists() and notices == []
    assert [p.name for p in profile.root.iterdir() if ".damaged-" in p.name] == []


def test_rescan_keeps_track_id_and_missing_tracks_keep_their_plays(tmp_path):
    db = open_database(tmp_path / "c.db")
    upsert_tracks(db, [make_track(composer="Bach")])
    (track,) = all_tracks(db)
    play = start_play(db, track.id, "user")
    end_play(db, play, 5000, "finished")
    upsert_tracks(db, [make_track(composer="J. S. Bach")])
    (again,) = all_tracks(db)
    assert again.id == track.id and again.composer == "J. S. Bach"
    mark_missing(db, [track.path])
    assert all_tracks(db) == []
    assert [p.track_id for p in all_plays(db)] == [track.id]


def test_problem_is_recorded_and_cleared_when_the_file_is_fixed(tmp_path):
    db = open_database(tmp_path / "c.db")
    record_problem(db, "/music/a.flac", "truncated", 10, 1)
    assert problems(db) == [("/music/a.flac", "truncated")]
    upsert_tracks(db, [make_track()])
    assert problems(db) == []


def test_play_lifecycle_and_interrupted_play(tmp_path):
    db = open_database(tmp_path / "c.db")
    upsert_tracks(db, [make_track("/m/1.flac"), make_track("/m/2.flac", title="Adagio")])
    first, second = all_tracks(db)
    done = start_play(db, first.id, "user")
    end_play(db, done, 61_000, "finished")
    running = start_play(db, second.id, "queue")
    update_play(db, running, 5_000)
    assert close_interrupted_plays(db) == 1
    plays = all_plays(db)
    assert [(p.ms_heard, p.ended_how, p.started_by) for p in plays] == [
        (61_000, "finished", "user"),
        (5_000, "interrupted", "queue"),
    ]
    assert len(listening_sessions(db)) == 1


def test_invalid_play_values_are_refused(tmp_path):
    db = open_database(tmp_path / "c.db")
    upsert_tracks(db, [make_track()])
    (track,) = all_tracks(db)
    with pytest.raises(ValueError, match="started_by"):
        start_play(db, track.id, "robot")
    with pytest.raises(ValueError, match="ended_how"):
        end_play(db, start_play(db, track.id, "user"), 1, "exploded")
