"""ID3 text frames in the scanner's flat tag vocabulary, from mutagen's frames or read directly.

mutagen builds an object per frame and upgrades the whole tag to ID3v2.4 (0.35 ms for a
seven-frame tag, most of an MP3's scan); :func:`read_id3` reads the text frames of a plain
ID3v2.3 or v2.4 tag itself in a tenth of that, skipping pictures unread. A tag it is not sure of
(v2.2, unsynchronisation, an extended header, compressed or encrypted frames, sizes that do not
add up) returns None and goes to mutagen; both paths end in :func:`add_frame`, so a frame means
the same whichever read it. (mutagen folds v2.3's TDAT day and month into the date; here a v2.3
date is its TYER year, which is what identity and display use.)
"""

from __future__ import annotations

from typing import BinaryIO

Tags = dict[str, list[object]]
"""Lower-case Vorbis-style tag name → values (as in :mod:`player.library.streams`)."""

ID3_NAMES = {
    "TIT2": "title",
    "TCOM": "composer",
    "TIT1": "grouping",
    "GRP1": "itunesgrouping",
    "MVNM": "movementname",
    "MVIN": "movement",
    "TPE1": "artist",
    "TPE2": "albumartist",
    "TPE3": "conductor",
    "TALB": "album",
    "TPOS": "discnumber",
    "TRCK": "tracknumber",
    "TDRC": "date",
    "TYER": "date",
    "TCON": "genre",
}
"""ID3 text frames the scanner reads, by the Vorbis comment name they stand for."""

_ENCODINGS = ("latin-1", "utf-16", "utf-16-be", "utf-8")
_WANTED = frozenset({*ID3_NAMES, "TXXX", "TMCL"})
_FRAME_UNREADABLE = {3: 0x00E0, 4: 0x004F}
"""Per version, the frame flags (compression, encryption, grouping, unsynchronisation, data
length) that leave a frame to mutagen."""


def add_frame(flat: Tags, frame_id: str, values: list[str]) -> None:
    """One text frame into ``flat``: TXXX's first value is its description (the name), TMCL's
    values alternate instrument and musician."""
    if frame_id == "TXXX" and values:
        flat.setdefault(values[0].lower(), []).extend(values[1:])
    elif frame_id == "TMCL":  # musician credits: [instrument, name, instrument, name, ...]
        pairs = zip(values[::2], values[1::2], strict=False)
        flat.setdefault("performer", []).extend(
            f"{name} ({role})" if role else name for role, name in pairs
        )
    elif frame_id in ID3_NAMES:
        flat.setdefault(ID3_NAMES[frame_id], []).extend(values)


def flatten_mutagen(tags) -> Tags:
    """mutagen's ID3 frames in the flat vocabulary."""
    flat: Tags = {}
    for frame in tags.values():
        frame_id = frame.FrameID
        if frame_id == "TXXX":
            add_frame(flat, frame_id, [str(frame.desc), *frame.text])
        elif frame_id == "TMCL":
            add_frame(flat, frame_id, [part for pair in frame.people for part in pair])
        elif frame_id in ID3_NAMES:
            add_frame(flat, frame_id, [str(t) for t in getattr(frame, "text", [])])
    return flat


def read_id3(handle: BinaryIO) -> tuple[Tags, int] | None:
    """The text frames of the ID3v2.3/v2.4 tag at the start of ``handle`` and the tag's size in
    bytes (where the audio begins); ``({}, 0)`` without a tag; None when mutagen should read it.
    """
    head = handle.read(10)
    if not head.startswith(b"ID3"):
        handle.seek(0)
        return {}, 0
    version, flags = head[3], head[5]
    if len(head) < 10 or version not in (3, 4) or flags & 0xC0 or any(b & 0x80 for b in head[6:]):
        return None  # v2.2, unsynchronised, an extended header or a damaged size
    size = _syncsafe(head[6:10])
    body = handle.read(size)
    if len(body) < size:
        return None
    flat: Tags = {}
    at = 0
    while at + 10 <= size and body[at] != 0:  # zeros: padding
        frame_id = body[at : at + 4].decode("latin-1")
        raw_size = body[at + 4 : at + 8]
        length = _syncsafe(raw_size) if version == 4 else int.from_bytes(raw_size, "big")
        if not frame_id.isalnum() or not frame_id.isupper() and not frame_id.isdigit():
            return None
        if version == 4 and any(b & 0x80 for b in raw_size) or at + 10 + length > size:
            return None  # a size written the v2.3 way in a v2.4 tag: mutagen guesses
        if frame_id in _WANTED:
            if int.from_bytes(body[at + 8 : at + 10], "big") & _FRAME_UNREADABLE[version]:
                return None
            values = _text(body[at + 10 : at + 10 + length])
            if values is None:
                return None
            add_frame(flat, frame_id, values)
        at += 10 + length
    return flat, 10 + size + (10 if flags & 0x10 else 0)


def _text(data: bytes) -> list[str] | None:
    """A text frame's values: an encoding byte, then strings ending in (or parted by) NUL."""
    if not data or data[0] > 3:
        return None
    text = data[1:].decode(_ENCODINGS[data[0]], "replace")
    values = text.split("\x00")
    if values and values[-1] == "":
        values.pop()
    return [v.lstrip("\ufeff") for v in values]


def _syncsafe(raw: bytes) -> int:
    return raw[0] << 21 | raw[1] << 14 | raw[2] << 7 | raw[3]
