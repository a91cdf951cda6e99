"""Rebuild Continuo's demo library (assets/demo/) from public-domain scores in the music21 corpus.

Each score is written to MIDI with General MIDI instruments that suit it (strings for quartets,
organ for chorales, choir for Josquin), rendered with fluidsynth and Debian's FluidR3 GM
soundfont, trimmed to 30-120 s (with a short fade where a movement is cut) and encoded to
OGG Vorbis with real classical tags.

    .venv/bin/python packaging/build_demo_library.py [--out assets/demo]

Needs: music21 (dev extra), fluidsynth and fluid-soundfont-gm (packaging/setup.sh installs them).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from mutagen.oggvorbis import OggVorbis

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RATE = 44100
MIN_S, MAX_S, FADE_S, TAIL_S = 30.0, 120.0, 4.0, 2.0
ALBUM = "Continuo demo library"
PERFORMER = "Continuo demo ensemble"

# General MIDI programs (0-based).
VIOLIN, VIOLA, CELLO, CONTRABASS, CHURCH_ORGAN, CHOIR_AAHS = 40, 41, 42, 43, 19, 52
QUARTET = (VIOLIN, VIOLIN, VIOLA, CELLO)


@dataclass(frozen=True)
class Piece:
    """One demo track: which score, how to voice it and how to tag it."""

    score: str  # music21 corpus path
    folder: str  # sub-folder of the output: "Composer/Work"
    composer: str
    work: str
    movement: str  # "" for a single-movement work
    movement_number: int | None
    movement_count: int | None
    date: str
    programs: tuple[int, ...]  # one GM program per part; the last repeats for extra parts
    bpm: float  # quarter notes per minute
    genre: str = "Classical"


PIECES = (
    Piece(
        "mozart/k155/movement1.mxl",
        "Mozart/String Quartet No. 2 in D major, K. 155",
        "Wolfgang Amadeus Mozart",
        "String Quartet No. 2 in D major, K. 155",
        "Allegro",
        1,
        3,
        "1772",
        QUARTET,
        138,
    ),
    Piece(
        "mozart/k155/movement2.mxl",
        "Mozart/String Quartet No. 2 in D major, K. 155",
        "Wolfgang Amadeus Mozart",
        "String Quartet No. 2 in D major, K. 155",
        "Andante",
        2,
        3,
        "1772",
        QUARTET,
        76,
    ),
    Piece(
        "mozart/k155/movement3.mxl",
        "Mozart/String Quartet No. 2 in D major, K. 155",
        "Wolfgang Amadeus Mozart",
        "String Quartet No. 2 in D major, K. 155",
        "Molto allegro",
        3,
        3,
        "1772",
        QUARTET,
        152,
    ),
    Piece(
        "haydn/opus74no1/movement1.mxl",
        "Haydn/String Quartet in C major, Op. 74 No. 1",
        "Joseph Haydn",
        "String Quartet in C major, Op. 74 No. 1",
        "Allegro moderato",
        1,
        4,
        "1793",
        QUARTET,
        120,
    ),
    Piece(
        "beethoven/opus18no1/movement2.mxl",
        "Beethoven/String Quartet No. 1 in F major, Op. 18 No. 1",
        "Ludwig van Beethoven",
        "String Quartet No. 1 in F major, Op. 18 No. 1",
        "Adagio affettuoso ed appassionato",
        2,
        4,
        "1800",
        QUARTET,
        50,
    ),
    Piece(
        "corelli/opus3no1/1grave.xml",
        "Corelli/Trio Sonata in F major, Op. 3 No. 1",
        "Arcangelo Corelli",
        "Trio Sonata in F major, Op. 3 No. 1",
        "Grave",
        1,
        4,
        "1689",
        (VIOLIN, VIOLIN, CHURCH_ORGAN),
        56,
    ),
    Piece(
        "josquin/milleRegrets.abc",
        "Josquin des Prez/Mille regretz",
        "Josquin des Prez",
        "Mille regretz",
        "",
        None,
        None,
        "1520",
        (CHOIR_AAHS,),
        120,
    ),
    Piece(
        "bach/bwv1.6.mxl",
        "Bach/Four-part chorales",
        "Johann Sebastian Bach",
        "Four-part chorales",
        "Wie schön leuchtet der Morgenstern, BWV 1/6",
        1,
        3,
        "1725",
        (CHURCH_ORGAN,),
        72,
    ),
    Piece(
        "bach/bwv10.7.mxl",
        "Bach/Four-part chorales",
        "Johann Sebastian Bach",
        "Four-part chorales",
        "Lob und Preis sei Gott dem Vater, BWV 10/7",
        2,
        3,
        "1724",
        (CHURCH_ORGAN,),
        72,
    ),
    Piece(
        "bach/bwv101.7.mxl",
        "Bach/Four-part chorales",
        "Johann Sebastian Bach",
        "Four-part chorales",
        "Leit uns mit deiner rechten Hand, BWV 101/7",
        3,
        3,
        "1724",
        (CHURCH_ORGAN,),
        60,
    ),
)


def score_to_midi(piece: Piece, midi_path: Path) -> float:
    """Write the score as MIDI with the piece's instruments and tempo; returns its length in s."""
    from music21 import corpus, instrument, stream, tempo

    score = corpus.parse(piece.score)
    if isinstance(score, stream.Opus):  # ABC files hold each voice as its own score
        score = score.mergeScores()
    bpm = piece.bpm
    length_s = float(score.highestTime) * 60.0 / bpm
    if length_s < MIN_S + 2:  # a short chorale is sung more slowly than fall below the minimum
        bpm = float(score.highestTime) * 60.0 / (MIN_S + 4)
        length_s = MIN_S + 4
    for index, part in enumerate(score.parts):
        for old in list(part.recurse().getElementsByClass(instrument.Instrument)):
            old.activeSite.remove(old)
        for old in list(part.recurse().getElementsByClass(tempo.MetronomeMark)):
            old.activeSite.remove(old)
        program = piece.programs[min(index, len(piece.programs) - 1)]
        voice = instrument.instrumentFromMidiProgram(program)
        voice.midiProgram = program
        voice.midiChannel = index if index < 9 else index + 1  # channel 9 is percussion
        part.insert(0, voice)
    score.parts[0].insert(0, tempo.MetronomeMark(number=bpm))
    score.write("midi", fp=str(midi_path))
    return length_s


