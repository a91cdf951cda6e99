"""Tracks, library folders and scan problems: their records and their SQL."""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from player.domain.composers import composer_aliases
from player.domain.identity import IDENTITY_VERSION, TrackFields, identify
from player.domain.movements import display_title
from player.domain.recordings import recording_label
from player.domain.works import work_aliases
from player.store.caches import mark_changed
from player.store.db import Database, path_from_db, path_to_db, utc_now


@dataclass(slots=True)
class Track:
    """One audio file in the library, with its classical tags (empty strings when unknown).

    Slotted: a library of 100,000 tracks keeps them all (the views, the controller), and a
    per-instance ``__dict__`` of 45 fields would cost several times the values themselves.
    """

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
    # MusicBrainz ids as tagged (Picard): the work id counts when it names the whole work
    composer_mbid: str = ""
    work_mbid: str = ""
    release_mbid: str = ""
    recording_mbid: str = ""
    # identity (player.domain.identity), computed from the fields above by with_identity()
    composer_key: str = ""
    composer_name: str = ""
    composer_sort: str = ""
    work_key: str = ""
    work_title: str = ""
    catalogue: str = ""
    recording_key: str = ""
    recording_performers: str = ""
    year: int | None = None
    identity_version: int = 0
    id: int | None = None

    @property
    def display_title(self) -> str:
        """The movement name when the work is known, else the title."""
        return display_title(self.movement, self.title)

    @property
    def recording_label(self) -> str:
        """ "Kleiber · Wiener Philharmoniker, 1975": names the recording wherever two could be
        confused (now playing, Queue, History, Up next, Similar)."""
        return recording_label(self.recording_performers, self.year)


def identity_fields(track: Track) -> TrackFields:
    return TrackFields(
        path=track.path,
        title=track.title,
        composer=track.composer,
        artist=track.artist,
        work=track.work,
        movement=track.movement,
        performers=track.performers,
        conductor=track.conductor,
        orchestra=track.orchestra,
        album=track.album,
        date=track.date,
        work_mbid=track.work_mbid,
        release_mbid=track.release_mbid,
    )


def with_identity(track: Track) -> Track:
    """Fill ``track``'s identity fields (in place) from its tags by the current rules."""
    found = identify(identity_fields(track))
    track.composer_key = found.composer.key
    track.composer_name = found.composer.name
    track.composer_sort = found.composer.sort_key
    track.work_key = found.work_key
    track.work_title = found.work.title
    track.catalogue = found.work.catalogue
    track.recording_key = found.recording.key
    track.recording_performers = found.recording.performers
    track.year = found.recording.year
    track.identity_version = IDENTITY_VERSION
    return track


IDENTITY_COLUMNS = (
    *("composer_key", "composer_name", "composer_sort", "work_key", "work_title", "catalogue"),
    *("recording_key", "recording_performers", "year", "identity_version"),
)
"""The columns :func:`with_identity` fills."""
TRACK_COLUMNS = tuple(f.name for f in fields(Track) if f.name != "id")


_SHARED = (
    *("composer", "work", "performers", "conductor", "orchestra", "album", "artist", "date"),
    *("genre", "format", "release_mbid", "composer_mbid", "work_mbid"),
    *("composer_key", "composer_name", "composer_sort", "work_key", "work_title", "catalogue"),
    *("recording_key", "recording_performers"),
)
"""Text columns whose values repeat across a library (a composer's name on thousands of rows)."""
LIBRARY_ORDER = (
    "composer_sort, composer_key, work_key, recording_key, disc_number, movement_number, "
    "track_number, title COLLATE NOCASE"
)
"""The stored library order: a composer's tracks together, each recording's tracks together
in disc and movement order (the flat table's order before a column is chosen); migration 9's
``tracks_in_library_order`` index holds it."""
SELECT_TRACKS = f"SELECT {', '.join(TRACK_COLUMNS)}, id FROM tracks "


def tracks_from_rows(rows: Iterable[Sequence]) -> list[Track]:
    """Tracks from rows of :data:`SELECT_TRACKS`, each repeated text value stored once (SQLite
    hands every cell over as a new string: 20 copies per track of names shared by thousands)."""
    shared: dict[str, str] = {}
    positions = [TRACK_COLUMNS.index(name) for name in _SHARED]
    missing, path = TRACK_COLUMNS.index("missing"), TRACK_COLUMNS.index("path")
    tracks = []
    for row in rows:
        values = list(row)
        for i in positions:
            values[i] = shared.setdefault(values[i], values[i])
        values[missing] = bool(values[missing])
        values[path] = path_from_db(values[path])
        tracks.append(Track(*values))
    return tracks


