"""The play log's cache file: a read through it always equals a read of the table alone.

Every test changes the log in one way a profile's log is changed (new plays, a running play
saved and ended, an import of older plays, a deletion, writes behind the triggers' back, a
damaged or foreign file) and compares :func:`read_play_log` with a read that bypasses the
cache.
"""

from __future__ import annotations

import shutil
from dataclasses import fields

import numpy as np
import pytest

from player.store import caches, open_database
from player.store import play_log as play_log_module
from player.store import plays as plays_module
from player.store.play_log import FILE, PlayLog, log_version, read_play_log
from player.store.plays import end_play, log_plays, start_play, update_play
from player.store.tracks import Track, upsert_tracks
from tests.store.cache_damage import damaged_cache_files


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db, [Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title=f"T{i}") for i in range(5)]
    )
    log_plays(db, plays(0, 300))
    yield db
    db.close()


def plays(first: int, count: int, day: int = 1) -> list[tuple]:
    """``count`` ended plays a minute apart on 2026-01-``day`` from minute ``first``."""
    return [
        (
            1 + i % 5,
            f"2026-01-{day:02d}T{(first + i) // 60:02d}:{(first + i) % 60:02d}:00.000+00:00",
            1_000 * (i % 90),
            ("finished", "skipped", "stopped")[i % 3],
            ("user", "queue", "suggestion")[i % 3],
        )
        for i in range(count)
    ]


def table_only(db) -> PlayLog:
    """The log read from the table alone (what the cache must always equal)."""
    return play_log_module._read(db)


def assert_same(a: PlayLog, b: PlayLog) -> None:
    for name in play_log_module.ARRAYS:
        assert getattr(a, name).dtype == getattr(b, name).dtype, name
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def cache_file(db):
    return caches.cache_dir(db) / FILE


def test_the_first_read_writes_the_cache_and_the_next_uses_it(db, monkeypatch):
    first = read_play_log(db)
    assert_same(first, table_only(db))
    assert cache_file(db).is_file()
    read = []
    original = play_log_module._read
    monkeypatch.setattr(play_log_module, "_read", lambda d, since=None, **kw: read.append(since) or original(d, since, **kw))  # fmt: skip
    again = read_play_log(db)
    assert_same(again, first)
    assert read == [301]  # only the plays past the cache's newest (none) were read


def test_new_plays_and_a_running_play_are_read_past_the_cache(db):
    read_play_log(db)
    log_plays(db, plays(300, 10))
    play = start_play(db, 3, "suggestion", "2026-01-01T07:00:00.000+00:00")
    assert_same(read_play_log(db), table_only(db))
    update_play(db, play, 12_000)
    end_play(db, play, 45_000, "skipped")
    log = read_play_log(db)
    assert_same(log, table_only(db))
    assert (log.ms_heard[-1], log.ended[-1]) == (45_000, 1)


def test_an_old_play_updated_or_deleted_is_read_again(db):
    read_play_log(db)
    db.conn.execute("UPDATE plays SET ms_heard = 99 WHERE id = 17")
    db.conn.execute("DELETE FROM plays WHERE id = 5")
    log = read_play_log(db)
    assert_same(log, table_only(db))
    assert 5 not in log.id and log.ms_heard[log.id == 17].tolist() == [99]


def test_plays_imported_from_before_the_cache_take_their_place_in_start_order(db):
    read_play_log(db)
    log_plays(db, [(2, "2025-12-31T23:00:00.000+00:00", 60_000, "finished", "user")])
    log = read_play_log(db)
    assert_same(log, table_only(db))
    assert log.id[0] == 301


def in_start_order(db) -> np.ndarray:
    """The plays' ids as SQLite orders them by start, ties by id (independent of the reader)."""
    rows = db.conn.execute("SELECT id FROM plays ORDER BY started_at, id").fetchall()
    return np.array([r[0] for r in rows], np.int64)


def test_the_table_is_read_in_chunks_of_ids_with_gaps_and_out_of_order(db, monkeypatch):
    monkeypatch.setattr(plays_module, "LOG_CHUNK", 7)  # dozens of chunks over 300 plays
    db.conn.execute("DELETE FROM plays WHERE id BETWEEN 20 AND 40 OR id = 7 OR id = 8")
    log_plays(db, plays(90, 12, day=1) + plays(0, 3, day=2))  # starts among the others, ties
    log = read_play_log(db)
    np.testing.assert_array_equal(log.id, in_start_order(db))
    heard = dict(db.conn.execute("SELECT id, ms_heard FROM plays").fetchall())
    assert log.ms_heard.tolist() == [heard[i] for i in log.id.tolist()]
    assert len(log) == 300 - 23 + 15


def test_imported_plays_fall_among_the_cached_ones_after_those_of_the_same_start(db):
    read_play_log(db)  # the cache of 300 plays
    log_plays(db, plays(100, 5) + plays(250, 2) + plays(0, 1, day=3))  # same starts as cached
    log = read_play_log(db)
    assert_same(log, table_only(db))
    np.testing.assert_array_equal(log.id, in_start_order(db))
    assert log.id[100:102].tolist() == [101, 301]  # the cached play of that minute first


