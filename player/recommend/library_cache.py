"""The recommender's library index kept in a cache file, so that a start does not re-index.

Indexing 100,000 tracks (reading their columns in library order, grouping them into works and
recordings, ordering movements, naming works) costs one to two seconds of CPU; the result only
changes when the tracks do. ``PROFILE/cache/library.npz`` holds the index's arrays and texts,
stamped with the tracks' change mark, their count and newest id (:mod:`player.store.caches`)
and the rules' versions; a stamp that differs, or a damaged file, means indexing again and
writing the file anew. Analysis results are not cached: :func:`with_stored_features` reads
them each time (they change while the library does not).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

import player
from player.domain.identity import IDENTITY_VERSION
from player.recommend.library import LibraryIndex, load_library, with_stored_features
from player.store import caches
from player.store.db import Database

log = logging.getLogger(__name__)

FILE = "library.npz"
FORMAT = 1
"""The arrays' layout; a file of another format is made again."""
TEXTS = ("item_keys", "model_artist_keys", "artist_keys", "composers", "labels")
NUMBERS = {
    "track_ids": np.int64,
    "work_of": np.int64,
    "unit_of": np.int64,
    "unit_rows": np.int64,
    "unit_starts": np.int64,
    "durations": np.float64,
    "title_keys": np.int64,
}
SEPARATOR = "\x00"
"""Between the texts of one list (a list holding one is not cached)."""


def cached_library(db: Database) -> LibraryIndex:
    """:func:`~player.recommend.library.load_library`, the index taken from the cache file
    when it was made from the tracks as they are now."""
    mark = caches.read_mark(db, "tracks")
    if mark is None:
        return load_library(db)
    stamp = caches.stamp_of(
        mark,
        fmt=FORMAT,
        changes=mark.changes,
        size=list(caches.table_size(db, "tracks")),
        identity=IDENTITY_VERSION,
        player=player.__version__,
    )
    path = caches.cache_dir(db) / FILE
    arrays = caches.load(path, stamp)
    index = _index(arrays) if arrays is not None else None
    if index is None:
        index = load_library(db)
        if not db.read_only:
            _store(path, stamp, index)
        return index
    return with_stored_features(db, index)


def _index(arrays: dict[str, np.ndarray]) -> LibraryIndex | None:
    """The index the arrays hold, or None (said in the log) when they do not add up."""
    n = len(arrays.get("track_ids", ()))
    texts = {name: _split(arrays.get(name), n) for name in TEXTS}
    numbers_ok = all(
        name in arrays and arrays[name].dtype == kind and arrays[name].ndim == 1
        for name, kind in NUMBERS.items()
    )
    if (
        not numbers_ok
        or any(t is None for t in texts.values())
        or set(arrays)
        != {
            *TEXTS,
            *NUMBERS,
        }
    ):
        log.warning("cache %s has other arrays than expected and is made again", FILE)
        return None
    rows, starts = arrays["unit_rows"], arrays["unit_starts"]
    same_length = all(len(arrays[k]) == n for k in ("work_of", "unit_of", "durations"))
    if not (same_length and len(rows) == n and len(arrays["title_keys"]) == n):
        log.warning("cache %s does not add up and is made again", FILE)
        return None
    units = np.split(rows, starts[1:]) if len(starts) else []
    return LibraryIndex(
        track_ids=arrays["track_ids"],
        item_keys=texts["item_keys"],  # type: ignore[arg-type]
        model_artist_keys=texts["model_artist_keys"],  # type: ignore[arg-type]
        artist_keys=texts["artist_keys"],  # type: ignore[arg-type]
        composers=texts["composers"],  # type: ignore[arg-type]
        labels=texts["labels"],  # type: ignore[arg-type]
        work_of=arrays["work_of"],
        unit_of=arrays["unit_of"],
        units=units,
        durations=arrays["durations"],
        key_codes=arrays["title_keys"],
        title_keys=arrays["title_keys"],
    )


def _split(array: np.ndarray | None, n: int) -> list[str] | None:
    """The ``n`` texts a UTF-8 byte array holds, or None when it holds another number."""
    if array is None or array.dtype != np.uint8 or array.ndim != 1:
        return None
    if n == 0:
        return [] if not len(array) else None
    try:
        texts = array.tobytes().decode("utf-8").split(SEPARATOR)
    except UnicodeDecodeError:
        return None
    return texts if len(texts) == n else None


def _joined(texts: list[str]) -> np.ndarray | None:
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):
        return None  # a text holds the separator itself
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)


def _store(path: Path, stamp: dict, index: LibraryIndex) -> None:
    arrays = {name: np.asarray(getattr(index, name), dtype=kind) for name, kind in NUMBERS.items()}
    for name in TEXTS:
        joined = _joined(getattr(index, name))
        if joined is None:
            log.info("library not cached: a tag holds a NUL character")
            return
        arrays[name] = joined
    caches.save(path, stamp, arrays)