def _track_from_row(row) -> Track:
    values = {name: row[name] for name in TRACK_COLUMNS}
    values["missing"] = bool(values["missing"])
    values["path"] = path_from_db(values["path"])
    return Track(id=row["id"], **values)


def _row(track: Track, scanned_at: str) -> dict[str, object]:
    """A track's columns as statement parameters (``asdict`` deep-copies: slower by half)."""
    row: dict[str, object] = {name: getattr(track, name) for name in TRACK_COLUMNS}
    row["missing"] = int(track.missing)
    row["path"] = path_to_db(track.path)
    row["scanned_at"] = scanned_at
    return row


_PLAIN_COLUMNS = tuple(c for c in TRACK_COLUMNS if c not in ("path", "missing"))
_plain_values = operator.attrgetter(*_PLAIN_COLUMNS)
"""A track's columns stored as they are, in one C call (44 ``getattr`` cost a scan ~8 us a
track); ``path`` and ``missing`` are converted."""
_UPSERT = (
    f"INSERT INTO tracks (path, missing, {', '.join(_PLAIN_COLUMNS)}, scanned_at, added_at) "
    f"VALUES ({', '.join('?' for _ in TRACK_COLUMNS)}, ?, ?) ON CONFLICT (path) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*TRACK_COLUMNS, "scanned_at"))
)
"""A track's row by path: new ones get ``added_at``, known ones keep theirs."""


def upsert_tracks(db: Database, tracks: Iterable[Track]) -> int:
    """Insert new tracks and update changed ones (keyed by path); returns how many were written.

    A re-scanned file keeps its id, so its play history stays attached to it. A track without
    an identity by the current rules gets one first. Rows are bound by position (a scan writes
    100,000 of them: by name costs a third more).
    """
    now = utc_now()
    rows, paths = [], []
    for track in tracks:
        if track.identity_version != IDENTITY_VERSION:
            with_identity(track)
        path = path_to_db(track.path)
        rows.append((path, int(track.missing), *_plain_values(track), now, now))
        paths.append((path,))
    if not rows:
        return 0
    with db.transaction() as conn:
        conn.executemany(_UPSERT, rows)
        mark_changed(conn, "tracks")
        if conn.execute("SELECT EXISTS (SELECT 1 FROM scan_problems)").fetchone()[0]:
            conn.executemany("DELETE FROM scan_problems WHERE path = ?", paths)
    return len(rows)


def all_tracks(db: Database, *, include_missing: bool = False) -> list[Track]:
    """Every track in :data:`LIBRARY_ORDER`.

    ``player.library.grouping`` puts them in the listener's order; this order only makes the
    result stable.
    """
    where = "" if include_missing else "WHERE missing = 0"
    cursor = db.conn.execute(f"{SELECT_TRACKS} {where} ORDER BY {LIBRARY_ORDER}")
    cursor.row_factory = None  # plain tuples: a third cheaper than sqlite3.Row
    return tracks_from_rows(cursor)


def track_columns(db: Database, names: Sequence[str]) -> dict[str, list]:
    """The columns ``names`` of every playable track in :data:`LIBRARY_ORDER`, one list each.

    For readers that need a few fields of a large library (the recommender's index): 100,000
    :class:`Track` objects of 46 fields cost seconds, a dozen plain columns a fraction of that.
    ``path`` comes back as :func:`~player.store.db.path_from_db` gives it.
    """
    unknown = set(names) - {*TRACK_COLUMNS, "id"}
    if unknown:
        raise ValueError(f"not track columns: {sorted(unknown)}")
    cursor = db.conn.execute(
        f"SELECT {', '.join(names)} FROM tracks WHERE missing = 0 ORDER BY {LIBRARY_ORDER}"
    )
    cursor.row_factory = None
    rows = cursor.fetchall()
    if not rows:
        return {name: [] for name in names}
    columns = {n: list(v) for n, v in zip(names, zip(*rows, strict=True), strict=True)}
    if "path" in columns:
        columns["path"] = [path_from_db(p) for p in columns["path"]]
    return columns


