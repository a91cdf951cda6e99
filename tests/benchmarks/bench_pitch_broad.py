"""Pitch on any instrument (issue 10): the broad set, a tuning half and a held-out half.

41 chorale lines on 17 General MIDI programs, each dry, with reverb and with noise at 12 dB SNR
(``pitch_broad.py``: the clips, the split rule and the sound-font defects). Every tracker is
scored against the score with ``mir_eval.melody`` (raw pitch accuracy, voicing) plus the octave
error rate (voiced frames with the right chroma and the wrong pitch, as a share of the
reference-voiced frames). ``librosa.pyin`` and ``librosa.yin`` run on the same clips in the same
run; their f0 tracks and CPU seconds are cached beside the renders (they are deterministic, and
pyin needs about half a second of CPU per second of audio), ours are computed every run.

    .venv/bin/python tests/benchmarks/bench_pitch_broad.py --set tuning --no-librosa   # tuning loop
    .venv/bin/python tests/benchmarks/bench_pitch_broad.py --set held-out              # the check

Speed: our CPU seconds per clip (decoding excluded, in this process) against the audio's length.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pitch_accuracy import FMAX, FMIN, HOP, frame_scores, scored  # noqa: E402
from pitch_broad import CONDITIONS, PROGRAMS, dont_care_notes, lines, render  # noqa: E402
from pitch_clips import decode_mono, have_fluidsynth, reference_f0  # noqa: E402

OURS = "ours"
BASELINE = "ours, no correction (plain YIN)"
DOC = ROOT / "docs" / "analysis-pitch.md"
FIGURE = ROOT / "docs" / "figures" / "pitch-broad-{}.png"


def references(notes: list, n_frames: int, skip: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Reference f0 and the scored-frame mask, with the sound font's off-pitch notes left out."""
    times = np.arange(n_frames) * HOP / 22_050
    ref, care = reference_f0(notes, times)
    for on, off, pitch in notes:
        if pitch in skip:
            care[(times >= on - 0.03) & (times < off + 0.15)] = False
    return ref, care


def librosa_track(method: str, y: np.ndarray, sr: int) -> np.ndarray:
    import librosa

    if method == "librosa.pyin":
        f0 = librosa.pyin(y, sr=sr, fmin=FMIN, fmax=FMAX, frame_length=2048, hop_length=HOP)[0]
    else:
        f0 = librosa.yin(y, sr=sr, fmin=FMIN, fmax=FMAX, frame_length=2048, hop_length=HOP)
    return np.nan_to_num(f0, nan=0.0).astype(np.float32)


