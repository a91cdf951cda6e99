"""The whole play log as arrays, kept in a cache file so that a start reads only what is new.

A decade of listening is a million plays: read from SQLite as columns it costs about a second of
CPU, which the recommender (its history) and Insights would both pay at every start. The cache
``PROFILE/cache/plays.npz`` holds the log as it was, stamped with the plays' change mark
(:mod:`player.store.caches`); a read takes from it the plays below the first one updated or
deleted since (a running play's updates, a crash's plays closed) and reads those and every
newer play from the table by id. The file is written again when it lags by
:data:`REWRITE_AFTER` plays, and made afresh when it is missing, damaged, from another
database, or does not add up to the table's count (``tests/store/test_play_log.py``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from player.domain.plays import ENDINGS, HEARD_MS, STARTERS
from player.store import caches
from player.store.db import Database
from player.store.plays import PlayColumns, log_columns

log = logging.getLogger(__name__)

FILE = "plays.npz"
FORMAT = 1
"""The arrays' layout; a file of another format is made again."""
ARRAYS = {
    "id": np.int64,
    "track_id": np.int64,
    "start_ms": np.int64,
    "ms_heard": np.int64,
    "ended": np.int8,
    "started": np.int8,
}
"""The arrays and their types (a million plays in 34 MB)."""
REWRITE_AFTER = 2_000
"""Plays read from the table past the cache (new, or changed since) before it is written again."""
RUNNING = -1
"""``ended`` of a play still running (``ended_how`` NULL)."""


def _code(column: str, words: tuple[str, ...], other: int) -> str:
    """SQL giving the index of ``column``'s value in ``words`` (``other`` for none of them)."""
    cases = " ".join(f"WHEN '{word}' THEN {i}" for i, word in enumerate(words))
    return f"coalesce(CASE {column} {cases} END, {other})"


_ENDED = _code("ended_how", ENDINGS, RUNNING)
_STARTED = _code("started_by", STARTERS, -1)


@dataclass(frozen=True)
class PlayLog:
    """Every play as (N,) integer arrays (:data:`ARRAYS`), in start order (ties by id).

    ``ended`` indexes :data:`~player.domain.plays.ENDINGS` (:data:`RUNNING` while a play
    runs), ``started`` :data:`~player.domain.plays.STARTERS`; ``start_ms`` counts milliseconds
    since 1970 (UTC). ``version`` is :func:`log_version` as it was when read.
    """

    id: np.ndarray
    track_id: np.ndarray
    start_ms: np.ndarray
    ms_heard: np.ndarray
    ended: np.ndarray
    started: np.ndarray
    version: tuple = ()

    def __len__(self) -> int:
        return len(self.id)

    def columns(self) -> PlayColumns:
        """What the recommender's history reads."""
        finished = self.ended == ENDINGS.index("finished")
        return PlayColumns(
            self.track_id, self.start_ms, self.start_ms + self.ms_heard, self.ms_heard,
            finished, self.id,
        )  # fmt: skip

    def heard(self) -> np.ndarray:
        """(N,) bool: finished, or heard :data:`~player.domain.plays.HEARD_MS`."""
        return (self.ended == ENDINGS.index("finished")) | (self.ms_heard >= HEARD_MS)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in ARRAYS}

    @classmethod
    def of(cls, arrays: dict[str, np.ndarray]) -> PlayLog:
        """The plays ``arrays`` hold (:data:`ARRAYS` by name)."""
        return cls(
            arrays["id"], arrays["track_id"], arrays["start_ms"], arrays["ms_heard"],
            arrays["ended"], arrays["started"],
        )  # fmt: skip


def read_play_log(db: Database) -> PlayLog:
    """Every play, from the cache where it still holds and the table for the rest.

    Memory: what a read holds beyond the log it returns is bounded by a column (8 MB at a
    million plays) and a chunk of the table's text (:data:`~player.store.plays.LOG_CHUNK`),
    whether it reads the whole table or sorts newer plays in among the cached ones: a start
    after an import or with an out-of-date cache peaked ~110 MB above the log's 34 MB.
    """
    with db.snapshot():
        mark = caches.read_mark(db, "plays")
        size = caches.table_size(db, "plays")
        whole, read = _with_newer(db, mark, size[0]) if mark is not None else (None, 0)
        made = whole is None
        if whole is None:
            whole = _read(db, None)
            read = len(whole)
    if mark is not None and not db.read_only and (read >= REWRITE_AFTER or made and read):
        _store(db, mark, whole)
    return replace(whole, version=_version(mark, size))


