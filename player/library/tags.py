"""Reading an audio file's tags and properties into a :class:`~player.store.tracks.Track`.

Every container's tags (Vorbis comments in FLAC/OGG/Opus, ID3 in MP3/WAV/AIFF, MP4 atoms) are
first flattened into one vocabulary of lower-case Vorbis-style names, so the classical fields
are picked in one place whatever the format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from player.library.fallbacks import apply_fallbacks
from player.library.id3 import flatten_mutagen
from player.library.keys import item_key
from player.library.probe import AudioInfo, probe_audio
from player.library.streams import Tags
from player.library.textclean import (
    MAX_TEXT,
    clean_text,
    parse_gain,
    parse_peak,
    parse_position,
)
from player.store.tracks import Track, with_identity

_MP4_NAMES = {
    "\xa9nam": "title",
    "\xa9wrt": "composer",
    "\xa9wrk": "work",
    "\xa9mvn": "movementname",
    "\xa9mvi": "movement",
    "\xa9mvc": "movementtotal",
    "\xa9ART": "artist",
    "aART": "albumartist",
    "\xa9alb": "album",
    "\xa9day": "date",
    "\xa9gen": "genre",
    "\xa9grp": "grouping",
    "trkn": "tracknumber",
    "disk": "discnumber",
}


@dataclass
class TagReport:
    """What was odd about a file's tags although it could be added (shown in the Problems list)."""

    cut: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        if not self.cut:
            return ""
        names = ", ".join(sorted(set(self.cut))[:5])
        return f"Some tags were absurdly long or garbled and were cut or dropped: {names}"


def read_track(
    path: str | Path, *, size: int, mtime_ns: int, root: str | Path | None = None
) -> tuple[Track, TagReport]:
    """Read ``path`` into a Track (tags, fallbacks from its folders below ``root``, audio
    properties, item key).

    Raises :class:`UnreadableFileError` with a listener-ready reason when the file is empty,
    not audio, unreadable or damaged.
    """
    path = os.fspath(path)
    info = probe_audio(path, size=size)
    tags = _flatten(info.tags)
    report = TagReport()
    track = _track_from_tags(tags, path, size, mtime_ns, info, report)
    apply_fallbacks(track, path, None if root is None else os.fspath(root))
    track.item_key = item_key(track)
    with_identity(track)
    return track, report


def _flatten(tags: Any) -> Tags:
    if isinstance(tags, dict):  # read flat from the headers (player.library.streams)
        return tags
    flat: Tags = {}
    if tags is None:
        return flat
    if isinstance(tags, ID3):
        return flatten_mutagen(tags)
    elif isinstance(tags, MP4Tags):
        for key, values in tags.items():
            name = _MP4_NAMES.get(key)
            if name is None and key.startswith("----:"):
                name = key.rsplit(":", 1)[-1].lower()
            if name:
                flat.setdefault(name, []).extend(values if isinstance(values, list) else [values])
    else:  # Vorbis comments (FLAC, OGG, Opus) and APEv2 behave as a multi-dict
        for key, value in tags.items():
            values = value if isinstance(value, list) else [value]
            flat.setdefault(str(key).lower(), []).extend(values)
    return flat


def _text(tags: Tags, names: Iterable[str], report: TagReport) -> str:
    """The values of the first tag in ``names`` that has a usable one, joined with "; "."""
    for name in names:
        values = []
        for raw in tags.get(name, ()):
            value = clean_text(raw)
            raw_len = len(raw) if isinstance(raw, str | bytes) else 0
            if raw_len > MAX_TEXT or (raw_len and not value):
                report.cut.append(name)
            if value and value not in values:
                values.append(value)
        if len(values) == 1:
            return values[0]  # cleaned already
        if values:
            return clean_text("; ".join(values))
    return ""


def _first(tags: Tags, names: Iterable[str]) -> object | None:
    for name in names:
        if tags.get(name):
            return tags[name][0]
    return None


def _position(tags: Tags, names: Iterable[str]) -> tuple[int | None, int | None]:
    raw = _first(tags, names)
    return parse_position(raw) if raw is not None else (None, None)


def _track_from_tags(
    tags: Tags, path: str, size: int, mtime_ns: int, info: AudioInfo, report: TagReport
) -> Track:
    movement_number, movement_total = _position(tags, ["movement", "movementnumber"])
    if movement_total is None:
        movement_total = _position(tags, ["movementtotal", "movementcount"])[0]
    disc, _ = _position(tags, ["discnumber"])
    track_number, _ = _position(tags, ["tracknumber"])
    # an album artist (ID3 TPE2, MP4 aART) is often all a classical file names: the ensemble
    artist = _text(tags, ["artist", "albumartist"], report)
    composer = _text(tags, ["composer"], report)
    performers = _text(tags, ["performer", "performers", "soloists"], report)
    if not performers and artist and artist.lower() != composer.lower():
        performers = artist
    gains = {
        name: _first(tags, [f"replaygain_{name}"])
        for name in ("track_gain", "album_gain", "track_peak", "album_peak")
    }
    return Track(
        path=path,
        size=size,
        mtime_ns=mtime_ns,
        title=_text(tags, ["title"], report),
        composer=composer,
        work=_text(tags, ["work", "grouping"], report),
        movement=_text(tags, ["movementname"], report),
        movement_number=movement_number,
        movement_count=movement_total,
        performers=performers,
        conductor=_text(tags, ["conductor"], report),
        orchestra=_text(tags, ["orchestra", "ensemble", "band"], report),
        album=_text(tags, ["album"], report),
        artist=artist,
        disc_number=disc,
        track_number=track_number,
        date=clean_text(_text(tags, ["date", "year", "originaldate"], report), limit=32),
        genre=_text(tags, ["genre"], report),
        duration_s=info.duration_s,
        sample_rate=info.sample_rate,
        channels=info.channels,
        format=info.format,
        replaygain_track_db=_maybe(parse_gain, gains["track_gain"]),
        replaygain_album_db=_maybe(parse_gain, gains["album_gain"]),
        replaygain_track_peak=_maybe(parse_peak, gains["track_peak"]),
        replaygain_album_peak=_maybe(parse_peak, gains["album_peak"]),
        composer_mbid=_mbid(tags, ["musicbrainz_composerid", "musicbrainz composer id"]),
        work_mbid=_mbid(tags, ["musicbrainz_workid", "musicbrainz work id"]),
        release_mbid=_mbid(tags, ["musicbrainz_albumid", "musicbrainz album id"]),
        recording_mbid=_mbid(tags, ["musicbrainz_trackid", "musicbrainz track id"]),
    )


def _mbid(tags: Tags, names: Iterable[str]) -> str:
    """A MusicBrainz id (36 characters) from the first tag that holds one, else ""."""
    raw = _first(tags, names)
    value = clean_text(raw, limit=40).lower() if raw is not None else ""
    return value if len(value) == 36 and value.count("-") == 4 else ""


def _maybe(parse, raw: object | None) -> float | None:
    return parse(raw) if raw is not None else None
