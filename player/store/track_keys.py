"""Every track's composer and work as integer codes, kept in a cache file.

Insights groups a decade of plays by composer and work. Reading the identities and names of the
tracks heard (a hundred thousand rows as Python tuples) and numbering them cost about 0.6 s of
CPU at every opening, most of Insights' own work. ``PROFILE/cache/track-keys.npz`` holds them
for every track, stamped with the tracks' change mark, count and newest id
(:mod:`player.store.caches`): a stamp that differs, a damaged file or arrays that do not add up
mean reading the table again (and writing the file, unless the profile is read-only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from player.store import caches
from player.store.db import Database

log = logging.getLogger(__name__)

FILE = "track-keys.npz"
FORMAT = 1
"""The arrays' layout; a file of another format is made again."""
COLUMNS = ("composer_key", "composer_name", "work_key", "work_title")
"""The tracks' columns coded, each into a table of its distinct texts."""
SEPARATOR = "\x00"
"""Between the texts of one table in the file."""


@dataclass(frozen=True)
class TrackKeys:
    """``ids`` (T,) ascending; for each name in :data:`COLUMNS`, ``codes[name]`` (T,) indexes
    ``texts[name]``, the column's distinct values."""

    ids: np.ndarray
    codes: dict[str, np.ndarray]
    texts: dict[str, list[str]]

    def rows_of(self, track_ids: np.ndarray) -> np.ndarray:
        """The row of each of ``track_ids``; -1 for an id no track has."""
        rows = np.searchsorted(self.ids, track_ids)
        inside = rows < len(self.ids)
        found = np.zeros(len(rows), bool)
        found[inside] = self.ids[rows[inside]] == track_ids[inside]
        return np.where(found, rows, -1)


def track_keys(db: Database) -> TrackKeys:
    """Every track's :data:`COLUMNS`, from the cache file while it holds, else the table."""
    with db.snapshot():
        stamp = _stamp(db)
        path = caches.cache_dir(db) / FILE
        arrays = caches.load(path, stamp) if stamp is not None else None
        keys = _keys(arrays) if arrays is not None else None
        if keys is not None:
            return keys
        keys = _read(db)
    if stamp is not None and not db.read_only:
        arrays = _arrays(keys)
        if arrays is not None:
            caches.save(path, stamp, arrays)
    return keys


def _stamp(db: Database) -> dict | None:
    mark = caches.read_mark(db, "tracks")
    if mark is None:
        return None
    size = list(caches.table_size(db, "tracks"))
    return caches.stamp_of(mark, fmt=FORMAT, changes=mark.changes, size=size)


def _read(db: Database) -> TrackKeys:
    cursor = db.conn.execute(f"SELECT id, {', '.join(COLUMNS)} FROM tracks ORDER BY id")
    cursor.row_factory = None  # plain tuples: a third cheaper than sqlite3.Row
    rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(COLUMNS) + 1)]
    ids = np.fromiter(columns[0], np.int64, len(rows))
    codes, texts = {}, {}
    for name, values in zip(COLUMNS, columns[1:], strict=True):
        texts[name], codes[name] = _coded(values)
    return TrackKeys(ids, codes, texts)


def _coded(values: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """The distinct values in order of first appearance, and each value's index in them."""
    index: dict[str, int] = {}
    for value in values:
        index.setdefault(value, len(index))
    return list(index), np.fromiter(map(index.__getitem__, values), np.int64, len(values))


def _arrays(keys: TrackKeys) -> dict[str, np.ndarray] | None:
    """What the file holds; None when a text holds the separator (not cached: said in the log)."""
    arrays = {"ids": keys.ids}
    for name in COLUMNS:
        joined = SEPARATOR.join(keys.texts[name])
        if joined.count(SEPARATOR) != max(len(keys.texts[name]) - 1, 0):
            log.info("%s not cached: a tag holds a NUL character", FILE)
            return None
        arrays[f"{name}_codes"] = keys.codes[name]
        arrays[f"{name}_texts"] = np.frombuffer(joined.encode("utf-8"), np.uint8)
    return arrays


def _keys(arrays: dict[str, np.ndarray]) -> TrackKeys | None:
    """The keys the arrays hold, or None (said in the log) when they do not add up."""
    expected = {"ids", *(f"{n}_{part}" for n in COLUMNS for part in ("codes", "texts"))}
    ids = arrays.get("ids")
    if set(arrays) != expected or ids is None or ids.dtype != np.int64 or ids.ndim != 1:
        log.warning("cache %s has other arrays than expected and is made again", FILE)
        return None
    codes, texts = {}, {}
    for name in COLUMNS:
        code, text = arrays[f"{name}_codes"], arrays[f"{name}_texts"]
        try:
            table = text.tobytes().decode("utf-8").split(SEPARATOR) if len(ids) else []
        except UnicodeDecodeError:
            table = None
        if (
            table is None
            or text.dtype != np.uint8
            or code.dtype != np.int64
            or code.shape != ids.shape
            or len(table) != (int(code.max()) + 1 if len(code) else 0)
            or (len(code) and code.min() < 0)
        ):
            log.warning("cache %s does not add up and is made again", FILE)
            return None
        codes[name], texts[name] = code, table
    return TrackKeys(ids, codes, texts)
