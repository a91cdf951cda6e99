"""What the library views are built from, read in the amounts a view needs (no Qt).

- :func:`read_library`: what the window shows first — the overview and the problems list
  (:func:`read_first` and :meth:`FirstRead.finish`: its reads, then its ids parsed).
- :func:`load_overview`: the first screen — one row per composer (one aggregate query) and the
  ids of every present track in library order (the flat table's rows); a library of at most
  ``eager_tracks`` tracks is grouped whole at once (one query instead of one per composer).
- :func:`load_composer`: one composer's works, recordings and movements, grouped by the
  library's rules (:func:`player.library.grouping.group_library`) with the composer's play
  counts and each recording's key and concert pitch; read when the listener opens it.
- :func:`column_order`: the table's rows ordered by a column, from narrow columns.

All run on worker threads; the views on the GUI thread only swap in their answers.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from player.domain.composers import UNKNOWN_COMPOSER
from player.domain.keys import pitch_label, recording_pitch
from player.domain.recordings import recording_label
from player.library.grouping import Composer, group_library, natural_key
from player.library.track_rows import NO_IDS
from player.store.db import Database
from player.store.library_view import (
    composer_pitch,
    composer_recording_plays,
    composer_summary,
    composer_tracks,
    ids_array,
    plain_library_ids,
    sort_columns,
)
from player.store.plays import heard_plays_by_recording
from player.store.tracks import all_tracks, problems

if TYPE_CHECKING:
    import numpy as np

EAGER_TRACKS = 2000
"""Up to this many tracks the overview groups the whole library in the same job."""


@dataclass
class ComposerRow:
    """A composer as the tree's first level shows it, before its works are read."""

    key: str
    name: str
    works: int
    tracks: int


@dataclass
class Overview:
    """The library's first screen."""

    ids: np.ndarray  # present tracks in library order
    composers: list[ComposerRow]
    grouped: dict[str, Composer] = field(default_factory=dict)  # composer key -> its works
    pitch: dict[str, str] = field(default_factory=dict)  # recording key -> "F♯ minor · A = 415 Hz"


def read_library(
    open_db: Callable[[], Database], analysis_version: str
) -> tuple[Overview, list[tuple[str, str]]]:
    """The library's overview and the problems list, read on one connection of this thread's."""
    return read_first(open_db, analysis_version).finish()


@dataclass
class FirstRead:
    """The library's first screen as SQLite gives it, its ids not yet in numpy: reading it
    needs no numpy, so ``continuo`` reads it on a thread of its own while the window is built
    (:func:`player.app.read_library_early`), and a :attr:`plain` one goes on screen with the
    window's first paint (the window's ``show_first_screen``);
    :meth:`finish` (a worker, after the paint) makes the views' :class:`Overview`."""

    overview: Overview  # its ids still NO_IDS
    ids: array[int]  # the present tracks' ids in library order
    problems: list[tuple[str, str]]

    @property
    def plain(self) -> bool:
        """Whether the first screen can show it without numpy: no composer's works grouped
        (their rows need numpy), only the composers' rows and the ids."""
        return not self.overview.grouped

    def finish(self) -> tuple[Overview, list[tuple[str, str]]]:
        """The overview with its ids and the problems list (imports numpy on first use)."""
        self.overview.ids = ids_array(self.ids)
        return self.overview, self.problems


def read_first(open_db: Callable[[], Database], analysis_version: str) -> FirstRead:
    """What :func:`read_library` reads, on one connection of this thread's; no numpy."""
    db = open_db()
    try:
        overview, ids = _read_overview(db, analysis_version, EAGER_TRACKS)
        return FirstRead(overview, ids, problems(db))
    finally:
        db.close()


def load_overview(
    db: Database, analysis_version: str, eager_tracks: int = EAGER_TRACKS
) -> Overview:
    """The composers (by family name) and the table's ids; small libraries grouped whole."""
    overview, ids = _read_overview(db, analysis_version, eager_tracks)
    overview.ids = ids_array(ids)
    return overview


