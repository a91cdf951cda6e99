"""Filling in what the tags leave out from titles, file names and folder names.

Classical libraries are often half-tagged: a title "Symphony No. 5: I. Allegro con brio" carries
work, movement and its number; a folder "Bach - Cantatas" carries composer and work.
Only empty fields are filled; tags always win.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from player.domain.movements import (
    act_of,
    file_position,
    file_stem,
    parse_movement,
    strip_file_number,
)
from player.library.textclean import clean_text
from player.store.tracks import Track

_DISC_FOLDER = re.compile(r"^(?:cd|dis[ck])\s*(\d{1,2})$", re.IGNORECASE)
_FOLDER_SEPARATOR = " - "


def apply_fallbacks(track: Track, path: str, root: str | None) -> None:
    """Fill empty title, work, movement and composer fields of ``track`` in place (``path``
    and ``root`` as strings: ``pathlib`` costs a scan ~20 us a file)."""
    stem = file_stem(path)
    if not track.title:
        track.title = title_from_filename(stem)
    file_disc, file_track = file_position(stem)
    track.track_number = track.track_number or file_track  # "01 - Allegro.flac" is track 1
    track.disc_number = track.disc_number or file_disc
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
    title = strip_file_number(stem)
    title = clean_text(title.replace("_", " "))
    return title or clean_text(stem) or "Untitled"


def _split_work_from_title(track: Track) -> None:
    """``"Symphony No. 5: I. Allegro"`` → work (if untagged or the same) and movement.

    "No. 4: Aria" and "Act I: Scene 1" are movements (of a numbered opera), not "work: movement".
    """
    if parse_movement(track.title)[0] is not None or act_of(track.title):
        return
    head, sep, tail = track.title.partition(": ")
    head, tail = head.strip(), tail.strip()
    if sep and head and tail and (not track.work or head.lower() == track.work.lower()):
        track.work = track.work or head
        track.movement = tail


def _split_movement_number(track: Track) -> None:
    """``"IV. Finale"``, ``"Mvt. 4 – Finale"`` → movement number 4 (unless tagged) and
    movement "Finale" (player.domain.movements)."""
    number, name = parse_movement(track.movement)
    if number is not None:
        track.movement_number = track.movement_number or number
        track.movement = name


def _folders_below_root(path: str, root: str | None) -> list[str]:
    parent = os.path.dirname(path)
    if root is not None:
        if parent == root:
            return []
        top = root.rstrip(os.sep) + os.sep
        if parent.startswith(top):
            return parent[len(top) :].split(os.sep)
    parts = Path(parent).parts  # outside the root (a file opened on its own): its last folders
    return list(parts[-2:]) if len(parts) > 2 else []


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
