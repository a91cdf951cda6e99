"""Filling in what the tags leave out from titles, file names and folder names.

Classical libraries are often half-tagged: a title "Symphony No. 5: I. Allegro con brio" carries
work, movement and its number; a folder "Bach - Cantatas" carries composer and work.
Only empty fields are filled; tags always win.
"""

from __future__ import annotations

import re
from pathlib import Path

from player.library.textclean import clean_text, roman_to_int
from player.store.tracks import Track

# "I. Allegro", "IV - Finale", "3. Presto"
_NUMBERED_MOVEMENT = re.compile(r"^\s*([IVXLC]{1,7}|\d{1,2})\s*[.):\-–]\s+(\S.*)$")
# "01 - Title", "1-03 Title", "03_title", "07. Title"
_TRACK_PREFIX = re.compile(r"^\s*(?:\d{1,2}[-.]\s*)?\d{1,3}\s*(?:[-._)]\s*|\s+)(?=\S)")
_DISC_FOLDER = re.compile(r"^(?:cd|dis[ck])\s*(\d{1,2})$", re.IGNORECASE)
_FOLDER_SEPARATOR = " - "


def apply_fallbacks(track: Track, path: Path, root: Path | None) -> None:
    """Fill empty title, work, movement and composer fields of ``track`` in place."""
    if not track.title:
        track.title = title_from_filename(path.stem)
    if not track.movement:
        _split_work_from_title(track)
    folders = _folders_below_root(path, root)
    if folders and (match := _DISC_FOLDER.match(folders[-1])):
        if track.disc_number is None:
            track.disc_number = int(match.group(1)) or None
        folders = folders[:-1]
    composer, work = composer_and_work_from_folders(folders)
    track.composer = track.composer or composer
    track.work = track.work or track.album or work
    if track.work and not track.movement and track.title.lower() != track.work.lower():
        track.movement = track.title
    _split_movement_number(track)


def title_from_filename(stem: str) -> str:
    """``"03 - Allegro assai"`` → ``"Allegro assai"``; underscores read as spaces."""
    title = _TRACK_PREFIX.sub("", stem, count=1)
    title = clean_text(title.replace("_", " "))
    return title or clean_text(stem) or "Untitled"


def _split_work_from_title(track: Track) -> None:
    """``"Symphony No. 5: I. Allegro"`` → work (if untagged or the same) and movement."""
    head, sep, tail = track.title.partition(": ")
    head, tail = head.strip(), tail.strip()
    if sep and head and tail and (not track.work or head.lower() == track.work.lower()):
        track.work = track.work or head
        track.movement = tail


def _split_movement_number(track: Track) -> None:
    """``"IV. Finale"`` → movement number 4 (unless tagged) and movement "Finale"."""
    match = _NUMBERED_MOVEMENT.match(track.movement)
    if not match:
        return
    number = match.group(1)
    parsed = int(number) if number.isdigit() else roman_to_int(number)
    if parsed:
        track.movement_number = track.movement_number or parsed
        track.movement = match.group(2).strip()


def _folders_below_root(path: Path, root: Path | None) -> list[str]:
    parent = path.parent
    if root is not None:
        try:
            return list(parent.relative_to(root).parts)
        except ValueError:
            pass
    return list(parent.parts[-2:]) if len(parent.parts) > 2 else []


def composer_and_work_from_folders(folders: list[str]) -> tuple[str, str]:
    """Guess ``(composer, work)`` from the folders between the library root and a file.

    ``Bach - Cantatas/`` gives both; ``Bach/Cantatas/`` gives the top folder as composer and the
    nearest as work; a single plain folder is taken as the work (an album folder).
    """
    for folder in reversed(folders):
        composer, sep, work = folder.partition(_FOLDER_SEPARATOR)
        if sep and composer.strip() and work.strip():
            return clean_text(composer), clean_text(work)
    if len(folders) >= 2:
        return clean_text(folders[0]), clean_text(folders[-1])
    if len(folders) == 1:
        return "", clean_text(folders[0])
    return "", ""
