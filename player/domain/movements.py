"""Movement order: the order a work's tracks play in, and their numbers from titles and files.

A movement's position comes from its tags (disc, movement number, track number), else from its
title ("IV. Finale", "Mvt. 1 – Adagio", "No. 4: Aria", "2. Satz: Andante"), else from its file
name ("01 - Allegro.flac", "1-03 Presto.flac"). Opera titles keep "Act I:" as shown: it is a
level of the listener's map, and the numbers inside an act are not the order of the whole.
"""

from __future__ import annotations

import os
import re

from player.domain.numbers import roman_to_int
from player.domain.text import fold

_PREFIXED = re.compile(
    r"^\s*(?:(?:mvt|mvmt|mov|movement|satz|teil|part|no|nr|n[º°])\.?\s*)"
    r"(?P<number>[ivxlc]{1,7}|\d{1,3})\s*(?:[.):\-–—]\s*|\s+(?=\S))(?P<name>\S.*)?$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(
    r"^\s*(?P<number>[IVXLC]{1,7}|\d{1,2})\s*(?:\.\s*(?:satz|teil)\s*)?[.):\-–—]\s+(?P<name>\S.*)$",
    re.IGNORECASE,
)
_ACT = re.compile(r"^\s*(?:act|akt|acte|atto|aufzug)\s+([ivxlc]+|\d+)\b", re.IGNORECASE)
_FILE_NUMBER = re.compile(
    r"^\s*(?:(?P<disc>\d{1,2})[-.](?=\d))?\s*(?P<track>\d{1,3})(?:\s*[-._)]\s*|\s+)(?=\S)"
)
_LAST = 1 << 30


def display_title(movement: str, title: str) -> str:
    """How a track is named in lists: its movement's name when the work is known, else its
    title."""
    return movement or title


def parse_movement(text: str) -> tuple[int | None, str]:
    """``"IV. Finale"`` → ``(4, "Finale")``; ``"Mvt. 1 – Adagio"`` → ``(1, "Adagio")``;
    ``"Act I: Scene 1"`` and plain names → ``(None, text)``."""
    if _ACT.match(text):
        return None, text
    match = _PREFIXED.match(text) or _NUMBERED.match(text)
    if not match:
        return None, text
    number = _number(match.group("number"))
    name = (match.group("name") or "").strip()
    if number is None or (match.re is _NUMBERED and not name):
        return None, text
    return number, name or text.strip()


def act_of(text: str) -> str:
    """The opera act a movement title starts with ("Act II: …" → "Act II"), or ""."""
    return split_act(text)[0]


def split_act(text: str) -> tuple[str, str]:
    """``"Act II: No. 10 Cavatina"`` → ``("Act II", "No. 10 Cavatina")``; no act → ``("", text)``."""
    match = _ACT.match(text)
    if not match:
        return "", text
    rest = text[match.end() :].lstrip(" :.-–—")
    return match.group(0).strip(), rest or text


def file_position(stem: str) -> tuple[int | None, int | None]:
    """``(disc, track)`` from a file name's leading numbers: "1-03 Presto" → (1, 3),
    "07. Largo" → (None, 7), "Largo" → (None, None)."""
    match = _FILE_NUMBER.match(stem)
    if not match:
        return None, None
    disc = match.group("disc")
    return (int(disc) if disc else None), int(match.group("track")) or None


def file_stem(path: str) -> str:
    """A file's name without its folder and extension, as :func:`movement_order` reads it
    (``os.path``: ``PurePath`` is five times slower over a large library)."""
    return os.path.splitext(os.path.basename(path))[0]


def strip_file_number(stem: str) -> str:
    """The file name without its leading track number ("03 - Allegro assai" → "Allegro assai")."""
    return _FILE_NUMBER.sub("", stem, count=1)


def movement_order(
    *,
    disc: int | None,
    movement: int | None,
    track: int | None,
    stem: str,
    title: str,
) -> tuple[int, int, int, str]:
    """The sort key of a movement within its recording: disc (untagged = 1), movement number,
    then track number (or the file name's), then title; unknown numbers last."""
    file_disc, file_track = file_position(stem)
    return (
        disc or file_disc or 1,
        movement or _LAST,
        track or file_track or _LAST,
        fold(title),
    )


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else roman_to_int(text)
