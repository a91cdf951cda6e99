"""A small classical library and listening history in a real profile, written through player.store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from player.profile import Profile
from player.store import open_database
from player.store.db import Database
from player.store.plays import end_play, start_play
from player.store.tracks import Track, all_tracks, upsert_tracks

COMPOSERS = (
    "J. S. Bach",
    "W. A. Mozart",
    "L. van Beethoven",
    "J. Brahms",
    "C. Debussy",
    "E. Satie",
)
WORKS = ("Suite No. 1", "Symphony No. 2", "Sonata No. 3")
MOVEMENTS = ("Allegro", "Andante", "Presto")


@dataclass
class Library:
    """The profile and its track ids by work: ``works[(composer, work)]`` in movement order."""

    profile: Profile
    db: Database
    works: dict[tuple[str, str], list[int]]
    pieces: dict[str, int]  # composer -> their single piece (no work)
    composer_of: dict[int, str]

    def play_session(self, track_ids, start: datetime, *, ms: int = 200_000, ended="finished"):
        """Log ``track_ids`` back to back from ``start``; returns when the session ended."""
        when = start
        for track_id in track_ids:
            play = start_play(self.db, track_id, "user", when.isoformat(timespec="milliseconds"))
            end_play(self.db, play, ms, ended)
            when += timedelta(milliseconds=ms + 1000)
        return when

    def work(self, composer: str, number: int) -> list[int]:
        return self.works[(composer, WORKS[number])]


def make_tracks(performers: str = "ensemble") -> list[Track]:
    """Every composer: three works of three movements (stored in reverse) and one single piece."""
    tracks = []
    for composer in COMPOSERS:
        for work in WORKS:
            for number in (3, 2, 1):  # reverse order: playing order must come from the tags
                title = MOVEMENTS[number - 1]
                tracks.append(
                    Track(
                        path=f"/music/{composer}/{work}/{number}.flac",
                        size=1,
                        mtime_ns=1,
                        title=title,
                        item_key=" | ".join(x.lower() for x in (composer, work, title, performers)),
                        composer=composer,
                        work=work,
                        movement=title,
                        movement_number=number,
                        movement_count=3,
                        album=f"{composer} {work}",
                        duration_s=200.0,
                    )
                )
        tracks.append(
            Track(
                path=f"/music/{composer}/piece.flac",
                size=1,
                mtime_ns=1,
                title="Piece",
                item_key=f"{composer.lower()} |  | piece | solo",
                composer=composer,
                duration_s=120.0,
            )
        )
    return tracks


def build_library(root: Path, performers: str = "ensemble") -> Library:
    """A profile under ``root`` holding :func:`make_tracks`."""
    profile = Profile(root).create()
    db = open_database(profile.database)
    upsert_tracks(db, make_tracks(performers))
    works: dict[tuple[str, str], list[int]] = {}
    pieces = {}
    tracks = all_tracks(db)
    for track in tracks:
        if track.work:
            works.setdefault((track.composer, track.work), []).append(track.id)
        else:
            pieces[track.composer] = track.id
    return Library(profile, db, works, pieces, {t.id: t.composer for t in tracks})


@pytest.fixture
def library(tmp_path) -> Library:
    return build_library(tmp_path / "profile")


START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def sessions_apart(count: int):
    """Start times of ``count`` sessions, three hours apart (well past the 40-minute gap)."""
    return [START + timedelta(hours=3 * i) for i in range(count)]
