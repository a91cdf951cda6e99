"""The play log: one row per play, written when it starts and updated while it runs.

``ended_how`` stays NULL while a play runs; a play left open by a crash is closed as
``interrupted`` the next time the profile is opened, keeping the listening time last saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from player.domain.plays import ENDINGS, HEARD_MS, STARTERS
from player.domain.recordings import recording_label
from player.store.db import Database, utc_now
from player.store.sessions import SESSION_GAP, split_sessions


@dataclass(frozen=True)
class Play:
    """A play joined with the track it played, as the history shows it."""

    id: int
    track_id: int
    started_at: datetime
    ms_heard: int
    ended_how: str | None
    started_by: str
    composer: str
    work: str
    title: str
    recording: str = ""  # performers and year, naming the recording ("Kleiber · VPO, 1975")

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.ms_heard)


def start_play(db: Database, track_id: int, started_by: str, started_at: str | None = None) -> int:
    """Record that ``track_id`` started playing; returns the play's id."""
    if started_by not in STARTERS:
        raise ValueError(f"started_by must be one of {STARTERS}, not {started_by!r}")
    now = utc_now()
    with db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO plays (track_id, started_at, ms_heard, started_by, updated_at) "
            "VALUES (?, ?, 0, ?, ?)",
            (track_id, started_at or now, started_by, now),
        )
    return int(cursor.lastrowid or 0)


def update_play(db: Database, play_id: int, ms_heard: int) -> None:
    """Save how long a running play has been heard so far (called every few seconds)."""
    with db.transaction() as conn:
        conn.execute(
            "UPDATE plays SET ms_heard = ?, updated_at = ? WHERE id = ? AND ended_how IS NULL",
            (int(ms_heard), utc_now(), play_id),
        )


def end_play(db: Database, play_id: int, ms_heard: int, ended_how: str) -> None:
    if ended_how not in ENDINGS:
        raise ValueError(f"ended_how must be one of {ENDINGS}, not {ended_how!r}")
    with db.transaction() as conn:
        conn.execute(
            "UPDATE plays SET ms_heard = ?, ended_how = ?, updated_at = ? WHERE id = ?",
            (int(ms_heard), ended_how, utc_now(), play_id),
        )


def close_interrupted_plays(db: Database) -> int:
    """Mark plays that were still open (the app died) as ``interrupted``; returns how many."""
    with db.transaction() as conn:
        cursor = conn.execute(
            "UPDATE plays SET ended_how = 'interrupted', updated_at = ? WHERE ended_how IS NULL",
            (utc_now(),),
        )
    return cursor.rowcount


def all_plays(db: Database) -> list[Play]:
    """Every play in the order it started, with its track's composer, work and title."""
    rows = db.conn.execute(
        "SELECT p.id, p.track_id, p.started_at, p.ms_heard, p.ended_how, p.started_by, "
        "t.composer, t.work, CASE WHEN t.movement != '' THEN t.movement ELSE t.title END AS title, "
        "t.recording_performers, t.year "
        "FROM plays p JOIN tracks t ON t.id = p.track_id ORDER BY p.started_at, p.id"
    )
    return [
        Play(
            id=r["id"],
            track_id=r["track_id"],
            started_at=datetime.fromisoformat(r["started_at"]),
            ms_heard=r["ms_heard"],
            ended_how=r["ended_how"],
            started_by=r["started_by"],
            composer=r["composer"],
            work=r["work"],
            title=r["title"],
            recording=recording_label(r["recording_performers"], r["year"]),
        )
        for r in rows
    ]


def listening_sessions(db: Database, gap: timedelta = SESSION_GAP) -> list[list[Play]]:
    """The play log cut into sessions by the shared rule (gap measured from the end of a play)."""
    return split_sessions(
        all_plays(db),
        time_of=lambda p: p.started_at,
        end_of=lambda p: p.ended_at,
        item_of=lambda p: p.track_id,
        gap=gap,
    )


def heard_plays_by_recording(db: Database) -> dict[str, int]:
    """Heard plays (finished, or heard ``HEARD_MS``) of each recording key: the library shows
    the most played recording of a work first."""
    rows = db.conn.execute(
        "SELECT t.recording_key, count(*) FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.ended_how = 'finished' OR p.ms_heard >= ? GROUP BY t.recording_key",
        (HEARD_MS,),
    )
    return {str(key): int(count) for key, count in rows}
