"""The library as the recommender sees it: arrays over every playable track, grouped into works.

Built once per library change (a scan, new analysis results) and shared read-only by every request,
so a ranking touches numpy arrays only, never the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.domain.composers import family_name
from player.domain.plays import is_heard
from player.domain.text import key_part
from player.library.grouping import play_order
from player.store.db import Database
from player.store.features import library_content_vectors
from player.store.plays import listening_sessions
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
    sessions : list of int64 arrays
        Library rows of each session, in order (for replays and tests).
    """

    play_counts: np.ndarray
    heard_works: set[int]
    heard_artists: set[str]
    follows: dict[int, Counter]
    sessions: list[np.ndarray]


def load_history(db: Database, library: LibraryIndex, window: int = 2) -> History:
    """Read the play log into a :class:`History` over ``library``'s rows."""
    counts = np.zeros(len(library), dtype=np.float64)
    heard_works: set[int] = set()
    heard_artists: set[str] = set()
    follows: dict[int, Counter] = defaultdict(Counter)
    sessions = []
    for session in listening_sessions(db):
        rows = [library.row_of[p.track_id] for p in session if p.track_id in library.row_of]
        for play in session:
            row = library.row_of.get(play.track_id)
            if row is not None and is_heard(play.ms_heard, play.ended_how):
                counts[row] += 1
                heard_works.add(int(library.work_of[row]))
                heard_artists.add(library.artist_keys[row])
        sessions.append(np.array(rows, dtype=np.int64))
        works = [int(library.work_of[r]) for r in rows]
        works = [w for i, w in enumerate(works) if i == 0 or works[i - 1] != w]
        for i, a in enumerate(works):
            for b in works[i + 1 : i + 1 + window]:
                if b != a:
                    follows[a][b] += 1
    return History(counts, heard_works, heard_artists, dict(follows), sessions)


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
