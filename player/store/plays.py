"""The play log: one row per play, written when it starts and updated while it runs.

``ended_how`` stays NULL while a play runs; a play left open by a crash is closed as
``interrupted`` the next time the profile is opened, keeping the listening time last saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from player.domain.plays import ENDINGS, HEARD_MS, STARTERS
from player.domain.recordings import recording_label
from player.store.db import Database, path_from_db, utc_now
from player.store.sessions import SESSION_GAP, iter_sessions

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Play:
    """A play joined with the track it played, as the history shows it."""

    id: int
    track_id: int
    started_at: datetime
    ms_heard: int
    ended_how: str | None
    started_by: str
    composer: str
    work: str
    title: str
    recording: str = ""  # performers and year, naming the recording ("Kleiber · VPO, 1975")
    path: str = ""

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.ms_heard)


def start_play(db: Database, track_id: int, started_by: str, started_at: str | None = None) -> int:
    """Record that ``track_id`` started playing; returns the play's id."""
    if started_by not in STARTERS:
        raise ValueError(f"started_by must be one of {STARTERS}, not {started_by!r}")
    now = utc_now()
    with db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO plays (track_id, started_at, ms_heard, started_by, updated_at) "
            "VALUES (?, ?, 0, ?, ?)",
            (track_id, started_at or now, started_by, now),
        )
    return int(cursor.lastrowid or 0)


def update_play(db: Database, play_id: int, ms_heard: int) -> None:
    """Save how long a running play has been heard so far (called every few seconds)."""
    with db.transaction() as conn:
        conn.execute(
            "UPDATE plays SET ms_heard = ?, updated_at = ? WHERE id = ? AND ended_how IS NULL",
            (int(ms_heard), utc_now(), play_id),
        )


def end_play(db: Database, play_id: int, ms_heard: int, ended_how: str) -> None:
    if ended_how not in ENDINGS:
        raise ValueError(f"ended_how must be one of {ENDINGS}, not {ended_how!r}")
    with db.transaction() as conn:
        conn.execute(
            "UPDATE plays SET ms_heard = ?, ended_how = ?, updated_at = ? WHERE id = ?",
            (int(ms_heard), ended_how, utc_now(), play_id),
        )


def close_interrupted_plays(db: Database) -> int:
    """Mark plays that were still open (the app died) as ``interrupted``; returns how many."""
    with db.transaction() as conn:
        cursor = conn.execute(
            "UPDATE plays SET ended_how = 'interrupted', updated_at = ? WHERE ended_how IS NULL",
            (utc_now(),),
        )
    return cursor.rowcount


