"""The SQL behind the library views: summaries first, a composer's tracks when opened, pages of
rows by id.

A library of 100,000 tracks is never loaded whole for the window: the tree starts from one
aggregate row per composer (:func:`composer_summary`), the flat table from the ids in library
order (:func:`library_ids`); a composer's tracks (:func:`composer_tracks`) are read when the
listener opens it, and the table reads the rows on screen by id
(:func:`player.store.tracks.tracks_by_ids`). Search texts and sort keys are read as narrow
columns (:func:`search_rows`, :func:`sort_columns`), never as track objects.
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from player.domain.plays import HEARD_MS
from player.store.db import Database, path_to_db
from player.store.tracks import LIBRARY_ORDER, SELECT_TRACKS, Track, tracks_from_rows

if TYPE_CHECKING:
    import numpy as np

PRESENT = "missing = 0"


def library_ids(db: Database) -> np.ndarray:
    """The ids of the present tracks in library order (int64)."""
    return ids_array(plain_library_ids(db))


def plain_library_ids(db: Database) -> array[int]:
    """:func:`library_ids` without numpy (an ``array("q")``: what the window's first screen is
    shown from, before numpy is imported; :func:`ids_array` makes it an int64 array in place).

    Read as one text in one step (``group_concat``): SQLite then works with the GIL released
    throughout, instead of handing it back and forth once per row with a busy GUI thread (at
    start, 100,000 rows read that way waited for the GIL a thread-switch interval each); the
    text is parsed by the json module's C scanner (about three times as fast as ``int`` on each id)."""
    (text,) = db.conn.execute(
        f"SELECT group_concat(id) FROM (SELECT id FROM tracks WHERE {PRESENT} "
        f"ORDER BY {LIBRARY_ORDER})"
    ).fetchone()
    return array("q", json.loads(f"[{text or ''}]"))


def ids_array(ids: array[int]) -> np.ndarray:
    """Ids of :func:`plain_library_ids` as an int64 array sharing their memory (numpy is
    imported here, on first use: by a worker, after the first paint)."""
    import numpy as np

    return np.frombuffer(ids, dtype=np.int64)


_SUMMARY = f"""
WITH RECURSIVE sorts(sort) AS (
    SELECT min(composer_sort) FROM tracks WHERE {PRESENT}
    UNION ALL
    SELECT (SELECT min(composer_sort) FROM tracks WHERE {PRESENT} AND composer_sort > sorts.sort)
    FROM sorts WHERE sort IS NOT NULL
), pairs(sort, key) AS (
    SELECT sort, (SELECT min(composer_key) FROM tracks WHERE {PRESENT} AND composer_sort = sorts.sort)
    FROM sorts WHERE sort IS NOT NULL
    UNION ALL
    SELECT sort, (SELECT min(composer_key) FROM tracks
                  WHERE {PRESENT} AND composer_sort = pairs.sort AND composer_key > pairs.key)
    FROM pairs WHERE key IS NOT NULL
)
SELECT
    (SELECT json_group_array(json_array(composer_key, composer_name, n)) FROM (
        SELECT composer_key, composer_name, count(*) AS n FROM tracks WHERE {PRESENT}
        GROUP BY composer_key, composer_name)),
    (SELECT json_group_object(key, sort) FROM (
        SELECT key, min(sort) AS sort FROM pairs WHERE key IS NOT NULL GROUP BY key)),
    (SELECT json_group_object(composer_key, n) FROM (
        SELECT composer_key, count(DISTINCT work_key) AS n FROM tracks WHERE {PRESENT}
        GROUP BY composer_key))
"""
"""The composers' names with their track counts, each composer key's first ``composer_sort``
(the tree orders composers by it) and its number of works, as three JSON texts in one row.
The first sorts are found by skipping along ``tracks_in_library_order``: one index seek per
distinct sort name and key, not a pass over every track (a GROUP BY read all 100,000 and
sorted them: ~0.1 s at start)."""