def test_the_cache_is_written_again_once_it_lags_far_enough(db, monkeypatch):
    monkeypatch.setattr(play_log_module, "REWRITE_AFTER", 20)
    read_play_log(db)
    log_plays(db, plays(300, 5))
    read_play_log(db)  # 5 behind: kept as it was
    assert caches.read_mark(db, "plays").epoch == 1
    log_plays(db, plays(305, 30))
    assert_same(read_play_log(db), table_only(db))  # 35 behind: written anew
    assert caches.read_mark(db, "plays").epoch == 2


@damaged_cache_files
def test_a_damaged_cache_is_made_again(db, damage):
    read_play_log(db)
    damage(cache_file(db))
    assert_same(read_play_log(db), table_only(db))
    assert_same(read_play_log(db), table_only(db))  # the file made again is sound


def test_a_cache_with_other_arrays_is_made_again(db):
    read_play_log(db)
    mark = caches.read_mark(db, "plays")
    bad = {name: np.zeros(3, np.float64) for name in play_log_module.ARRAYS}
    caches.save(cache_file(db), play_log_module._stamp(mark, mark.epoch), bad)
    assert_same(read_play_log(db), table_only(db))


def test_a_cache_from_another_database_is_not_used(db, tmp_path):
    other = open_database(tmp_path / "other" / "continuo.db")
    upsert_tracks(
        other, [Track(path=f"/o/{i}.flac", size=1, mtime_ns=1, title="T") for i in range(5)]
    )
    log_plays(other, plays(0, 300))  # the same count and ids, other plays
    other.conn.execute("UPDATE plays SET ms_heard = 7")
    read_play_log(other)
    read_play_log(db)
    shutil.copy(cache_file(other), cache_file(db))
    assert_same(read_play_log(db), table_only(db))
    other.close()


def test_rows_lost_or_added_behind_the_triggers_back_are_noticed(db):
    read_play_log(db)
    db.conn.execute("DROP TRIGGER plays_deleted")
    db.conn.execute("DELETE FROM plays WHERE id = 40")  # as a rebuilt database loses rows
    assert_same(read_play_log(db), table_only(db))
    db.conn.execute("INSERT INTO plays VALUES (40, 1, '2026-01-01T05:00:00.000+00:00', 1, 'finished', 'user', '')")  # fmt: skip
    assert_same(read_play_log(db), table_only(db))


def test_a_write_during_the_read_keeps_the_old_epoch(db, monkeypatch):
    """A play saved between the read and the cache's writing: the cache would not know it."""
    original = play_log_module._read

    def read_then_play_saved(d, since=None, **kw):
        found = original(d, since, **kw)
        other = open_database(d.path)  # another thread's connection
        end_play(other, 300, 5, "stopped")
        other.close()
        return found

    monkeypatch.setattr(play_log_module, "_read", read_then_play_saved)
    read_play_log(db)
    assert not cache_file(db).exists() and caches.read_mark(db, "plays").epoch == 0
    monkeypatch.setattr(play_log_module, "_read", original)
    assert_same(read_play_log(db), table_only(db))


def test_a_read_only_profile_reads_the_log_without_writing(db, tmp_path):
    read_only = open_database(db.path, read_only=True)
    assert_same(read_play_log(read_only), table_only(db))
    assert not cache_file(db).exists()
    read_play_log(db)
    log_plays(db, plays(300, 3))
    assert_same(read_play_log(read_only), table_only(db))  # the cache, and the newer plays
    read_only.close()


def test_log_version_moves_with_every_kind_of_write(db):
    versions = [log_version(db)]
    play = start_play(db, 1, "user")
    versions.append(log_version(db))
    update_play(db, play, 5_000)
    versions.append(log_version(db))
    end_play(db, play, 6_000, "stopped")
    versions.append(log_version(db))
    db.conn.execute("DELETE FROM plays WHERE id = ?", (play,))
    versions.append(log_version(db))
    assert len(set(versions)) == len(versions)
    assert read_play_log(db).version == log_version(db)


def test_columns_hold_what_the_history_reads(db):
    log = read_play_log(db)
    columns = log.columns()
    assert [f.name for f in fields(columns)][:2] == ["track_id", "start_ms"]
    np.testing.assert_array_equal(columns.end_ms, log.start_ms + log.ms_heard)
    np.testing.assert_array_equal(columns.finished, log.ended == 0)
    assert columns.finished.sum() == 100


def test_a_read_holds_little_beyond_the_log_it_returns(tmp_path, monkeypatch):
    """Traced allocations (numpy's included) over a read of the whole table, then over one that
    sorts imported plays in among the cached ones: the most held at once beyond the log
    returned stays within two columns (chunks of the table's text, a column's copy); read
    in one statement and sorted as a whole, it was over twice the log."""
    import tracemalloc

    monkeypatch.setattr(plays_module, "LOG_CHUNK", 1024)
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(db, [Track(path=f"/m/{i}.flac", size=1, mtime_ns=1, title="") for i in range(5)])
    for day in range(1, 8):
        log_plays(db, plays(0, 1440, day=day))  # 10,080 plays, a minute apart
    for _ in range(2):
        tracemalloc.start()
        log = read_play_log(db)  # first the table, then the cache and the imported plays
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        np.testing.assert_array_equal(log.id, in_start_order(db))
        size = sum(column.nbytes for column in log.arrays().values())
        assert peak - size <= 2 * log.id.nbytes
        log_plays(db, plays(30, 200, day=4))  # imported: among the others
        del log
    db.close()