def track_columns_of(db: Database, names: Sequence[str], ids: Sequence[int]) -> dict[str, list]:
    """:func:`track_columns` of the playable tracks among ``ids`` only, in the order of
    ``ids``: what a scan changed, read without reading the library again."""
    unknown = set(names) - {*TRACK_COLUMNS, "id"}
    if unknown:
        raise ValueError(f"not track columns: {sorted(unknown)}")
    cursor = db.conn.execute(
        f"SELECT id, {', '.join(names)} FROM tracks WHERE missing = 0 "
        "AND id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in ids]),),
    )
    cursor.row_factory = None
    found = {row[0]: row[1:] for row in cursor}
    rows = [found[i] for i in ids if i in found]
    columns = {n: [r[k] for r in rows] for k, n in enumerate(names)}
    if "path" in columns:
        columns["path"] = [path_from_db(p) for p in columns["path"]]
    return columns


def track_ids_in_order(db: Database) -> list[int]:
    """Every playable track's id in :data:`LIBRARY_ORDER` (from its index alone)."""
    cursor = db.conn.execute(f"SELECT id FROM tracks WHERE missing = 0 ORDER BY {LIBRARY_ORDER}")
    cursor.row_factory = None
    return [row[0] for row in cursor]


def track_ids_of_paths(db: Database, paths: Iterable[str]) -> list[int]:
    """The ids of the stored tracks (playable or missing) at these paths."""
    wanted = [path_to_db(p) for p in paths]
    ids: list[int] = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        cursor = db.conn.execute(
            f"SELECT id FROM tracks WHERE path IN ({', '.join('?' * len(chunk))})", chunk
        )
        ids.extend(row[0] for row in cursor)
    return ids


_IDS_PER_QUERY = 500
"""Values bound per ``IN (…)`` (well under SQLite's limit on variables)."""


def track_by_id(db: Database, track_id: int) -> Track | None:
    row = db.conn.execute("SELECT * FROM tracks WHERE id = ?", (track_id,)).fetchone()
    return _track_from_row(row) if row else None


def file_signatures(db: Database) -> dict[str, tuple[int, int]]:
    """``path -> (size, mtime_ns)`` of every known file, tracks and problems alike.

    The scanner compares these with the file system to skip unchanged files.
    """
    rows = db.conn.execute("SELECT path, size, mtime_ns FROM tracks WHERE missing = 0")
    rows.row_factory = None
    signatures = {  # paths are text but for names that are not UTF-8 (path_from_db), inline
        (path if path.__class__ is str else path_from_db(path)): (size, mtime)
        for path, size, mtime in rows
    }
    for row in db.conn.execute("SELECT path, size, mtime_ns FROM scan_problems"):
        if row[1] is not None:
            signatures[path_from_db(row[0])] = (row[1], row[2])
    return signatures


def mark_missing(db: Database, paths: Iterable[str]) -> int:
    """Flag tracks whose files are gone. They are kept so their plays stay in the history."""
    rows = [(path_to_db(p),) for p in paths]
    if not rows:  # every scan asks: the caches of the tracks stay valid
        return 0
    with db.transaction() as conn:
        conn.executemany("UPDATE tracks SET missing = 1 WHERE path = ?", rows)
        mark_changed(conn, "tracks")
        conn.executemany("DELETE FROM scan_problems WHERE path = ?", rows)
    return len(rows)


def record_problem(
    db: Database, path: str, reason: str, size: int | None, mtime_ns: int | None
) -> None:
    """Remember why a file could not be added; a track already stored for it is left as it was."""
    record_problems(db, [(path, reason, size, mtime_ns)])


def record_problems(db: Database, found: Iterable[tuple[str, str, int | None, int | None]]) -> None:
    """:func:`record_problem` for many ``(path, reason, size, mtime_ns)`` in one transaction."""
    now = utc_now()
    rows = [(path_to_db(path), reason, size, mtime, now) for path, reason, size, mtime in found]
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO scan_problems (path, reason, size, mtime_ns, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, seen_at = excluded.seen_at",
            rows,
        )


def problems(db: Database) -> list[tuple[str, str]]:
    """``(path, reason)`` of every file the scanner could not use, by path."""
    return [
        (path_from_db(r[0]), r[1])
        for r in db.conn.execute("SELECT path, reason FROM scan_problems ORDER BY path")
    ]


def add_library_root(db: Database, path: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO library_roots (path, added_at) VALUES (?, ?)",
            (path_to_db(path), utc_now()),
        )


