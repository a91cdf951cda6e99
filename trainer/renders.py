"""Audio from music21 scores: fluidsynth renders of corpus pieces, on their own or chosen instruments.

The segment classes (``trainer/segment_classes.py``), the content embedding
(``trainer/content_embedding.py``) and the benchmarks learn and measure on these renders. A render
is cached under ``$TMPDIR/continuo-renders`` (never in git) by piece, instrumentation and length,
with the score's notes beside it, so a second run only reads files.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from player.analysis.decode import ANALYSIS_SR

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
TEMPO_BPM = 96.0
"""Every render plays at this tempo, so score offsets convert to seconds exactly."""


@dataclass(frozen=True)
class Instrumentation:
    """General MIDI programs (0-based) for a score's parts, top part first; the last one plays
    every further part. ``programs`` empty: the instruments the score itself names."""

    name: str
    programs: tuple[int, ...] = ()

    def program(self, part: int) -> int:
        return self.programs[min(part, len(self.programs) - 1)]


AS_WRITTEN = Instrumentation("score")


@dataclass(frozen=True)
class Piece:
    """One corpus piece: a score file, and which tune of it for files holding many (ABC books)."""

    path: str
    number: int | None = None

    @property
    def stem(self) -> str:
        stem = f"{Path(self.path).parent.name}-{Path(self.path).stem}"
        return stem if self.number is None else f"{stem}-{self.number}"


@dataclass(frozen=True)
class Render:
    """One rendered piece: its audio, its labels and its notes ``(onset_s, offset_s, midi)``."""

    wav: Path
    collection: str
    name: str
    notes: list[tuple[float, float, int]]
    instrumentation: str = AS_WRITTEN.name


def cache_dir() -> Path:
    path = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "continuo-renders"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _score(piece: Piece, max_seconds: float):
    """The score at :data:`TEMPO_BPM`, cut after the bar that passes ``max_seconds``, repeats
    dropped (a cut score's repeats no longer pair up, and the notes must match the audio)."""
    from music21 import bar, converter, repeat, stream, tempo

    if piece.number is None:
        parsed = converter.parse(piece.path)
    else:
        parsed = converter.parse(piece.path, number=piece.number)
    score = parsed.scores[0] if isinstance(parsed, stream.Opus) else parsed
    for mark in list(score.recurse().getElementsByClass(tempo.TempoIndication)):
        mark.activeSite.remove(mark)
    for measure in score.recurse().getElementsByClass(stream.Measure):
        if isinstance(measure.leftBarline, bar.Repeat):
            measure.leftBarline = None
        if isinstance(measure.rightBarline, bar.Repeat):
            measure.rightBarline = None
    for mark in list(score.recurse().getElementsByClass(repeat.RepeatExpression)):
        mark.activeSite.remove(mark)
    max_quarters = max_seconds * TEMPO_BPM / 60.0
    for part in _parts(score):
        for measure in list(part.getElementsByClass(stream.Measure)):
            if measure.offset >= max_quarters:
                part.remove(measure)
        part.insert(0, tempo.MetronomeMark(number=TEMPO_BPM))
    return score


def _parts(score) -> list:
    from music21 import stream

    return list(score.parts) if isinstance(score, stream.Score) and score.parts else [score]


def _instrument(score, instrumentation: Instrumentation) -> None:
    """Put each part on ``instrumentation``'s program (in place; the score's own without one)."""
    from music21 import instrument

    if not instrumentation.programs:
        return
    for index, part in enumerate(_parts(score)):
        for old in list(part.recurse().getElementsByClass(instrument.Instrument)):
            old.activeSite.remove(old)
        chosen = instrument.Instrument()
        chosen.midiProgram = instrumentation.program(index)
        part.insert(0, chosen)


def _fluidsynth(midi: Path, wav: Path, *, max_seconds: float) -> None:
    """Render ``midi`` to ``wav``; stopped once it holds ``max_seconds`` (a score whose last
    note never ends would otherwise render for ever)."""
    limit = (max_seconds + 2.0) * ANALYSIS_SR * 2 * 4  # stereo, up to 32-bit samples
    command = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(ANALYSIS_SR), "-F", str(wav),
               str(SOUNDFONT), str(midi)]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        while proc.poll() is None:
            if wav.exists() and wav.stat().st_size > limit:
                proc.terminate()
            time.sleep(0.05)


def render(
    piece: Piece | str,
    collection: str,
    *,
    max_seconds: float,
    instrumentation: Instrumentation = AS_WRITTEN,
) -> Render:
    """Render one score to a 22,050 Hz stereo WAV with fluidsynth (cached)."""
    return render_all(piece, collection, max_seconds=max_seconds, ways=(instrumentation,))[0]


def render_all(
    piece: Piece | str,
    collection: str,
    *,
    max_seconds: float,
    ways: tuple[Instrumentation, ...],
) -> list[Render]:
    """Render one score on each of ``ways`` (parsed once: parsing costs more than rendering)."""
    import soundfile as sf

    piece = Piece(piece) if isinstance(piece, str) else piece
    score = None
    out = []
    for instrumentation in ways:
        name = f"{collection}-{piece.stem}".replace(" ", "_")
        if instrumentation != AS_WRITTEN:  # the cache names of earlier renders stay valid
            name = f"{name}-{instrumentation.name}-{max_seconds:g}s"
        wav = cache_dir() / f"{name}.wav"
        notes_file = wav.with_suffix(".notes.json")
        if not (wav.exists() and notes_file.exists()):
            score = _score(piece, max_seconds) if score is None else score
            _instrument(score, instrumentation)
            midi = wav.with_suffix(".mid")
            score.write("midi", fp=str(midi))
            full = wav.with_suffix(".full.wav")
            _fluidsynth(midi, full, max_seconds=max_seconds)
            audio, sr = sf.read(full, frames=int(max_seconds * ANALYSIS_SR), dtype="float32")
            sf.write(wav, audio, sr)
            full.unlink()
            midi.unlink()
            notes_file.write_text(json.dumps(_notes(score, max_seconds)))
        notes = [tuple(n) for n in json.loads(notes_file.read_text())]
        out.append(Render(wav, collection, name, notes, instrumentation.name))
    return out


def _notes(score, max_seconds: float) -> list[tuple[float, float, int]]:
    """``(onset_s, offset_s, midi)`` of every sounding note before ``max_seconds``."""
    seconds_per_quarter = 60.0 / TEMPO_BPM
    notes = []
    for n in score.flatten().notes:
        onset = float(n.offset) * seconds_per_quarter
        if onset >= max_seconds:
            continue
        offset = min(onset + float(n.quarterLength) * seconds_per_quarter, max_seconds)
        notes += [(onset, offset, int(p.midi)) for p in n.pitches if offset > onset]
    return notes
