"""Listening histories for the Insights tests, benchmark and screenshot, written through player.store.

``known_profile`` is small and hand-built, so every aggregate has a known answer (listed in
``KNOWN``); ``generated_profile`` is a plausible random history of any size.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from player.store.db import Database
from player.store.feedback import log_suggestions, set_outcome
from player.store.plays import end_play, start_play
from player.store.tracks import Track, all_tracks, upsert_tracks

# (composer, work, title); an empty work stands for a piece without a work tag.
KNOWN_TRACKS = [
    ("Johann Sebastian Bach", "Cello Suite No. 1 in G major, BWV 1007", "Prélude"),
    ("Johann Sebastian Bach", "Cello Suite No. 1 in G major, BWV 1007", "Allemande"),
    ("Wolfgang Amadeus Mozart", "Requiem in D minor, K. 626", "Introitus"),
    ("Franz Schubert", "Winterreise, D. 911", "Gute Nacht"),
    ("Hildegard von Bingen", "", "O vis aeternitatis"),
    ("", "", "Mystery"),
]
# (started_at, track index, started_by, ms_heard, ended_how)
KNOWN_PLAYS = [
    ("2026-01-05T10:00:00", 0, "user", 120_000, "finished"),
    ("2026-01-05T10:02:00", 1, "user", 60_000, "skipped"),
    ("2026-01-06T10:00:00", 1, "suggestion", 3_000, "skipped"),  # skipped; Bach known already
    ("2026-01-07T20:00:00", 2, "suggestion", 300_000, "finished"),  # accepted; Mozart found
    ("2026-01-19T09:00:00", 3, "suggestion", 10_000, "skipped"),  # skipped; Schubert found
    ("2026-01-19T09:01:00", 2, "user", 200_000, "finished"),
    ("2026-01-20T09:00:00", 4, "suggestion", 45_000, "skipped"),  # accepted: heard 45 s
    ("2026-01-21T09:00:00", 5, "suggestion", 5_000, "stopped"),  # neither
    ("2026-01-22T09:00:00", 0, "suggestion", 20_000, "finished"),  # accepted: finished
    ("2026-01-26T09:00:00", 3, "user", 180_000, "finished"),
    ("2026-01-26T09:10:00", 3, "queue", 180_000, "finished"),
]
KNOWN = {
    "weeks": [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)],
    "plays": [4, 0, 5, 2],
    "suggested": [2, 0, 4, 0],
    "accepted": [1, 0, 2, 0],
    "skipped": [1, 0, 1, 0],
    "ms_by_composer": {  # whole log
        "Wolfgang Amadeus Mozart": 500_000,
        "Franz Schubert": 370_000,
        "Johann Sebastian Bach": 203_000,
        "Hildegard von Bingen": 45_000,
        "Unknown composer": 5_000,
    },
    "composers_found": ["Hildegard von Bingen", "Franz Schubert", "Wolfgang Amadeus Mozart"],
    "plays_after": [0, 2, 1],
    "works_found": [
        "Mystery",
        "O vis aeternitatis",
        "Winterreise, D. 911",
        "Requiem in D minor, K. 626",
    ],
    "composers_heard": 4,
    "works_heard": 5,
    "shown": 7,
    "removed": 1,
}


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat(timespec="milliseconds")


def _add_tracks(db: Database, rows: list[tuple[str, str, str, float]]) -> list[int]:
    upsert_tracks(
        db,
        [
            Track(
                path=f"/music/{i:05d}.flac",
                size=1,
                mtime_ns=1,
                title=title,
                composer=composer,
                work=work,
                movement=title if work else "",
                duration_s=seconds,
            )
            for i, (composer, work, title, seconds) in enumerate(rows)
        ],
    )
    return [t.id for t in sorted(all_tracks(db), key=lambda t: t.path) if t.id is not None]


def _play(db: Database, track_id: int, when: str, by: str, ms: int, how: str) -> None:
    if by == "suggestion":
        set_outcome(db, track_id, "accepted", when)
    end_play(db, start_play(db, track_id, by, when), ms, how)


def known_profile(db: Database) -> list[int]:
    """Write the hand-built history; returns the track ids in ``KNOWN_TRACKS`` order."""
    ids = _add_tracks(db, [(*row, 180.0) for row in KNOWN_TRACKS])
    with db.transaction():
        for when, track, by, ms, how in KNOWN_PLAYS:
            stamp = _stamp(datetime.fromisoformat(when))
            if by == "suggestion":
                log_suggestions(db, [(ids[track], "content", "similar")], "for_you", stamp)
            _play(db, ids[track], stamp, by, ms, how)
        log_suggestions(
            db, [(ids[1], "content", "similar")], "for_you", _stamp(datetime(2026, 1, 27))
        )
        set_outcome(db, ids[1], "removed", _stamp(datetime(2026, 1, 27, 0, 1)))
    return ids


COMPOSERS = [
    "Johann Sebastian Bach",
    "Wolfgang Amadeus Mozart",
    "Ludwig van Beethoven",
    "Franz Schubert",
    "Johannes Brahms",
    "Frédéric Chopin",
    "Claude Debussy",
    "Antonio Vivaldi",
    "Hildegard von Bingen",
    "Josquin des Prez",
    "Fanny Mendelssohn",
    "Arvo Pärt",
    "Olivier Messiaen",
    "Kaija Saariaho",
]
FORMS = ("Sonata", "Suite", "String Quartet", "Concerto", "Symphony", "Nocturne", "Mass", "Étude")


def generated_profile(
    db: Database, *, plays: int, days: int, start: date = date(2025, 6, 2), seed: int = 0
) -> None:
    """A plausible history: the listener starts with a few favourite composers; from the end of
    the first month suggestions start more and more plays, and accepted ones bring new composers
    that the listener then also picks himself."""
    rng = np.random.default_rng(seed)
    rows, composer_of = [], []
    for c, composer in enumerate(COMPOSERS):
        for w in range(int(rng.integers(2, 6))):
            for m in range(int(rng.integers(1, 5))):
                work = f"{FORMS[(c + w) % len(FORMS)]} No. {w + 1}"
                rows.append((composer, work, f"Movement {m + 1}", rng.uniform(150, 720)))
                composer_of.append(c)
    ids = np.array(_add_tracks(db, rows))
    composer_of = np.array(composer_of)
    durations = np.array([r[3] for r in rows])
    popularity = 1.0 / np.arange(1, len(COMPOSERS) + 1) ** 0.8
    known = np.zeros(len(COMPOSERS), bool)
    known[:4] = True
    offsets = np.sort(rng.uniform(0, days, plays))
    origin = datetime(start.year, start.month, start.day)
    with db.transaction():
        for offset in offsets:
            frac = offset / days
            when = _stamp(origin + timedelta(days=float(offset)))
            suggested = frac > 0.12 and rng.random() < min(0.45, 0.08 + 0.45 * frac)
            weights = popularity * (1.0 if suggested else known)
            composer = rng.choice(len(COMPOSERS), p=weights / weights.sum())
            row = rng.choice(np.flatnonzero(composer_of == composer))
            full_ms = int(durations[row] * 1000)
            if suggested:
                log_suggestions(db, [(int(ids[row]), "model", "fits")], "for_you", when)
                if rng.random() < 0.2:  # another suggestion, removed from "Up next" unplayed
                    other = int(rng.choice(ids))
                    log_suggestions(db, [(other, "model", "fits")], "for_you", when)
                    set_outcome(db, other, "removed", when)
            if suggested and rng.random() > 0.5 + 0.35 * frac:
                ms, how = int(rng.uniform(3_000, 28_000)), "skipped"
            else:
                known[composer] |= suggested and rng.random() < 0.5
                how = "finished" if rng.random() < 0.85 else "skipped"
                ms = full_ms if how == "finished" else int(rng.uniform(0.2, 0.9) * full_ms)
            _play(db, int(ids[row]), when, "suggestion" if suggested else "user", ms, how)
