"""Indexing the library in a process of its own: ``python -m player.recommend.library_child DB``.

At 100,000 tracks indexing reads 16 columns as Python strings (1.6 million objects); the
index that survives keeps tens of thousands of small texts scattered among them, so Python's
allocator cannot give back the arenas the temporaries filled (and the search texts, built on
another thread at the same time, interleave with them): a start that indexed settled about
100 MB above one that read the cache. Here a fresh interpreter (never a fork of the app)
indexes and writes the cache file (:func:`~player.recommend.library_cache.write_fresh`) and
exits, its heap with it; the app then loads the file as any start whose cache holds does.
It opens the database for reading only and imports no Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from player.errors import DatabaseError
from player.recommend.library_cache import write_fresh
from player.store.db import open_database


def main(argv: list[str]) -> int:
    """Index the profile database ``argv[0]`` into its cache file; 1 when it cannot be opened
    (the app then loads the file, or indexes itself where none was written)."""
    try:
        db = open_database(Path(argv[0]), read_only=True)
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        write_fresh(db)
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
