"""Which library track a listen from another player was, by the domain's rules.

In order: the file's path (Continuo's own history), the MusicBrainz recording id, then the
names: the composer (``player.domain.composers``: any spelling; the scrobbled artist when it is
a composer), the work and the movement (``"Symphony No. 5: I. Allegro con brio"``, its number
or its name), and among several recordings of that movement the one whose performers or album
the listen names. A listen whose artist is a performer is matched by title among the tracks
that name that performer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from player.domain.composers import composer_id, is_known_composer
from player.domain.movements import parse_movement
from player.domain.text import fold_words
from player.history_import.formats import Listen
from player.store.tracks import Track

_SPLIT = re.compile(r"\s*(?::|\s-\s|\s–\s|/)\s*")


class LibraryMatcher:
    """An index of the library's tracks for matching listens (built once per import)."""

    def __init__(self, tracks: Iterable[Track]) -> None:
        self.by_path: dict[str, Track] = {}
        self.by_mbid: dict[str, list[Track]] = defaultdict(list)
        self.by_title: dict[str, list[Track]] = defaultdict(list)
        self.by_movement: dict[tuple[str, int], list[Track]] = defaultdict(list)
        for track in tracks:
            self.by_path[track.path] = track
            if track.recording_mbid:
                self.by_mbid[track.recording_mbid.lower()].append(track)
            for text in _names(track):
                self.by_title[text].append(track)
            if track.movement_number:
                for work in {track.work, track.work_title} - {""}:
                    self.by_movement[(fold_words(work), track.movement_number)].append(track)

    def match(self, listen: Listen) -> Track | None:
        if listen.path and listen.path in self.by_path:
            return self.by_path[listen.path]
        if listen.recording_mbid and listen.recording_mbid.lower() in self.by_mbid:
            return _best(self.by_mbid[listen.recording_mbid.lower()], listen)
        candidates = self._by_names(listen)
        composer = _composer_key(listen)
        if composer:
            candidates = [t for t in candidates if t.composer_key == composer]
        elif listen.artist:  # the artist is a performer: keep the tracks that name them
            artist = fold_words(listen.artist)
            candidates = [t for t in candidates if artist in _performer_text(t)]
        return _best(candidates, listen) if candidates else None

    def _by_names(self, listen: Listen) -> list[Track]:
        texts = [listen.title]
        if listen.work and listen.title:
            texts.insert(0, f"{listen.work} {listen.title}")
        for text in texts:
            found = self.by_title.get(fold_words(text))
            if found:
                return found
        # "Work: II. Adagio" — the work by name, the movement by number
        parts = _SPLIT.split(listen.title, maxsplit=1)
        work, movement = (listen.work, listen.title) if listen.work else (parts + [""])[:2]
        number, _ = parse_movement(movement)
        if work and number is not None:
            return self.by_movement.get((fold_words(work), number), [])
        return []


def _names(track: Track) -> set[str]:
    """What a listen may call the track: its title, and its work with its movement."""
    names = {fold_words(track.title)}
    for work in {track.work, track.work_title} - {""}:
        if track.movement:
            names.add(fold_words(f"{work} {track.movement}"))
            number, name = parse_movement(track.movement)
            names.add(fold_words(f"{work} {name}"))
        elif track.title == work or not track.movement_number:
            names.add(fold_words(work))
    names.discard("")
    return names


def _composer_key(listen: Listen) -> str:
    name = listen.composer or (listen.artist if is_known_composer(listen.artist) else "")
    return composer_id(name).key if name else ""


def _performer_text(track: Track) -> str:
    return fold_words(
        " ".join((track.performers, track.conductor, track.orchestra, track.artist, track.album))
    )


def _best(tracks: list[Track], listen: Listen) -> Track:
    """Among tracks of one name (several recordings), the one the listen's album or artist
    names; else the first in library order."""
    album, artist = fold_words(listen.album), fold_words(listen.artist)

    def score(track: Track) -> tuple[int, int, int]:
        same_album = bool(album) and fold_words(track.album) == album
        performer = bool(artist) and artist in _performer_text(track)
        return (-int(same_album), -int(performer), int(track.id or 0))

    return min(tracks, key=score)
