"""What a ranking request looks up in one library again and again, made once per library index.

A request blocks a few works and units and proposes the rows of a few works; at 100,000 tracks
a mask gathered over every row, or a scan of every content vector, costs more than the rest of
the request. :class:`LibrarySearch` keeps the rows of each work (one array sorted by work, and
where each work begins) and the content vectors' top-k search
(:class:`~player.recommend.item_search.VectorSearch`), so a request touches only the rows it
needs. The recommender keeps one per library index and makes another when the index changes.
Discover's rows (those of works never heard, and whose composer was never heard) are kept too,
once per history: the heard works of a decade are tens of thousands.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

import numpy as np

from player.recommend.history import History
from player.recommend.item_search import VectorSearch
from player.recommend.library import LibraryIndex


def _spans(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, which) -> np.ndarray:
    """The rows ``order[starts[i] : starts[i] + sizes[i]]`` of every ``i`` in ``which``."""
    if not len(which):
        return np.zeros(0, dtype=np.int64)
    if not isinstance(which, np.ndarray):
        which = np.fromiter(which, dtype=np.int64, count=len(which))
    lengths = sizes[which]
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    # each row's place: its span's start plus its offset within the span
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return order[np.repeat(starts[which], lengths) + offsets]


class Unheard(NamedTuple):
    """What one history has not heard of the library, row by row."""

    history: History
    works: np.ndarray  # (N,) bool: the row's work was never heard
    composers: np.ndarray  # (N,) bool: the row's composer was never heard


class LibrarySearch:
    """Rows by work and unit, and the content search, for one :class:`LibraryIndex`."""

    def __init__(self, library: LibraryIndex) -> None:
        self.library = library
        self.works = int(library.work_of.max()) + 1 if len(library) else 0
        self._by_work = np.argsort(library.work_of, kind="stable")
        self._work_sizes = np.bincount(library.work_of, minlength=self.works)
        self._work_starts = np.cumsum(self._work_sizes) - self._work_sizes
        self._unit_sizes = np.diff(np.append(library.unit_starts, len(library.unit_rows)))
        unit = library.content_unit
        self.content = None if unit is None else VectorSearch(unit)
        self._unheard: Unheard | None = None

    def work_rows(self, works: Collection[int]) -> np.ndarray:
        """The rows of ``works`` (work indices), work by work."""
        return _spans(self._by_work, self._work_starts, self._work_sizes, works)

    def unit_rows(self, units: Collection[int]) -> np.ndarray:
        """The rows of ``units``, unit by unit in playing order."""
        library = self.library
        return _spans(library.unit_rows, library.unit_starts, self._unit_sizes, units)

    def unheard(self, history: History) -> Unheard:
        """The rows of works and of composers ``history`` never heard (made once per history)."""
        unheard = self._unheard
        if unheard is None or unheard.history is not history:
            library = self.library
            works = np.ones(len(library), dtype=bool)
            works[self.work_rows(history.heard_works)] = False
            new = np.ones(len(library.artist_code_of), dtype=bool)
            code_of = library.artist_code_of
            new[[code_of[key] for key in history.heard_artists if key in code_of]] = False
            unheard = self._unheard = Unheard(history, works, new[library.artist_codes])
        return unheard

    def allowed(
        self, works: Collection[int], units: Collection[int], rows: np.ndarray | None = None
    ) -> np.ndarray:
        """(N,) bool: every row (of ``rows``, a mask, when given) but those of ``works`` and
        ``units``."""
        allowed = np.ones(len(self.library), dtype=bool) if rows is None else rows.copy()
        allowed[self.work_rows(works)] = False
        allowed[self.unit_rows(units)] = False
        return allowed
