"""Key and concert pitch on polyphonic renders (issue 10): chorales at A4 = 415, 440 and 443.

Eight four-part Bach chorales from the music21 corpus (whole, 40–90 s at 90 quarter notes a
minute: the opening phrases of a chorale often stand in the dominant), each played by four ensembles through fluidsynth and FluidR3 GM — string ensemble,
church organ, piano, choir aahs — at three concert pitches. A different A4 is made by rendering
at ``22050 · 440 / A4`` Hz and labelling the samples 22,050 Hz, which scales every frequency
by ``A4 / 440``. Truth: the key signature's major or minor key, whichever the final bass note
names (music21's own key analysis of the score where it names neither: a Phrygian close).

Scored: the key alone from audio (exact, and the MIREX weighted score: fifth 0.5, relative 0.3,
parallel 0.2), where the A4 = 415 renders count as right when they name the key a semitone
below the score's (what they sound as); the concert pitch with the score's key given as a title
("… in F major"): how often the 415 renders are reported within 50 cents of 415 (the period-pitch
label), and the error in cents of the A4 ratio between a render and the same ensemble's A4 = 440
render (FluidR3's samples are themselves a few cents off 440, differently per instrument, so the
ratio is the fair measure of the estimate).
Both the pipeline's own estimates (note-spectrum chroma, pitch-track tuning) and librosa's
(``estimate_tuning`` + ``chroma_cqt``) are measured on the same renders.

Two sets of eight chorales, fixed once: the *tuning* set (every seventh of the corpus's sorted
chorales from the second on — the profiles and the ending weight of
:mod:`player.analysis.key` and the ending's length in :mod:`player.analysis.pipeline` were
chosen on it) and the *held-out* set (every seventh from the
fifth on), never used to choose anything.

    .venv/bin/python tests/benchmarks/bench_key_tuning.py [--set held-out]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pitch_broad import _chorales  # noqa: E402
from pitch_clips import SOUND_FONT, have_fluidsynth, write_midi  # noqa: E402

from player.analysis.key import PROFILES, estimate_key  # noqa: E402
from player.domain.keys import Key, notated_key  # noqa: E402

SR = 22_050
SECONDS = 150.0  # longer than any of the chorales: each is rendered whole
QPM = 90.0
ENSEMBLES = {"strings": 48, "organ": 19, "piano": 0, "choir": 52}
PITCHES = (415.0, 440.0, 443.0)
N_CHORALES = 8
FIGURE = ROOT / "docs" / "figures" / "key-profiles-{}.png"
SETS = {"tuning": 1, "held-out": 4}  # first index into the sorted chorales, every seventh on


def cache_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "continuo-key-renders"
    path.mkdir(parents=True, exist_ok=True)
    return path


def chorale(source: str) -> tuple[list, Key]:
    """All four parts' notes in the first 30 s and the score's key."""
    from music21 import corpus

    score = corpus.parse(source)
    notes = []
    for part in score.parts:
        for n in part.flatten().stripTies().notes:
            on = float(n.offset) * 60.0 / QPM
            off = on + float(n.duration.quarterLength) * 60.0 / QPM
            if on < SECONDS and off > on:
                notes += [(on, min(off, SECONDS), int(p.midi)) for p in n.pitches]
    signature = score.flatten().getElementsByClass("KeySignature").first()
    bass = [n for n in score.parts[-1].flatten().notes][-1]
    final = bass.pitches[0].pitchClass
    if signature is not None and signature.asKey("major").tonic.pitchClass == final:
        truth = Key(final, "major")
    elif signature is not None and signature.asKey("minor").tonic.pitchClass == final:
        truth = Key(final, "minor")
    else:
        k = score.analyze("key")
        truth = Key(k.tonic.pitchClass, k.mode)
    return notes, truth


def render(source: str, notes: list, program: int, a4: float) -> Path:
    import soundfile as sf

    stem = f"{source.split('/')[-1].replace('.', '_')}-{program}-{a4:.0f}"
    wav = cache_dir() / f"{stem}.wav"
    if not wav.is_file():
        mid, raw = wav.with_suffix(".mid"), wav.with_suffix(".raw.wav")
        write_midi(notes, mid, program=program)
        rate = SR * 440.0 / a4
        subprocess.run(
            ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", f"{rate:.3f}"]
            + ["-F", str(raw), str(SOUND_FONT), str(mid)],
            check=True,
            capture_output=True,
        )
        y, _ = sf.read(str(raw), dtype="float32")
        sf.write(str(wav), y, SR)  # relabelled: every frequency × a4 / 440
        raw.unlink()
        mid.unlink()
    return wav


def mirex(est: Key, ref: Key) -> float:
    if est == ref:
        return 1.0
    if est.mode == ref.mode and (est.tonic - ref.tonic) % 12 in (5, 7):
        return 0.5
    relative = 9 if ref.mode == "major" else 3
    if est.mode != ref.mode and (est.tonic - ref.tonic) % 12 == relative:
        return 0.3
    if est.mode != ref.mode and est.tonic == ref.tonic:
        return 0.2
    return 0.0


def estimates(wav: Path, model) -> dict[str, tuple[np.ndarray, float, float, float]]:
    """Chroma, tuning (semitones), CPU seconds and audio seconds per method."""
    import librosa

    from player.analysis.pipeline import analyse_file

    out = {}
    start = time.process_time()
    a = analyse_file(wav, model=model)
    out["pipeline"] = (
        (a.chroma, a.ending_chroma),
        a.concert_tuning,
        time.process_time() - start,
        a.duration_s,
    )
    y, sr = librosa.load(str(wav), sr=SR)
    start = time.process_time()
    tuning = float(librosa.estimate_tuning(y=y, sr=sr))
    frames = librosa.feature.chroma_cqt(y=y, sr=sr, tuning=tuning)
    ending = frames[:, -int(4 * sr / 512) :].mean(axis=1)  # the last 4 s (renders end on sound)
    out["librosa"] = (
        (frames.mean(axis=1), ending),
        tuning,
        time.process_time() - start,
        len(y) / sr,
    )
    return out


def main() -> None:
    if not have_fluidsynth():
        print("skipped: fluidsynth or the sound font is missing")
        return
    from music21 import corpus

    from player.analysis.segments import SegmentClassModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=tuple(SETS), default="tuning")
    args = parser.parse_args()
    model = SegmentClassModel.load()
    chosen = _chorales()[SETS[args.set] :: 7]
    sources = [s for s in chosen if len(corpus.parse(s).parts) == 4][:N_CHORALES]
    print(f"{args.set} set: {', '.join(s.split('/')[-1] for s in sources)}")
    rows = []
    for source in sources:
        notes, truth = chorale(source)
        for ensemble, program in ENSEMBLES.items():
            for a4 in PITCHES:
                wav = render(source, notes, program, a4)
                for method, (chroma, tuning, cpu, seconds) in estimates(wav, model).items():
                    rows.append((source, truth, ensemble, a4, method, chroma, tuning, cpu, seconds))
    report(rows, len(sources), args.set)


def compare_profiles(rows: list, which: str) -> None:
    """Exact keys from the pipeline's chroma with each published profile, per ensemble; a plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [*ENSEMBLES, "all"]
    exact: dict[str, list[float]] = {}
    for name, profiles in PROFILES.items():
        for ensemble in groups:
            hits = [
                estimate_key(chroma[0], tuning, ending=chroma[1], profiles=profiles)[0]
                == truth.shifted(round(12 * np.log2(a4 / 440.0)))
                for _, truth, ens, a4, method, chroma, tuning, _, _ in rows
                if method == "pipeline" and ensemble in ("all", ens)
            ]
            exact.setdefault(name, []).append(float(np.mean(hits)))
    print()
    print("Exact keys by profile (pipeline chroma, ending at half weight):")
    print()
    print("| profile | " + " | ".join(groups) + " |")
    print("| --- " * (1 + len(groups)) + "|")
    for name, values in exact.items():
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / len(exact)
    x = np.arange(len(groups))
    for k, (name, values) in enumerate(exact.items()):
        ax.bar(x + k * width, values, width, label=name)
    ax.set_xticks(x + width * (len(exact) - 1) / 2, groups)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("exact key")
    ax.set_title(f"key profiles on the {which} chorales (8 × 3 concert pitches per ensemble)")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = FIGURE.with_name(FIGURE.name.format(which))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print(f"wrote {path.relative_to(ROOT)}")


