"""File names as the file system holds them, whatever their bytes.

On Linux a file name is bytes; Python reads a name that is not valid UTF-8 as a ``str`` holding
lone surrogates (PEP 383). Such a ``str`` round-trips to the file system, but libraries that
encode strictly (libsndfile through soundfile), SQLite text, terminals and Qt cannot take it.
The store keeps the exact bytes (:func:`player.store.db.path_to_db`); this module gives the two
other forms.
"""

from __future__ import annotations

import os
from pathlib import Path


def native(path: str | Path) -> str | bytes:
    """``path`` for a library that encodes ``str`` strictly: the name's own bytes on POSIX."""
    return os.fsencode(path) if os.name == "posix" else str(path)


def file_on_disk(path: str | Path) -> bool:
    """Whether the file at ``path`` is there now. One absent (its drive not mounted, moved or
    deleted since the scan) is said to be missing, never damaged or failed: playback, the
    analysis and Up next ask this first. A stat: off the GUI thread (a hung mount blocks it)."""
    return os.path.exists(native(path))


def shown(path: str | Path) -> str:
    """``path`` for people: bytes that are not UTF-8 appear as U+FFFD instead of vanishing."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "replace")
    return text
