"""A track's place in the map: composer → work → recording, computed from its stored fields.

One function, :func:`identify`, used by the scanner for new files and by the store for rows
whose identity was computed by older rules (``IDENTITY_VERSION``), so a rule change never needs
the files to be read again.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from player.domain.composers import ComposerId, composer_id, same_composer
from player.domain.recordings import (
    RecordingId,
    performer_line,
    recording_id,
    split_folder_recording,
    year_of,
)
from player.domain.works import WorkId, work_id, work_key

IDENTITY_VERSION = 1
"""Bump when any rule in ``player.domain`` changes what is "the same" composer, work or recording;
stored identities of an older version are recomputed at the next scan."""


@dataclass(frozen=True)
class TrackIdentity:
    composer: ComposerId
    work: WorkId
    work_key: str  # unique in the library: composer key / work key
    recording: RecordingId


@dataclass(frozen=True)
class TrackFields:
    """What identity is computed from: tag values as stored (empty strings when untagged)."""

    path: str
    title: str
    composer: str = ""
    artist: str = ""
    work: str = ""
    movement: str = ""
    performers: str = ""
    conductor: str = ""
    orchestra: str = ""
    album: str = ""
    date: str = ""
    work_mbid: str = ""
    release_mbid: str = ""


def composer_name(fields: TrackFields) -> str:
    """The composer tag, else the artist (many rips put the composer there)."""
    return fields.composer.strip() or fields.artist.strip()


def identify(fields: TrackFields) -> TrackIdentity:
    """The composer, work and recording of one track."""
    composer = composer_id(composer_name(fields))
    title, folder_performers, folder_year = split_folder_recording(
        fields.work.strip() or fields.album.strip() or fields.title.strip()
    )
    whole_work = not fields.movement and fields.work.strip() in ("", fields.title.strip())
    # a MusicBrainz work id tagged on a movement names the movement, not the work
    work = work_id(title, mbid=fields.work_mbid if whole_work else "")
    key = work_key(composer.key, work)
    composer_tag = composer_name(fields)

    def is_composer(name: str) -> bool:  # ARTIST = composer (CD rips) is not a performer
        return same_composer(name, composer_tag)

    soloists = performer_line([fields.performers], drop=is_composer) or folder_performers
    performers = performer_line([soloists, fields.orchestra, fields.conductor], drop=is_composer)
    recording = recording_id(
        key,
        performers=performers,
        album=fields.album,
        year=year_of(fields.date) or folder_year,
        release_mbid=fields.release_mbid,
        folder=_folder_key(fields.path),
    )
    return TrackIdentity(composer, work, key, recording)


def _folder_key(path: str) -> str:
    """The folder holding ``path`` as key text: bytes that are not UTF-8 (held by Python as lone
    surrogates, which SQLite's text cannot store) written as ``\\xNN``, one text per folder."""
    folder = posixpath.dirname(path.replace("\\", "/"))
    return folder.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
