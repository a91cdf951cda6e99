"""The tracks' coded identities and their cache file: a read through the cache always equals a
read of the table alone, whatever happened to the tracks or the file since it was written."""

from __future__ import annotations

import numpy as np
import pytest

from player.library.scanner import scan_library
from player.store import caches, open_database
from player.store import track_keys as module
from player.store.insights import compute_insights
from player.store.plays import log_plays
from player.store.track_keys import COLUMNS, FILE, TrackKeys, track_keys
from player.store.tracks import Track, merge_identities, upsert_tracks
from tests.library.audio_files import tag_vorbis, write_audio
from tests.store.cache_damage import damaged_cache_files

COMPOSERS = ["Franz Schubert", "Schubert, Franz", "Clara Schumann", ""]


def tracks(n: int, composers: list[str] = COMPOSERS) -> list[Track]:
    return [
        Track(
            path=f"/m/{i}.flac",
            size=1,
            mtime_ns=1,
            title=f"T{i}",
            composer=composers[i % len(composers)],
            work=f"Work {i % 3}" if i % 5 else "",
        )
        for i in range(n)
    ]


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(db, tracks(12))
    yield db
    db.close()


def table_only(db) -> TrackKeys:
    return module._read(db)


def texts_of(keys: TrackKeys) -> dict[str, list[str]]:
    """Each track's texts (what the codes stand for), by column."""
    return {n: [keys.texts[n][c] for c in keys.codes[n]] for n in COLUMNS}


def assert_same(a: TrackKeys, b: TrackKeys) -> None:
    np.testing.assert_array_equal(a.ids, b.ids)
    assert texts_of(a) == texts_of(b)


def cache_file(db):
    return caches.cache_dir(db) / FILE


def test_the_first_read_writes_the_cache_and_the_next_uses_it(db, monkeypatch):
    first = track_keys(db)
    assert cache_file(db).exists()
    assert_same(first, table_only(db))
    assert texts_of(first)["composer_name"][:2] == ["Franz Schubert"] * 2  # one composer
    monkeypatch.setattr(module, "_read", lambda db: pytest.fail("the table was read again"))
    assert_same(track_keys(db), first)


@pytest.mark.parametrize(
    "change",
    [
        lambda db: upsert_tracks(db, tracks(15)[12:]),  # new tracks
        lambda db: upsert_tracks(db, tracks(12, ["Johannes Brahms"])),  # retagged
        lambda db: merge_identities(db),
    ],
    ids=["added", "retagged", "merged"],
)
def test_a_stale_cache_is_made_again(db, change):
    track_keys(db)
    change(db)
    assert_same(track_keys(db), table_only(db))
    assert_same(track_keys(db), table_only(db))  # and the file written again holds


def test_tracks_changed_behind_the_marks_back_are_noticed_by_their_count(db):
    track_keys(db)
    db.conn.execute("DELETE FROM tracks WHERE id = 12")  # a rebuilt database lost a row
    assert_same(track_keys(db), table_only(db))


@damaged_cache_files
def test_a_damaged_cache_is_ignored_and_made_again(db, damage):
    track_keys(db)
    damage(cache_file(db))
    assert_same(track_keys(db), table_only(db))
    assert_same(track_keys(db), table_only(db))


def test_a_cache_whose_codes_do_not_add_up_is_not_used(db):
    track_keys(db)
    arrays = module._arrays(table_only(db))
    assert arrays is not None
    arrays["work_key_codes"] = arrays["work_key_codes"] + 1  # a code past its table
    caches.save(cache_file(db), module._stamp(db), arrays)
    assert_same(track_keys(db), table_only(db))


def test_a_read_only_profile_reads_without_writing(db):
    read_only = open_database(db.path, read_only=True)
    assert_same(track_keys(read_only), table_only(db))
    assert not cache_file(db).exists()
    track_keys(db)
    upsert_tracks(db, tracks(14)[12:])
    assert_same(track_keys(read_only), table_only(db))  # the stale file is not trusted
    read_only.close()


def test_a_tag_holding_the_separator_is_read_but_not_cached(db):
    upsert_tracks(db, [Track(path="/m/nul.flac", size=1, mtime_ns=1, title="T", work="A\x00B")])
    assert_same(track_keys(db), table_only(db))
    assert not cache_file(db).exists()


def test_insights_follow_a_retagged_library(db):
    log_plays(db, [(i, f"2026-01-01T0{i % 10}:00:00.000+00:00", 60_000, "finished", "user") for i in range(1, 13)])  # fmt: skip
    assert "Franz Schubert" in compute_insights(db).composers
    upsert_tracks(db, tracks(12, ["Johannes Brahms"]))
    assert compute_insights(db).composers == ["Johannes Brahms"]


def test_a_rescan_that_finds_nothing_changed_keeps_the_cache(tmp_path, monkeypatch):
    root = tmp_path / "music"
    for n in (1, 2):
        tag_vorbis(
            write_audio(root / f"0{n}.ogg", seconds=0.3, freq=300 * n),
            composer="Joseph Haydn",
            work="String Quartet Op. 76 No. 3",
        )
    db = open_database(tmp_path / "profile" / "continuo.db")
    scan_library(db, [root])
    first = track_keys(db)
    mark = caches.read_mark(db, "tracks")
    scan_library(db, [root])  # as at every start: nothing changed
    assert caches.read_mark(db, "tracks") == mark
    monkeypatch.setattr(module, "_read", lambda db: pytest.fail("the table was read again"))
    assert_same(track_keys(db), first)
    db.close()
