"""Tracks, library folders and scan problems: their records and their SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from player.store.db import Database, utc_now


@dataclass
class Track:
    """One audio file in the library, with its classical tags (empty strings when unknown)."""

    path: str
    size: int
    mtime_ns: int
    title: str
    item_key: str = ""
    composer: str = ""
    work: str = ""
    movement: str = ""
    movement_number: int | None = None
    movement_count: int | None = None
    performers: str = ""
    conductor: str = ""
    orchestra: str = ""
    album: str = ""
    artist: str = ""
    disc_number: int | None = None
    track_number: int | None = None
    date: str = ""
    genre: str = ""
    duration_s: float = 0.0
    sample_rate: int = 0
    channels: int = 0
    format: str = ""
    replaygain_track_db: float | None = None
    replaygain_album_db: float | None = None
    replaygain_track_peak: float | None = None
    replaygain_album_peak: float | None = None
    missing: bool = False
    id: int | None = None

    @property
    def display_title(self) -> str:
        """The movement name when the work is known, else the title."""
        return self.movement or self.title

    @property
    def performer_line(self) -> str:
        """Performers, conductor and orchestra as one readable line."""
        parts = [self.performers, self.orchestra, self.conductor]
        return " · ".join(p for p in parts if p)


TRACK_COLUMNS = tuple(f.name for f in fields(Track) if f.name != "id")


def _track_from_row(row) -> Track:
    values = {name: row[name] for name in TRACK_COLUMNS}
    values["missing"] = bool(values["missing"])
    return Track(id=row["id"], **values)


def _row(track: Track, scanned_at: str) -> dict[str, object]:
    """A track's columns as statement parameters (``asdict`` deep-copies: slower by half)."""
    row: dict[str, object] = {name: getattr(track, name) for name in TRACK_COLUMNS}
    row["missing"] = int(track.missing)
    row["scanned_at"] = scanned_at
    return row


def upsert_tracks(db: Database, tracks: Iterable[Track]) -> int:
    """Insert new tracks and update changed ones (keyed by path); returns how many were written.

    A re-scanned file keeps its id, so its play history stays attached to it.
    """
    now = utc_now()
    rows = [_row(track, now) for track in tracks]
    if not rows:
        return 0
    columns = list(rows[0])
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    sql = (
        f"INSERT INTO tracks ({', '.join(columns)}, added_at) "
        f"VALUES ({', '.join(':' + c for c in columns)}, '{now}') "
        f"ON CONFLICT (path) DO UPDATE SET {updates}"
    )
    with db.transaction() as conn:
        conn.executemany(sql, rows)
        conn.executemany("DELETE FROM scan_problems WHERE path = ?", [(r["path"],) for r in rows])
    return len(rows)


def all_tracks(db: Database, *, include_missing: bool = False) -> list[Track]:
    """Every track, in library order: composer, work, disc, movement, track number, title."""
    where = "" if include_missing else "WHERE missing = 0"
    rows = db.conn.execute(
        f"SELECT * FROM tracks {where} ORDER BY composer COLLATE NOCASE, work COLLATE NOCASE, "
        "disc_number, movement_number, track_number, title COLLATE NOCASE"
    )
    return [_track_from_row(row) for row in rows]


def track_by_id(db: Database, track_id: int) -> Track | None:
    row = db.conn.execute("SELECT * FROM tracks WHERE id = ?", (track_id,)).fetchone()
    return _track_from_row(row) if row else None


def file_signatures(db: Database) -> dict[str, tuple[int, int]]:
    """``path -> (size, mtime_ns)`` of every known file, tracks and problems alike.

    The scanner compares these with the file system to skip unchanged files.
    """
    signatures = {
        row[0]: (row[1], row[2])
        for row in db.conn.execute("SELECT path, size, mtime_ns FROM tracks WHERE missing = 0")
    }
    for row in db.conn.execute("SELECT path, size, mtime_ns FROM scan_problems"):
        if row[1] is not None:
            signatures[row[0]] = (row[1], row[2])
    return signatures


def mark_missing(db: Database, paths: Iterable[str]) -> int:
    """Flag tracks whose files are gone. They are kept so their plays stay in the history."""
    rows = [(p,) for p in paths]
    with db.transaction() as conn:
        conn.executemany("UPDATE tracks SET missing = 1 WHERE path = ?", rows)
        conn.executemany("DELETE FROM scan_problems WHERE path = ?", rows)
    return len(rows)


def record_problem(
    db: Database, path: str, reason: str, size: int | None, mtime_ns: int | None
) -> None:
    """Remember why a file could not be added; a track already stored for it is left as it was."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO scan_problems (path, reason, size, mtime_ns, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, seen_at = excluded.seen_at",
            (path, reason, size, mtime_ns, utc_now()),
        )


def problems(db: Database) -> list[tuple[str, str]]:
    """``(path, reason)`` of every file the scanner could not use, by path."""
    return [
        (r[0], r[1])
        for r in db.conn.execute("SELECT path, reason FROM scan_problems ORDER BY path")
    ]


def add_library_root(db: Database, path: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO library_roots (path, added_at) VALUES (?, ?)", (path, utc_now())
        )


def library_roots(db: Database) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT path FROM library_roots ORDER BY path")]


def track_count(db: Database) -> int:
    return int(db.conn.execute("SELECT count(*) FROM tracks WHERE missing = 0").fetchone()[0])


def missing_tracks(db: Database) -> list[Track]:
    """Tracks whose files were gone at the last scan; a scan matches moved files against them."""
    rows = db.conn.execute("SELECT * FROM tracks WHERE missing = 1 ORDER BY id")
    return [_track_from_row(row) for row in rows]


def move_track(db: Database, track_id: int, track: Track) -> None:
    """Point the stored track ``track_id`` at its file's new path and tags, keeping its id.

    Used when a scan finds a missing track's recording at another path, so its plays and
    features stay attached to it.
    """
    row = _row(track, utc_now())
    assignments = ", ".join(f"{c} = :{c}" for c in row)
    with db.transaction() as conn:
        conn.execute(
            f"UPDATE tracks SET {assignments} WHERE id = :track_id", {**row, "track_id": track_id}
        )
        conn.execute("DELETE FROM scan_problems WHERE path = ?", (track.path,))
