"""Playlists in a real profile database: create, rename, reorder, delete, and their refusals."""

from __future__ import annotations

import pytest

from player.store import open_database
from player.store.playlists import (
    PlaylistError,
    add_to_playlist,
    all_playlists,
    create_playlist,
    delete_playlist,
    move_entries,
    playlist_track_ids,
    playlist_tracks,
    remove_entries,
    rename_playlist,
    set_playlist_tracks,
)
from player.store.tracks import Track, all_tracks, mark_missing, upsert_tracks


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [Track(path=f"/music/{n}.flac", size=1, mtime_ns=1, title=f"T{n}") for n in range(6)],
    )
    yield db
    db.close()


def ids(db):
    return [t.id for t in sorted(all_tracks(db), key=lambda t: t.path)]


def test_create_list_and_reopen(db, tmp_path):
    a, b, c, *_ = ids(db)
    first = create_playlist(db, "  Sunday   morning ", [c, a, c])
    create_playlist(db, "after dinner")
    db.close()
    db = open_database(tmp_path / "continuo.db")
    assert [(p.name, p.tracks) for p in all_playlists(db)] == [
        ("after dinner", 0),
        ("Sunday morning", 3),
    ]
    assert playlist_track_ids(db, first) == [c, a, c]
    assert [t.title for t in playlist_tracks(db, first)] == ["T2", "T0", "T2"]


def test_names_must_be_present_and_unique_ignoring_case(db):
    create_playlist(db, "Bach")
    with pytest.raises(PlaylistError, match="already a playlist called “Bach”"):
        create_playlist(db, "BACH")
    with pytest.raises(PlaylistError, match="needs a name"):
        create_playlist(db, "   ")
    with pytest.raises(PlaylistError, match="too long"):
        create_playlist(db, "x" * 201)
    assert [p.name for p in all_playlists(db)] == ["Bach"]


def test_rename(db):
    bach = create_playlist(db, "Bach")
    other = create_playlist(db, "Other")
    rename_playlist(db, bach, "bach")  # its own name in another case is fine
    with pytest.raises(PlaylistError, match="already"):
        rename_playlist(db, other, "BACH")
    rename_playlist(db, other, "Haydn")
    assert [p.name for p in all_playlists(db)] == ["bach", "Haydn"]


@pytest.mark.parametrize(
    ("positions", "to", "order", "moved"),
    [
        ([0], 3, [1, 2, 0, 3, 4], [2]),  # down: before the old 3rd entry
        ([4], 0, [4, 0, 1, 2, 3], [0]),  # up to the top
        ([1, 3], 5, [0, 2, 4, 1, 3], [3, 4]),  # two to the end, in their order
        ([3, 1], 0, [1, 3, 0, 2, 4], [0, 1]),
        ([2], 2, [0, 1, 2, 3, 4], [2]),  # onto itself: nothing changes
    ],
)
def test_reorder(db, positions, to, order, moved):
    tracks = ids(db)[:5]
    playlist = create_playlist(db, "p", tracks)
    assert move_entries(db, playlist, positions, to) == moved
    assert playlist_track_ids(db, playlist) == [tracks[i] for i in order]


def test_add_remove_replace_and_bad_positions(db):
    a, b, c, d, *_ = ids(db)
    playlist = create_playlist(db, "p", [a, b])
    add_to_playlist(db, playlist, [c, a])
    assert playlist_track_ids(db, playlist) == [a, b, c, a]
    remove_entries(db, playlist, [0, 2])
    assert playlist_track_ids(db, playlist) == [b, a]
    set_playlist_tracks(db, playlist, [d])
    assert playlist_track_ids(db, playlist) == [d]
    with pytest.raises(PlaylistError, match="not in the playlist"):
        move_entries(db, playlist, [1], 0)
    assert playlist_track_ids(db, playlist) == [d]


def test_delete_keeps_tracks_and_missing_tracks_stay_listed(db):
    a, b, *_ = ids(db)
    playlist = create_playlist(db, "p", [a, b])
    mark_missing(db, ["/music/0.flac"])
    assert [t.missing for t in playlist_tracks(db, playlist)] == [True, False]
    delete_playlist(db, playlist)
    assert all_playlists(db) == []
    assert db.conn.execute("SELECT count(*) FROM playlist_entries").fetchone()[0] == 0
    assert len(all_tracks(db, include_missing=True)) == 6
    with pytest.raises(PlaylistError, match="no longer exists"):
        rename_playlist(db, playlist, "again")
