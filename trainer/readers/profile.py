"""A Continuo profile: the player's play log cut by the shared rule, keyed by library item keys.

Plays the listener skipped are left out of the sessions (they are what the listener did *not*
want next); they still shape the session boundaries, since the cut happens before. Items are
the library's ``item_key`` (DESIGN.md, "Item keys"), artists its composers. Content vectors are
added when the analysis store (``player.store.features``) exists and has vectors.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from player.domain.text import key_part
from player.errors import ContinuoError
from player.profile import Profile
from player.store.db import open_database
from player.store.plays import listening_sessions
from player.store.tracks import all_tracks
from trainer.dataset import SessionData
from trainer.readers.base import Event, ReadError, ReadReport, SessionBuilder


def read_profile(
    root: Path, *, min_length: int = 2, max_length: int | None = None
) -> tuple[SessionData, ReadReport]:
    profile = Profile(Path(root))
    report = ReadReport(str(profile.database))
    if not profile.database.exists():
        raise ReadError(f"{root}: not a Continuo profile", f"{profile.database} does not exist.")
    builder = SessionBuilder(report, min_length=min_length, max_length=max_length)
    try:
        db = open_database(profile.database, migrate=False)
    except ContinuoError as error:
        raise ReadError(f"{profile.database}: cannot be opened", str(error)) from error
    try:
        tracks = {t.id: t for t in all_tracks(db, include_missing=True)}
        sessions = listening_sessions(db)
        vectors = _content_vectors(db)
    finally:
        db.close()
    for number, session in enumerate(sessions):
        events = []
        for play in session:
            report.lines += 1
            if play.ended_how == "skipped":
                report.problem(f"play {play.id}", "skipped by the listener")
                continue
            track = tracks[play.track_id]
            key = track.item_key or f"track:{track.id}"
            events.append(Event(key, key_part(track.composer), play.started_at.timestamp()))
        builder.add(f"profile:{number}", events)
    data = builder.build(with_times=True)
    if vectors:
        data.item_content = _content_matrix(data, tracks, vectors)
    return data, report


def _content_vectors(db) -> dict[int, np.ndarray]:
    """``track id -> TF-IDF content vector`` of the current analysis, or nothing without one."""
    try:
        from player.analysis.version import ANALYSIS_VERSION
        from player.store.features import library_content_vectors
    except ImportError:  # the analysis is an optional part of a profile
        return {}
    try:
        ids, vectors = library_content_vectors(db, ANALYSIS_VERSION)
    except sqlite3.Error:  # an older profile without the features table
        return {}
    return {int(i): v.astype(np.float32) for i, v in zip(ids, vectors, strict=True)}


def _content_matrix(
    data: SessionData, tracks: dict, vectors: dict[int, np.ndarray]
) -> np.ndarray | None:
    dims = {v.shape for v in vectors.values()}
    if len(dims) != 1 or len(next(iter(dims))) != 1:
        return None
    matrix = np.zeros((len(data.items), next(iter(dims))[0]), dtype=np.float32)
    for track_id, vector in vectors.items():
        track = tracks.get(track_id)
        if track is not None:
            index = data.items.index(track.item_key or f"track:{track.id}")
            if index >= 2:
                matrix[index] = vector
    return matrix