def render(midi_path: Path, raw_path: Path, length_s: float) -> np.ndarray:
    """Render MIDI to float32 stereo frames with fluidsynth.

    Some scores leave a voice sounding after the last event, and fluidsynth's file renderer
    then never stops; so the output is raw PCM and the renderer is ended once it has written
    enough (the score's length, capped at MAX_S, plus room for the reverb tail).
    """
    wanted = int((min(length_s, MAX_S) + 6.0) * RATE) * 2 * 2  # frames × stereo × int16
    command = [
        "fluidsynth",
        "-ni",
        "-q",
        "-g",
        "0.6",
        "-T",
        "raw",
        "-O",
        "s16",
        "-F",
        str(raw_path),
        "-r",
        str(RATE),
        str(SOUNDFONT),
        str(midi_path),
    ]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        while proc.poll() is None:
            if raw_path.exists() and raw_path.stat().st_size >= wanted:
                proc.terminate()
                break
            time.sleep(0.05)
    pcm = np.fromfile(raw_path, dtype="<i2")[: wanted // 2]
    pcm = pcm[: len(pcm) // 2 * 2].reshape(-1, 2)
    return pcm.astype(np.float32) / 32768.0


def trim(audio: np.ndarray, length_s: float) -> np.ndarray:
    """Cut leading silence and anything after the score's end (plus its reverb tail), keep at
    most MAX_S with a fade-out, and normalise the peak to -1 dBFS."""
    loud = np.flatnonzero(np.abs(audio).max(axis=1) > 1e-3)
    if loud.size:
        audio = audio[loud[0] :]
    end_s, fade_s = (MAX_S, FADE_S) if length_s + TAIL_S > MAX_S else (length_s + TAIL_S, TAIL_S)
    audio = audio[: int(end_s * RATE)].copy()
    fade = min(int(fade_s * RATE), len(audio))
    audio[len(audio) - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    peak = float(np.abs(audio).max()) or 1.0
    return audio * (10 ** (-1 / 20) / peak)


def write_ogg(path: Path, audio: np.ndarray) -> None:
    """Encode in blocks: libsndfile 1.2's Vorbis encoder crashes on one very large write."""
    # compression_level 0.75 is Vorbis quality ~0.25 (about 80 kbit/s): small, still clean.
    with sf.SoundFile(
        path, "w", RATE, audio.shape[1], format="OGG", subtype="VORBIS", compression_level=0.75
    ) as out:
        for start in range(0, len(audio), 16384):
            out.write(audio[start : start + 16384])


def tag(path: Path, piece: Piece, track_number: int) -> None:
    tags = OggVorbis(path)
    values = {
        "title": f"{piece.work}: {piece.movement}" if piece.movement else piece.work,
        "composer": piece.composer,
        "artist": piece.composer,
        "work": piece.work,
        "performer": PERFORMER,
        "album": ALBUM,
        "genre": piece.genre,
        "date": piece.date,
        "tracknumber": str(track_number),
        "tracktotal": str(len(PIECES)),
        "comment": f"Rendered from the music21 corpus score {piece.score}",
    }
    if piece.movement:
        values["movementname"] = piece.movement
    if piece.movement_number is not None:
        values["movement"] = str(piece.movement_number)
        values["movementtotal"] = str(piece.movement_count)
    for key, value in values.items():
        tags[key] = value
    tags.save()


def file_name(piece: Piece, track_number: int) -> str:
    """``"01 Allegro.ogg"``: ASCII only, so the files survive any file system and archive tool."""
    ascii_name = (
        unicodedata.normalize("NFKD", piece.movement or piece.work)
        .encode("ascii", "ignore")
        .decode()
    )
    safe = "".join(c if c.isalnum() or c in " -,." else "-" for c in ascii_name)
    prefix = f"{piece.movement_number:02d}" if piece.movement_number else f"{track_number:02d}"
    return f"{prefix} {safe.strip()}.ogg"


def build(out: Path) -> list[Path]:
    if shutil.which("fluidsynth") is None or not SOUNDFONT.exists():
        sys.exit(
            "fluidsynth and fluid-soundfont-gm are needed (apt-get install fluidsynth fluid-soundfont-gm)"
        )
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, piece in enumerate(PIECES, start=1):
            midi, raw = Path(tmp, f"{number}.mid"), Path(tmp, f"{number}.raw")
            length_s = score_to_midi(piece, midi)
            audio = trim(render(midi, raw, length_s), length_s)
            target = out / piece.folder / file_name(piece, number)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_ogg(target, audio)
            tag(target, piece, number)
            written.append(target)
            print(
                f"{target.relative_to(out)}: {len(audio) / RATE:.1f} s, "
                f"{target.stat().st_size / 1e6:.2f} MB",
                flush=True,
            )
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} pieces, {total / 1e6:.2f} MB in all")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "demo"
    )
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
