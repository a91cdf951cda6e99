"""Group tracks the way classical listeners think: composer → work → movements.

Pure Python (no Qt): the library tree model in ``player/ui`` shows what this builds, and tests
check the grouping without a window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from player.store.tracks import Track

UNKNOWN_COMPOSER = "Unknown composer"


@dataclass
class Work:
    """One work (or, for untagged files, one album or folder) and its movements in order."""

    composer: str
    title: str
    movements: list[Track] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return sum(t.duration_s for t in self.movements)

    @property
    def performer_line(self) -> str:
        """The performers of the first movement: a work is usually one recording."""
        return self.movements[0].performer_line if self.movements else ""


@dataclass
class Composer:
    name: str
    works: list[Work] = field(default_factory=list)


def composer_of(track: Track) -> str:
    """The composer tag, else the artist (many pop-tagged rips put the composer there)."""
    return track.composer.strip() or track.artist.strip() or UNKNOWN_COMPOSER


def work_of(track: Track) -> str:
    """The work tag, else the album, else the folder the file lives in."""
    return track.work.strip() or track.album.strip() or Path(track.path).parent.name or track.title


def sort_name(composer: str) -> str:
    """Family name first, so "Johann Sebastian Bach" files under B ("Bach, J. S." stays as it is)."""
    if composer == UNKNOWN_COMPOSER:
        return "\uffff"  # last
    if "," in composer:
        return composer.casefold()
    parts = composer.split()
    return " ".join(parts[-1:] + parts[:-1]).casefold()


def movement_order(track: Track) -> tuple:
    """Disc (untagged = 1), then movement number, then track number, then title; unknown numbers last."""
    big = 1 << 30
    return (
        track.disc_number if track.disc_number is not None else 1,  # untagged = the first disc
        track.movement_number if track.movement_number is not None else big,
        track.track_number if track.track_number is not None else big,
        track.display_title.casefold(),
    )


def group_library(tracks: Iterable[Track]) -> list[Composer]:
    """Composers by family name, their works by title, each work's movements in playing order."""
    by_composer: dict[str, dict[str, Work]] = {}
    for track in tracks:
        composer = composer_of(track)
        title = work_of(track)
        works = by_composer.setdefault(composer, {})
        work = works.get(title)
        if work is None:
            work = works[title] = Work(composer, title)
        work.movements.append(track)
    result = []
    for name in sorted(by_composer, key=sort_name):
        ordered = sorted(by_composer[name].values(), key=lambda w: w.title.casefold())
        for each in ordered:
            each.movements.sort(key=movement_order)
        result.append(Composer(name, ordered))
    return result