def library_roots(db: Database) -> list[str]:
    rows = db.conn.execute("SELECT path FROM library_roots ORDER BY path")
    return [path_from_db(r[0]) for r in rows]


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
    if track.identity_version != IDENTITY_VERSION:
        with_identity(track)
    row = _row(track, utc_now())
    assignments = ", ".join(f"{c} = :{c}" for c in row)
    with db.transaction() as conn:
        conn.execute(
            f"UPDATE tracks SET {assignments} WHERE id = :track_id", {**row, "track_id": track_id}
        )
        conn.execute("DELETE FROM scan_problems WHERE path = ?", (row["path"],))
        mark_changed(conn, "tracks")


def refresh_identities(db: Database) -> int:
    """Recompute the identity of every track stored under older rules (``IDENTITY_VERSION``)
    from its stored tags: a rule change never needs the files read again. Returns how many."""
    with db.transaction() as conn:
        refreshed = recompute_identities(conn)
        if refreshed:  # every scan asks: when none was, the caches of the tracks stay valid
            mark_changed(conn, "tracks")
        return refreshed


def merge_identities(db: Database) -> int:
    """Library-wide identity rules, run after a scan (one track cannot decide them): composers
    one MusicBrainz composer id names become one (``composers.composer_aliases``), and tracks
    whose work is known by title only get the key of the same work known by its catalogue
    number (``works.work_aliases``); work and recording keys follow. Returns tracks moved."""
    with db.transaction() as conn:
        mark_changed(conn, "tracks")
        return _merge_identities(conn)


def _merge_identities(conn: sqlite3.Connection) -> int:
    moved = _merge_composer_ids(conn)
    works = conn.execute(
        "SELECT composer_key, work_key, max(work_title) FROM tracks GROUP BY work_key"
    ).fetchall()
    for old, new in work_aliases((str(c), str(k), str(t)) for c, k, t in works).items():
        moved += conn.execute(
            "UPDATE tracks SET work_key = :new, "
            "recording_key = :new || substr(recording_key, :rest) WHERE work_key = :old",
            {"new": new, "old": old, "rest": len(old) + 1},
        ).rowcount
    return moved


def _merge_composer_ids(conn: sqlite3.Connection) -> int:
    tagged = conn.execute(
        "SELECT composer_mbid, composer_key, max(composer_name), count(*) FROM tracks "
        "WHERE composer_mbid != '' GROUP BY composer_mbid, composer_key"
    ).fetchall()
    moved = 0
    rows = ((str(m), str(k), str(name), int(n)) for m, k, name, n in tagged)
    for old, new in composer_aliases(rows).items():
        name, sort = conn.execute(
            "SELECT composer_name, composer_sort FROM tracks WHERE composer_key = ? LIMIT 1", (new,)
        ).fetchone()
        moved += conn.execute(
            "UPDATE tracks SET composer_key = :new, composer_name = :name, composer_sort = :sort, "
            "work_key = :new || substr(work_key, :rest), "
            "recording_key = :new || substr(recording_key, :rest) WHERE composer_key = :old",
            {"new": new, "old": old, "name": name, "sort": sort, "rest": len(old) + 1},
        ).rowcount
    return moved


def recompute_identities(conn: sqlite3.Connection) -> int:
    """:func:`refresh_identities` inside the caller's transaction (also used by migration 4)."""
    rows = conn.execute(  # not "!=", which reads the whole table at every scan's start
        "SELECT * FROM tracks WHERE identity_version < ? OR identity_version > ?",
        (IDENTITY_VERSION, IDENTITY_VERSION),
    ).fetchall()
    names = IDENTITY_COLUMNS
    sql = f"UPDATE tracks SET {', '.join(f'{n} = :{n}' for n in names)} WHERE id = :id"
    updates = []
    for row in rows:
        track = with_identity(_track_from_row(row))
        updates.append({n: getattr(track, n) for n in (*names, "id")})
    conn.executemany(sql, updates)
    if rows:
        _merge_identities(conn)
    return len(rows)


def tracks_by_ids(db: Database, track_ids: Iterable[int]) -> list[Track]:
    """The tracks with ``track_ids``, in that order (repeats repeated, unknown ids left out)."""
    ids = [int(i) for i in track_ids]
    rows = db.conn.execute(
        "SELECT * FROM tracks WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
    )
    found = {row["id"]: _track_from_row(row) for row in rows}
    return [found[i] for i in ids if i in found]


def track_ids_by_path(db: Database, paths: Iterable[str]) -> dict[str, int]:
    """``path -> track id`` for the given paths that are playable tracks (others are left out)."""
    found = {}
    for path in paths:
        row = db.conn.execute(
            "SELECT id FROM tracks WHERE path = ? AND missing = 0", (path,)
        ).fetchone()
        if row is not None:
            found[path] = int(row[0])
    return found