def composer_summary(db: Database) -> tuple[list[tuple[str, str, str, int]], dict[str, int]]:
    """The tree's first level from migration 9's indexes alone: ``(composer_key,
    composer_name, composer_sort, tracks)`` for each name a composer's tracks carry, and each
    composer key's number of works (distinct work keys: the identity always gives one).

    One row, as JSON: SQLite works with the GIL released until it is complete. Read row by
    row, the start's early read (:func:`player.library.browse.read_first`, on its own thread
    while the GUI thread builds the window) waited for the GIL once per row, a switch
    interval (5 ms) each time: some 100 rows, half a second with the GUI thread busy."""
    names, sorts, works = db.conn.execute(_SUMMARY).fetchone()
    sort = json.loads(sorts or "{}")
    return [(k, n, sort.get(k, ""), c) for k, n, c in json.loads(names or "[]")], json.loads(
        works or "{}"
    )


def composer_tracks(db: Database, composer_key: str) -> list[Track]:
    """The present tracks of one composer, found through migration 9's ``tracks_by_composer``
    (named: without statistics SQLite would walk the library-order index instead)."""
    cursor = db.conn.execute(
        f"{SELECT_TRACKS} INDEXED BY tracks_by_composer WHERE {PRESENT} AND composer_key = ? "
        f"ORDER BY {LIBRARY_ORDER}",
        (composer_key,),
    )
    cursor.row_factory = None
    return tracks_from_rows(cursor)


TABLE_COLUMNS = (
    "id, composer_name, composer, work_title, movement_number, track_number, movement, title, "
    "recording_performers, year, duration_s"
)
"""What the flat table shows of a track (:func:`table_rows`)."""


def table_rows(db: Database, ids: Sequence[int]) -> list[tuple]:
    """:data:`TABLE_COLUMNS` of the tracks with ``ids`` (any order; ids not stored are left
    out), as plain tuples: a page of the table's cells without a :class:`Track` per row (45
    columns read and a Track made cost ~4 times these 11, on the GUI thread at each cold page).

    The page comes as one JSON value, in one step: ``sqlite3`` lets go of the interpreter at
    every row it steps to, and while a worker thread runs Python the GUI thread waits up to the
    switch interval to get it back, at each row (a page of 64 took up to 300 ms)."""
    (page,) = db.conn.execute(
        f"SELECT json_group_array(json_array({TABLE_COLUMNS})) FROM tracks "
        "WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in ids]),),
    ).fetchone()
    return [tuple(row) for row in json.loads(page)]


def tracks_with_ids(db: Database, ids: Sequence[int]) -> list[Track]:
    """The tracks with ``ids`` (any order; ids not stored are left out): a page of the table,
    read as plain rows (``tracks_by_ids`` builds each through ``sqlite3.Row``, several times
    slower for the 64 rows a page holds)."""
    cursor = db.conn.execute(
        f"{SELECT_TRACKS} WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in ids]),),
    )
    cursor.row_factory = None
    return tracks_from_rows(cursor)


def composer_recording_plays(db: Database, composer_key: str) -> dict[str, int]:
    """Heard plays (finished, or heard ``HEARD_MS``, as ``heard_plays_by_recording`` counts
    them) of each recording of one composer: its works list the most played recording first."""
    rows = db.conn.execute(
        "SELECT t.recording_key, count(*) FROM tracks t INDEXED BY tracks_by_composer "
        "JOIN plays p ON p.track_id = t.id "
        "WHERE t.missing = 0 AND t.composer_key = ? "
        "AND (p.ended_how = 'finished' OR p.ms_heard >= ?) "
        "GROUP BY t.recording_key",
        (composer_key, HEARD_MS),
    )
    return {str(key): int(count) for key, count in rows}


def composer_pitch(
    db: Database, composer_key: str, analysis_version: str
) -> dict[int, tuple[str, float]]:
    """``track_id -> (key, A4 in Hz)`` of one composer's analysed tracks (``''``/0 unknown)."""
    rows = db.conn.execute(
        "SELECT f.track_id, f.key, f.tuning_hz FROM features f JOIN tracks t "
        "INDEXED BY tracks_by_composer ON t.id = f.track_id WHERE t.missing = 0 AND t.composer_key = ? AND f.analysis_version = ? "
        "AND f.status = 'ok'",
        (composer_key, analysis_version),
    )
    return {int(i): (str(k or ""), float(hz or 0.0)) for i, k, hz in rows}


