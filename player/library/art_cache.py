"""The profile's album-art cache: one file per distinct picture in ``PROFILE/art``.

A picture is stored under the hash of its bytes, so the twelve tracks of an album that each embed
the same cover share one file. Which picture a track has is remembered in the database with the
signatures of the track file and its folder (:mod:`player.store.art`): the tags are read again
only when the file changed or a file was added to or removed from its folder (a new cover.jpg).
The original bytes are kept; the UI makes and caches its thumbnails from them.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from player.errors import DatabaseError
from player.store.art import ArtRecord, art_record, record_art
from player.store.db import Database
from player.store.tracks import Track

log = logging.getLogger(__name__)


class ArtCache:
    """Looks up, copies and remembers tracks' album art in ``folder`` (``PROFILE/art``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def art_for(self, db: Database, track: Track) -> Path | None:
        """The cached picture file for ``track``, extracting it on first use; None when it has none.

        Reads the audio file only when the stored lookup is stale, so call it off the GUI thread.
        """
        if track.id is None:
            return None
        try:
            folder_mtime_ns = os.stat(Path(track.path).parent).st_mtime_ns
        except OSError:
            folder_mtime_ns = -1
        signature = (track.size, track.mtime_ns, folder_mtime_ns)
        known = art_record(db, track.id)
        if known is not None and (known.size, known.mtime_ns, known.folder_mtime_ns) == signature:
            if not known.file:
                return None
            cached = self.folder / known.file
            if cached.is_file():
                return cached
        if folder_mtime_ns == -1:  # the track's folder is gone: nothing to read, nothing to store
            return None
        try:
            name = self._store(track)
        except OSError as exc:  # a full disk or a read-only profile: no art now, ask again later
            log.warning("album art for %s not cached: %s", track.path, exc)
            return None
        try:
            record_art(db, track.id, ArtRecord(*signature, name))
        except DatabaseError as exc:  # a read-only or full profile: shown now, looked up again
            log.info("album art for %s not remembered: %s", track.path, exc.short)
        return self.folder / name if name else None

    def _store(self, track: Track) -> str:
        """Copy ``track``'s picture into the cache (once per distinct picture); its file name or ""."""
        # the tag reader (mutagen) loads with the first picture read, off the GUI thread and
        # after the window's start, not with the window
        from player.library.art import find_artwork

        artwork = find_artwork(Path(track.path))
        if artwork is None:
            return ""
        name = hashlib.sha256(artwork.data).hexdigest()[:32] + artwork.suffix
        target = self.folder / name
        if not target.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{name}.{os.getpid()}.part")
            partial.write_bytes(artwork.data)
            os.replace(partial, target)  # readers never see half a picture
        return name
