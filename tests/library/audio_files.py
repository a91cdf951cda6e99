"""Making real, tagged audio files for the library tests (soundfile writes, mutagen tags)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TXXX, Frame
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

RATE = 44100
_CONTAINERS = {
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
    ".opus": ("OGG", "OPUS"),
    ".mp3": ("MP3", "MPEG_LAYER_III"),
    ".wav": ("WAV", "PCM_16"),
    ".aiff": ("AIFF", "PCM_16"),
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


def tag_id3(path: Path, frames: list[Frame], txxx: dict[str, str] | None = None) -> Path:
    """ID3v2.4 frames for MP3, WAV or AIFF files."""
    if path.suffix.lower() == ".mp3":
        tags = ID3()
        for frame in frames:
            tags.add(frame)
        for desc, text in (txxx or {}).items():
            tags.add(TXXX(encoding=3, desc=desc, text=[text]))
        tags.save(path)
        return path
    from mutagen import File

    audio = File(path)
    audio.add_tags()
    for frame in frames:
        audio.tags.add(frame)
    for desc, text in (txxx or {}).items():
        audio.tags.add(TXXX(encoding=3, desc=desc, text=[text]))
    audio.save()
    return path
