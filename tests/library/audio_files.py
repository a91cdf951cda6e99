"""Making real, tagged audio files for the library tests (soundfile writes, mutagen tags)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TXXX, Frame
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

RATE = 44100
_CONTAINERS = {
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
    ".oga": ("OGG", "VORBIS"),
    ".opus": ("OGG", "OPUS"),
    ".mp3": ("MP3", "MPEG_LAYER_III"),
    ".wav": ("WAV", "PCM_16"),
    ".aiff": ("AIFF", "PCM_16"),
    ".aif": ("AIFF", "PCM_16"),
}


def write_audio(path: Path, *, seconds: float = 1.0, freq: float = 440.0, rate: int = RATE) -> Path:
    """A sine tone in the container the suffix names (blocks: libsndfile's Vorbis encoder crashes
    on very large single writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt, subtype = _CONTAINERS[path.suffix.lower()]
    if fmt == "OGG" and subtype == "OPUS":
        rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    with sf.SoundFile(path, "w", rate, 1, format=fmt, subtype=subtype) as out:
        for start in range(0, len(tone), 16384):
            out.write(tone[start : start + 16384])
    return path


def tag_vorbis(path: Path, **tags: str | list[str]) -> Path:
    """Vorbis comments for FLAC, OGG and Opus files."""
    opener = {".flac": FLAC, ".ogg": OggVorbis, ".oga": OggVorbis, ".opus": OggOpus}
    audio = opener[path.suffix.lower()](path)
    for key, value in tags.items():
        audio[key] = value
    audio.save()
    return path


def tag_id3(
    path: Path, frames: list[Frame], txxx: dict[str, str] | None = None, *, version: int = 4
) -> Path:
    """ID3v2.4 (or, with ``version=3``, v2.3 as older taggers write) frames for MP3, WAV or AIFF."""
    if path.suffix.lower() == ".mp3":
        tags = ID3()
        for frame in frames:
            tags.add(frame)
        for desc, text in (txxx or {}).items():
            tags.add(TXXX(encoding=3, desc=desc, text=[text]))
        tags.save(path, v2_version=version)
        return path
    from mutagen import File

    audio = File(path)
    audio.add_tags()
    for frame in frames:
        audio.tags.add(frame)
    for desc, text in (txxx or {}).items():
        audio.tags.add(TXXX(encoding=3, desc=desc, text=[text]))
    audio.save(v2_version=version)
    return path


def write_m4a(path: Path, **tags: list) -> Path:
    """The smallest MP4 container mutagen reads as 1.5 s of audio, with iTunes-style ``tags``
    (``{"\xa9nam": ["Title"]}``); there is no MP4 encoder here, and its audio is empty."""

    def atom(name: bytes, payload: bytes = b"") -> bytes:
        return struct.pack(">I4s", 8 + len(payload), name) + payload

    def full(name: bytes, payload: bytes, flags: int = 0) -> bytes:
        return atom(name, struct.pack(">I", flags) + payload)

    mdhd = full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 66150, 0, 0))
    hdlr = full(b"hdlr", struct.pack(">I4s12s", 0, b"soun", b"\0" * 12) + b"\0")
    trak = atom(b"trak", full(b"tkhd", b"\0" * 80, flags=1) + atom(b"mdia", mdhd + hdlr))
    moov = atom(b"moov", full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 1500) + b"\0" * 80) + trak)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(atom(b"ftyp", b"M4A \0\0\0\0M4A mp42isom") + moov + atom(b"mdat", b"\0" * 64))
    audio = MP4(path)
    audio.add_tags()
    for key, value in tags.items():
        audio.tags[key] = value
    audio.save()
    return path
