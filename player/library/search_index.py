"""Search over a whole library at typing speed: folded texts, matched word by word.

A track matches when every typed word occurs in its recording's text (the composer's names,
the work's titles and catalogue number, the performers, year and album: one text shared by the
recording's movements) or in its own title (``player.domain.search.search_text`` folds both;
words hold no spaces, so a word never spans the two). The longest word is tested first, and a
word is tested once per recording before the rows still in the running.

The window asks off the GUI thread (``player.ui.jobs.LatestJob``): 100,000 tracks take a few
tens of milliseconds a query on one core. :func:`build_search` makes the texts from narrow rows
the store reads (``player.store.library_view.search_rows``), never from track objects, and
answers in track ids and the composers that hold a match, which is all the views need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from player.domain.movements import act_of
from player.domain.recordings import album_set
from player.domain.search import query_terms, search_text
from player.priority import SLICE

if TYPE_CHECKING:
    import numpy as np


class SearchIndex:
    """A library's search texts, in library order.

    ``groups`` are the recordings' texts, ``group_of[i]`` the recording of track ``i`` and
    ``titles[i]`` its own text. Titles repeat ("Allegro", "Adagio" thousands of times), so each
    distinct title is tested once and the rows follow by numpy indexing: a word costs one pass
    over the recordings and one over the distinct titles, not one per track.
    """

    def __init__(self, groups: list[str], group_of: list[int], titles: list[str]) -> None:
        import numpy as np

        distinct: dict[str, int] = {}
        title_of = [distinct.setdefault(t, len(distinct)) for t in titles]
        self._groups, self._titles = groups, list(distinct)
        self._group_of = np.array(group_of, dtype=np.int64)
        self._title_of = np.array(title_of, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._title_of)

    def find(self, query: str) -> np.ndarray | None:
        """Positions (ascending) of the tracks matching every word of ``query``, or ``None``
        when the query has no words (everything matches)."""
        import numpy as np

        terms = sorted(set(query_terms(query)), key=len, reverse=True)
        if not terms:
            return None
        wanted = np.ones(len(self._title_of), dtype=bool)
        for term in terms:
            in_group = np.array([term in text for text in self._groups], dtype=bool)
            in_title = np.array([term in text for text in self._titles], dtype=bool)
            wanted &= in_group[self._group_of] | in_title[self._title_of]
            if not wanted.any():
                break
        return np.flatnonzero(wanted)


@dataclass(frozen=True)
class Found:
    """A query's answer: the matching tracks' ids (library order) and their composers' keys."""

    ids: np.ndarray
    composers: frozenset[str]


class TrackSearch:
    """A :class:`SearchIndex` over the present tracks, answering in ids."""

    def __init__(self, index: SearchIndex, ids: np.ndarray, composer_keys: list[str],
                 composer_of: np.ndarray) -> None:  # fmt: skip
        self._index, self.ids = index, ids
        self._composer_keys, self._composer_of = composer_keys, composer_of

    def __len__(self) -> int:
        return len(self.ids)

    def find(self, query: str) -> Found | None:
        """The tracks matching every word of ``query``; ``None`` when it has no words."""
        import numpy as np

        positions = self._index.find(query)
        if positions is None:
            return None
        keys = self._composer_keys
        held = np.bincount(self._composer_of[positions], minlength=len(keys))
        composers = frozenset(keys[c] for c in np.flatnonzero(held).tolist())
        return Found(self.ids[positions], composers)


def build_search(
    rows: Iterable[tuple], pause_point: Callable[[], None] | None = None
) -> TrackSearch:
    """Search texts from a stream of ``player.store.library_view.search_rows`` (never held
    whole: 100,000 rows as tuples would cost more than the texts).

    A recording's text holds every name its composer's tracks carry (canonical name and tag
    spellings), every title and catalogue number its work's tracks carry, and its performers,
    year and album; a track's own text its act and title. The names are gathered in the same
    pass, so recordings' texts are put together at the end. ``pause_point`` is called every
    :data:`~player.priority.SLICE` rows (a job the listener waits for goes first).
    """
    import numpy as np

    composer_names: dict[str, set[str]] = {}
    work_names: dict[str, set[str]] = {}
    parts: list[tuple[str, str, str]] = []  # a recording's composer, work and own text
    composer_index: dict[str, int] = {}
    group_index: dict[str, int] = {}
    group_of: list[int] = []
    titles: list[str] = []
    composer_of: list[int] = []
    ids: list[int] = []
    title_texts: dict[str, str] = {}  # titles repeat: each folded once
    for n, row in enumerate(rows):
        if pause_point is not None and n % SLICE == 0:
            pause_point()
        track_id, composer_key, name, spelling, work, work_title, work_tag, catalogue = row[:8]
        recording, performers, year, album, movement, title = row[8:]
        group = group_index.get(recording)
        if group is None:
            group = group_index[recording] = len(parts)
            year_text = str(year) if year else ""
            own = search_text(performers, year_text, album_set(album) if album else "")
            parts.append((composer_key, work, own))
        composer_names.setdefault(composer_key, set()).update((name, spelling))
        work_names.setdefault(work, set()).update((work_title, work_tag, catalogue))
        composer = composer_index.setdefault(composer_key, len(composer_index))
        shown = movement or title
        text = title_texts.get(shown)
        if text is None:
            text = title_texts[shown] = search_text(act_of(shown), shown)
        ids.append(int(track_id))
        group_of.append(group)
        composer_of.append(composer)
        titles.append(text)
    composer_text = {k: search_text(*sorted(v)) for k, v in composer_names.items()}
    work_text = {k: search_text(*sorted(v)) for k, v in work_names.items()}
    groups = [composer_text[c] + work_text[w] + own for c, w, own in parts]
    return TrackSearch(
        SearchIndex(groups, group_of, titles),
        np.array(ids, dtype=np.int64),
        list(composer_index),
        np.array(composer_of, dtype=np.int64),
    )
