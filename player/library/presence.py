"""Which tracks' files are on disk now.

The store lists a track as present from one scan to the next; meanwhile its drive may have been
unmounted, or the file moved or deleted. What is offered to be played next is checked here
first: a list of such tracks fails one by one as each comes up, every failure a change of the
list on screen. A stat per file: call it off the GUI thread (a hung network mount blocks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from player.fspath import file_on_disk
from player.store.db import Database
from player.store.tracks import track_columns_of


def on_disk(open_db: Callable[[], Database], track_ids: Sequence[int]) -> set[int]:
    """The tracks among ``track_ids`` that the store lists as present and whose files are there."""
    if not track_ids:
        return set()
    db = open_db()
    try:
        columns = track_columns_of(db, ["id", "path"], track_ids)
    finally:
        db.close()
    paths = zip(columns["id"], columns["path"], strict=True)
    return {int(i) for i, path in paths if file_on_disk(path)}
