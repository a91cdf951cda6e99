"""The recommender's library index kept in a cache file, so that a start does not re-index.

Indexing 100,000 tracks (reading their columns in library order, grouping them into works and
recordings, ordering movements, naming works) costs one to two seconds of CPU; the result only
changes when the tracks do. ``PROFILE/cache/library.npz`` holds the index's arrays and texts,
stamped with the tracks' change mark, their count and newest id (:mod:`player.store.caches`)
and the rules' versions; a stamp that differs, or a damaged file, means indexing again and
writing the file anew. Analysis results are not cached: :func:`with_stored_features` reads
them each time (they change while the library does not).

A library of :data:`ELSEWHERE_FROM` tracks or more is indexed in a process of its own
(:mod:`player.recommend.library_child`), which writes the file that this process then loads:
indexing here would leave the heap fragmented by its temporaries for the rest of the session.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import numpy as np

import player
from player.domain.identity import IDENTITY_VERSION
from player.recommend.library import (
    COLUMNS,
    LibraryIndex,
    index_tracks,
    load_library,
    with_stored_features,
)
from player.recommend.texts import Texts
from player.store import caches
from player.store.db import Database
from player.store.tracks import track_columns_of, track_ids_in_order, track_ids_of_paths

log = logging.getLogger(__name__)

FILE = "library.npz"
FORMAT = 3
"""The arrays' layout; a file of another format is made again."""
TEXTS = ("item_keys", "model_artist_keys", "artist_keys", "composers", "labels")
"""Texts per row: each held as its distinct texts (joined) and ``NAME_codes`` (int32)."""
NAMES = {"work_keys": ("work_names", "work_of"), "recording_keys": ("unit_names", "unit_of")}
"""Works' and units' keys: the texts, numbered by the index's ``work_of`` and ``unit_of``."""
NUMBERS = {
    "track_ids": np.int64,
    "work_of": np.int64,
    "unit_of": np.int64,
    "unit_rows": np.int64,
    "unit_starts": np.int64,
    "durations": np.float64,
    "title_keys": np.int64,
    **{f"{name}_codes": np.int32 for name in TEXTS},
}
ELSEWHERE_FROM = 20_000
"""From this many tracks, indexing runs in a child process (below it the temporaries are a few
megabytes, and starting an interpreter would cost more than it saves)."""
ELSEWHERE_TIMEOUT_S = 300.0
"""How long the child may take (a second or two of CPU at 100,000 tracks) before the index is
made here instead."""
SEPARATOR = "\x00"
"""Between the texts of one list (a list holding one is not cached)."""


PATCH_SHARE = 0.05
"""A scan that changed more than this share of the library is indexed afresh: patching
touches each changed track and its recording, and past this a fresh index costs less."""


def patched_library(db: Database, library: LibraryIndex, paths: Collection[str]) -> LibraryIndex:
    """:func:`cached_library` after a scan that stored, moved or lost only the tracks at
    ``paths``: ``library`` patched where they are (``LibraryIndex.patched``), the cache file
    written anew, instead of every track read and indexed again. Many changes, or tracks that
    do not match them, mean indexing afresh."""
    if len(paths) > PATCH_SHARE * len(library):
        return cached_library(db)
    stamp = _stamp(db)
    changed = track_ids_of_paths(db, paths)
    try:
        index = library.patched(
            track_ids_in_order(db), changed, lambda ids: track_columns_of(db, COLUMNS, ids)
        )
    except ValueError as exc:
        log.info("library indexed afresh: %s", exc)
        return cached_library(db)
    if stamp is not None and not db.read_only:
        _store(caches.cache_dir(db) / FILE, stamp, index)
    return with_stored_features(db, index)


def _stamp(db: Database) -> dict | None:
    """What a cache file of the tracks as they are now is stamped with (None: not cached)."""
    mark = caches.read_mark(db, "tracks")
    if mark is None:
        return None
    return caches.stamp_of(
        mark,
        fmt=FORMAT,
        changes=mark.changes,
        size=list(caches.table_size(db, "tracks")),
        identity=IDENTITY_VERSION,
        player=player.__version__,
    )


def cached_library(db: Database) -> LibraryIndex:
    """:func:`~player.recommend.library.load_library`, the index taken from the cache file
    when it was made from the tracks as they are now."""
    stamp = _stamp(db)
    if stamp is None:
        return load_library(db)
    path = caches.cache_dir(db) / FILE
    index = _loaded(path, stamp)
    if index is None and not db.read_only and _indexed_elsewhere(db):
        index = _loaded(path, stamp)  # None when the tracks changed meanwhile
    if index is None:
        index = load_library(db)
        if not db.read_only:
            _store(path, stamp, index)
        return index
    return with_stored_features(db, index)


def write_fresh(db: Database) -> None:
    """Index the tracks and write the cache file (what :mod:`player.recommend.library_child`
    does; nothing is written where the tracks keep no change mark or a tag holds NUL)."""
    stamp = _stamp(db)
    if stamp is not None:
        _store(caches.cache_dir(db) / FILE, stamp, index_tracks(db))


