"""Plays imported from another player's listening history, and where each came from.

An imported listen becomes an ordinary play (sessions, no-repeat, Insights and training read
it like any other) plus a provenance row (migration 6) keyed by its source and its identity
there, so a second import of the same file adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from player.domain.plays import ENDINGS, STARTERS
from player.store.db import Database, utc_now


@dataclass(frozen=True)
class ImportedPlay:
    """One listen matched to a library track, ready to store."""

    source: str  # "lastfm", "listenbrainz", "continuo"
    listen_key: str  # the listen's identity in its source (its time and what was heard)
    track_id: int
    started_at: str  # ISO 8601 UTC with milliseconds, as every play
    ms_heard: int
    ended_how: str = "finished"
    started_by: str = "user"


def add_imported_plays(db: Database, plays: Iterable[ImportedPlay]) -> int:
    """Store the listens not imported before; returns how many plays were added.

    A listen is skipped when its source already gave it, or when the profile already holds a
    play of that track starting at that moment (a profile's own history imported back).
    """
    added = 0
    now = utc_now()
    with db.transaction() as conn:
        for play in plays:
            if play.ended_how not in ENDINGS or play.started_by not in STARTERS:
                raise ValueError(f"not a play the log can hold: {play}")
            known = conn.execute(
                "SELECT 1 FROM imported_plays WHERE source = ? AND listen_key = ?",
                (play.source, play.listen_key),
            ).fetchone()
            same = conn.execute(
                "SELECT 1 FROM plays WHERE track_id = ? AND started_at = ?",
                (play.track_id, play.started_at),
            ).fetchone()
            if known or same:
                continue
            cursor = conn.execute(
                "INSERT INTO plays (track_id, started_at, ms_heard, ended_how, started_by, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    play.track_id,
                    play.started_at,
                    play.ms_heard,
                    play.ended_how,
                    play.started_by,
                    now,
                ),
            )
            conn.execute(
                "INSERT INTO imported_plays (source, listen_key, play_id, imported_at) "
                "VALUES (?, ?, ?, ?)",
                (play.source, play.listen_key, int(cursor.lastrowid or 0), now),
            )
            added += 1
    return added


def imported_count(db: Database) -> int:
    """How many plays of the log were imported."""
    return int(db.conn.execute("SELECT count(*) FROM imported_plays").fetchone()[0])
