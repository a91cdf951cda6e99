"""Which cached picture each track has (migration 5's ``track_art``) and its SQL.

A row holds the signatures the lookup saw (the track file's size and mtime, its folder's mtime)
and the picture's file name in ``PROFILE/art`` (``""``: none was found). It stays valid while the
signatures match; :mod:`player.library.art_cache` decides that and fills it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from player.store.db import Database, database_error


@dataclass(frozen=True)
class ArtRecord:
    size: int
    mtime_ns: int
    folder_mtime_ns: int
    file: str
    """The picture's file name in the art folder; ``""`` when the track had none."""


def art_record(db: Database, track_id: int) -> ArtRecord | None:
    row = db.conn.execute(
        "SELECT size, mtime_ns, folder_mtime_ns, file FROM track_art WHERE track_id = ?",
        (track_id,),
    ).fetchone()
    return ArtRecord(*row) if row else None


def record_art(db: Database, track_id: int, record: ArtRecord) -> None:
    """Remember ``record`` for the track; raises :class:`DatabaseError` when it cannot be written
    (a read-only or full profile)."""
    if db.read_only:
        raise database_error(db.path, sqlite3.OperationalError("opened read-only"), doing="write")
    try:
        _write(db, track_id, record)
    except sqlite3.Error as exc:
        raise database_error(db.path, exc, doing="write") from exc


def _write(db: Database, track_id: int, record: ArtRecord) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO track_art (track_id, size, mtime_ns, folder_mtime_ns, file) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (track_id) DO UPDATE SET size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, folder_mtime_ns = excluded.folder_mtime_ns, "
            "file = excluded.file",
            (track_id, record.size, record.mtime_ns, record.folder_mtime_ns, record.file),
        )
