"""Album art: the picture a track carries in its tags, or else the one its folder holds.

Embedded pictures come from every container the scanner reads: FLAC picture blocks, Vorbis and
Opus ``METADATA_BLOCK_PICTURE`` comments (base64 FLAC picture blocks), ID3 ``APIC`` frames (MP3,
WAV, AIFF) and MP4 ``covr`` atoms. A front cover (picture type 3) wins over other pictures.
Folder images are ``cover``, ``folder`` or ``front`` with a .jpg, .jpeg or .png suffix, in that
order of preference, matched without regard to case.

The image format is taken from the bytes (tags often name the wrong MIME type); bytes that are not
a known image are ignored. Nothing here decodes or scales images: the UI does that (Qt), and the
cache (:mod:`player.library.art_cache`) stores the original bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

FRONT_COVER = 3
"""The ID3/FLAC picture type of a front cover."""
FOLDER_NAMES = ("cover", "folder", "front")
FOLDER_SUFFIXES = (".jpg", ".jpeg", ".png")
MAX_PICTURE_BYTES = 32 * 1024 * 1024
"""Larger "pictures" are damaged tags, not art; they are ignored rather than copied."""

_SIGNATURES = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
    (b"BM", ".bmp"),
)


@dataclass(frozen=True)
class Artwork:
    """Image bytes and the file suffix their format calls for (``.jpg``, ``.png``, …)."""

    data: bytes
    suffix: str
    source: str
    """``"embedded"`` or the folder image's path."""


def image_suffix(data: bytes) -> str | None:
    """The suffix for ``data``'s image format, judged by its first bytes; None when not an image."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    for signature, suffix in _SIGNATURES:
        if data.startswith(signature):
            return suffix
    return None


def find_artwork(path: Path) -> Artwork | None:
    """The track's embedded front cover, else its folder's cover image, else None."""
    return embedded_artwork(path) or folder_artwork(path.parent)


def embedded_artwork(path: Path) -> Artwork | None:
    """The best picture in ``path``'s tags, or None (also when the file cannot be read)."""
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, OverflowError, EOFError, IndexError):
        return None
    if audio is None:
        return None
    candidates = list(_pictures(audio))
    candidates.sort(key=lambda typed: typed[0] != FRONT_COVER)  # stable: front covers first
    for _, data in candidates:
        suffix = image_suffix(data) if 0 < len(data) <= MAX_PICTURE_BYTES else None
        if suffix:
            return Artwork(data, suffix, "embedded")
    return None


def folder_artwork(folder: Path) -> Artwork | None:
    """``folder``'s cover image (see the module docstring for the names), or None."""
    image = folder_image(folder)
    if image is None:
        return None
    try:
        if image.stat().st_size > MAX_PICTURE_BYTES:
            return None
        data = image.read_bytes()
    except OSError:
        return None
    suffix = image_suffix(data)
    return Artwork(data, suffix, str(image)) if suffix else None


def folder_image(folder: Path) -> Path | None:
    """The path of ``folder``'s preferred cover image file, or None."""
    try:
        names = {entry.name.lower(): entry.name for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return None
    for stem in FOLDER_NAMES:
        for suffix in FOLDER_SUFFIXES:
            name = names.get(stem + suffix)
            if name:
                return folder / name
    return None


def _pictures(audio: mutagen.FileType):
    """``(picture type, bytes)`` for each picture in ``audio``'s tags, whatever the container."""
    if isinstance(audio, FLAC):
        for picture in audio.pictures:
            yield picture.type, bytes(picture.data)
    tags = audio.tags
    if tags is None:
        return
    if isinstance(tags, ID3):
        for frame in tags.getall("APIC"):
            yield frame.type, bytes(frame.data)
    elif isinstance(tags, MP4Tags):
        for cover in tags.get("covr", []):
            yield FRONT_COVER, bytes(cover)
    elif hasattr(tags, "get"):  # Vorbis comments (OGG Vorbis/Opus, and FLAC's own comments)
        for value in tags.get("metadata_block_picture", []):
            picture = _vorbis_picture(value)
            if picture is not None:
                yield picture.type, bytes(picture.data)
        for value in tags.get("coverart", []):  # the older, unofficial base64 field
            data = _b64(value)
            if data:
                yield 0, data


def _vorbis_picture(value: str) -> Picture | None:
    data = _b64(value)
    if not data:
        return None
    try:
        return Picture(data)
    except (mutagen.MutagenError, ValueError, EOFError, IndexError, TypeError):
        return None


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError, TypeError):
        return b""
