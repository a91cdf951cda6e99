"""The library as the recommender sees it: arrays over every playable track, grouped into works.

Built once per library change (a scan, new analysis results) and shared read-only by every request,
so a ranking touches numpy arrays only, never the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.domain.composers import family_name
from player.domain.plays import HEARD_MS
from player.domain.text import key_part
from player.library.grouping import play_order
from player.store.db import Database
from player.store.features import library_content_vectors
from player.store.plays import play_columns
from player.store.sessions import SESSION_GAP, session_cuts
from player.store.tracks import Track, all_tracks


def short_label(track: Track) -> str:
    """A work as a reason names it: "Bach: Cello Suite No. 1", or the title of a single piece."""
    name = track.work_title or track.work or track.title
    surname = family_name(track.composer_name) if track.composer_key else ""
    return f"{surname}: {name}" if surname else name


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
    row_of: dict[int, int] = field(default_factory=dict)
    content_unit: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.row_of = {int(t): i for i, t in enumerate(self.track_ids)}
        if self.content is not None:
            norms = np.linalg.norm(self.content, axis=1, keepdims=True)
            self.content_unit = self.content / np.maximum(norms, 1e-12)

    def __len__(self) -> int:
        return len(self.track_ids)

    def rows_of_ids(self, track_ids: np.ndarray) -> np.ndarray:
        """Library row of each track id (int64 array), -1 for a track not in the library."""
        order = np.argsort(self.track_ids)
        ids = self.track_ids[order]
        at = np.minimum(np.searchsorted(ids, track_ids), max(len(ids) - 1, 0))
        if not len(ids):
            return np.full(len(track_ids), -1, dtype=np.int64)
        return np.where(ids[at] == track_ids, order[at], -1).astype(np.int64)

    def rows(self, track_ids) -> np.ndarray:
        """Row indices of the given track ids that are in the library, in the given order."""
        return np.array([self.row_of[t] for t in track_ids if t in self.row_of], dtype=np.int64)

    @classmethod
    def from_tracks(
        cls,
        tracks: list[Track],
        content: dict[int, np.ndarray] | None = None,
        content_version: str | None = None,
    ) -> LibraryIndex:
        """Index ``tracks`` (in library order); ``content`` maps track id to a content vector."""
        works: dict[str, int] = {}
        units: dict[str, list[int]] = defaultdict(list)
        work_of, unit_keys = [], []
        for row, track in enumerate(tracks):
            work_of.append(works.setdefault(track.work_key or f"piece {track.id}", len(works)))
            unit_key = track.recording_key or f"piece {track.id}"
            units[unit_key].append(row)
            unit_keys.append(unit_key)
        unit_index = {key: i for i, key in enumerate(units)}
        unit_rows = [
            np.array(sorted(rows, key=lambda r: play_order(tracks[r])), dtype=np.int64)
            for rows in units.values()
        ]
        matrix = None
        if content:
            dim = len(next(iter(content.values())))
            matrix = np.zeros((len(tracks), dim), dtype=np.float32)
            for row, track in enumerate(tracks):
                vector = content.get(int(track.id or 0))
                if vector is not None:
                    matrix[row] = vector
        return cls(
            track_ids=np.array([t.id for t in tracks], dtype=np.int64),
            # the keys the trainer's profile reader gives items and artists
            item_keys=[t.item_key or f"track:{t.id}" for t in tracks],
            model_artist_keys=[key_part(t.composer) for t in tracks],
            artist_keys=[t.composer_key for t in tracks],
            composers=[t.composer_name for t in tracks],
            labels=[short_label(t) for t in tracks],
            work_of=np.array(work_of, dtype=np.int64),
            unit_of=np.array([unit_index[k] for k in unit_keys], dtype=np.int64),
            units=unit_rows,
            content=matrix,
            content_version=content_version,
        )


@dataclass
class History:
    """What the listener has heard, reduced to what ranking needs.

    Attributes
    ----------
    play_counts : float array, shape (N,)
        Heard plays per library row.
    heard_works, heard_artists : set
        Work indices and artist keys heard at least once.
    follows : dict of Counter
        ``follows[a][b]``: how often work ``b`` came within two works after work ``a`` in a session.
    """

    play_counts: np.ndarray
    heard_works: set[int]
    heard_artists: set[str]
    follows: dict[int, Counter]


def load_history(db: Database, library: LibraryIndex, window: int = 2) -> History:
    """Read the play log into a :class:`History` over ``library``'s rows.

    The log is read as arrays and cut by the shared session rule in numpy, so a decade of
    listening (a million plays) loads in well under a second.
    """
    log = play_columns(db)
    new_session, repeat = session_cuts(
        log.start_ms, log.end_ms, log.track_id, SESSION_GAP // timedelta(milliseconds=1)
    )
    session = np.cumsum(new_session) - 1
    rows = library.rows_of_ids(log.track_id)
    kept = ~repeat & (rows >= 0)  # a repeat is merged into the play it repeats
    heard = kept & (log.finished | (log.ms_heard >= HEARD_MS))  # domain.plays.is_heard
    counts = np.bincount(rows[heard], minlength=len(library)).astype(np.float64)
    heard_rows = np.flatnonzero(counts)
    heard_works = set(library.work_of[heard_rows].tolist())
    heard_artists = {library.artist_keys[r] for r in heard_rows.tolist()}
    return History(
        counts, heard_works, heard_artists, _follows(library, rows[kept], session[kept], window)
    )


def _follows(
    library: LibraryIndex, rows: np.ndarray, session: np.ndarray, window: int
) -> dict[int, Counter]:
    """How often each work came within ``window`` works after another in one session
    (a work's consecutive movements count once)."""
    works = library.work_of[rows]
    changed = np.ones(len(works), dtype=bool)
    changed[1:] = (works[1:] != works[:-1]) | (session[1:] != session[:-1])
    works, session = works[changed], session[changed]
    pairs = []
    for step in range(1, window + 1):
        same = (session[step:] == session[:-step]) & (works[step:] != works[:-step])
        pairs.append(works[:-step][same] * len(library) + works[step:][same])
    follows: dict[int, Counter] = defaultdict(Counter)
    codes, counts = np.unique(
        np.concatenate(pairs) if pairs else np.zeros(0, np.int64), return_counts=True
    )
    for code, n in zip(codes.tolist(), counts.tolist(), strict=True):
        follows[code // len(library)][code % len(library)] = n
    return dict(follows)


def load_library(db: Database) -> LibraryIndex:
    """Index the profile's playable tracks with the content vectors the analysis stored."""
    tracks = all_tracks(db)
    content, version = _stored_content(db)
    return LibraryIndex.from_tracks(tracks, content, version)


def _stored_content(db: Database) -> tuple[dict[int, np.ndarray] | None, str | None]:
    """TF-IDF content vectors of the current analysis version; ``None`` until the analysis has run."""
    ids, vectors = library_content_vectors(db, ANALYSIS_VERSION)
    if not len(ids):
        return None, None
    return dict(zip(ids.tolist(), vectors, strict=True)), ANALYSIS_VERSION