def cached_librosa(method: str, wav: Path, y: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """pyin's or yin's track of one clip and the CPU seconds it took, computed once."""
    import librosa

    stem = wav.with_suffix("").name
    path = wav.parent / "f0" / f"{method}-{librosa.__version__}-{stem}.npz"
    if not path.is_file():
        path.parent.mkdir(exist_ok=True)
        start = time.process_time()
        f0 = librosa_track(method, y, sr)
        np.savez(path, f0=f0, cpu=time.process_time() - start)
    with np.load(path) as data:
        return data["f0"], float(data["cpu"])


def track_all(clips: list, with_librosa: bool) -> tuple[dict, dict, float]:
    """f0 tracks per tracker per clip, and CPU seconds per tracker."""
    from player.analysis.pitch import track_pitch

    tracks: dict[str, list[np.ndarray]] = {OURS: [], BASELINE: []}
    cpu = {OURS: 0.0, BASELINE: 0.0}
    audio_s = 0.0
    for _, _, wav, _ in clips:
        y, sr = decode_mono(wav)
        audio_s += len(y) / sr
        for name, kwargs in ((OURS, {}), (BASELINE, {"octave_correction": False})):
            start = time.process_time()
            track = track_pitch(y, sr=sr, hop_length=HOP, fmin=FMIN, fmax=FMAX, **kwargs)
            cpu[name] += time.process_time() - start
            tracks[name].append(track.f0_hz)
        if with_librosa:
            for method in ("librosa.pyin", "librosa.yin"):
                f0, seconds = cached_librosa(method, wav, y, sr)
                tracks.setdefault(method, []).append(f0)
                cpu[method] = cpu.get(method, 0.0) + seconds
    return tracks, cpu, audio_s


def score_groups(clips: list, tracks: dict) -> dict[str, dict[str, dict[str, float]]]:
    """Pooled scores per group ("all", each instrument, each condition) per tracker."""
    pooled: dict[str, dict[str, list]] = {}
    for i, (line, condition, _, notes) in enumerate(clips):
        ref, care = references(notes, len(tracks[OURS][i]), dont_care_notes(line))
        for group in ("all", line.instrument, condition):
            slot = pooled.setdefault(group, {"ref": []})
            slot["ref"].append(ref[care])
            for name in tracks:
                slot.setdefault(name, []).append(scored(tracks[name][i], ref, care))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for group, slot in pooled.items():
        ref_all = np.concatenate(slot["ref"])
        out[group] = {name: frame_scores(ref_all, np.concatenate(slot[name])) for name in tracks}
        out[group]["_frames"] = {"n": float((ref_all > 0).sum())}
    return out


def clip_scores(clips: list, tracks: dict) -> list[tuple[str, dict[str, float]]]:
    rows = []
    for i, (line, condition, _, notes) in enumerate(clips):
        ref, care = references(notes, len(tracks[OURS][i]), dont_care_notes(line))
        rows.append(
            (
                f"{line.name} ({condition})",
                {
                    n: frame_scores(ref[care], scored(tracks[n][i], ref, care))["rpa"]
                    for n in tracks
                },
            )
        )
    return rows


def report(which: str, clips: list, tracks: dict, cpu: dict, audio_s: float) -> str:
    groups = score_groups(clips, tracks)
    names = list(tracks)
    n_lines = len({line.name for line, *_ in clips})
    lines_ = [
        f"{n_lines} lines × {len(CONDITIONS)} conditions = {len(clips)} clips, {audio_s:.0f} s of "
        f"audio, {int(groups['all']['_frames']['n'])} scored voiced frames (10 ms); machine load "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| tracker | raw pitch acc. | raw chroma acc. | octave errors | voicing recall | "
        "voicing false alarm | × real time (CPU) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in names:
        s = groups["all"][name]
        speed = f"{audio_s / cpu[name]:.0f}" if name in cpu and cpu[name] > 0 else "–"
        lines_.append(
            f"| {name} | {s['rpa']:.3f} | {s['rca']:.3f} | {100 * s['octave']:.2f} % | "
            f"{s['vr']:.3f} | {s['vfa']:.3f} | {speed} |"
        )
    shown = [n for n in (OURS, "librosa.pyin", "librosa.yin", BASELINE) if n in tracks]
    header = (
        " | ".join(f"RPA {n}" for n in shown) + " | " + " | ".join(f"oct. {n}" for n in shown[:2])
    )
    lines_ += ["", "Per instrument and per condition (pooled frames):", ""]
    lines_ += [f"| group | {header} |", "| --- " * (1 + len(shown) + len(shown[:2])) + "|"]
    order = [p for p in PROGRAMS if p in groups] + list(CONDITIONS)
    for group in order:
        g = groups[group]
        best = max(g[n]["rpa"] for n in shown)
        cells = [
            (f"**{g[n]['rpa']:.3f}**" if g[n]["rpa"] == best else f"{g[n]['rpa']:.3f}")
            for n in shown
        ]
        cells += [f"{100 * g[n]['octave']:.2f} %" for n in shown[:2]]
        lines_.append(f"| {group} | " + " | ".join(cells) + " |")
    worst = sorted(clip_scores(clips, tracks), key=lambda r: r[1][OURS])[:8]
    lines_ += ["", "Our eight worst clips (raw pitch accuracy):", ""]
    lines_ += [f"| clip | {' | '.join(shown)} |", "| --- " * (1 + len(shown)) + "|"]
    for name, s in worst:
        lines_.append(f"| {name} | " + " | ".join(f"{s[n]:.3f}" for n in shown) + " |")
    return "\n".join(lines_)


def plot(which: str, clips: list, tracks: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = score_groups(clips, tracks)
    instruments = [p for p in PROGRAMS if p in groups]
    shown = [n for n in (OURS, "librosa.pyin", "librosa.yin") if n in tracks]
    fig, ax = plt.subplots(figsize=(11, 4))
    width = 0.8 / len(shown)
    x = np.arange(len(instruments))
    for k, name in enumerate(shown):
        ax.bar(x + k * width, [groups[i][name]["rpa"] for i in instruments], width, label=name)
    ax.set_xticks(x + width * (len(shown) - 1) / 2, instruments, rotation=35, ha="right")
    ax.set_ylim(0.5, 1.0)
    ax.set_ylabel("raw pitch accuracy")
    ax.set_title(f"broad pitch set, {which} half (dry, reverb, noise pooled)")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = Path(str(FIGURE).format(which))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_doc(which: str, table: str, figure: Path) -> None:
    begin, end = (
        f"<!-- bench_pitch_broad:{which}:begin -->",
        f"<!-- bench_pitch_broad:{which}:end -->",
    )
    text = DOC.read_text()
    body = f"{table}\n\n![raw pitch accuracy per instrument](figures/{figure.name})\n"
    head, rest = text.split(begin, 1)
    DOC.write_text(f"{head}{begin}\n{body}{end}{rest.split(end, 1)[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("tuning", "held-out"), default="tuning")
    parser.add_argument("--no-librosa", action="store_true", help="ours only (the tuning loop)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args()
    if not have_fluidsynth():
        print("skipped: fluidsynth or /usr/share/sounds/sf2/FluidR3_GM.sf2 is missing")
        return
    held_out = args.set == "held-out"
    clips = [
        (line, condition, *render(line, condition))
        for line in lines()
        if line.held_out == held_out
        for condition in CONDITIONS
    ]
    tracks, cpu, audio_s = track_all(clips, not args.no_librosa)
    table = report(args.set, clips, tracks, cpu, audio_s)
    print(table)
    if not args.no_doc and not args.no_librosa:
        write_doc(args.set, table, plot(args.set, clips, tracks))
        print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
