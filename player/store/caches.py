"""Caches kept beside the profile database, and what tells them whether they still hold.

A cache is one ``.npz`` file in ``PROFILE/cache/`` (arrays only, read with
``allow_pickle=False``), made from the database and stamped with the database's *change mark*
for the table it copies (migration 10's ``change_marks``: a generation drawn with the
database, a count of the updates and deletes: triggers on the plays, the writers of
:mod:`player.store.tracks` for the tracks) and, for new rows, the
table's count and newest id (:func:`table_size`). A file whose stamp, format
or arrays do not match is not used: it is made again, never trusted and never a crash. Files
are written whole under another name and renamed into place, so a reader sees the old file or
the new one.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from player.store.db import Database

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

CACHE_DIR = "cache"
"""The folder in the profile, beside ``continuo.db``."""
META = "meta"
"""The array holding a file's stamp (a JSON text)."""


@dataclass(frozen=True)
class Mark:
    """A table's change mark as the database holds it now."""

    generation: str  # drawn when the database's marks were made
    changes: int  # updates and deletes so far (inserts show in table_size)
    epoch: int  # plays: bumped when a cache of them is written (:func:`new_epoch`)
    low: int | None  # plays: smallest id updated or deleted in this epoch (None: none)


def cache_dir(db: Database) -> Path:
    """Where the caches of ``db``'s profile live."""
    return Path(db.path).parent / CACHE_DIR


def read_mark(db: Database, table: str) -> Mark | None:
    """``table``'s change mark (None on a database that keeps none: nothing may be cached)."""
    try:
        row = db.conn.execute(
            "SELECT generation, changes, epoch, low FROM change_marks WHERE name = ?", (table,)
        ).fetchone()
    except sqlite3.OperationalError:  # no such table: opened without migrating
        return None
    return None if row is None else Mark(str(row[0]), int(row[1]), int(row[2]), row[3])


def mark_changed(conn: sqlite3.Connection, table: str) -> None:
    """Count a write to ``table`` in its change mark, inside the writer's transaction (the
    writers of ``player.store.tracks`` call it; the plays' marks are kept by triggers)."""
    conn.execute("UPDATE change_marks SET changes = changes + 1 WHERE name = ?", (table,))


def table_size(db: Database, table: str) -> tuple[int, int]:
    """``(count, largest id)`` of ``table``'s rows: a few milliseconds through its smallest
    index, and what shows rows lost or added without a trigger (a rebuilt database)."""
    assert table in ("tracks", "plays")
    # two statements: each alone is answered from an index or the last row, together a scan
    (count,) = db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    (largest,) = db.conn.execute(f"SELECT max(id) FROM {table}").fetchone()
    return int(count), int(largest or 0)


@contextmanager
def new_epoch(db: Database, table: str, seen: Mark) -> Iterator[int | None]:
    """In one write transaction: when ``table``'s mark is still ``seen``, start its next epoch
    (``low`` cleared) and yield that epoch for the cache being put in place; else yield None
    (a write came between: the cache would not know which rows it changed).

    Put the new file in place inside the ``with`` (a rename): if that fails, the epoch is not
    moved; if the commit fails after it, the file's epoch matches nothing and it is made again.
    """
    with db.transaction() as conn:
        now = read_mark(db, table)
        if now is None or (now.generation, now.changes, now.epoch) != (
            seen.generation,
            seen.changes,
            seen.epoch,
        ):
            yield None
            return
        conn.execute(
            "UPDATE change_marks SET epoch = epoch + 1, low = NULL WHERE name = ?", (table,)
        )
        yield seen.epoch + 1


def load(path: Path, stamp: dict) -> dict[str, np.ndarray] | None:
    """The arrays of the cache file ``path`` when its stamp equals ``stamp``; None when there is
    no such file, it is damaged, or it was made from another state (said in the log)."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            if json.loads(str(data[META])) != stamp:  # the arrays are not read then
                log.info("cache %s is out of date and is made again", path.name)
                return None
            return {name: data[name] for name in data.files if name != META}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        log.warning("cache %s is damaged and is made again: %s", path.name, exc)
        return None


def write(path: Path, stamp: dict, arrays: dict[str, np.ndarray]) -> Path | None:
    """Write ``arrays`` with ``stamp`` to a file beside ``path`` and return it, to be put in
    place with :func:`put_in_place`; None when the folder cannot take it (the cache is only
    an aid: the caller goes on without it)."""
    import numpy as np

    partial = path.with_name(f".{path.stem}.{os.getpid()}.{id(arrays):x}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload: dict[str, Any] = {**arrays, META: np.array(json.dumps(stamp, sort_keys=True))}
        with open(partial, "wb") as file:
            np.savez(file, **payload)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        log.warning("cache %s not written: %s", path.name, exc)
        return None
    return partial


def save(path: Path, stamp: dict, arrays: dict[str, np.ndarray]) -> None:
    """:func:`write` and :func:`put_in_place` (a cache no other writer must agree with)."""
    partial = write(path, stamp, arrays)
    if partial is None:
        return
    try:
        put_in_place(partial, path)
    except OSError as exc:
        log.warning("cache %s not put in place: %s", path.name, exc)
    finally:
        discard(partial)


def put_in_place(partial: Path, path: Path) -> None:
    """Rename a file :func:`write` made over ``path`` (atomic: readers see one or the other)."""
    os.replace(partial, path)


def discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)


def stamp_of(mark: Mark, *, fmt: int, **more: object) -> dict:
    """The stamp a cache file carries: the format of its arrays, the mark it was made at, and
    whatever else its contents depend on (JSON types only)."""
    return {"format": fmt, "generation": mark.generation, **more}
