"""Can this file be played? Proved as cheaply as the format allows, so a first scan of 100,000
files takes minutes, not half an hour.

- FLAC, Ogg Vorbis and MP3, the bulk of a collection, are proved by their headers
  (:mod:`player.library.streams`: the first and last frame or page, an MP3's run of frame
  headers and its VBR header's size; no decoder opened, pictures skipped).
- An MP3 whose ID3 tag needs mutagen is proved the same way after mutagen has read it.
- Everything else, and any file its headers do not prove whole, is opened with libsndfile (the
  decoder the player uses) and a few frames are decoded at the start and just before the end,
  so a truncated download or copy is noticed at scan time rather than when the listener
  reaches its last minute; what is wrong is named here.

What a header check cannot see — audio damaged inside an intact file — is caught when the track
is played: the player skips it and lists it as a Problem. Opening libsndfile for every file
(0.15 ms for FLAC, 0.7 ms for Ogg Vorbis, as much again for the test decode) would cost a
100,000-file scan a minute or more of CPU for files that nearly always play.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from player.errors import ContinuoError
from player.fspath import native
from player.library.streams import OGG_TAIL, mp3_is_cut, ogg_last_page, read_stream_header

if TYPE_CHECKING:
    import soundfile as sf

_CONTAINER_MAGIC = (b"OggS", b"fLaC", b"RIFF", b"FORM", b"ID3")
"""How Ogg, FLAC, WAV, AIFF and tagged MP3 files begin."""
_OGG_HEADER = 27
"""Bytes of an Ogg page header before its segment table."""
PROBE_FRAMES = 2048
"""Frames decoded at the start and before the end of each new or changed file."""

_FORMATS = {
    ("OGG", "VORBIS"): "Vorbis",
    ("OGG", "OPUS"): "Opus",
    ("FLAC", None): "FLAC",
    ("WAV", None): "WAV",
    ("WAVEX", None): "WAV",
    ("AIFF", None): "AIFF",
    ("MP3", None): "MP3",
    ("MPEG", None): "MP3",
}


_KINDS: dict[str, type[mutagen.FileType]] = {
    ".flac": FLAC,
    ".ogg": OggVorbis,
    ".oga": OggVorbis,
    ".opus": OggOpus,
    ".mp3": MP3,
}


class UnreadableFileError(ContinuoError):
    """A file in a music folder that cannot become a track; ``short`` says why, for the Problems list."""


@dataclass
class AudioInfo:
    """What the decoder or the headers report about a file, plus its tags: mutagen's container,
    already flat tags (:class:`player.library.streams.StreamHeader`), or None."""

    duration_s: float
    sample_rate: int
    channels: int
    format: str
    tags: object | None


def probe_audio(path: str | Path, *, size: int) -> AudioInfo:
    """Prove that ``path`` plays (see the module's docstring) and read what it holds.

    Raises :class:`UnreadableFileError` when the file is empty, unreadable, not audio, in a
    format the player cannot decode, or damaged/truncated.
    """
    if size == 0:
        raise UnreadableFileError("The file is empty (0 bytes)", f"{path}: nothing to play.")
    try:
        with open(path, "rb") as handle:
            header = read_stream_header(handle, os.path.splitext(path)[1].lower(), size)
    except PermissionError as exc:
        raise UnreadableFileError(
            "Continuo is not allowed to read this file (permission denied)",
            f"{path}: check the file's permissions.",
        ) from exc
    except OSError as exc:
        raise UnreadableFileError(f"The file cannot be opened ({exc.strerror})", str(path)) from exc
    if header is not None:
        return AudioInfo(
            duration_s=header.frames / header.sample_rate,
            sample_rate=header.sample_rate,
            channels=header.channels,
            format=header.format,
            tags=header.tags,
        )
    tags = _read_tags(path)
    stream: Any = getattr(tags, "info", None)  # mutagen's MPEGInfo (its stubs say None)
    if (
        isinstance(tags, MP3)
        and not stream.sketchy
        and stream.sample_rate > 0
        and stream.length > 0
    ):
        _check_mp3_size(path, tags, size)
        return AudioInfo(
            duration_s=stream.length,
            sample_rate=stream.sample_rate,
            channels=stream.channels,
            format="MP3",
            tags=tags.tags,
        )
    return _decode_test(path, tags, size)


def _read_tags(path: str | Path) -> mutagen.FileType | None:
    """The file's tags, by the reader its extension names (mutagen's guessing asks every format
    to score the header, a third of a scan's time); a file whose header is not what its name
    says is left to the guessing."""
    kind = _KINDS.get(os.path.splitext(path)[1].lower())
    if kind is not None:
        try:
            return kind(path)
        except (mutagen.MutagenError, ValueError, OverflowError, EOFError, IndexError):
            pass
    try:
        return mutagen.File(path)
    except mutagen.MutagenError as exc:
        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic.startswith(_CONTAINER_MAGIC):  # an audio container whose header is cut short
            raise UnreadableFileError(
                "The file is damaged or truncated (its audio header cannot be read)",
                f"{path}: {_message(exc)}",
            ) from exc
        raise UnreadableFileError(
            "Not an audio file Continuo can read (its header is not valid audio)",
            f"{path}: {_message(exc)}",
        ) from exc
    except (ValueError, OverflowError, MemoryError, EOFError, IndexError) as exc:
        # mutagen's parsers are strict about structure, not always about sizes read from the file.
        raise UnreadableFileError(
            "The tags are damaged beyond reading", f"{path}: {type(exc).__name__}: {_message(exc)}"
        ) from exc


def _decode_test(path: str | Path, tagged: mutagen.FileType | None, size: int) -> AudioInfo:
    import soundfile as sf  # numpy and libsndfile: loaded by the few files headers do not prove

    try:
        with sf.SoundFile(native(path)) as audio:
            frames, rate, channels = audio.frames, audio.samplerate, audio.channels
            fmt = _FORMATS.get((audio.format, audio.subtype)) or _FORMATS.get((audio.format, None))
            cut = fmt in ("Vorbis", "Opus") and ogg_is_cut(path, size)
            if frames <= 0 or rate <= 0:
                if cut:
                    raise UnreadableFileError(
                        "The audio is damaged or truncated (no audio could be decoded)",
                        f"{path}: the file ends in the middle of an Ogg page; a cut copy or "
                        "download?",
                    )
                raise UnreadableFileError("The file holds no audio", f"{path}: 0 frames.")
            if cut:
                raise UnreadableFileError(
                    "The file ends early (a truncated copy or download?)",
                    f"{path}: it ends in the middle of an Ogg page, so its end is missing.",
                )
            _read_exactly(audio, min(frames, PROBE_FRAMES), path)
            # Seeking an MP3 decodes everything before the target (37 ms for 5 minutes), so an
            # MP3's completeness is judged from its header instead (_check_mp3_size).
            if frames > 2 * PROBE_FRAMES and fmt != "MP3":
                audio.seek(frames - PROBE_FRAMES)
                _read_exactly(audio, PROBE_FRAMES, path)
    except sf.LibsndfileError as exc:
        raise _undecodable(path, tagged, exc) from exc
    except RuntimeError as exc:  # soundfile raises plain RuntimeError on some seek/read failures
        raise UnreadableFileError(
            "The audio is damaged (decoding failed)", f"{path}: {_message(exc)}"
        ) from exc
    if fmt == "MP3":
        _check_mp3_size(path, tagged, size)
    promised = getattr(getattr(tagged, "info", None), "length", 0.0) or 0.0
    if fmt in ("WAV", "AIFF") and promised > frames / rate + 0.5:
        # libsndfile clamps a PCM file's length to the bytes present; its header knows better.
        raise UnreadableFileError(
            "The file ends early (a truncated copy or download?)",
            f"{path}: the header promises {promised:.1f} s, the file holds {frames / rate:.1f} s.",
        )
    return AudioInfo(
        duration_s=frames / rate,
        sample_rate=rate,
        channels=channels,
        format=fmt or audio.format,
        tags=getattr(tagged, "tags", None),
    )


def ogg_is_cut(path: str | Path, size: int) -> bool:
    """The file ends inside an Ogg page: a truncated copy. (A complete file ends with a whole
    page; its end-of-stream flag is not required, some encoders omit it.)"""
    with open(path, "rb") as handle:
        first = handle.read(_OGG_HEADER)
        handle.seek(max(0, size - OGG_TAIL))
        tail = handle.read()
    if len(first) < _OGG_HEADER or not first.startswith(b"OggS"):
        return True
    last = ogg_last_page(tail, first[14:18])
    return last is None or last[0] > len(tail)


def _check_mp3_size(path: str | Path, tagged: mutagen.FileType | None, size: int) -> None:
    info = getattr(tagged, "info", None)
    length, bitrate = getattr(info, "length", 0.0) or 0.0, getattr(info, "bitrate", 0) or 0
    tag_bytes = getattr(getattr(tagged, "tags", None), "size", 0) or 0
    if mp3_is_cut(length, bitrate, tag_bytes, size):
        raise UnreadableFileError(
            "The file ends early (a truncated copy or download?)",
            f"{path}: its header promises {length * bitrate / 8e6:.2f} MB of audio, "
            f"the file holds {(size - tag_bytes) / 1e6:.2f} MB.",
        )


def _read_exactly(audio: sf.SoundFile, count: int, path: str | Path) -> None:
    block = audio.read(count, dtype="float32", always_2d=True)
    if len(block) < count:
        raise UnreadableFileError(
            "The file ends early (a truncated copy or download?)",
            f"{path}: the header promises {audio.frames} frames but decoding stops sooner.",
        )


def _undecodable(
    path: str | Path, tagged: mutagen.FileType | None, exc: Exception
) -> UnreadableFileError:
    if tagged is not None and type(tagged).__name__ == "MP4":
        return UnreadableFileError(
            "MP4/M4A audio cannot be played by Continuo's decoder (libsndfile)",
            f"{path}: convert it to FLAC or Ogg to play it.",
        )
    if tagged is None:
        return UnreadableFileError(
            "Not an audio file Continuo can read", f"{path}: {_message(exc)}"
        )
    return UnreadableFileError(
        "The audio is damaged or truncated (decoding failed)", f"{path}: {_message(exc)}"
    )


def _message(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__
