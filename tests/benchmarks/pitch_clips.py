"""The pitch evaluation set: monophonic lines from the music21 corpus rendered with fluidsynth.

Each clip is one melodic line (a chorale voice or a folk melody) written by us as a standard MIDI
file, so its note times are known exactly, then rendered through the General MIDI sound font with
reverb and chorus off. The reference f0 of a frame is the sounding note's equal-tempered frequency;
frames within ``guard_s`` of a note boundary, and the release tail after a note that a rest follows,
are "don't care" (fluidsynth's attack and release, a few ms of block latency).

Used by ``bench_pitch_accuracy.py`` and by the note tests (one short render).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOUND_FONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SAMPLE_RATE = 22_050
_TICKS_PER_S = 960  # division 480 at the default tempo of 120 quarter notes a minute


@dataclass(frozen=True)
class Clip:
    """One line of the evaluation set."""

    name: str
    source: str  # music21 corpus path
    part: int  # part index (chorales) or score number in an opus (folk songs)
    program: int  # General MIDI program, 0-based
    transpose: int  # semitones, to put the line in the instrument's range
    qpm: float = 90.0  # tempo, quarter notes a minute


CLIPS = (
    Clip("bwv66.6 soprano, flute", "bach/bwv66.6", 0, 73, 0),
    Clip("bwv66.6 bass, bassoon", "bach/bwv66.6", 3, 70, -7),
    Clip("bwv1.6 soprano, oboe", "bach/bwv1.6", 0, 68, 0),
    Clip("bwv1.6 bass, cello", "bach/bwv1.6", 3, 42, 0),
    Clip("bwv10.7 soprano, trumpet", "bach/bwv10.7", 0, 56, 0),
    Clip("bwv10.7 alto, piano", "bach/bwv10.7", 1, 0, 0),
    Clip("bwv101.7 tenor, violin", "bach/bwv101.7", 2, 40, 12),
    Clip("bwv101.7 soprano, choir aahs", "bach/bwv101.7", 0, 52, 0),
    Clip("bwv102.7 bass, contrabass", "bach/bwv102.7", 3, 43, -12),
    Clip("bwv103.6 soprano, piccolo", "bach/bwv103.6", 0, 72, 12),
    Clip("altdeu10 folk song, violin", "essenFolksong/altdeu10", 0, 40, 0, 120.0),
    Clip("altdeu10 folk song 2, clarinet", "essenFolksong/altdeu10", 1, 71, 0, 120.0),
)

# Not used to choose any parameter: a check that what was tuned on CLIPS carries over.
HELD_OUT = (
    Clip("bwv104.6 soprano, English horn", "bach/bwv104.6", 0, 69, 0),
    Clip("bwv108.6 bass, tuba", "bach/bwv108.6", 3, 58, 0),
    Clip("bwv11.6 tenor, viola", "bach/bwv11.6", 2, 41, 0),
    Clip("bwv110.7 soprano, recorder", "bach/bwv110.7", 0, 74, 12),
    Clip("bwv111.6 alto, French horn", "bach/bwv111.6", 1, 60, 0),
    Clip("altdeu10 folk song 3, soprano sax", "essenFolksong/altdeu10", 2, 64, 0, 120.0),
)


def cache_dir() -> Path:
    """Where rendered clips are kept between runs: ``$TMPDIR/continuo-pitch-clips``."""
    return Path(tempfile.gettempdir()) / "continuo-pitch-clips"


def have_fluidsynth() -> bool:
    return shutil.which("fluidsynth") is not None and SOUND_FONT.is_file()


def line_notes(clip: Clip, *, max_s: float = 20.0) -> list[tuple[float, float, int]]:
    """The clip's notes as (onset_s, offset_s, midi), monophonic, the first ``max_s`` seconds."""
    from music21 import corpus

    parsed = corpus.parse(clip.source)
    score = parsed.scores[clip.part] if hasattr(parsed, "scores") else parsed.parts[clip.part]
    notes = []
    for item in score.flatten().stripTies().notes:
        if item.duration.quarterLength <= 0:
            continue  # grace notes
        pitch = max(p.midi for p in item.pitches) + clip.transpose
        onset = float(item.offset) * 60.0 / clip.qpm
        offset = onset + float(item.duration.quarterLength) * 60.0 / clip.qpm
        if onset >= max_s:
            break
        notes.append((round(onset * _TICKS_PER_S), round(offset * _TICKS_PER_S), pitch))
    clean = []
    for i, (on, off, pitch) in enumerate(notes):
        if i + 1 < len(notes):
            off = min(off, notes[i + 1][0])
        clean.append((on / _TICKS_PER_S, off / _TICKS_PER_S, pitch))
    return clean


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def write_midi(notes: list[tuple[float, float, int]], path: Path, *, program: int) -> None:
    """A format-0 standard MIDI file: one channel, the given program, default tempo."""
    events = [(0, 0, bytes([0xC0, program]))]
    for on, off, pitch in notes:
        events.append((round(on * _TICKS_PER_S), 1, bytes([0x90, pitch, 90])))
        events.append((round(off * _TICKS_PER_S), 0, bytes([0x80, pitch, 0])))
    events.sort(key=lambda e: (e[0], e[1]))  # note-offs before note-ons at the same tick
    track, now = bytearray(), 0
    for tick, _, data in events:
        track += _vlq(tick - now) + data
        now = tick
    track += _vlq(0) + b"\xff\x2f\x00"
    header = b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big")
    header += (480).to_bytes(2, "big")
    path.write_bytes(header + b"MTrk" + len(track).to_bytes(4, "big") + bytes(track))


