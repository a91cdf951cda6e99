"""Pitch accuracy and speed against the score (issue 3, "Accuracy").

Renders a dozen monophonic lines from the music21 corpus with fluidsynth (``pitch_clips.py``,
cached in ``$TMPDIR/continuo-pitch-clips``), scores each tracker's f0 with ``mir_eval.melody``
against the score's notes, and times whole processes that decode and track every clip: ours against
``librosa.pyin`` and ``librosa.yin``, process start and decoding included. Prints a table and writes
it, with a figure, into ``docs/analysis-pitch.md``.

    .venv/bin/python tests/benchmarks/bench_pitch_accuracy.py [--no-librosa]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pitch_clips import CLIPS, HELD_OUT, decode_mono, have_fluidsynth, reference_f0, render_clip  # noqa: E402

HOP = 220  # 10 ms at 22,050 Hz
FMIN, FMAX = 30.0, 2000.0
VARIANTS = {  # in-process variants of our tracker: what each part of the correction is worth
    "ours (Viterbi path)": {},
    "ours, no correction (plain YIN)": {"octave_correction": False},
    "ours, shift check only": {"viterbi": False, "shift_check": True},
    "ours, Viterbi + shift check": {"shift_check": True},
}
OURS = next(iter(VARIANTS))
DOC = ROOT / "docs" / "analysis-pitch.md"
FIGURE = ROOT / "docs" / "figures" / "pitch-example.png"


def worker(method: str, out: Path, files: list[str]) -> None:
    """Decode and track every file in this process (the timed unit); save the f0 tracks."""
    tracks = {}
    for i, name in enumerate(files):
        y, sr = decode_mono(Path(name))
        if method == "ours":
            from player.analysis.pitch import track_pitch

            f0 = track_pitch(y, sr=sr, hop_length=HOP, fmin=FMIN, fmax=FMAX).f0_hz
        else:
            import librosa

            if method == "pyin":
                f0 = librosa.pyin(
                    y, sr=sr, fmin=FMIN, fmax=FMAX, frame_length=2048, hop_length=HOP
                )[0]
            else:
                f0 = librosa.yin(y, sr=sr, fmin=FMIN, fmax=FMAX, frame_length=2048, hop_length=HOP)
        tracks[str(i)] = np.nan_to_num(f0, nan=0.0)
    np.savez(out, **tracks)


def timed_worker(method: str, files: list[Path]) -> tuple[tuple[float, float], list[np.ndarray]]:
    """Run one worker process; its wall-clock and CPU seconds (CPU time is what load does not
    inflate on a shared machine) and its f0 tracks."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "f0.npz"
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--worker", method, str(out), *map(str, files)], check=True
        )
        wall = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        with np.load(out) as data:
            return (wall, cpu), [data[str(i)] for i in range(len(files))]


def frame_scores(ref: np.ndarray, est: np.ndarray) -> dict[str, float]:
    """mir_eval.melody measures on pooled frames, plus the octave error rate."""
    from mir_eval import melody

    n = min(len(ref), len(est))
    ref, est = ref[:n], est[:n]
    ref_v, est_v = ref > 0, est > 0
    ref_c, est_c = melody.hz2cents(ref), melody.hz2cents(est)
    both = ref_v & est_v
    diff = np.abs(ref_c - est_c)
    chroma = np.abs(diff - 1200 * np.round(diff / 1200)) < 50
    octave = both & chroma & (diff >= 50)
    recall, false_alarm = melody.voicing_measures(ref_v, est_v)
    return {
        "rpa": melody.raw_pitch_accuracy(ref_v, ref_c, est_v, est_c),
        "rca": melody.raw_chroma_accuracy(ref_v, ref_c, est_v, est_c),
        "vr": recall,
        "vfa": false_alarm,
        "octave": octave.sum() / max(1, ref_v.sum()),
    }


def scored(track: np.ndarray, ref: np.ndarray, care: np.ndarray) -> np.ndarray:
    n = len(ref)
    est = np.zeros(n)
    est[: min(n, len(track))] = track[:n]
    return est[care]


def write_doc(which: str, table: str, figure: Path | None) -> None:
    """Replace the doc's block for this clip set with the new table (and figure)."""
    begin, end = (
        f"<!-- bench_pitch_accuracy:{which}:begin -->",
        f"<!-- bench_pitch_accuracy:{which}:end -->",
    )
    text = DOC.read_text()
    body = table + (f"\n\n![f0 tracks of one clip](figures/{figure.name})\n" if figure else "\n")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    DOC.write_text(f"{head}{begin}\n{body}{end}{tail}")


def plot(clip_name: str, times, ref, curves: dict[str, np.ndarray]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(times, np.where(ref > 0, ref, np.nan), color="0.6", lw=6, label="score")
    styles = ("b.", "rx", "g+")
    for z, ((name, f0), style) in enumerate(zip(curves.items(), styles, strict=False)):
        f0 = np.where(f0 > 0, f0, np.nan)
        ax.plot(times[: len(f0)], f0, style, ms=3, label=name, zorder=10 - z)  # ours on top
    ax.set_yscale("log")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("f0 (Hz)")
    ax.set_title(clip_name)
    ax.legend(loc="upper right", fontsize=8)
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=90)
    return FIGURE


