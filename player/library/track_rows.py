"""Tracks by id, read from the store a page at a time and kept in a small LRU (no Qt).

The window never holds the whole library as objects: the flat table and the controller keep
ids (numpy arrays) and ask :class:`TrackCache` for the few rows on screen or in hand; one read
of :data:`PAGE` rows by primary key costs about a millisecond.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeAlias, cast, overload

from player.store.db import Database
from player.store.library_view import table_rows, tracks_with_ids
from player.store.tracks import Track

if TYPE_CHECKING:
    from array import array

    import numpy as np

PAGE = 64
"""Rows read together: a screenful of the table."""
NO_IDS = cast("np.ndarray", ())
"""The ids of no library (the views before the first one is read): an empty stand-in, so the
window is built and painted without importing numpy (the worker that reads the first library
does); only its length is asked for."""
RowIds: TypeAlias = "np.ndarray | array[int]"
"""Track ids in a view's order: an int64 array, or until numpy is imported (the window's first
screen, :class:`~player.library.browse.FirstRead`) the ``array("q")`` it is made from. Both
give their length, an id by position and a slice's ``tolist()``; comparing and masking need
numpy (``np.asarray`` first: ``==`` on an ``array`` answers one bool, not one per id)."""


class TrackCache:
    """The most recently used tracks by id (``capacity`` of them), read in pages.

    Opens its own connection on first use, so it belongs to the thread that uses it.
    """

    def __init__(self, open_db: Callable[[], Database], capacity: int = 4096) -> None:
        self._open_db, self._capacity = open_db, capacity
        self._db: Database | None = None
        self._tracks: OrderedDict[int, Track] = OrderedDict()

    def tracks(self, ids: Sequence[int]) -> list[Track]:
        """The tracks with ``ids`` (in that order; ids no longer stored are left out)."""
        missing = [i for i in ids if i not in self._tracks]
        if missing:
            for track in tracks_with_ids(self._reader(), missing):
                self._tracks[int(track.id or 0)] = track
        found = []
        for i in ids:
            hit = self._tracks.get(i)
            if hit is not None:
                self._tracks.move_to_end(i)
                found.append(hit)
        while len(self._tracks) > self._capacity:
            self._tracks.popitem(last=False)
        return found

    def table_rows(self, ids: Sequence[int]) -> list[tuple]:
        """What the flat table shows of these tracks
        (:func:`~player.store.library_view.table_rows`), read without making tracks; not
        kept here (the table keeps its texts)."""
        return table_rows(self._reader(), ids)

    def _reader(self) -> Database:
        if self._db is None:
            self._db = self._open_db()
        return self._db

    def track(self, track_id: int) -> Track | None:
        found = self.tracks([track_id])
        return found[0] if found else None

    def cached(self, track_id: int) -> Track | None:
        """The track if it is in memory (no read)."""
        return self._tracks.get(track_id)

    def clear(self) -> None:
        """Forget every track (the library was re-read: tags may have changed)."""
        self._tracks.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def page_of(ids: RowIds, row: int) -> list[int]:
    """The ids of the page holding ``row``."""
    start = row - row % PAGE
    return ids[start : start + PAGE].tolist()


class LibraryTracks(Sequence[Track]):
    """The library in order as a sequence of tracks, each read when first asked for."""

    def __init__(self, ids: np.ndarray, cache: TrackCache) -> None:
        self.ids, self._cache = ids, cache

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, at: int) -> Track: ...
    @overload
    def __getitem__(self, at: slice) -> list[Track]: ...
    def __getitem__(self, at: int | slice) -> Track | list[Track]:
        if isinstance(at, slice):
            return self._cache.tracks(self.ids[at].tolist())
        if not -len(self.ids) <= at < len(self.ids):
            raise IndexError(at)
        at %= len(self.ids)
        track_id = int(self.ids[at])
        track = self._cache.cached(track_id)
        if track is None:
            self._cache.tracks(page_of(self.ids, at))
            track = self._cache.track(track_id)
        if track is None:
            raise IndexError(f"track {track_id} is no longer stored")
        return track

    def __iter__(self) -> Iterator[Track]:
        for start in range(0, len(self.ids), PAGE):
            yield from self._cache.tracks(self.ids[start : start + PAGE].tolist())

    def prefetch(self, track_ids: Sequence[int]) -> None:
        """Read these tracks into the cache in one query."""
        self._cache.tracks([int(i) for i in track_ids])

    def track(self, track_id: int) -> Track | None:
        """The track with this id, in the library or not (read when not in the cache)."""
        return self._cache.track(track_id)

    def index_of(self, track_id: int) -> int | None:
        """Where the track is in library order (None when not in the library)."""
        import numpy as np

        found = np.flatnonzero(self.ids == track_id)
        return int(found[0]) if len(found) else None
