"""Analysis features per track: which tracks need analysing, results, failures, histograms.

A result or a failure replaces the track's previous row in one statement, so a crash can
never leave half a result. Rows of another ``analysis_version`` are stale: the track is
analysed again and the row replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from player.analysis.content import inverse_document_frequency, most_similar, tfidf
from player.priority import SLICE
from player.store.db import Database, path_from_db, utc_now
from player.store.tracks import LIBRARY_ORDER

_UPSERT = (
    "INSERT INTO features (track_id, analysis_version, status, reason, histogram, n_segments, "
    "duration_s, voiced_share, median_f0_hz, tuning, key, tuning_hz, content_vector, analysed_at) "
    "VALUES (:track_id, :analysis_version, :status, :reason, :histogram, :n_segments, "
    ":duration_s, :voiced_share, :median_f0_hz, :tuning, :key, :tuning_hz, :content_vector, "
    ":analysed_at) "
    "ON CONFLICT (track_id) DO UPDATE SET analysis_version = excluded.analysis_version, "
    "status = excluded.status, reason = excluded.reason, histogram = excluded.histogram, "
    "n_segments = excluded.n_segments, duration_s = excluded.duration_s, "
    "voiced_share = excluded.voiced_share, median_f0_hz = excluded.median_f0_hz, "
    "tuning = excluded.tuning, key = excluded.key, tuning_hz = excluded.tuning_hz, "
    "content_vector = excluded.content_vector, analysed_at = excluded.analysed_at"
)


@dataclass(frozen=True)
class TrackFeatures:
    """What the analysis keeps of one track: the class histogram and a few summary numbers."""

    histogram: np.ndarray  # (K,) float32, summed segment-class probabilities
    n_segments: int
    duration_s: float
    voiced_share: float  # share of 10 ms frames with a pitch
    median_f0_hz: float  # over voiced frames, 0 when none
    tuning: float  # semitones from A440, within ±0.5 (the note grid of the analysis)
    key: str = ""  # e.g. "F# minor"; the tags' key when they name one
    tuning_hz: float = 0.0  # the A4 the recording was played at, e.g. 415.3
    content_vector: np.ndarray | None = None  # (D,) float32 from the content embedding, if any


def tracks_needing_analysis(
    db: Database, analysis_version: str, pause_point: Callable[[], None] | None = None
) -> list[tuple[int, str]]:
    """``(track_id, path)`` of present tracks without a row of this version, in library order;
    ``pause_point`` is called every :data:`~player.priority.SLICE` rows (a job the listener
    waits for goes first). The rows stream in the library-order index's order: sorted in
    SQLite, 100,000 tracks cost 0.8 s of CPU in one step that no pause point could split."""
    rows = db.conn.execute(
        "SELECT t.id, t.path FROM tracks t LEFT JOIN features f "
        "ON f.track_id = t.id AND f.analysis_version = ? "
        "WHERE t.missing = 0 AND f.track_id IS NULL "
        f"ORDER BY {LIBRARY_ORDER}",
        (analysis_version,),
    )
    found = []
    for n, (track_id, path) in enumerate(rows):
        if pause_point is not None and n % SLICE == 0:
            pause_point()
        found.append((int(track_id), path_from_db(path)))
    return found


def save_features(
    db: Database, track_id: int, analysis_version: str, features: TrackFeatures
) -> None:
    """Store a successful analysis, replacing any earlier row of the track."""
    histogram = np.ascontiguousarray(features.histogram, dtype="<f4")
    vector = features.content_vector
    with db.transaction() as conn:
        conn.execute(
            _UPSERT,
            {
                "track_id": track_id,
                "analysis_version": analysis_version,
                "status": "ok",
                "reason": "",
                "histogram": histogram.tobytes(),
                "n_segments": features.n_segments,
                "duration_s": features.duration_s,
                "voiced_share": features.voiced_share,
                "median_f0_hz": features.median_f0_hz,
                "tuning": features.tuning,
                "key": features.key,
                "tuning_hz": features.tuning_hz,
                "content_vector": None
                if vector is None
                else np.ascontiguousarray(vector, dtype="<f4").tobytes(),
                "analysed_at": utc_now(),
            },
        )


def save_failure(db: Database, track_id: int, analysis_version: str, reason: str) -> None:
    """Record why a track could not be analysed (it is not retried for this version)."""
    with db.transaction() as conn:
        conn.execute(
            _UPSERT,
            {
                "track_id": track_id,
                "analysis_version": analysis_version,
                "status": "failed",
                "reason": reason,
                "histogram": None,
                "n_segments": 0,
                "duration_s": 0.0,
                "voiced_share": 0.0,
                "median_f0_hz": 0.0,
                "tuning": 0.0,
                "key": "",
                "tuning_hz": 0.0,
                "content_vector": None,
                "analysed_at": utc_now(),
            },
        )


def key_and_tuning(db: Database, track_id: int, analysis_version: str) -> tuple[str, float] | None:
    """The stored key and A4 (Hz) of a track, or None before its analysis succeeded."""
    row = db.conn.execute(
        "SELECT key, tuning_hz FROM features WHERE track_id = ? AND analysis_version = ? "
        "AND status = 'ok'",
        (track_id, analysis_version),
    ).fetchone()
    return None if row is None else (str(row[0]), float(row[1]))


def failures(db: Database, analysis_version: str) -> dict[int, str]:
    """``track_id -> reason`` of the tracks whose analysis failed."""
    rows = db.conn.execute(
        "SELECT track_id, reason FROM features WHERE analysis_version = ? AND status = 'failed'",
        (analysis_version,),
    )
    return {int(r[0]): str(r[1]) for r in rows}


def _analysed(db: Database, analysis_version: str) -> list[tuple[int, bytes, bytes | None]]:
    """``(track_id, histogram, content_vector)`` of every present, successfully analysed track."""
    return db.conn.execute(
        "SELECT f.track_id, f.histogram, f.content_vector FROM features f "
        "JOIN tracks t ON t.id = f.track_id "
        "WHERE f.analysis_version = ? AND f.status = 'ok' AND t.missing = 0 ORDER BY f.track_id",
        (analysis_version,),
    ).fetchall()


def load_histograms(db: Database, analysis_version: str) -> tuple[np.ndarray, np.ndarray]:
    """Track ids (n,) and their class histograms (n, K) of every successfully analysed track."""
    rows = _analysed(db, analysis_version)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    if not rows:
        return ids, np.zeros((0, 0), np.float32)
    return ids, _stacked([r[1] for r in rows])


def _stacked(blobs: list[bytes]) -> np.ndarray:
    """Float32 rows stored as bytes, one array (n, K): parsed as one buffer when they are all
    as long, not 100,000 small ones (a tenth of the time)."""
    width = len(blobs[0])
    if all(len(b) == width for b in blobs):
        return np.frombuffer(bytearray(b"".join(blobs)), dtype="<f4").reshape(len(blobs), -1)
    return np.stack([np.frombuffer(b, dtype="<f4") for b in blobs])


def library_content_vectors(db: Database, analysis_version: str) -> tuple[np.ndarray, np.ndarray]:
    """Track ids (n,) and their L2-normalised content vectors (n, D).

    The learned vectors the analysis stored (``player.analysis.embedding``) when every analysed
    track has one of the same length; otherwise (the embedding was refused, or the rows
    disagree) the TF-IDF vectors of the stored histograms, IDF over this library, for all of
    them: vectors of two kinds are never compared. Follows library changes without re-analysis.
    """
    rows = _analysed(db, analysis_version)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    if not rows:
        return ids, np.zeros((0, 0), np.float32)
    learned = [r[2] for r in rows if r[2]]
    if len(learned) == len(rows) and len({len(b) for b in learned}) == 1:
        v = _stacked(learned).astype(np.float32)
        return ids, v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    histograms = _stacked([r[1] for r in rows])
    return ids, tfidf(histograms, inverse_document_frequency(histograms))


def similar_tracks(
    db: Database, track_id: int, analysis_version: str, *, k: int = 10
) -> list[tuple[int, float]]:
    """The ``k`` tracks nearest to ``track_id`` by content vector: ``(track_id, cosine)``, best
    first; empty when the track has no features yet (the "Similar" action)."""
    ids, vectors = library_content_vectors(db, analysis_version)
    row = np.flatnonzero(ids == track_id)
    if not len(row) or len(ids) < 2:
        return []
    top, sims = most_similar(vectors, int(row[0]), k=k)
    return [(int(ids[i]), float(s)) for i, s in zip(top, sims, strict=True)]


def track_pitch_facts(
    db: Database, analysis_version: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Analysed tracks' ids (n,), their tuning of A in Hz (n,) and keys ("" unknown), as the
    features carry them (arrays: a library of 100,000 tracks is read in a blink).

    ``tuning_hz`` is the A4 the analysis measured (migration 7); rows that hold only the note
    grid's offset in fractions of a semitone (``tuning``, ``tuning_hz`` 0) are read through it.
    A track whose analysis found no pitch (no voiced frames) has no tuning (NaN).
    """
    cursor = db.conn.execute(
        "SELECT track_id, CASE WHEN voiced_share > 0 THEN nullif(CASE WHEN tuning_hz > 0 "
        "THEN tuning_hz ELSE 440.0 * power(2.0, tuning / 12.0) END, 0) END, "
        "coalesce(key, '') FROM features WHERE analysis_version = ? AND status = 'ok'",
        (analysis_version,),
    )
    cursor.row_factory = None
    rows = cursor.fetchall()
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0), []
    ids, tuning, keys = zip(*rows, strict=True)
    return np.array(ids, dtype=np.int64), np.array(tuning, dtype=np.float64), list(keys)
