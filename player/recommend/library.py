"""The library as the recommender sees it: arrays over every playable track, grouped into works.

Built once per library change (a scan, new analysis results) and shared read-only by every request,
so a ranking touches numpy arrays only, never the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.domain.catalogue import musical_key
from player.domain.composers import family_name
from player.domain.movements import file_stem, movement_order
from player.domain.text import key_part
from player.domain.tonality import UNKNOWN, key_code, parse_key
from player.store.db import Database
from player.store.features import library_content_vectors, track_pitch_facts
from player.store.tracks import track_columns

T = TypeVar("T")


COLUMNS = (
    *("id", "item_key", "composer", "composer_key", "composer_name", "work_key", "work_title"),
    *("work", "title", "movement", "recording_key", "disc_number", "movement_number"),
    *("track_number", "path", "duration_s"),
)
"""The tracks' columns the index is built from (read without making Track objects)."""


def _each_once(fn: Callable[[str], T], values: list[str]) -> list[T]:
    """``fn`` of each value, worked out once per distinct value (names repeat by thousands)."""
    done: dict[str, T] = {}
    return [done[v] if v in done else done.setdefault(v, fn(v)) for v in values]


def _labels(columns: dict[str, list]) -> list[str]:
    """A work as a reason names it: "Bach: Cello Suite No. 1", or the title of a single piece."""
    surnames = _each_once(family_name, columns["composer_name"])
    return [
        f"{surname}: {title or work or name}" if surname and key else title or work or name
        for surname, key, title, work, name in zip(
            surnames,
            columns["composer_key"],
            columns["work_title"],
            columns["work"],
            columns["title"],
            strict=True,
        )
    ]


def _in_play_order(columns: dict[str, list], rows: list[int]) -> np.ndarray:
    """A unit's rows in playing order (``player.domain.movements.movement_order``)."""
    if len(rows) > 1:
        rows = sorted(
            rows,
            key=lambda r: movement_order(
                disc=columns["disc_number"][r],
                movement=columns["movement_number"][r],
                track=columns["track_number"][r],
                stem=file_stem(columns["path"][r]),
                title=columns["movement"][r] or columns["title"][r],  # as Track.display_title
            ),
        )
    return np.array(rows, dtype=np.int64)