def track_all(files: list[Path], with_librosa: bool) -> tuple[dict, dict, float]:
    """f0 tracks of every clip by every tracker, and whole-process timings."""
    from player.analysis.pitch import track_pitch

    audio_s = sum(len(decode_mono(p)[0]) for p in files) / 22_050
    tracks: dict[str, list[np.ndarray]] = {}
    for name, kwargs in VARIANTS.items():
        start = time.perf_counter()
        tracks[name] = []
        for path in files:
            y, sr = decode_mono(path)
            track = track_pitch(y, sr=sr, hop_length=HOP, fmin=FMIN, fmax=FMAX, **kwargs)
            tracks[name].append(track.f0_hz)
        print(f"{name}: {audio_s / (time.perf_counter() - start):.0f}x real time in process")
    timings = {OURS: timed_worker("ours", files)[0]}
    if with_librosa:
        for method in ("pyin", "yin"):
            timings[f"librosa.{method}"], tracks[f"librosa.{method}"] = timed_worker(method, files)
    return tracks, timings, audio_s


def report(clips: list, tracks: dict, timings: dict, audio_s: float) -> str:
    """The markdown tables: pooled scores, raw pitch accuracy per clip, process timings."""
    pooled: dict[str, list[np.ndarray]] = {"score": []}
    per_clip: dict[str, list[float]] = {}
    for i, (_, _, notes) in enumerate(clips):
        times = np.arange(len(tracks[OURS][i])) * HOP / 22_050
        ref, care = reference_f0(notes, times)
        pooled["score"].append(ref[care])
        for name in tracks:
            est = scored(tracks[name][i], ref, care)
            pooled.setdefault(name, []).append(est)
            per_clip.setdefault(name, []).append(frame_scores(ref[care], est)["rpa"])
    ref_all = np.concatenate(pooled["score"])
    lines = [
        f"{len(clips)} clips, {audio_s:.0f} s of audio, {int((ref_all > 0).sum())} scored voiced "
        f"frames (10 ms); machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| tracker | raw pitch acc. | raw chroma acc. | octave errors | voicing recall | voicing false alarm |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in tracks:
        s = frame_scores(ref_all, np.concatenate(pooled[name]))
        lines.append(
            f"| {name} | {s['rpa']:.3f} | {s['rca']:.3f} | {100 * s['octave']:.2f} % | "
            f"{s['vr']:.3f} | {s['vfa']:.3f} |"
        )
    names = list(tracks)
    lines += ["", "Raw pitch accuracy per clip:", ""]
    lines += ["| clip | " + " | ".join(names) + " |", "| --- " * (len(names) + 1) + "|"]
    for i, (clip, _, _) in enumerate(clips):
        lines.append(
            f"| {clip.name} | " + " | ".join(f"{per_clip[n][i]:.3f}" for n in names) + " |"
        )
    lines += [
        "",
        "Whole processes (start Python, decode and track every clip), wall clock and CPU time:",
        "",
    ]
    lines += [
        "| tracker | wall s | CPU s | × real time (CPU) | × our time (wall) | × our time (CPU) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    our_wall, our_cpu = timings[OURS]
    for name, (wall, cpu) in timings.items():
        lines.append(
            f"| {name} | {wall:.2f} | {cpu:.2f} | {audio_s / cpu:.0f} | {wall / our_wall:.1f} "
            f"| {cpu / our_cpu:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", choices=("main", "held-out"), default="main", help="which clips to score"
    )
    parser.add_argument("--no-librosa", action="store_true", help="skip pyin and yin (quick)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args()
    if not have_fluidsynth():
        print("skipped: fluidsynth or /usr/share/sounds/sf2/FluidR3_GM.sf2 is missing")
        return
    clips = [(clip, *render_clip(clip)) for clip in (CLIPS if args.set == "main" else HELD_OUT)]
    tracks, timings, audio_s = track_all([p for _, p, _ in clips], not args.no_librosa)
    table = report(clips, tracks, timings, audio_s)
    print(table)
    if args.no_doc:
        return
    figure = None
    if args.set == "main":
        pick = next(i for i, (c, _, _) in enumerate(clips) if "bassoon" in c.name)
        times = np.arange(len(tracks[OURS][pick])) * HOP / 22_050
        ref, _ = reference_f0(clips[pick][2], times)
        shown = (OURS, "ours, no correction (plain YIN)", "librosa.pyin")
        curves = {k: tracks[k][pick] for k in shown if k in tracks}
        figure = plot(clips[pick][0].name, times, ref, curves)
    write_doc(args.set, table, figure)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4:])
    else:
        main()
