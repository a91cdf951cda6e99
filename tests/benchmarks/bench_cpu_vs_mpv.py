"""CPU per second of playback: Continuo against mpv on the same file and the same null sink.

The measure the issue used: a 40 s run minus a 10 s run of the same 44.1 kHz stereo FLAC, as the
extra CPU time (user + system, all threads) per second of playback, so start-up costs cancel.
Continuo is the app (offscreen window, the background analysis paused: it has its own budget
and benchmark) *plus* its sound-engine process, each reported and summed; its clock starts once
the track plays. mpv (when installed: ``apt-get install -y mpv``; not a Continuo dependency)
runs as a child with ``--no-video --ao=pulse`` and is measured from its rusage. Both play into a
private PulseAudio server with a 48 kHz null sink (tests/audio_env.py); both hand it 44.1 kHz
(the ALSA default device's rate), so the server resamples for both, uncounted.

Continuo is measured twice: window shown, and minimised (its position poll stops).

Run: .venv/bin/python tests/benchmarks/bench_cpu_vs_mpv.py [--short 10] [--long 40] [--runs 1]

Measured (2 shared cores; % of one core per second of playback), before the engine process:
Continuo 2.27 (shown) / 2.30 (minimised) vs mpv 1.22 at load 13, then with 2,048-frame blocks
and a 50 ms event poll 1.37 / 1.40 vs mpv 0.94. The figures with the engine process are in
docs/architecture.md (audio).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402
from tests.benchmarks.bench_playback import CACHE, music_like  # noqa: E402


def mpv_cpu(path: Path, seconds: float) -> float:
    """CPU seconds (user + system) mpv spends playing ``seconds`` of ``path``."""
    command = [
        "mpv", "--no-config", "--no-video", "--no-terminal", "--ao=pulse",
        f"--end={seconds}", str(path),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def continuo_cpu(
    path: Path, short: float, long: float, *, minimised: bool
) -> dict[str, tuple[float, float]]:
    """CPU seconds of this process ("app") and of the engine process ("engine") over the
    first ``short`` and ``long`` seconds of playback."""
    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from player.app import build_services, build_window
    from player.profile import Profile

    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-cpu-"))).create()
    services = build_services(profile, [path.parent])
    window = build_window(services)
    window.show()
    loaded: list[int] = []
    window.library_loaded.connect(loaded.append)
    window.start()
    deadline = time.monotonic() + 60
    while not loaded and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    window.features.analysis.pause()
    if minimised:
        window.showMinimized()
    for _ in range(20):  # let the start-up's last jobs finish before the clock starts
        app.processEvents()
        time.sleep(0.05)
    track = next(t for t in window.controller.library_tracks if t.path == str(path))
    window.controller.play_track(track)
    while services.backend.position_s < 0.05:
        app.processEvents()
        time.sleep(0.005)
    processes = {"app": psutil.Process(), "engine": psutil.Process(services.backend.pid)}
    start_cpu = {k: sum(p.cpu_times()[:2]) for k, p in processes.items()}
    start = time.monotonic()
    marks: dict[str, list[float]] = {k: [] for k in processes}
    for mark in (short, long):  # the app's own event loop runs, as in real use
        QTimer.singleShot(int((start + mark - time.monotonic()) * 1000), app.quit)
        app.exec()
        for k, p in processes.items():
            marks[k].append(sum(p.cpu_times()[:2]) - start_cpu[k])
    window.close()
    window.jobs.wait()
    services.close()
    return {k: (v[0], v[1]) for k, v in marks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=float, default=10.0)
    parser.add_argument("--long", type=float, default=40.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    home, kind = start_private_audio()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        folder = CACHE / "cpu-vs-mpv"
        folder.mkdir(exist_ok=True)
        song = music_like(folder / "chord-44k.flac", seconds=args.long + 20, rate=44100)
        span = args.long - args.short
        result: dict[str, object] = {"output": kind, "file": "44.1 kHz stereo FLAC"}
        for label, minimised in (("continuo_shown", False), ("continuo_minimised", True)):
            extra: dict[str, list[float]] = {"app": [], "engine": [], "total": []}
            for _ in range(args.runs):
                cpu = continuo_cpu(song, args.short, args.long, minimised=minimised)
                for part, (cpu_short, cpu_long) in cpu.items():
                    extra[part].append((cpu_long - cpu_short) / span * 100)
                extra["total"].append(extra["app"][-1] + extra["engine"][-1])
            result[f"{label}_percent"] = round(statistics.median(extra["total"]), 2)
            for part in ("app", "engine"):
                result[f"{label}_{part}_percent"] = round(statistics.median(extra[part]), 2)
        if shutil.which("mpv"):
            extra = []
            for _ in range(args.runs):
                extra.append((mpv_cpu(song, args.long) - mpv_cpu(song, args.short)) / span * 100)
            result["mpv_percent"] = round(statistics.median(extra), 2)
        else:
            result["mpv_percent"] = None  # apt install mpv to compare
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
        result["load_average_at_start"] = load_at_start
        print(json.dumps(result, indent=2))
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
