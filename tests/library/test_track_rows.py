"""Tracks read by id a page at a time (the window's table and controller hold ids only), and
the store's path look-up for ``--play FILE_OR_FOLDER``."""

from __future__ import annotations

import os

import pytest

from player.library.track_rows import PAGE, LibraryTracks, TrackCache
from player.store.db import open_database
from player.store.library_view import TABLE_COLUMNS, library_ids, tracks_at_paths
from player.store.tracks import Track, mark_missing, upsert_tracks


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "continuo.db"
    db = open_database(path)
    upsert_tracks(
        db,
        [
            Track(
                path=f"/m/{w:03d} Suite/{m}.flac",
                size=1,
                mtime_ns=1,
                title=f"Part {m}",
                composer="Georg Philipp Telemann",
                work=f"Suite No. {w}",
                movement=f"Part {m}",
                movement_number=m + 1,
            )
            for w in range(100)
            for m in range(3)
        ],
    )
    mark_missing(db, ["/m/099 Suite/2.flac"])
    db.close()
    return path


def test_library_tracks_read_pages_and_keep_a_bounded_cache(db_path):
    db = open_database(db_path)
    ids = library_ids(db)
    db.close()
    assert len(ids) == 299  # the missing file is not in the library
    cache = TrackCache(lambda: open_database(db_path), capacity=100)
    library = LibraryTracks(ids, cache)
    assert library[0].work == "Suite No. 0" and library[0].movement == "Part 0"
    assert len(cache._tracks) == PAGE  # one page read for one row
    assert [t.movement for t in library[3:6]] == ["Part 0", "Part 1", "Part 2"]
    assert library[-1].path == "/m/099 Suite/1.flac"
    assert library.index_of(int(ids[150])) == 150 and library.index_of(10_000) is None
    assert sum(1 for _ in library) == 299  # iterating reads page by page
    assert len(cache._tracks) <= 100
    with pytest.raises(IndexError):
        library[299]
    cache.close()


def test_paths_given_to_play_are_found_in_order_and_folders_in_library_order(db_path):
    db = open_database(db_path)
    found = tracks_at_paths(db, ["/m/002 Suite/1.flac", "/m/001 Suite", "/m/099 Suite/2.flac"])
    db.close()
    assert [t.path for t in found] == [
        "/m/002 Suite/1.flac",
        "/m/001 Suite/0.flac",
        "/m/001 Suite/1.flac",
        "/m/001 Suite/2.flac",
    ]  # the missing file is left out


def test_a_folder_given_to_play_brings_files_whose_names_are_not_utf8(tmp_path):
    """Such names are stored as their bytes (a BLOB), which SQLite orders after all text: the
    folder look-up finds them in a UTF-8 folder and inside a folder whose own name is not."""
    db = open_database(tmp_path / "continuo.db")
    odd = os.fsdecode(b"/m/caf\xe9")  # Latin-1 bytes: lone surrogates in the str
    upsert_tracks(
        db,
        [
            Track(path=path, size=1, mtime_ns=1, title=title, movement_number=n)
            for n, (path, title) in enumerate(
                [("/m/a/1.flac", "one"), (os.fsdecode(b"/m/a/\xe92.flac"), "two"),
                 (odd + "/3.flac", "three"), ("/m/ab/4.flac", "not inside")]
            )
        ],
    )  # fmt: skip
    found = [t.title for t in tracks_at_paths(db, ["/m/a", odd + "/"])]
    assert [t.path for t in tracks_at_paths(db, [odd + "/3.flac"])] == [odd + "/3.flac"]
    db.close()
    assert found == ["one", "two", "three"]


def test_the_tables_rows_are_read_without_making_tracks(db_path):
    db = open_database(db_path)
    ids = library_ids(db)[:5].tolist()
    db.close()
    cache = TrackCache(lambda: open_database(db_path))
    rows = {row[0]: row for row in cache.table_rows([*ids, 10_000])}  # 10,000: not stored
    assert sorted(rows) == sorted(ids) and not cache._tracks
    for track in cache.tracks(ids):  # the same columns a track of them holds
        assert rows[track.id] == tuple(
            getattr(track, name.strip()) for name in TABLE_COLUMNS.split(",")
        )
    cache.close()
