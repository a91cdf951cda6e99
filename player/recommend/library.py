"""The library as the recommender sees it: arrays over every playable track, grouped into works.

Built once per library change (a scan, new analysis results) and shared read-only by every request,
so a ranking touches numpy arrays only, never the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.domain.catalogue import musical_key
from player.domain.composers import family_name
from player.domain.movements import file_position, file_stem, movement_order
from player.domain.text import key_part
from player.domain.tonality import UNKNOWN, key_code, parse_key
from player.recommend.texts import Texts
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


class Units(Sequence[np.ndarray]):
    """Each unit's rows in playing order: views into one array, made when asked for (a list
    of 20,000 small arrays would cost more than the rows themselves)."""

    __slots__ = ("_ends", "_rows", "_starts")

    def __init__(self, rows: np.ndarray, starts: np.ndarray) -> None:
        self._rows, self._starts = rows, starts
        self._ends = np.append(starts[1:], len(rows)).astype(np.int64)[: len(starts)]

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, unit: int) -> np.ndarray:  # type: ignore[override]  # no slices
        return self._rows[self._starts[unit] : self._ends[unit]]

    def __iter__(self) -> Iterator[np.ndarray]:
        rows = self._rows
        return (rows[s:e] for s, e in zip(self._starts.tolist(), self._ends.tolist(), strict=True))


class _RowOf(Mapping[int, int]):
    """Track id -> library row, looked up in the index's sorted ids (a dict of 100,000 ids
    would cost ten megabytes)."""

    __slots__ = ("_library",)

    def __init__(self, library: LibraryIndex) -> None:
        self._library = library

    def __getitem__(self, track_id: int) -> int:
        library = self._library
        if isinstance(track_id, (int, np.integer)):
            ids = library._sorted_ids
            at = int(ids.searchsorted(track_id))
            if at < len(ids) and ids[at] == track_id:
                return int(library._id_order[at])
        raise KeyError(track_id)

    def __iter__(self) -> Iterator[int]:
        return iter(self._library.track_ids.tolist())

    def __len__(self) -> int:
        return len(self._library)


@dataclass
class LibraryIndex:
    """Every playable track in library order, with its work unit and (optional) content vector.

    Attributes
    ----------
    track_ids : int64 array, shape (N,)
    item_keys, model_artist_keys, artist_keys, composers, labels : Texts, length N
        Texts per row (:class:`~player.recommend.texts.Texts`: read like lists of str, held
        as codes into their distinct texts). ``item_keys`` and ``model_artist_keys`` are
        spelled as trained models' vocabularies are (``player.domain.text.key_part``);
        ``artist_keys`` are composer identities (``player.domain.composers``), so "J.S. Bach"
        and "Bach, Johann Sebastian" are one composer for variety, discovery and feedback.
    work_of : int64 array, shape (N,)
        Index of the track's work (its stored ``work_key``, ``work_names[w]``). Two
        recordings of one work share it: a work heard in one recording counts as heard.
    unit_of : int64 array, shape (N,)
        Index of the track's unit: one recording of one work (its ``recording_key``,
        ``unit_names[u]``), whose movements play in order.
    unit_rows, unit_starts : int64 arrays, shapes (N,) and (units,)
        Every unit's rows in playing order (``player.domain.movements.movement_order``), one
        unit after another, and where each unit begins; :attr:`units` gives them per unit.
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
    units : sequence of int64 arrays
        Row indices of each unit's tracks in playing order (views into ``unit_rows``).
    row_of : mapping
        Track id -> library row, for the tracks in the library.
    unit_first, unit_durations, content_unit
        Derived from the above when the index is made.

    Nothing here is a Python object per track: 100,000 tracks cost a few megabytes.
    """

    track_ids: np.ndarray
    item_keys: Texts
    model_artist_keys: Texts
    artist_keys: Texts
    composers: Texts
    labels: Texts
    work_of: np.ndarray
    unit_of: np.ndarray
    unit_rows: np.ndarray
    unit_starts: np.ndarray
    work_names: list[str]
    unit_names: list[str]
    content: np.ndarray | None = None
    content_version: str | None = None
    durations: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tuning_hz: np.ndarray = field(default_factory=lambda: np.zeros(0))
    key_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    title_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    content_unit: np.ndarray | None = field(default=None, init=False)
    unit_first: np.ndarray = field(init=False)
    unit_durations: np.ndarray = field(init=False)
    artist_codes: np.ndarray = field(init=False)
    artist_code_of: dict[str, int] = field(init=False)
    units: Units = field(init=False)
    row_of: Mapping[int, int] = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.track_ids)
        composers = self.artist_keys.compact()  # numbered as they first come
        self.artist_codes = composers.codes.astype(np.int64)
        self.artist_code_of = {key: code for code, key in enumerate(composers.values)}
        self.units = Units(self.unit_rows, self.unit_starts)
        self.row_of = _RowOf(self)
        self.unit_first = self.unit_rows[self.unit_starts]
        self._id_order = np.argsort(self.track_ids)
        self._sorted_ids = self.track_ids[self._id_order]
        if len(self.durations) != n:
            self.durations = np.zeros(n)
        if len(self.tuning_hz) != n:
            self.tuning_hz = np.full(n, np.nan)
        if len(self.key_codes) != n:
            self.key_codes = np.full(n, UNKNOWN, dtype=np.int64)
        if len(self.title_keys) != n:
            self.title_keys = np.full(n, UNKNOWN, dtype=np.int64)
        self.unit_durations = np.bincount(
            self.unit_of, weights=self.durations, minlength=len(self.unit_starts)
        ).astype(np.float64)
        if self.content is not None:
            norms = np.linalg.norm(self.content, axis=1, keepdims=True)
            self.content_unit = self.content / np.maximum(norms, 1e-12)

    def __len__(self) -> int:
        return len(self.track_ids)

    @property
    def work_keys(self) -> Texts:
        """Each row's work key (as stored; "piece ID" for a track without a work)."""
        return Texts(self.work_of, self.work_names)

    @property
    def recording_keys(self) -> Texts:
        """Each row's unit key (its recording's, or "piece ID" for a track on its own)."""
        return Texts(self.unit_of, self.unit_names)

    def rows_of_ids(self, track_ids: np.ndarray) -> np.ndarray:
        """Library row of each track id (int64 array), -1 for a track not in the library."""
        order, ids = self._id_order, self._sorted_ids
        track_ids = np.asarray(track_ids)
        if not len(ids):
            return np.full(len(track_ids), -1, dtype=np.int64)
        # in place where it can be: a decade's plays are a million ids
        at = np.searchsorted(ids, track_ids)
        np.minimum(at, len(ids) - 1, out=at)
        missing = ids[at] != track_ids
        rows = order[at]
        del at
        rows[missing] = -1
        return rows

    def rows(self, track_ids: Iterable[int]) -> np.ndarray:
        """Row indices of the given track ids that are in the library, in the given order."""
        ids = np.fromiter(track_ids, dtype=np.int64)
        if not len(ids):  # no feedback, nothing removed: most requests ask about none
            return ids
        rows = self.rows_of_ids(ids)
        return rows[rows >= 0]

    @classmethod
    def from_columns(cls, columns: dict[str, list]) -> LibraryIndex:
        """Index the tracks given as :data:`COLUMNS` (in library order, as
        :func:`player.store.tracks.track_columns` reads them), without analysis results yet
        (:meth:`with_features` adds them)."""
        values = _row_values(columns)
        return cls._assemble(values, lambda key, rows: _in_play_order(columns, rows))

    @classmethod
    def _assemble(
        cls, values: dict[str, Any], play_order: Callable[[str, list[int]], np.ndarray]
    ) -> LibraryIndex:
        """The index of rows whose own values (:func:`_row_values`) are given in library
        order: works and units numbered as they first come, each unit's rows put in playing
        order by ``play_order(recording key, rows)``."""
        works = values["work_keys"].compact()
        units = values["recording_keys"].compact()
        unit_of = units.codes.astype(np.int64)
        sizes = np.bincount(unit_of, minlength=len(units.values))
        starts = np.cumsum(sizes) - sizes
        by_unit = np.argsort(unit_of, kind="stable")
        in_library_order = np.split(by_unit, starts[1:]) if len(starts) else []  # no tracks
        ordered = [
            play_order(key, rows.tolist())
            for key, rows in zip(units.values, in_library_order, strict=True)
        ]
        return cls(
            track_ids=np.asarray(values["id"], dtype=np.int64),
            item_keys=values["item_keys"],
            model_artist_keys=values["model_artist_keys"],
            artist_keys=values["artist_keys"],
            composers=values["composers"],
            labels=values["labels"],
            work_of=works.codes.astype(np.int64),
            unit_of=unit_of,
            unit_rows=np.concatenate(ordered).astype(np.int64) if ordered else _NO_ROWS,
            unit_starts=starts.astype(np.int64),
            work_names=works.values,
            unit_names=units.values,
            durations=np.asarray(values["durations"], dtype=np.float64),
            key_codes=np.asarray(values["title_keys"], dtype=np.int64),
            title_keys=np.asarray(values["title_keys"], dtype=np.int64),
        )

    def patched(
        self, order: list[int], changed: Collection[int], read: Callable[[list[int]], dict]
    ) -> LibraryIndex:
        """The index of the tracks ``order`` lists (ids in library order) when only the tracks
        ``changed`` were added, edited or removed since this one was made: equal to a fresh
        :meth:`from_columns`, but only the changed tracks and the recordings they leave or join
        are read (``read(ids)``: their :data:`COLUMNS` in the order given) and worked out again;
        every other row keeps its values, and every other unit its playing order.

        Raises ValueError when the tracks do not match ``changed`` (a track gone that it does
        not name, or tracks that changed again while read): index afresh then.
        """
        ids = np.asarray(order, dtype=np.int64)
        old_rows = self.rows_of_ids(ids)  # -1: not in this index
        changed_ids = np.fromiter(set(changed), dtype=np.int64)
        if not np.isin(np.setdiff1d(self.track_ids, ids), changed_ids).all():
            raise ValueError("the change does not account for every track gone")
        new = ids[np.isin(ids, changed_ids) | (old_rows < 0)].tolist()
        first = read(new)
        changed_rows = self.rows_of_ids(changed_ids)
        unit_names = self.unit_names
        touched = {unit_names[u] for u in np.unique(self.unit_of[changed_rows[changed_rows >= 0]])}
        touched.update(_recording_keys(first))
        touched_unit = np.array([key in touched for key in unit_names], dtype=bool)
        in_touched = np.zeros(len(ids), dtype=bool)
        in_touched[old_rows >= 0] = touched_unit[self.unit_of[old_rows[old_rows >= 0]]]
        fresh_ids = ids[np.isin(ids, np.asarray(first["id"], dtype=np.int64)) | in_touched]
        columns = read(fresh_ids.tolist())
        if len(first["id"]) != len(new) or len(columns["id"]) != len(fresh_ids):
            raise ValueError("the tracks changed again while they were read")
        fresh = _row_values(columns)
        # where each row's values come from: the old row, or (-1 -) its place among the fresh
        read_ids = np.asarray(columns["id"], dtype=np.int64)
        by_id = np.argsort(read_ids)
        at = np.minimum(np.searchsorted(read_ids[by_id], ids), max(len(read_ids) - 1, 0))
        found = read_ids[by_id][at] == ids if len(read_ids) else np.zeros(len(ids), dtype=bool)
        if ((old_rows < 0) & ~found).any():
            raise ValueError("the tracks changed again while they were read")
        source = np.where(found, -1 - by_id[at] if len(read_ids) else 0, old_rows)
        kept = source >= 0
        taken, placed = np.where(kept, source, 0), -1 - source[~kept]
        values: dict[str, Any] = {"id": ids}
        for name in (*_TEXTS, "work_keys", "recording_keys"):
            values[name] = Texts.merged(
                kept, getattr(self, name).take(taken), fresh[name].take(placed)
            )
        for name in ("durations", "title_keys"):
            old = getattr(self, name)
            merged = old[taken]
            merged[~kept] = np.asarray(fresh[name], dtype=old.dtype)[placed]
            values[name] = merged
        new_row = np.full(len(self), -1, dtype=np.int64)
        new_row[source[kept]] = np.flatnonzero(kept)
        fresh_rows = np.flatnonzero(~kept)[np.argsort(-1 - source[~kept])]
        old_unit = {key: u for u, key in enumerate(unit_names)}

        def play_order(key: str, rows: list[int]) -> np.ndarray:
            if key not in touched and key in old_unit:
                return new_row[self.units[old_unit[key]]]
            places = (-1 - source[rows]).tolist()
            return fresh_rows[_in_play_order(columns, places)]

        return self._assemble(values, play_order)

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