def recording_pitch(
    db: Database, recording_key: str, analysis_version: str
) -> dict[int, tuple[str, float]]:
    """``track_id -> (key, A4 in Hz)`` of one recording's analysed tracks (now playing)."""
    rows = db.conn.execute(
        "SELECT f.track_id, f.key, f.tuning_hz FROM features f JOIN tracks t ON t.id = f.track_id "
        "WHERE t.recording_key = ? AND f.analysis_version = ? AND f.status = 'ok'",
        (recording_key, analysis_version),
    )
    return {int(i): (str(k or ""), float(hz or 0.0)) for i, k, hz in rows}


_WORK_OF = (
    "CASE WHEN work_key != '' THEN work_key WHEN recording_key != '' THEN recording_key "
    "ELSE 'track:' || path END"
)
"""The work a track is grouped under (``player.library.grouping.group_library``'s rule)."""
_RECORDING_OF = "CASE WHEN recording_key != '' THEN recording_key ELSE 'track:' || path END"


SEARCH_COLUMNS = (
    *("id", "composer_key", "composer_name", "composer", "work", "work_title", "work_tag"),
    *("catalogue", "recording", "recording_performers", "year", "album", "movement", "title"),
)
"""What :func:`search_rows` gives per track, in this order (``work``: the work a track is
grouped under, ``recording`` likewise; ``work_tag``: the WORK tag as written)."""


def search_rows(db: Database) -> Iterator[tuple]:
    """Each present track's :data:`SEARCH_COLUMNS` (a cursor, read once, in stored order:
    one pass over the table)."""
    cursor = db.conn.execute(
        f"SELECT id, composer_key, composer_name, composer, {_WORK_OF}, work_title, work, "
        f"catalogue, {_RECORDING_OF}, recording_performers, year, album, movement, title "
        f"FROM tracks WHERE {PRESENT}"
    )
    cursor.row_factory = None
    return iter(cursor)


SORTABLE = (
    *("composer_sort", "work_title", "disc_number", "movement_number", "track_number"),
    *("movement", "title", "recording_performers", "year", "duration_s"),
)


def sort_columns(db: Database, names: Sequence[str]) -> tuple[np.ndarray, list[tuple]]:
    """Ids of the present tracks and, per track, the values of ``names`` (of :data:`SORTABLE`):
    what a table column is ordered by, read as narrow columns."""
    import numpy as np

    unknown = [n for n in names if n not in SORTABLE]
    if unknown:
        raise ValueError(f"cannot sort by {unknown}")
    rows = db.conn.execute(f"SELECT id, {', '.join(names)} FROM tracks WHERE {PRESENT}").fetchall()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)), rows


def tracks_at_paths(db: Database, paths: Iterable[str]) -> list[Track]:
    """The present tracks at ``paths``, in the order given; a folder brings the tracks inside
    it in library order (``continuo FILE_OR_FOLDER... --play``)."""
    found: list[Track] = []
    for path in paths:
        exact = db.conn.execute(
            f"{SELECT_TRACKS} WHERE path = ? AND {PRESENT}", (path_to_db(path),)
        ).fetchall()
        if exact:
            found.extend(tracks_from_rows(exact))
            continue
        ranges, values = _inside(path.rstrip(os.sep) + os.sep)
        rows = db.conn.execute(
            f"{SELECT_TRACKS} WHERE ({ranges}) AND {PRESENT} ORDER BY {LIBRARY_ORDER}", values
        ).fetchall()
        found.extend(tracks_from_rows(rows))
    return found


def _inside(folder: str) -> tuple[str, tuple[str | bytes, ...]]:
    """The condition on ``path`` for "inside ``folder``" (which ends with the separator).

    Paths are stored as text, or as their bytes (a BLOB) when not UTF-8 (``path_to_db``); SQLite
    orders every text before every BLOB, so each form needs its own range. Paths inside the
    folder sort between "folder/" and "folder0" ("0" follows "/").
    """
    raw = os.fsencode(folder)
    values: tuple[str | bytes, ...] = (raw, raw[:-1] + bytes([raw[-1] + 1]))
    if isinstance(path_to_db(folder), str):  # not UTF-8: nothing inside is text
        values += (folder, folder[:-1] + chr(ord(folder[-1]) + 1))
    return " OR ".join(["path >= ? AND path < ?"] * (len(values) // 2)), values