def _read_overview(
    db: Database, analysis_version: str, eager_tracks: int
) -> tuple[Overview, array[int]]:
    """:func:`load_overview`'s reads: the overview without its ids (NO_IDS), and the ids."""
    names, works = composer_summary(db)
    counted: dict[str, Counter[str]] = {}
    sort_key: dict[str, str] = {}
    for key, name, sort, count in names:
        counted.setdefault(key, Counter())[name] += count
        sort_key[key] = min(sort_key.get(key, sort), sort) if key else "\uffff"
    rows = [
        ComposerRow(key, _most_common(count) or UNKNOWN_COMPOSER, works.get(key, 0), count.total())
        for key, count in counted.items()
    ]
    rows.sort(key=lambda r: (sort_key[r.key], r.name))
    ids = plain_library_ids(db)
    overview = Overview(NO_IDS, rows)
    if len(ids) <= eager_tracks:
        grouped = group_library(all_tracks(db), heard_plays_by_recording(db))
        overview.grouped = {c.key: c for c in grouped}
        for composer in grouped:
            overview.pitch.update(_pitch_labels(db, composer, analysis_version))
    return overview, ids


def _most_common(counts: Counter[str]) -> str:
    """The name most tracks carry (ties: the longer), as the grouping names a composer."""
    named = [(n, name) for name, n in counts.items() if name]
    return max(named, key=lambda x: (x[0], len(x[1])))[1] if named else ""


def load_composer(db: Database, key: str, analysis_version: str) -> tuple[Composer, dict[str, str]]:
    """One composer's works grouped (most played recording first) and each of its recordings'
    key and concert pitch label (recording key -> label; recordings not analysed are left out).
    """
    tracks = composer_tracks(db, key)
    grouped = group_library(tracks, composer_recording_plays(db, key))
    composer = grouped[0] if grouped else Composer(key, UNKNOWN_COMPOSER)
    return composer, _pitch_labels(db, composer, analysis_version)


def _pitch_labels(db: Database, composer: Composer, analysis_version: str) -> dict[str, str]:
    facts = composer_pitch(db, composer.key, analysis_version)
    if not facts:
        return {}
    labels: dict[str, str] = {}
    for work in composer.works:
        for recording in work.recordings:
            movements = [facts.get(int(t.id or 0), ("", 0.0)) for t in recording.movements]
            label = pitch_label(*recording_pitch(movements))
            if label:
                labels[recording.key] = label
    return labels


COLUMN_KEYS: tuple[tuple[str, ...], ...] = (
    ("composer_sort", "work_title"),
    ("work_title", "composer_sort"),
    ("disc_number", "movement_number", "track_number"),
    ("movement", "title"),
    ("recording_performers", "year"),
    ("duration_s",),
)
"""What each table column (Composer, Work, #, Movement / title, Performers, Length) reads."""


def column_order(db: Database, column: int, descending: bool) -> np.ndarray:
    """The present tracks' ids ordered by table column ``column``: composer then work, work
    then composer (works in the order a listener counts, "No. 9" before "No. 10"), disc and
    movement, title, recording, length."""
    import numpy as np

    ids, rows = sort_columns(db, COLUMN_KEYS[column])
    if column == 0:
        keys = [_ranks([r[1] for r in rows]), _ranks([r[2] for r in rows], natural=True)]
    elif column == 1:
        keys = [_ranks([r[1] for r in rows], natural=True), _ranks([r[2] for r in rows])]
    elif column == 2:
        keys = [
            np.array([r[1] or 1 for r in rows], dtype=np.int64),
            np.array([r[2] or r[3] or 0 for r in rows], dtype=np.int64),
        ]
    elif column == 3:
        keys = [_ranks([(r[1] or r[2]).casefold() for r in rows])]
    elif column == 4:
        keys = [_ranks([recording_label(r[1], r[2]).casefold() for r in rows])]
    else:
        keys = [np.array([r[1] or 0.0 for r in rows], dtype=np.float64)]
    order = np.lexsort((ids, *reversed(keys)))  # the last key sorts first; ties by id
    return ids[order[::-1] if descending else order]


def _ranks(values: list, *, natural: bool = False) -> np.ndarray:
    """Each value's place among the distinct values (sorting thousands, not every row)."""
    import numpy as np

    distinct = sorted(set(values), key=natural_key if natural else None)
    place = {v: i for i, v in enumerate(distinct)}
    return np.fromiter((place[v] for v in values), dtype=np.int64, count=len(values))