def log_version(db: Database) -> tuple:
    """What changes whenever a play is added, updated or removed (a few milliseconds: the
    plays' change mark, their count and newest id)."""
    with db.snapshot():
        return _version(caches.read_mark(db, "plays"), caches.table_size(db, "plays"))


def _version(mark: caches.Mark | None, size: tuple[int, int]) -> tuple:
    return ((mark.generation, mark.changes) if mark else (), size)


def _stamp(mark: caches.Mark, epoch: int) -> dict:
    return caches.stamp_of(mark, fmt=FORMAT, epoch=epoch)


def _with_newer(db: Database, mark: caches.Mark, count: int) -> tuple[PlayLog | None, int]:
    """The cached plays joined with those read past them, and how many were read; (None, 0)
    when the cache does not hold or the two do not add up to the table's ``count`` (then the
    cached arrays are let go before the caller reads the whole table)."""
    kept = _cached(db, mark)
    if kept is None:
        return None, 0
    arrays, since = kept
    newer = _read(db, since)
    if len(arrays["id"]) + len(newer) != count:  # rows lost or added without a trigger
        log.warning("cache %s does not match the play log and is made again", FILE)
        return None, 0
    return _joined(arrays, newer), len(newer)


def _cached(db: Database, mark: caches.Mark) -> tuple[dict[str, np.ndarray], int] | None:
    """The cached plays still as the table holds them (:data:`ARRAYS` by name), and the id from
    which to read the rest."""
    arrays = caches.load(caches.cache_dir(db) / FILE, _stamp(mark, mark.epoch))
    if arrays is None:
        return None
    n = len(arrays.get("id", ()))
    if sorted(arrays) != sorted(ARRAYS) or any(
        arrays[k].shape != (n,) or arrays[k].dtype != kind for k, kind in ARRAYS.items()
    ):
        log.warning("cache %s has other arrays than expected and is made again", FILE)
        return None
    since = int(arrays["id"].max()) + 1 if n else 0
    if mark.low is not None:
        since = min(since, int(mark.low))
    below = arrays["id"] < since
    if not below.all():  # (else no copy of a million plays)
        for name in ARRAYS:
            arrays[name] = arrays[name][below]
    return arrays, since


def plays_by_id(db: Database, ids: Sequence[int]) -> PlayLog:
    """The plays ``ids`` as the table holds them now (the rows the play log just wrote)."""
    return _read(db, ids=ids)


def _read(db: Database, since: int | None = None, *, ids: Sequence[int] | None = None) -> PlayLog:
    """The plays ``ids``, else those with ids from ``since`` (all for None), in start order."""
    track_id, ms_heard, ended, started, play_ids, start_ms = log_columns(
        db,
        [
            ("track_id", ARRAYS["track_id"]),
            ("ms_heard", ARRAYS["ms_heard"]),
            (_ENDED, ARRAYS["ended"]),
            (_STARTED, ARRAYS["started"]),
        ],
        ids=ids,
        since_id=since,
    )
    return PlayLog(play_ids, track_id, start_ms, ms_heard, ended, started)


def _joined(arrays: dict[str, np.ndarray], newer: PlayLog) -> PlayLog:
    """The cached ``arrays`` (emptied: each column let go once joined) and ``newer``, in start
    order, ties by id. New plays usually just follow; imported ones fall among the others:
    each is put in its place, a column at a time, with no sort of (and no order for) the lot."""
    if not len(newer):
        return PlayLog.of(arrays)
    # newer's ids are all above the cached ones: after those that start at the same moment
    at = np.searchsorted(arrays["start_ms"], newer.start_ms, side="right")
    return PlayLog.of({k: np.insert(arrays.pop(k), at, getattr(newer, k)) for k in ARRAYS})


def _store(db: Database, mark: caches.Mark, plays: PlayLog) -> None:
    """Write ``plays`` (read at ``mark``) as the cache of the next epoch, unless a write to the
    log came between (the next read tries again)."""
    path = caches.cache_dir(db) / FILE
    partial = caches.write(path, _stamp(mark, mark.epoch + 1), plays.arrays())
    if partial is None:
        return
    try:
        with caches.new_epoch(db, "plays", mark) as epoch:
            if epoch is not None:
                caches.put_in_place(partial, path)
    except (sqlite3.Error, OSError) as exc:  # busy, read-only: the log was read all the same
        log.warning("cache %s not put in place: %s", FILE, exc)
    finally:
        caches.discard(partial)