def report(rows: list, n_chorales: int, which: str) -> None:
    print(
        f"{n_chorales} chorales × {len(ENSEMBLES)} ensembles × {len(PITCHES)} concert pitches "
        f"= {len(rows) // 2} renders, {sum(r[8] for r in rows) / 2 / 60:.0f} min of audio"
    )
    print()
    print("| method | ensemble | key exact | MIREX | 415 labelled ≈ 415 | A4 ratio error, cents "
          "(median / max) | A4 vs nominal, cents (median) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    hz: dict[tuple, float] = {}
    for source, truth, ensemble, a4, method, chroma, tuning, _, _ in rows:
        hz[(method, source, ensemble, a4)] = estimate_key(chroma[0], tuning, truth, chroma[1])[1]
    for method in ("pipeline", "librosa"):
        for ensemble in [*ENSEMBLES, "all"]:
            chosen = [r for r in rows if r[4] == method and ensemble in ("all", r[2])]
            exact, score, period, ratio, nominal = [], [], [], [], []
            for source, truth, ens, true_a4, _, chroma, tuning, _, _ in chosen:
                heard = truth.shifted(round(12 * np.log2(true_a4 / 440.0)))  # 415 → -1
                key, _ = estimate_key(chroma[0], tuning, ending=chroma[1])
                exact.append(key == heard)
                score.append(mirex(key, heard))
                title = notated_key(f"Chorale in {truth.name}")
                assert title == truth
                labelled = hz[(method, source, ens, true_a4)]
                nominal.append(1200 * np.log2(labelled / true_a4))
                if true_a4 == 415.0:
                    period.append(abs(nominal[-1]) < 50)
                if true_a4 != 440.0:
                    base = hz[(method, source, ens, 440.0)]
                    ratio.append(abs(1200 * np.log2((labelled / base) / (true_a4 / 440.0))))
            print(
                f"| {method} | {ensemble} | {np.mean(exact):.2f} | {np.mean(score):.2f} | "
                f"{np.mean(period):.2f} | {np.median(ratio):.1f} / {np.max(ratio):.1f} | "
                f"{np.median(nominal):+.1f} |"
            )
    compare_profiles(rows, which)
    audio = sum(r[8] for r in rows) / 2
    print()
    for method in ("pipeline", "librosa"):
        seconds = sum(r[7] for r in rows if r[4] == method)
        what = "the whole analysis" if method == "pipeline" else "estimate_tuning + chroma_cqt"
        print(f"{method}: {audio / seconds:.0f}× real time (CPU, {what})")


if __name__ == "__main__":
    main()