@dataclass
class LibraryIndex:
    """Every playable track in library order, with its work unit and (optional) content vector.

    Attributes
    ----------
    track_ids : int64 array, shape (N,)
    item_keys, model_artist_keys, artist_keys, composers, labels : list of str, length N
        ``item_keys`` and ``model_artist_keys`` are spelled as trained models' vocabularies
        are (``player.domain.text.key_part``); ``artist_keys`` are composer identities
        (``player.domain.composers``), so "J.S. Bach" and "Bach, Johann Sebastian" are one
        composer for variety, discovery and feedback.
    work_of : int64 array, shape (N,)
        Index of the track's work (its stored ``work_key``). Two recordings of one work share
        it: a work heard in one recording counts as heard.
    unit_of : int64 array, shape (N,)
        Index of the track's unit: one recording of one work (its ``recording_key``), whose
        movements play in order.
    units : list of int64 arrays
        Row indices of each unit's tracks in playing order (``grouping.play_order``).
    content : float32 array, shape (N, C), or None
        Content vectors as stored (zero rows for tracks not analysed yet); ``None`` when the
        library has no content vectors at all.
    content_unit : float32 array, shape (N, C), or None
        The same, L2-normalised, for cosine similarity (paper §3.2).
    content_version : str or None
        The analysis version that produced ``content``.
    durations : float array, shape (N,)
        Seconds per track (tempo between recordings, time budgets).
    tuning_hz : float array, shape (N,)
        The analysed pitch of A in Hz, NaN where unknown (period pitch between recordings).
    key_codes : int64 array, shape (N,)
        Each track's key as ``player.domain.tonality.key_code`` (-1 unknown): the analysed key
        where the features carry one, else the key its work's title names ("… in A minor").
    """

    track_ids: np.ndarray
    item_keys: list[str]
    model_artist_keys: list[str]
    artist_keys: list[str]
    composers: list[str]
    labels: list[str]
    work_of: np.ndarray
    unit_of: np.ndarray
    units: list[np.ndarray]
    content: np.ndarray | None = None
    content_version: str | None = None
    durations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tuning_hz: np.ndarray = field(default_factory=lambda: np.zeros(0))
    key_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    row_of: dict[int, int] = field(default_factory=dict)
    content_unit: np.ndarray | None = None
    unit_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unit_durations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unit_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unit_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        self.row_of = {int(t): i for i, t in enumerate(self.track_ids.tolist())}
        self._id_order = np.argsort(self.track_ids)
        self._sorted_ids = self.track_ids[self._id_order]
        self.unit_first = np.array([int(rows[0]) for rows in self.units], dtype=np.int64)
        # every unit's rows one after another, and where each unit begins: a per-unit minimum
        # or sum over all rows is then one reduceat
        self.unit_rows = np.concatenate(self.units) if self.units else np.zeros(0, np.int64)
        self.unit_starts = np.cumsum([0] + [len(rows) for rows in self.units[:-1]], dtype=np.int64)
        n = len(self.track_ids)
        if len(self.durations) != n:
            self.durations = np.zeros(n)
        if len(self.tuning_hz) != n:
            self.tuning_hz = np.full(n, np.nan)
        if len(self.key_codes) != n:
            self.key_codes = np.full(n, UNKNOWN, dtype=np.int64)
        self.unit_durations = np.bincount(
            self.unit_of, weights=self.durations, minlength=len(self.units)
        ).astype(np.float64)
        if self.content is not None:
            norms = np.linalg.norm(self.content, axis=1, keepdims=True)
            self.content_unit = self.content / np.maximum(norms, 1e-12)

    def __len__(self) -> int:
        return len(self.track_ids)

    def rows_of_ids(self, track_ids: np.ndarray) -> np.ndarray:
        """Library row of each track id (int64 array), -1 for a track not in the library."""
        order, ids = self._id_order, self._sorted_ids
        at = np.minimum(np.searchsorted(ids, track_ids), max(len(ids) - 1, 0))
        if not len(ids):
            return np.full(len(track_ids), -1, dtype=np.int64)
        return np.where(ids[at] == track_ids, order[at], -1).astype(np.int64)

    def rows(self, track_ids) -> np.ndarray:
        """Row indices of the given track ids that are in the library, in the given order."""
        return np.array([self.row_of[t] for t in track_ids if t in self.row_of], dtype=np.int64)

    @classmethod
    def from_columns(
        cls,
        columns: dict[str, list],
        content: dict[int, np.ndarray] | None = None,
        content_version: str | None = None,
        pitch: dict[int, tuple[float | None, str | None]] | None = None,
    ) -> LibraryIndex:
        """Index the tracks given as :data:`COLUMNS` (in library order, as
        :func:`player.store.tracks.track_columns` reads them); ``content`` maps track id to a
        content vector, ``pitch`` to its analysed tuning (Hz) and key."""
        ids = columns["id"]
        works: dict[str, int] = {}
        units: dict[str, list[int]] = defaultdict(list)
        work_of, unit_keys = [], []
        for row, (track_id, work, recording) in enumerate(
            zip(ids, columns["work_key"], columns["recording_key"], strict=True)
        ):
            work_of.append(works.setdefault(work or f"piece {track_id}", len(works)))
            unit_key = recording or f"piece {track_id}"
            units[unit_key].append(row)
            unit_keys.append(unit_key)
        unit_index = {key: i for i, key in enumerate(units)}
        matrix = None
        if content:
            dim = len(next(iter(content.values())))
            matrix = np.zeros((len(ids), dim), dtype=np.float32)
            for row, track_id in enumerate(ids):
                vector = content.get(track_id)
                if vector is not None:
                    matrix[row] = vector
        return cls(
            track_ids=np.array(ids, dtype=np.int64),
            # the keys the trainer's profile reader gives items and artists
            item_keys=[k or f"track:{i}" for k, i in zip(columns["item_key"], ids, strict=True)],
            model_artist_keys=_each_once(key_part, columns["composer"]),
            artist_keys=columns["composer_key"],
            composers=columns["composer_name"],
            labels=_labels(columns),
            work_of=np.array(work_of, dtype=np.int64),
            unit_of=np.array([unit_index[k] for k in unit_keys], dtype=np.int64),
            units=[_in_play_order(columns, rows) for rows in units.values()],
            content=matrix,
            content_version=content_version,
            durations=np.array(columns["duration_s"], dtype=np.float64),
            tuning_hz=np.array(
                [(pitch.get(i, (None, None))[0] or np.nan) for i in ids]
                if pitch
                else np.full(len(ids), np.nan)
            ),
            key_codes=_key_codes(columns, pitch or {}),
        )

    def unit_seconds(self, unit: int) -> float:
        """How long one unit (a recording of a work, or a piece) plays."""
        return float(self.unit_durations[unit])


def _key_codes(
    columns: dict[str, list], pitch: dict[int, tuple[float | None, str | None]]
) -> np.ndarray:
    """The analysed key of each track, else the one its work's title names."""
    by_title: dict[str, int] = {}
    codes = np.full(len(columns["id"]), UNKNOWN, dtype=np.int64)
    for row, (track_id, work_title, work, title) in enumerate(
        zip(columns["id"], columns["work_title"], columns["work"], columns["title"], strict=True)
    ):
        analysed = pitch.get(track_id, (None, None))[1]
        if analysed:
            codes[row] = key_code(parse_key(analysed))
            continue
        name = work_title or work or title
        if name not in by_title:
            by_title[name] = key_code(musical_key(name))
        codes[row] = by_title[name]
    return codes


def load_library(db: Database) -> LibraryIndex:
    """Index the profile's playable tracks with the content vectors the analysis stored."""
    columns = track_columns(db, COLUMNS)
    content, version = _stored_content(db)
    pitch = track_pitch_facts(db, ANALYSIS_VERSION)
    return LibraryIndex.from_columns(columns, content, version, pitch)


def _stored_content(db: Database) -> tuple[dict[int, np.ndarray] | None, str | None]:
    """TF-IDF content vectors of the current analysis version; ``None`` until the analysis has run."""
    ids, vectors = library_content_vectors(db, ANALYSIS_VERSION)
    if not len(ids):
        return None, None
    return dict(zip(ids.tolist(), vectors, strict=True)), ANALYSIS_VERSION
