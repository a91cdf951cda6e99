"""Group tracks the way classical listeners think: composer → work → recording → movements.

Pure Python (no Qt): the library tree in ``player/ui``, ``continuo library --json`` and the
recommender's units all come from here, over the identities ``player.domain`` computed and the
store keeps with each track (DESIGN.md, contract 5).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from player.domain.composers import UNKNOWN_COMPOSER
from player.domain.movements import act_of, file_stem, movement_order
from player.domain.recordings import album_set, recording_label
from player.domain.text import fold
from player.store.tracks import Track


@dataclass
class Recording:
    """One recording of one work: its movements in playing order."""

    key: str
    performers: str
    year: int | None
    album: str
    movements: list[Track] = field(default_factory=list)
    plays: int = 0

    @property
    def duration_s(self) -> float:
        return sum(t.duration_s for t in self.movements)

    @property
    def label(self) -> str:
        """ "Kleiber · Wiener Philharmoniker, 1975" (or the album when nothing else names it)."""
        return recording_label(self.performers, self.year) or self.album or "Unnamed recording"


@dataclass
class Work:
    """One work of one composer and its recordings, the most played first."""

    key: str
    composer: str
    title: str
    catalogue: str
    recordings: list[Recording] = field(default_factory=list)

    @property
    def movements(self) -> list[Track]:
        """The first recording's movements: what playing the work plays."""
        return self.recordings[0].movements if self.recordings else []

    @property
    def duration_s(self) -> float:
        """The length of one recording (the first), not of all of them together."""
        return self.recordings[0].duration_s if self.recordings else 0.0


@dataclass
class Composer:
    key: str
    name: str
    works: list[Work] = field(default_factory=list)


def play_order(track: Track) -> tuple:
    """A movement's place in its recording (player.domain.movements.movement_order)."""
    return movement_order(
        disc=track.disc_number,
        movement=track.movement_number,
        track=track.track_number,
        stem=file_stem(track.path),
        title=track.display_title,
    )


def natural_key(text: str) -> tuple:
    """Titles in the order a listener counts: "Symphony No. 9" before "Symphony No. 10"."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", fold(text)))


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    return max(counts, key=lambda v: (counts[v], len(v))) if counts else ""


def group_library(
    tracks: Iterable[Track], plays: Mapping[str, int] | None = None
) -> list[Composer]:
    """Composers by family name, their works by title, each work's recordings most played
    first (``plays``: heard plays per recording key), each recording's movements in order."""
    plays = plays or {}
    by_recording: dict[str, list[Track]] = {}
    for track in tracks:
        by_recording.setdefault(track.recording_key or f"track:{track.path}", []).append(track)
    works: dict[str, list[Recording]] = {}
    for key, members in by_recording.items():
        members.sort(key=play_order)
        first = members[0]
        album = album_set(first.album)
        recording = Recording(
            key, first.recording_performers, first.year, album, members, plays.get(key, 0)
        )
        works.setdefault(first.work_key or key, []).append(recording)
    composers: dict[str, Composer] = {}
    sort_keys: dict[str, str] = {}
    for key, recordings in works.items():
        recordings.sort(key=lambda r: (-r.plays, r.year or 9999, fold(r.label)))
        tracks_of_work = [t for r in recordings for t in r.movements]
        first = tracks_of_work[0]
        composer = composers.get(first.composer_key)
        if composer is None:
            name = _most_common(t.composer_name for t in tracks_of_work) or UNKNOWN_COMPOSER
            composer = composers[first.composer_key] = Composer(first.composer_key, name)
            sort_keys[first.composer_key] = first.composer_sort if first.composer_key else "\uffff"
        catalogued = [t for t in tracks_of_work if t.catalogue] or tracks_of_work
        title = _most_common(t.work_title for t in catalogued) or first.display_title
        catalogue = _most_common(t.catalogue for t in tracks_of_work)
        composer.works.append(Work(key, composer.name, title, catalogue, recordings))
    result = sorted(composers.values(), key=lambda c: (sort_keys[c.key], c.name))
    for composer in result:
        composer.works.sort(key=lambda w: natural_key(w.title))
    return result


@dataclass
class Act:
    """An act of an opera recording ("Act I: …" titles): a level of the listener's map."""

    name: str
    movements: list[Track]

    @property
    def duration_s(self) -> float:
        return sum(t.duration_s for t in self.movements)


def acts(recording: Recording) -> list[Act]:
    """The recording's movements cut where their "Act N:" changes; none when no title names an
    act (then the movements hang under the recording directly)."""
    found: list[Act] = []
    for track in recording.movements:
        name = act_of(track.display_title)
        if found and found[-1].name == name:
            found[-1].movements.append(track)
        else:
            found.append(Act(name, [track]))
    return found if any(a.name for a in found) else []


def play_unit(track: Track, library: Iterable[Track]) -> list[Track]:
    """The recording ``track`` belongs to, in playing order: what "play this work" plays."""
    members = [t for t in library if t.recording_key == track.recording_key]
    return sorted(members, key=play_order) if track.recording_key else [track]
