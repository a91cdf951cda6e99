"""The broad pitch set (issue 10): 41 chorale lines on 17 General MIDI programs, three conditions.

Each line is one voice (soprano, alto, tenor or bass) of a different Bach chorale from the
music21 corpus, written by us as a standard MIDI file (note times known to the tick) and
rendered with fluidsynth and FluidR3 GM at 22,050 Hz in three conditions:

* ``dry`` — reverb and chorus off;
* ``reverb`` — fluidsynth's reverb on (room size 0.7, level 0.8, every note's reverb send at 100);
* ``noise`` — the dry render plus white noise at 12 dB SNR (signal power over the sounding frames,
  a fixed seed per line).

**The split, made once and never changed**: within each program the lines are taken in the order
listed in :data:`LINES`; line ``j`` of program ``i`` (both 0-based, programs in listing order)
is *held out* when ``i + j`` is odd and in the *tuning* half otherwise. All three conditions of a
line fall in the same half, every program has lines in both halves (except where it has one
line), and each half holds all four voices. Constants of :mod:`player.analysis.octave` and
:mod:`player.analysis.pitch` may be chosen on the tuning half only.

Sound-font defects (see docs/analysis-pitch.md): FluidR3's bassoon plays MIDI 56–58 an octave
high and its choir aahs play 61 54 cents flat; frames of those notes are "don't care".

Renders are cached in ``$TMPDIR/continuo-pitch-broad`` (about 60 MB).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pitch_clips import SAMPLE_RATE, SOUND_FONT, Clip, line_notes, write_midi

CLIP_S = 12.0
CONDITIONS = ("dry", "reverb", "noise")
SNR_DB = 12.0
_VOICE = {"S": 0, "A": 1, "T": 2, "B": 3}
_VOICE_NAME = {"S": "soprano", "A": "alto", "T": "tenor", "B": "bass"}

# program name → (GM program 0-based, [(voice, transpose), ...])
PROGRAMS: dict[str, tuple[int, list[tuple[str, int]]]] = {
    "violin": (40, [("S", 0), ("A", 12), ("T", 12)]),
    "viola": (41, [("A", 0), ("T", 0)]),
    "cello": (42, [("T", 0), ("B", 0), ("A", -12)]),
    "contrabass arco": (43, [("B", -12), ("T", -12)]),
    "contrabass pizzicato": (45, [("B", -12), ("T", -12)]),
    "trumpet": (56, [("S", 0), ("A", 0)]),
    "horn": (60, [("A", 0), ("T", 0)]),
    "trombone": (57, [("T", 0), ("B", 0)]),
    "tuba": (58, [("B", 0), ("T", -12)]),
    "flute": (73, [("S", 0), ("A", 12)]),
    "oboe": (68, [("S", 0), ("A", 0)]),
    "clarinet": (71, [("A", 0), ("T", 12)]),
    "bassoon": (70, [("B", 0), ("T", 0)]),
    "choir aahs": (52, [("S", 0), ("A", 0), ("T", 0), ("B", 0)]),
    "voice oohs": (53, [("S", 0), ("A", 0), ("T", 0), ("B", 0)]),
    "harpsichord": (6, [("S", 0), ("B", 0)]),
    "guitar": (24, [("T", 0), ("A", 0), ("B", 12)]),
}
DEFECTS = {70: {56, 57, 58}, 52: {61}}  # program → MIDI notes FluidR3 plays off pitch


@dataclass(frozen=True)
class Line:
    """One chorale voice on one instrument; ``held_out`` is fixed by the split rule above."""

    instrument: str
    voice: str  # S, A, T or B
    clip: Clip
    held_out: bool

    @property
    def name(self) -> str:
        return f"{self.clip.source.split('/')[-1]} {_VOICE_NAME[self.voice]}, {self.instrument}"


def _chorales() -> list[str]:
    """Four-part Bach chorales of the corpus in sorted order (``bach/bwvNNN.N``)."""
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getComposer("bach") if str(p).endswith(".mxl"))
    return ["bach/" + Path(p).stem for p in paths if Path(p).stem.startswith("bwv")]


def _clean(clip: Clip) -> bool:
    """A usable line: a four-part chorale whose voice starts within a second, holds at least
    eight notes of positive length (no two notes at once) and leaves no rest over two seconds."""
    from music21 import corpus

    if len(corpus.parse(clip.source).parts) != 4:
        return False
    notes = line_notes(clip, max_s=CLIP_S)
    gaps = [b[0] - a[1] for a, b in zip(notes, notes[1:], strict=False)]
    return (
        len(notes) >= 8
        and notes[0][0] < 1.0
        and all(off > on for on, off, _ in notes)
        and max(gaps, default=0.0) < 2.0
    )


def lines() -> list[Line]:
    """Every line of the set, each on a different chorale: every third of the sorted list from
    the 40th on (the older clip sets use the first ones), skipping those :func:`_clean` rejects;
    the choices are cached in ``lines.json`` beside the renders (parsing takes a while)."""
    index = cache_dir() / "lines.json"
    if index.is_file():
        chosen = json.loads(index.read_text())
    else:
        candidates, chosen = iter(_chorales()[40::3]), []
        for _, voices in PROGRAMS.values():
            for voice, transpose in voices:
                for source in candidates:
                    if _clean(Clip("", source, _VOICE[voice], 0, transpose)):
                        chosen.append(source)
                        break
        cache_dir().mkdir(parents=True, exist_ok=True)
        index.write_text(json.dumps(chosen))
    out, k = [], 0
    for i, (instrument, (program, voices)) in enumerate(PROGRAMS.items()):
        for j, (voice, transpose) in enumerate(voices):
            clip = Clip(f"{instrument} {voice}", chosen[k], _VOICE[voice], program, transpose)
            out.append(Line(instrument, voice, clip, held_out=(i + j) % 2 == 1))
            k += 1
    return out


def cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "continuo-pitch-broad"


def _render(notes: list, wav: Path, *, program: int, reverb: bool) -> None:
    mid = wav.with_suffix(".mid")
    write_midi(notes, mid, program=program)
    if reverb:  # reverb send (CC 91) up to 100 on the one channel, before the first note
        data = bytearray(mid.read_bytes())
        at = data.index(bytes([0xC0, program])) + 2
        data[at:at] = bytes([0x00, 0xB0, 91, 100])
        length = int.from_bytes(data[18:22], "big") + 4
        data[18:22] = length.to_bytes(4, "big")
        mid.write_bytes(bytes(data))
    settings = ["-R", "1", "-o", "synth.reverb.room-size=0.7", "-o", "synth.reverb.level=0.8"]
    subprocess.run(
        ["fluidsynth", "-ni", "-q", *(settings if reverb else ["-R", "0"]), "-C", "0"]
        + ["-g", "0.8", "-r", str(SAMPLE_RATE), "-F", str(wav), str(SOUND_FONT), str(mid)],
        check=True,
        capture_output=True,
    )
    mid.unlink()


def _add_noise(dry: Path, out: Path, seed: int) -> None:
    import soundfile as sf

    y, sr = sf.read(str(dry), dtype="float32", always_2d=True)
    frames = y.mean(axis=1)
    hop = sr // 100
    power = np.square(frames[: len(frames) // hop * hop].reshape(-1, hop)).mean(axis=1)
    sounding = power[power > power.max() * 1e-4]  # within 40 dB of the loudest 10 ms
    noise_power = sounding.mean() / 10 ** (SNR_DB / 10)
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, np.sqrt(noise_power), size=(len(y), 1)).astype(np.float32)
    sf.write(str(out), y + noise, sr, subtype="FLOAT")


def render(line: Line, condition: str) -> tuple[Path, list[tuple[float, float, int]]]:
    """The line's WAV in one condition and its notes, rendered once into the cache."""
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() else "_" for c in line.name)
    meta = directory / f"{stem}.json"
    if not meta.is_file():
        meta.write_text(json.dumps(line_notes(line.clip, max_s=CLIP_S)))
    notes = [tuple(n) for n in json.loads(meta.read_text())]
    wav = directory / f"{stem}.{condition}.wav"
    if not wav.is_file():
        if condition == "noise":
            dry, _ = render(line, "dry")
            _add_noise(dry, wav, seed=sum(map(ord, line.name)))
        else:
            _render(notes, wav, program=line.clip.program, reverb=condition == "reverb")
    return wav, notes


def dont_care_notes(line: Line) -> set[int]:
    """MIDI notes (sounding) whose frames are not scored for this line's program."""
    return DEFECTS.get(line.clip.program, set())


if __name__ == "__main__":
    all_lines = lines()
    for line in all_lines:
        for condition in CONDITIONS:
            render(line, condition)
        print(f"{'held-out' if line.held_out else 'tuning  '} {line.name}")
    held = sum(line.held_out for line in all_lines)
    print(f"{len(all_lines)} lines ({held} held out), {len(PROGRAMS)} programs → {cache_dir()}")
