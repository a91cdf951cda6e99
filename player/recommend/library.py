"""The library as the recommender sees it: arrays over every playable track, grouped into works.

Built once per library change (a scan, new analysis results) and shared read-only by every request,
so a ranking touches numpy arrays only, never the database.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.domain.catalogue import musical_key
from player.domain.composers import family_name
from player.domain.movements import file_position, file_stem, movement_order
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
    if len(rows) > 1 and not _in_order(columns, rows):
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


def _in_order(columns: dict[str, list], rows: list[int]) -> bool:
    """Whether a unit's rows, as stored (by disc, movement, track), already play in order:
    one disc and rising movement numbers, the common case, decide it without the keys'
    titles and file names (a tenth of the cost at 100,000 tracks)."""
    numbers = [columns["movement_number"][r] for r in rows]
    if not all(numbers) or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        return False
    discs, paths = columns["disc_number"], columns["path"]
    return len({discs[r] or _file_disc(paths[r]) for r in rows}) == 1


_MAY_NAME_DISC = re.compile(r"\s*\d{1,2}[-.]\d")
"""How a file name that names its disc ("1-03 Presto") begins: the stem is a prefix of the
name, so a name that does not begin so has no disc in its stem either."""


def _file_disc(path: str) -> int:
    """The disc a file's name gives (1 when none), as ``movement_order`` reads it; the stem is
    worked out only for the few names that may give one."""
    if not _MAY_NAME_DISC.match(path[max(path.rfind("/"), path.rfind(os.sep)) + 1 :]):
        return 1
    return file_position(file_stem(path))[0] or 1


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
    title_keys : int64 array, shape (N,)
        The keys the titles name alone (what :meth:`with_features` falls back on).
    artist_codes : int64 array, shape (N,)
        ``artist_keys`` as numbers (``artist_code_of``: key -> number), so that composers are
        compared as arrays.
    row_of, unit_first, unit_rows, unit_starts, unit_durations, content_unit
        Derived from the above when the index is made.
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
    title_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    artist_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    artist_code_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # what rows and units derive: worked out once; a copy made by ``replace`` (new
        # analysis results) comes with them already
        n, units = len(self.track_ids), self.units
        if len(self.row_of) != n:
            self.row_of = dict(zip(self.track_ids.tolist(), range(n), strict=True))
        if len(self.artist_codes) != n:
            codes = self.artist_code_of = {}
            self.artist_codes = np.array(
                [codes.setdefault(k, len(codes)) for k in self.artist_keys], dtype=np.int64
            )
        # every unit's rows one after another, and where each unit begins: a per-unit minimum
        # or sum over all rows is then one reduceat
        if len(self.unit_rows) != n or len(self.unit_starts) != len(units):
            lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
            self.unit_rows = np.concatenate(units) if units else np.zeros(0, np.int64)
            self.unit_starts = np.cumsum(lengths) - lengths
        self.unit_first = self.unit_rows[self.unit_starts] if units else np.zeros(0, np.int64)
        self._id_order = np.argsort(self.track_ids)
        self._sorted_ids = self.track_ids[self._id_order]
        n = len(self.track_ids)
        if len(self.durations) != n:
            self.durations = np.zeros(n)
        if len(self.tuning_hz) != n:
            self.tuning_hz = np.full(n, np.nan)
        if len(self.key_codes) != n:
            self.key_codes = np.full(n, UNKNOWN, dtype=np.int64)
        if len(self.title_keys) != n:
            self.title_keys = np.full(n, UNKNOWN, dtype=np.int64)
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
    def from_columns(cls, columns: dict[str, list]) -> LibraryIndex:
        """Index the tracks given as :data:`COLUMNS` (in library order, as
        :func:`player.store.tracks.track_columns` reads them), without analysis results yet
        (:meth:`with_features` adds them)."""
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
        title_keys = _title_keys(columns)
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
            durations=np.array(columns["duration_s"], dtype=np.float64),
            key_codes=title_keys,
            title_keys=title_keys,
        )

    def with_features(
        self,
        content: tuple[np.ndarray, np.ndarray] | None,
        content_version: str | None,
        pitch: tuple[np.ndarray, np.ndarray, list[str]],
    ) -> LibraryIndex:
        """This index with the analysis results given (a new object: rows, works and units are
        shared, so an analysis run costs no re-index). ``content`` is track ids (n,) and their
        content vectors (n, C); ``pitch`` is track ids (m,), their analysed tuning in Hz (NaN
        unknown) and keys ("" unknown), as :func:`~player.store.features.track_pitch_facts`
        reads them."""
        matrix = None
        if content is not None and len(content[0]):
            ids, vectors = content
            matrix = np.zeros((len(self), vectors.shape[1]), dtype=np.float32)
            rows = self.rows_of_ids(ids)
            matrix[rows[rows >= 0]] = vectors[rows >= 0]
        ids, tuning, keys = pitch
        rows = self.rows_of_ids(ids)
        here = rows >= 0
        tuning_hz = np.full(len(self), np.nan)
        tuning_hz[rows[here]] = tuning[here]
        analysed = np.array(_each_once(lambda k: key_code(parse_key(k)) if k else UNKNOWN, keys))
        keyed = here & (analysed != UNKNOWN) if len(keys) else here
        key_codes = self.title_keys.copy()
        key_codes[rows[keyed]] = analysed[keyed]
        return replace(
            self,
            content=matrix,
            content_version=content_version if matrix is not None else None,
            tuning_hz=tuning_hz,
            key_codes=key_codes,
        )

    def unit_seconds(self, unit: int) -> float:
        """How long one unit (a recording of a work, or a piece) plays."""
        return float(self.unit_durations[unit])


def _title_keys(columns: dict[str, list]) -> np.ndarray:
    """The key each track's work title names ("… in A minor"), -1 where none."""
    names = [w_title or work or title for w_title, work, title in zip(
        columns["work_title"], columns["work"], columns["title"], strict=True
    )]  # fmt: skip
    return np.array(_each_once(lambda n: key_code(musical_key(n)), names), dtype=np.int64)


def load_library(db: Database) -> LibraryIndex:
    """Index the profile's playable tracks with the content vectors the analysis stored."""
    return with_stored_features(db, LibraryIndex.from_columns(track_columns(db, COLUMNS)))


def with_stored_features(db: Database, library: LibraryIndex) -> LibraryIndex:
    """``library`` with the analysis results stored now (content vectors of the current
    analysis version, tuning and key): what an analysis run changes."""
    content = library_content_vectors(db, ANALYSIS_VERSION)
    version = ANALYSIS_VERSION if len(content[0]) else None
    return library.with_features(content, version, track_pitch_facts(db, ANALYSIS_VERSION))
