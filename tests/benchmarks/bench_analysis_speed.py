"""Analysis throughput and peak memory, process start and decoding included, on one core.

Builds (once, cached under $TMPDIR/continuo-bench) a one-hour and a three-hour 44.1 kHz stereo
FLAC by looping rendered corpus pieces, runs ``continuo-analyze`` on each pinned to one CPU
(``taskset -c 0``, BLAS/OpenMP threads 1) and samples the process's resident memory every
20 ms. pyin (librosa) runs on a 30 s excerpt of the same audio, same frame/hop/f0 range,
same core, and its rate is given per second of audio.

Run: .venv/bin/python tests/benchmarks/bench_analysis_speed.py [--hours 1 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import soundfile as sf
import soxr

from trainer.segment_classes import render_set

ONE_CORE_ENV = {
    **os.environ,
    **{k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
}


def long_file(hours: float) -> Path:
    folder = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "continuo-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"loop-{hours:g}h.flac"
    if path.exists():
        return path
    pieces = []
    for r in render_set(2, part="train", max_seconds=60.0):
        y, sr = sf.read(r.wav, dtype="float32", always_2d=True)  # fluidsynth's stereo
        pieces.append(soxr.resample(y, sr, 44_100))
    needed = int(hours * 3600 * 44_100)
    partial = path.with_suffix(".partial.flac")
    with sf.SoundFile(partial, "w", 44_100, 2, format="FLAC", subtype="PCM_16") as f:
        written, i = 0, 0
        while written < needed:
            y = pieces[i % len(pieces)][: needed - written]
            f.write(y)
            written += len(y)
            i += 1
    partial.rename(path)
    return path


def run_measured(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of a command.

    On a loaded machine the CPU seconds are the better measure of the work itself."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ONE_CORE_ENV)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    out = proc.stdout.read().decode()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{command} failed:\n{out}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1e6, out.strip()


def pyin_rate(path: Path, seconds: float = 30.0) -> float:
    code = (
        "import sys, time, librosa, soundfile as sf, soxr\n"
        f"y, sr = sf.read({str(path)!r}, frames={int(seconds * 44_100)}, dtype='float32')\n"
        "y = soxr.resample(y.mean(axis=1), sr, 22050)\n"
        "t = time.perf_counter()\n"
        "librosa.pyin(y, sr=22050, fmin=30.0, fmax=2000.0, frame_length=2048, hop_length=220)\n"
        f"print({seconds} / (time.perf_counter() - t))\n"
    )
    *_, out = run_measured(["taskset", "-c", "0", sys.executable, "-c", code])
    return float(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[1.0, 3.0])
    args = parser.parse_args()
    analyze = shutil.which("continuo-analyze", path=str(Path(sys.executable).parent))
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for hours in args.hours:
        path = long_file(hours)
        wall, cpu, peak_mb, out = run_measured(["taskset", "-c", "0", analyze, str(path)])
        audio_s = sf.info(path).duration
        print(f"{hours:g} h file: {wall:.1f} s wall ({audio_s / wall:.0f}x real time), "
              f"{cpu:.1f} s CPU ({audio_s / cpu:.0f}x), peak RSS {peak_mb:.0f} MB  "
              f"[{out.splitlines()[-1].split(': ', 1)[1]}]")  # fmt: skip
    rate = pyin_rate(long_file(args.hours[0]))
    print(f"librosa.pyin on 30 s of the same audio, one core: {rate:.2f}x real time")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
