"""Listener feedback and the suggestions log: their records and their SQL.

Both tables are append-only histories. The recommender reads them at once for ranking (a
"Never suggest" holds from the next request on); the trainer and the Insights view read them later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from player.store.db import Database, utc_now

FEEDBACK_KINDS = ("more_like", "less_like", "never", "skip")
OUTCOMES = ("accepted", "removed", "skipped")


@dataclass(frozen=True)
class Feedback:
    """One piece of feedback on a track, as given."""

    track_id: int
    kind: str
    created_at: str


@dataclass(frozen=True)
class SuggestionRecord:
    """One suggestion as shown, and what the listener did with it (``None`` while undecided)."""

    id: int
    track_id: int
    source: str
    reason: str
    mode: str
    shown_at: str
    outcome: str | None
    outcome_at: str | None


def add_feedback(db: Database, track_id: int, kind: str, created_at: str | None = None) -> int:
    """Record ``kind`` (one of :data:`FEEDBACK_KINDS`) for ``track_id``; returns the row id."""
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"feedback kind must be one of {FEEDBACK_KINDS}, not {kind!r}")
    with db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO feedback (track_id, kind, created_at) VALUES (?, ?, ?)",
            (track_id, kind, created_at or utc_now()),
        )
    return int(cursor.lastrowid or 0)


def all_feedback(db: Database) -> list[Feedback]:
    """Every piece of feedback, oldest first."""
    rows = db.conn.execute(
        "SELECT track_id, kind, created_at FROM feedback ORDER BY created_at, id"
    )
    return [Feedback(r["track_id"], r["kind"], r["created_at"]) for r in rows]


def feedback_since(db: Database, after_id: int = 0) -> tuple[list[Feedback], int]:
    """Feedback given after row ``after_id``, in the order it was given, and the last row read
    (``after_id`` when there is none): the recommender reads each piece once."""
    rows = db.conn.execute(
        "SELECT id, track_id, kind, created_at FROM feedback WHERE id > ? ORDER BY id", (after_id,)
    ).fetchall()
    given = [Feedback(r["track_id"], r["kind"], r["created_at"]) for r in rows]
    return given, int(rows[-1]["id"]) if rows else after_id


def log_suggestions(
    db: Database,
    suggestions: Iterable[tuple[int, str, str]],
    mode: str,
    shown_at: str | None = None,
) -> list[int]:
    """Record ``(track_id, source, reason)`` suggestions as shown now; returns their row ids."""
    shown_at = shown_at or utc_now()
    ids = []
    with db.transaction() as conn:
        for track_id, source, reason in suggestions:
            cursor = conn.execute(
                "INSERT INTO suggestions (track_id, source, reason, mode, shown_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (track_id, source, reason, mode, shown_at),
            )
            ids.append(int(cursor.lastrowid or 0))
    return ids


def set_outcome(db: Database, track_id: int, outcome: str, at: str | None = None) -> bool:
    """Mark the latest undecided suggestion of ``track_id`` accepted, removed or skipped.

    Returns whether such a suggestion existed (a track the user picked himself has none).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    with db.transaction() as conn:
        cursor = conn.execute(
            "UPDATE suggestions SET outcome = ?, outcome_at = ? WHERE id = ("
            "SELECT id FROM suggestions WHERE track_id = ? AND outcome IS NULL "
            "ORDER BY shown_at DESC, id DESC LIMIT 1)",
            (outcome, at or utc_now(), track_id),
        )
    return cursor.rowcount > 0


def removed_since(db: Database, since: str) -> set[int]:
    """Tracks whose suggestion the listener removed at or after ``since`` (ISO 8601 UTC).

    Read through the index of removed suggestions (migration 11) on every Up next request; no
    DISTINCT, which would make SQLite walk the index by track over every suggestion shown.
    """
    rows = db.conn.execute(
        "SELECT track_id FROM suggestions WHERE outcome = 'removed' AND outcome_at >= ?",
        (since,),
    )
    return {r[0] for r in rows}


def suggestion_log(db: Database) -> list[SuggestionRecord]:
    """Every suggestion shown, oldest first (for Insights and the trainer)."""
    rows = db.conn.execute("SELECT * FROM suggestions ORDER BY shown_at, id")
    return [
        SuggestionRecord(
            id=r["id"],
            track_id=r["track_id"],
            source=r["source"],
            reason=r["reason"],
            mode=r["mode"],
            shown_at=r["shown_at"],
            outcome=r["outcome"],
            outcome_at=r["outcome_at"],
        )
        for r in rows
    ]