_TEXTS = ("item_keys", "model_artist_keys", "artist_keys", "composers", "labels")
"""The index's texts per row."""
_NO_ROWS = np.zeros(0, dtype=np.int64)


def _recording_keys(columns: dict[str, list]) -> list[str]:
    """Each track's unit: its recording, or the track alone."""
    return [r or f"piece {i}" for r, i in zip(columns["recording_key"], columns["id"], strict=True)]


def _row_values(columns: dict[str, list]) -> dict[str, Any]:
    """What each track (given as :data:`COLUMNS`) brings to the index on its own: the keys a
    trained model knows it by, its composer, the label of its work, its work's and unit's
    keys, its length and the key its title names."""
    ids = columns["id"]
    return {
        "id": ids,
        # the keys the trainer's profile reader gives items and artists
        "item_keys": Texts.of(
            k or f"track:{i}" for k, i in zip(columns["item_key"], ids, strict=True)
        ),
        "model_artist_keys": Texts.of(columns["composer"]).map(key_part),
        "artist_keys": Texts.of(columns["composer_key"]),
        "composers": Texts.of(columns["composer_name"]),
        "labels": Texts.of(_labels(columns)),
        "work_keys": Texts.of(
            w or f"piece {i}" for w, i in zip(columns["work_key"], ids, strict=True)
        ),
        "recording_keys": Texts.of(_recording_keys(columns)),
        "durations": columns["duration_s"],
        "title_keys": _title_keys(columns),
    }


def _title_keys(columns: dict[str, list]) -> np.ndarray:
    """The key each track's work title names ("… in A minor"), -1 where none."""
    names = [w_title or work or title for w_title, work, title in zip(
        columns["work_title"], columns["work"], columns["title"], strict=True
    )]  # fmt: skip
    return np.array(_each_once(lambda n: key_code(musical_key(n)), names), dtype=np.int64)


def index_tracks(db: Database) -> LibraryIndex:
    """Index the profile's playable tracks, without analysis results."""
    return LibraryIndex.from_columns(track_columns(db, COLUMNS))


def load_library(db: Database) -> LibraryIndex:
    """Index the profile's playable tracks with the content vectors the analysis stored."""
    return with_stored_features(db, index_tracks(db))


def with_stored_features(db: Database, library: LibraryIndex) -> LibraryIndex:
    """``library`` with the analysis results stored now (content vectors of the current
    analysis version, tuning and key): what an analysis run changes."""
    content = library_content_vectors(db, ANALYSIS_VERSION)
    version = ANALYSIS_VERSION if len(content[0]) else None
    return library.with_features(content, version, track_pitch_facts(db, ANALYSIS_VERSION))