def log_plays(db: Database, plays: Iterable[tuple[int, str, int, str, str]]) -> int:
    """Write ended plays in one transaction: ``(track_id, started_at, ms_heard, ended_how,
    started_by)`` each (an imported history, the demo's); returns how many."""
    now = utc_now()
    rows = [(*play, now) for play in plays]
    for _, _, _, ended_how, started_by, _ in rows:
        if ended_how not in ENDINGS or started_by not in STARTERS:
            raise ValueError(f"not a play's ending and starter: {ended_how!r}, {started_by!r}")
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO plays (track_id, started_at, ms_heard, ended_how, started_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def has_plays(db: Database) -> bool:
    return db.conn.execute("SELECT EXISTS (SELECT 1 FROM plays)").fetchone()[0] == 1


_PLAY_SELECT = (
    "SELECT p.id, p.track_id, p.started_at, p.ms_heard, p.ended_how, p.started_by, t.composer, "
    "t.work, CASE WHEN t.movement != '' THEN t.movement ELSE t.title END AS title, t.path, "
    "t.recording_performers, t.year FROM plays p JOIN tracks t ON t.id = p.track_id "
)


def _play_from_row(r) -> Play:
    return Play(
        id=r[0],
        track_id=r[1],
        started_at=datetime.fromisoformat(r[2]),
        ms_heard=r[3],
        ended_how=r[4],
        started_by=r[5],
        composer=r[6],
        work=r[7],
        title=r[8],
        recording=recording_label(r[10], r[11]),
        path=path_from_db(r[9]),
    )


def iter_plays(db: Database) -> Iterator[Play]:
    """Every play in the order it started, with its track's composer, work, title and path,
    read as it is consumed (constant memory for a log of any length)."""
    cursor = db.conn.execute(_PLAY_SELECT + "ORDER BY p.started_at, p.id")
    while rows := cursor.fetchmany(1024):
        yield from map(_play_from_row, rows)


def all_plays(db: Database) -> list[Play]:
    """Every play in the order it started, with its track's composer, work and title."""
    return list(iter_plays(db))


def _cut(plays: Iterable[Play], gap: timedelta) -> Iterator[list[Play]]:
    """The shared session rule, the gap measured from the end of a play."""
    return iter_sessions(
        plays,
        time_of=lambda p: p.started_at,
        end_of=lambda p: p.ended_at,
        item_of=lambda p: p.track_id,
        gap=gap,
    )


def iter_listening_sessions(db: Database, gap: timedelta = SESSION_GAP) -> Iterator[list[Play]]:
    """The play log cut into sessions, oldest first, read as it is consumed."""
    return _cut(iter_plays(db), gap)


def listening_sessions(db: Database, gap: timedelta = SESSION_GAP) -> list[list[Play]]:
    """The play log cut into sessions by the shared rule (gap measured from the end of a play)."""
    return list(iter_listening_sessions(db, gap))


def recent_sessions(
    db: Database, max_plays: int, gap: timedelta = SESSION_GAP
) -> tuple[list[list[Play]], int]:
    """The newest whole sessions holding at most about ``max_plays`` plays, oldest first, and how
    many older plays the log holds (the History view shows these; ``continuo history`` all).

    Reads the newest ``max_plays`` plays through the start-time index; the oldest session among
    them may have begun earlier, so it is left out when older plays exist (unless it is the only
    one: a single session longer than ``max_plays`` is shown cut, rather than nothing).
    """
    total = int(db.conn.execute("SELECT count(*) FROM plays").fetchone()[0])
    rows = db.conn.execute(
        _PLAY_SELECT + "ORDER BY p.started_at DESC, p.id DESC LIMIT ?", (max_plays,)
    ).fetchall()
    plays = [_play_from_row(r) for r in reversed(rows)]
    sessions = list(_cut(plays, gap))
    shown = len(plays)
    if total > shown and len(sessions) > 1:
        shown -= plays.index(sessions[1][0])
        sessions = sessions[1:]
    return sessions, total - shown


@dataclass(frozen=True)
class PlayColumns:
    """Plays as arrays, in start order (what the recommender's history reads:
    :meth:`player.store.play_log.PlayLog.columns`).

    ``id`` is each play's row in the log; ``start_ms``/``end_ms`` are milliseconds since 1970
    (UTC); ``finished`` says a play ended ``finished``. Each array has shape (N,).
    """

    track_id: np.ndarray
    start_ms: np.ndarray
    end_ms: np.ndarray
    ms_heard: np.ndarray
    finished: np.ndarray
    id: np.ndarray


_START_MS = "CAST(round((julianday(started_at) - 2440587.5) * 86400000) AS INTEGER)"
"""A play's start in milliseconds since 1970 (UTC), in SQL."""


LOG_CHUNK = 1 << 16
"""Play ids read per statement by :func:`log_columns`: a column's text for so many plays is
half a megabyte, parsed into as much (buffers that the heap reuses chunk after chunk), where one
statement over a decade of plays held ~45 MB of texts in SQLite and as many again in Python."""


def log_columns(
    db: Database,
    columns: Sequence[tuple[str, np.dtype | type]],
    *,
    ids: Sequence[int] | None = None,
    since_id: int | None = None,
) -> list[np.ndarray]:
    """Integer SQL expressions over every play (or only the plays ``ids``, or those from id
    ``since_id`` on), each ``(expression, dtype)`` as an (N,) array of that type, in start
    order (ties by id), then the plays' ids and their starts in milliseconds since 1970 (int64)
    as the last two arrays.

    The rows are counted and each column made once at its full size; the table is then read in
    its stored order, :data:`LOG_CHUNK` ids at a time (a range of the rowid: no index, no random
    reads), each column handed over as one string that numpy parses in C into its place; then
    put in start order, a column at a time. Through the start-time index a million plays cost a
    random read each, a million Python row tuples seconds; in one statement the texts of every
    column at once were twice the arrays. A few ``ids`` (the plays just written) are looked up
    by their row. All in one read transaction, so the count holds for the reads.
    """
    import numpy as np

    wanted = [*columns, ("id", np.int64), (_START_MS, np.int64)]
    selected = ", ".join(f"group_concat({expression})" for expression, _ in wanted)
    with db.snapshot() as conn:
        spans: list[tuple[str, object]]
        if ids is not None:
            wanted_ids = json.dumps([int(i) for i in ids])
            spans = [("id IN (SELECT value FROM json_each(:lo))", wanted_ids)]
            count = len(ids)  # at most: an id may have no play
        else:
            first = int(since_id or 0)
            where = "" if since_id is None else "WHERE id >= :first"  # (none: the count's index)
            count, last = conn.execute(
                f"SELECT count(*), max(id) FROM plays {where}", {"first": first}
            ).fetchone()
            spans = [
                ("id >= :lo AND id < :lo + :n", lo)
                for lo in range(first, int(last or -1) + 1, LOG_CHUNK)
            ]
        arrays = [np.empty(count, dtype) for _, dtype in wanted]
        filled = 0
        for where, lo in spans:
            cursor = conn.execute(
                f"SELECT {selected} FROM plays WHERE {where}", {"lo": lo, "n": LOG_CHUNK}
            )
            texts = list(cursor.fetchone())
            cursor.close()  # SQLite's own copy of the texts goes now
            if texts[0] is None:
                continue
            n = texts[0].count(",") + 1
            for i, array in enumerate(arrays):
                array[filled : filled + n] = np.fromstring(texts[i], sep=",", dtype=np.int64)
                texts[i] = ""
            filled += n
    arrays = [array[:filled] for array in arrays]  # (the list alone holds them: see below)
    return _in_start_order(arrays)


def _in_start_order(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """``arrays`` (the plays' ids and starts last) ordered by start, ties by id (usually they
    are already): reordered in place in the list, one column's copy at a time (each old column
    is let go as its copy takes its place, when the list is all that holds it)."""
    import numpy as np

    ids, starts = arrays[-2], arrays[-1]
    later, same = starts[1:] > starts[:-1], starts[1:] == starts[:-1]
    if np.all(later | (same & (ids[1:] > ids[:-1]))):
        return arrays
    order = np.lexsort((ids, starts))
    for i, column in enumerate(arrays):
        arrays[i] = column[order]  # one column's copy at a time
    return arrays


def heard_plays_by_recording(db: Database) -> dict[str, int]:
    """Heard plays (finished, or heard ``HEARD_MS``) of each recording key: the library shows
    the most played recording of a work first.

    The log is read in its stored order (``NOT INDEXED``) and counted per track first: through
    the track index a million plays cost a random read each, several times slower.
    """
    rows = db.conn.execute(
        "SELECT t.recording_key, p.n FROM (SELECT track_id, count(*) AS n FROM plays NOT INDEXED "
        "  WHERE ended_how = 'finished' OR ms_heard >= ? GROUP BY track_id) p "
        "JOIN tracks t ON t.id = p.track_id",
        (HEARD_MS,),
    )
    counts: dict[str, int] = {}
    for key, count in rows:
        counts[str(key)] = counts.get(str(key), 0) + int(count)
    return counts
