"""Search over a whole library at typing speed: folded texts, matched word by word.

A track matches when every typed word occurs in its recording's text (the composer's names,
the work's titles and catalogue number, the performers, year and album: one text shared by the
recording's movements) or in its own title (``player.domain.search.search_text`` folds both;
words hold no spaces, so a word never spans the two). The longest word is tested first, and a
word is tested once per recording before the rows still in the running.

The window asks off the GUI thread (``player.ui.jobs.LatestJob``): 100,000 tracks take a few
tens of milliseconds a query on one core.
"""

from __future__ import annotations

import numpy as np

from player.domain.search import query_terms


class SearchIndex:
    """A library's search texts, in library order.

    ``groups`` are the recordings' texts, ``group_of[i]`` the recording of track ``i`` and
    ``titles[i]`` its own text.
    """

    def __init__(self, groups: list[str], group_of: list[int], titles: list[str]) -> None:
        self._groups, self._group_of, self._titles = groups, group_of, titles

    def __len__(self) -> int:
        return len(self._titles)

    def find(self, query: str) -> np.ndarray | None:
        """Positions (ascending) of the tracks matching every word of ``query``, or ``None``
        when the query has no words (everything matches)."""
        terms = sorted(set(query_terms(query)), key=len, reverse=True)
        if not terms:
            return None
        rows: range | list[int] = range(len(self._titles))
        group_of, titles = self._group_of, self._titles
        for term in terms:
            in_group = [term in text for text in self._groups]
            rows = [i for i in rows if in_group[group_of[i]] or term in titles[i]]
        return np.array(rows, dtype=np.int64)