def render_notes(notes: list[tuple[float, float, int]], wav: Path, *, program: int) -> Path:
    """Render notes through fluidsynth (reverb and chorus off) to a WAV file at 22,050 Hz."""
    mid = wav.with_suffix(".mid")
    write_midi(notes, mid, program=program)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8", "-r", str(SAMPLE_RATE)]
        + ["-F", str(wav), str(SOUND_FONT), str(mid)],
        check=True,
        capture_output=True,
    )
    return wav


def render_clip(clip: Clip, directory: Path | None = None) -> tuple[Path, list]:
    """The clip's WAV file and notes, rendered once into the cache directory."""
    directory = directory or cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() else "_" for c in clip.name)
    wav, meta = directory / f"{stem}.wav", directory / f"{stem}.json"
    if wav.is_file() and meta.is_file():
        return wav, [tuple(n) for n in json.loads(meta.read_text())]
    notes = line_notes(clip)
    render_notes(notes, wav, program=clip.program)
    meta.write_text(json.dumps(notes))
    return wav, notes


def reference_f0(
    notes: list[tuple[float, float, int]],
    times: np.ndarray,
    *,
    guard_s: float = 0.03,
    tail_s: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """The score's f0 at each frame time and the mask of frames that are scored.

    Returns ``(f0_hz, care)``, both shape (n_frames,): f0 is 0 where no note sounds; ``care`` is
    False within ``guard_s`` of a note boundary and in the ``tail_s`` after a note a rest follows.
    """
    f0 = np.zeros(len(times))
    care = np.ones(len(times), dtype=bool)
    for i, (on, off, pitch) in enumerate(notes):
        f0[(times >= on) & (times < off)] = 440.0 * 2.0 ** ((pitch - 69) / 12)
        care[np.abs(times - on) < guard_s] = False
        care[np.abs(times - off) < guard_s] = False
        rest_follows = i + 1 == len(notes) or notes[i + 1][0] > off + 1e-6
        if rest_follows:
            care[(times >= off) & (times < off + tail_s)] = False
    return f0, care


def decode_mono(path: Path) -> tuple[np.ndarray, int]:
    """Read a WAV file and mix it to mono float32."""
    import soundfile as sf

    y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return y.mean(axis=1), sr


if __name__ == "__main__":
    for clip in CLIPS:
        path, notes = render_clip(clip)
        print(f"{clip.name:34s} {len(notes):3d} notes  {path}")
    print(os.fspath(cache_dir()))
