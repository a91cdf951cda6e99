"""Playlists: saved queues in the profile (migration 5) and their SQL.

A playlist is a unique name and an ordered list of tracks; a track may appear more than once.
Positions are kept dense (0..n-1): every change rewrites the list in one transaction, which is
cheap at playlist sizes and leaves no gaps to reason about.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from player.errors import ContinuoError
from player.store.db import Database, utc_now
from player.store.tracks import Track, tracks_by_ids

MAX_NAME = 200


class PlaylistError(ContinuoError):
    """A playlist cannot be created or changed as asked (empty or taken name, unknown playlist)."""


@dataclass(frozen=True)
class Playlist:
    id: int
    name: str
    tracks: int
    """How many entries it holds."""
    updated_at: str


def clean_name(name: str) -> str:
    """``name`` with surrounding and repeated whitespace removed; raises when nothing is left."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise PlaylistError("A playlist needs a name", "Type a name for the playlist.")
    if len(cleaned) > MAX_NAME:
        raise PlaylistError("That playlist name is too long", f"Use at most {MAX_NAME} characters.")
    return cleaned


def all_playlists(db: Database) -> list[Playlist]:
    """Every playlist, by name (case-insensitive)."""
    rows = db.conn.execute(
        "SELECT p.id, p.name, p.updated_at, count(e.track_id) AS n FROM playlists p "
        "LEFT JOIN playlist_entries e ON e.playlist_id = p.id "
        "GROUP BY p.id ORDER BY p.name COLLATE NOCASE"
    )
    return [Playlist(r["id"], r["name"], r["n"], r["updated_at"]) for r in rows]


def playlist_by_name(db: Database, name: str) -> Playlist | None:
    for playlist in all_playlists(db):
        if playlist.name.casefold() == " ".join(name.split()).casefold():
            return playlist
    return None


def create_playlist(db: Database, name: str, track_ids: Iterable[int] = ()) -> int:
    """A new playlist holding ``track_ids`` in that order; returns its id."""
    name = clean_name(name)
    now = utc_now()
    with db.transaction() as conn:
        _refuse_taken(db, name, None)
        cursor = conn.execute(
            "INSERT INTO playlists (name, created_at, updated_at) VALUES (?, ?, ?)",
            (name, now, now),
        )
        playlist_id = int(cursor.lastrowid or 0)
        _write_entries(conn, playlist_id, list(track_ids))
    return playlist_id


def rename_playlist(db: Database, playlist_id: int, name: str) -> None:
    name = clean_name(name)
    with db.transaction() as conn:
        _require(db, playlist_id)
        _refuse_taken(db, name, playlist_id)
        conn.execute(
            "UPDATE playlists SET name = ?, updated_at = ? WHERE id = ?",
            (name, utc_now(), playlist_id),
        )


def delete_playlist(db: Database, playlist_id: int) -> None:
    """Remove the playlist and its entries (the tracks themselves stay in the library)."""
    with db.transaction() as conn:
        _require(db, playlist_id)
        conn.execute("DELETE FROM playlists WHERE id = ?", (playlist_id,))


def playlist_track_ids(db: Database, playlist_id: int) -> list[int]:
    rows = db.conn.execute(
        "SELECT track_id FROM playlist_entries WHERE playlist_id = ? ORDER BY position",
        (playlist_id,),
    )
    return [int(r[0]) for r in rows]


def playlist_tracks(db: Database, playlist_id: int) -> list[Track]:
    """The playlist's tracks in order, missing files included (the caller decides to skip them)."""
    return tracks_by_ids(db, playlist_track_ids(db, playlist_id))


def set_playlist_tracks(db: Database, playlist_id: int, track_ids: Sequence[int]) -> None:
    """Replace the playlist's contents with ``track_ids`` (saving a queue over a playlist)."""
    with db.transaction() as conn:
        _require(db, playlist_id)
        _write_entries(conn, playlist_id, list(track_ids))
        conn.execute("UPDATE playlists SET updated_at = ? WHERE id = ?", (utc_now(), playlist_id))


def add_to_playlist(db: Database, playlist_id: int, track_ids: Sequence[int]) -> None:
    """Append ``track_ids`` at the end of the playlist."""
    with db.transaction():
        set_playlist_tracks(db, playlist_id, playlist_track_ids(db, playlist_id) + list(track_ids))


def move_entries(db: Database, playlist_id: int, positions: Sequence[int], to: int) -> list[int]:
    """Move the entries at ``positions`` (kept in their order) to sit before position ``to`` of
    the current list (``to`` = its length appends); returns the new positions of the moved ones."""
    with db.transaction():
        ids = playlist_track_ids(db, playlist_id)
        chosen = sorted(set(positions))
        if any(not 0 <= p < len(ids) for p in chosen) or not 0 <= to <= len(ids):
            raise PlaylistError(
                "That entry is not in the playlist", f"positions {list(positions)}, to {to}"
            )
        moving = [ids[p] for p in chosen]
        before = to - sum(1 for p in chosen if p < to)
        rest = [track for p, track in enumerate(ids) if p not in set(chosen)]
        rest[before:before] = moving
        set_playlist_tracks(db, playlist_id, rest)
    return list(range(before, before + len(moving)))


def remove_entries(db: Database, playlist_id: int, positions: Iterable[int]) -> None:
    drop = set(positions)
    with db.transaction():
        ids = playlist_track_ids(db, playlist_id)
        set_playlist_tracks(db, playlist_id, [t for p, t in enumerate(ids) if p not in drop])


def _write_entries(conn, playlist_id: int, track_ids: list[int]) -> None:
    conn.execute("DELETE FROM playlist_entries WHERE playlist_id = ?", (playlist_id,))
    conn.executemany(
        "INSERT INTO playlist_entries (playlist_id, position, track_id) VALUES (?, ?, ?)",
        [(playlist_id, position, track_id) for position, track_id in enumerate(track_ids)],
    )


def _require(db: Database, playlist_id: int) -> None:
    if db.conn.execute("SELECT 1 FROM playlists WHERE id = ?", (playlist_id,)).fetchone() is None:
        raise PlaylistError(
            "That playlist no longer exists", f"playlist {playlist_id} was deleted meanwhile"
        )


def _refuse_taken(db: Database, name: str, playlist_id: int | None) -> None:
    taken = playlist_by_name(db, name)
    if taken is not None and taken.id != playlist_id:
        raise PlaylistError(
            f"There is already a playlist called “{taken.name}”", "Choose another name."
        )
