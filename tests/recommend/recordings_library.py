"""A generated library in which most works have several recordings, written through player.store.

Recordings differ as real ones do: performers and year (their identity), tempo (the lengths of
the same movements) and sometimes pitch (period instruments at A≈415, stored as the analysis
stores tuning: semitones from A=440).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from player.analysis.version import ANALYSIS_VERSION
from player.profile import Profile
from player.store import open_database
from player.store.db import Database
from player.store.features import TrackFeatures, save_features
from player.store.plays import end_play, start_play
from player.store.tracks import Track, all_tracks, upsert_tracks

COMPOSERS = ("Johann Sebastian Bach", "Joseph Haydn", "Ludwig van Beethoven", "Johannes Brahms")
WORKS = ("Symphony No. 1", "String Quartet No. 2", "Piano Sonata No. 3")
MOVEMENTS = ("Allegro", "Adagio", "Menuetto", "Finale")
RECORDINGS = (  # performers, year, tempo factor, tuning (semitones from A=440)
    ("Modern Orchestra · Karajan", 1963, 1.0, 0.0),
    ("Period Band · Harnoncourt", 1990, 0.8, -1.0),  # faster, A≈415
    ("Slow Orchestra · Celibidache", 1985, 1.45, 0.0),  # much slower
)
MOVEMENT_S = 360.0


@dataclass
class Recordings:
    """The profile; ``units[(composer, work, performers)]`` are track ids in movement order."""

    profile: Profile
    db: Database
    units: dict[tuple[str, str, str], list[int]]
    pieces: dict[str, int]
    tracks: dict[int, Track]

    def unit(self, composer: int, work: int, recording: int = 0) -> list[int]:
        return self.units[(COMPOSERS[composer], WORKS[work], RECORDINGS[recording][0])]

    def path(self, track_id: int) -> str:
        return self.tracks[track_id].path

    def play(
        self, track_ids, start: datetime, *, ms: int | None = None, ended="finished", by="user"
    ):
        """Log ``track_ids`` back to back from ``start``; returns when the last ended."""
        when = start
        for track_id in track_ids:
            heard = ms if ms is not None else int(self.tracks[track_id].duration_s * 1000)
            play = start_play(self.db, track_id, by, when.isoformat(timespec="milliseconds"))
            end_play(self.db, play, heard, ended)
            when += timedelta(milliseconds=heard + 500)
        return when


def make_tracks() -> list[Track]:
    tracks = []
    for c, composer in enumerate(COMPOSERS):
        for w, work in enumerate(WORKS):
            # every work in three recordings but the last composer's last work (one recording)
            recordings = RECORDINGS if (c, w) != (3, 2) else RECORDINGS[:1]
            for performers, year, tempo, _ in recordings:
                for number, title in enumerate(MOVEMENTS, 1):
                    tracks.append(
                        Track(
                            path=f"/music/{composer}/{work}/{performers}/{number}.flac",
                            size=1,
                            mtime_ns=1,
                            title=f"{work}: {title}",
                            composer=composer,
                            work=work,
                            movement=title,
                            movement_number=number,
                            movement_count=len(MOVEMENTS),
                            performers=performers,
                            album=f"{composer}: {work} ({performers})",
                            date=str(year),
                            duration_s=MOVEMENT_S * tempo * (1 + 0.1 * number),
                        )
                    )
        tracks.append(
            Track(
                path=f"/music/{composer}/piece.flac",
                size=1,
                mtime_ns=1,
                title="Short Piece",
                composer=composer,
                performers="Solo",
                duration_s=240.0 + 60 * c,
            )
        )
    return tracks


def build_recordings(root, *, analysed: bool = False) -> Recordings:
    """The library under ``root``; with ``analysed``, content vectors and tunings as well."""
    profile = Profile(root).create()
    db = open_database(profile.database)
    upsert_tracks(db, make_tracks())
    tracks = {int(t.id or 0): t for t in all_tracks(db)}
    units: dict[tuple[str, str, str], list[int]] = {}
    pieces = {}
    for track in sorted(tracks.values(), key=lambda t: t.path):
        if track.work:
            units.setdefault((track.composer, track.work, track.performers), []).append(
                int(track.id or 0)
            )
        else:
            pieces[track.composer] = int(track.id or 0)
    if analysed:
        rng = np.random.default_rng(3)
        by_performers = {p: (i, tuning) for i, (p, _, _, tuning) in enumerate(RECORDINGS)}
        for track in tracks.values():
            style, tuning = by_performers.get(track.performers, (3, 0.0))
            histogram = rng.random(16).astype(np.float32) * 0.2
            histogram[4 * COMPOSERS.index(track.composer) % 16] += 3.0  # the composer's sound
            histogram[12 + style] += 2.0  # the ensemble's sound
            save_features(
                db,
                int(track.id or 0),
                ANALYSIS_VERSION,
                TrackFeatures(
                    histogram=histogram,
                    n_segments=40,
                    duration_s=track.duration_s,
                    voiced_share=0.8,
                    median_f0_hz=220.0,
                    tuning=tuning,
                ),
            )
    return Recordings(profile, db, units, pieces, tracks)
