"""Playback: underruns with a busy UI thread, CPU while playing, peak memory on a 3-hour file.

A private PulseAudio server with a null sink (as in the tests) paces PortAudio in real time.

1. ``--busy`` s (60) of a 44.1 kHz stereo FLAC (resampled to the 48 kHz device) while the main
   thread churns JSON and lists as a busy UI would; reported: PortAudio output underflows and
   callbacks that found the ring dry (goal 0 for both).
2. ``--idle`` s (20) of the same file with the main thread asleep; reported: the CPU time of
   the engine process (callback, decoder, events) and of this one (the reader thread) as % of
   one core (goal ≤ 3 %).
3. A three-hour 8 kHz mono FLAC (cached under $TMPDIR/continuo-bench): play, seek to 1 h, 2 h
   and the last seconds, play to its end; reported: the engine process's peak resident memory
   against its own before the file was opened (goal: bounded, a few MB over the baseline, not
   the file's size).

The engine runs in its own process (``ProcessBackend``), so the busy main thread here competes
with the engine only for CPU, not for the GIL.

Run: .venv/bin/python tests/benchmarks/bench_playback.py [--busy 60] [--idle 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402

CACHE = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "continuo-bench"


def music_like(path: Path, *, seconds: float, rate: int) -> Path:
    """A chord with vibrato and a little noise: FLAC cannot shrink it to nothing."""
    if path.exists():
        return path
    rng = np.random.default_rng(0)
    with sf.SoundFile(path, "w", rate, 2, format="FLAC") as out:
        for start in range(0, int(seconds * rate), rate):
            t = (start + np.arange(rate)) / rate
            tone = sum(
                0.15 * np.sin(2 * np.pi * f * t + 0.3 * np.sin(2 * np.pi * 5 * t))
                for f in (220.0, 277.2, 329.6)
            )
            noise = 0.01 * rng.standard_normal((rate, 2))
            out.write(np.stack([tone, 0.9 * tone], axis=1) + noise)
    return path


def three_hours(path: Path) -> Path:
    """Three hours at 8 kHz mono, written a minute at a time (never whole in memory)."""
    if path.exists():
        return path
    rate = 8000
    with sf.SoundFile(path, "w", rate, 1, format="FLAC") as out:
        for minute in range(180):
            t = (minute * 60 * rate + np.arange(60 * rate)) / rate
            out.write(0.3 * np.sin(2 * np.pi * 440.0 * t))
    return path


def busy_ui(seconds: float) -> int:
    """What a busy UI thread does to the GIL: serialise, parse, sort, build lists."""
    rows = [{"id": i, "title": f"Movement {i}", "ms": i * 37 % 1000} for i in range(2000)]
    rounds = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        parsed = json.loads(json.dumps(rows))
        parsed.sort(key=lambda r: (r["ms"], r["title"]))
        rows = [dict(r, ms=(r["ms"] + 1) % 1000) for r in parsed]
        rounds += 1
    return rounds


def wait_until(predicate, timeout: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=float, default=60.0, help="seconds with a busy UI thread")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds to measure CPU use")
    parser.add_argument("--rate", type=int, default=48000, help="device rate (the sink's: 48000)")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    song = music_like(
        CACHE / "music-70s-44k.flac", seconds=max(args.busy, args.idle) + 10, rate=44100
    )
    long = three_hours(CACHE / "tone-3h-8k-mono.flac")

    home, kind = start_private_audio()  # before sounddevice is imported
    try:
        from player.audio.backend import Playable, PlaybackState
        from player.audio.process import ProcessBackend

        backend = ProcessBackend(samplerate=args.rate)
        process, engine = psutil.Process(), psutil.Process(backend.pid)
        try:
            print(f"audio output: {kind} ({backend.name}, {backend.rate} Hz); "
                  f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")  # fmt: skip

            backend.play(Playable(song))
            wait_until(lambda: backend.position_s > 0.2, 10)
            under, dry = backend.underruns, backend.ring_underruns
            rounds = busy_ui(args.busy)
            print(f"busy UI ({rounds} rounds of JSON/list churn in {args.busy:.0f} s): "
                  f"PortAudio underflows {backend.underruns - under}, "
                  f"ring dry mid-track {backend.ring_underruns - dry}")  # fmt: skip

            backend.play(Playable(song))
            wait_until(lambda: backend.position_s > 0.2, 10)
            cpu0 = [sum(p.cpu_times()[:2]) for p in (engine, process)]
            wall0 = time.monotonic()
            time.sleep(args.idle)
            wall = time.monotonic() - wall0
            cpu = [
                (sum(p.cpu_times()[:2]) - c) / wall
                for p, c in zip((engine, process), cpu0, strict=True)
            ]
            print(f"CPU while playing (main thread idle, {args.idle:.0f} s): engine process "
                  f"{100 * cpu[0]:.2f} % + this process {100 * cpu[1]:.2f} % of one core")  # fmt: skip
            backend.stop()

            baseline = engine.memory_info().rss
            peak = [baseline]
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.is_set():
                    peak[0] = max(peak[0], engine.memory_info().rss)
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            backend.play(Playable(long))
            wait_until(lambda: backend.position_s > 0.5, 10)
            for target in (3600.0, 7200.0, 3 * 3600.0 - 3.0):
                backend.seek(target)
                time.sleep(1.5)
                print(f"  seek {target:7.0f} s -> position {backend.position_s:8.2f} s")
            wait_until(lambda: backend.state is PlaybackState.STOPPED, 10)
            sampling.set()
            sampler.join()
            size = long.stat().st_size / 2**20
            print(f"3-hour file ({size:.1f} MB FLAC, {3 * 3600 * 8000 * 4 / 2**20:.0f} MB as "
                  f"float32): engine's peak RSS {peak[0] / 2**20:.1f} MB, "
                  f"{(peak[0] - baseline) / 2**20:+.1f} MB over the {baseline / 2**20:.1f} MB "
                  f"before it was opened")  # fmt: skip
        finally:
            backend.close()
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