def _loaded(path: Path, stamp: dict) -> LibraryIndex | None:
    """The index the cache file holds when it is stamped ``stamp`` and adds up."""
    arrays = caches.load(path, stamp)
    return _index(arrays) if arrays is not None else None


def _indexed_elsewhere(db: Database) -> bool:
    """Whether a child process wrote the cache file of a library of :data:`ELSEWHERE_FROM`
    tracks or more (False: a smaller one, or the child failed, said in the log)."""
    if caches.table_size(db, "tracks")[0] < ELSEWHERE_FROM:
        return False
    command = [sys.executable, "-m", "player.recommend.library_child", str(db.path)]
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, timeout=ELSEWHERE_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("library not indexed in a child process (%s); indexing here", exc)
        return False
    if done.returncode:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        log.warning("library indexing process failed (%s); indexing here", " / ".join(said))
        return False
    return True


def _index(arrays: dict[str, np.ndarray]) -> LibraryIndex | None:
    """The index the arrays hold, or None (said in the log) when they do not add up."""
    numbers_ok = all(
        name in arrays and arrays[name].dtype == kind and arrays[name].ndim == 1
        for name, kind in NUMBERS.items()
    )
    if not numbers_ok or set(arrays) != {*TEXTS, *NAMES, *NUMBERS}:
        log.warning("cache %s has other arrays than expected and is made again", FILE)
        return None
    n = len(arrays["track_ids"])
    texts = {name: _texts(arrays[name], arrays[f"{name}_codes"], n) for name in TEXTS}
    names = {name: _split(arrays[name], arrays[codes]) for name, (_, codes) in NAMES.items()}
    rows, starts = arrays["unit_rows"], arrays["unit_starts"]
    same_length = all(len(arrays[k]) == n for k in ("work_of", "unit_of", "durations"))
    if (
        any(t is None for t in (*texts.values(), *names.values()))
        or not (same_length and len(rows) == n and len(arrays["title_keys"]) == n)
        or len(starts) != len(names["recording_keys"] or ())
        or not _within(rows, n)
        or not _within(starts, max(n, 1))
    ):
        log.warning("cache %s does not add up and is made again", FILE)
        return None
    return LibraryIndex(
        track_ids=arrays["track_ids"],
        item_keys=texts["item_keys"],  # type: ignore[arg-type]
        model_artist_keys=texts["model_artist_keys"],  # type: ignore[arg-type]
        artist_keys=texts["artist_keys"],  # type: ignore[arg-type]
        composers=texts["composers"],  # type: ignore[arg-type]
        labels=texts["labels"],  # type: ignore[arg-type]
        work_of=arrays["work_of"],
        unit_of=arrays["unit_of"],
        unit_rows=rows,
        unit_starts=starts,
        work_names=names["work_keys"],  # type: ignore[arg-type]
        unit_names=names["recording_keys"],  # type: ignore[arg-type]
        durations=arrays["durations"],
        key_codes=arrays["title_keys"],
        title_keys=arrays["title_keys"],
    )


def _within(numbers: np.ndarray, size: int) -> bool:
    """Whether every number indexes a list of ``size``."""
    return not len(numbers) or (int(numbers.min()) >= 0 and int(numbers.max()) < size)


def _texts(joined: np.ndarray, codes: np.ndarray, n: int) -> Texts | None:
    """The column of ``n`` rows the distinct texts and the codes give, or None."""
    values = _split(joined, codes)
    return Texts(codes, values) if values is not None and len(codes) == n else None


def _split(array: np.ndarray, codes: np.ndarray) -> list[str] | None:
    """The texts a UTF-8 byte array holds, or None when it is not one or ``codes`` (the rows'
    numbers into them) reach past them."""
    if array.dtype != np.uint8 or array.ndim != 1:
        return None
    if not len(codes):
        return [] if not len(array) else None
    try:
        texts = array.tobytes().decode("utf-8").split(SEPARATOR)
    except UnicodeDecodeError:
        return None
    return texts if _within(codes, len(texts)) else None


def _joined(texts: list[str]) -> np.ndarray | None:
    joined = SEPARATOR.join(texts)
    if joined.count(SEPARATOR) != max(len(texts) - 1, 0):
        return None  # a text holds the separator itself
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)


def _store(path: Path, stamp: dict, index: LibraryIndex) -> None:
    arrays = {name: np.asarray(getattr(index, name), dtype=kind) for name, kind in NUMBERS.items()
              if not name.endswith("_codes")}  # fmt: skip
    texts = {name: getattr(index, name) for name in TEXTS}
    for name, column in texts.items():
        arrays[f"{name}_codes"] = column.codes.astype(np.int32)
    values = {**{n: t.values for n, t in texts.items()},
              **{n: getattr(index, names) for n, (names, _) in NAMES.items()}}  # fmt: skip
    for name, distinct in values.items():
        joined = _joined(distinct)
        if joined is None:
            log.info("library not cached: a tag holds a NUL character")
            return
        arrays[name] = joined
    caches.save(path, stamp, arrays)
