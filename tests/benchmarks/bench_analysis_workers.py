"""Background analysis with 1 and with N worker processes (issue 10, "all cores").

The trainer's held-out renders (music21 corpus pieces, 60 s each, cached in
``$TMPDIR/continuo-renders``) are put in a fresh profile and analysed by ``AnalysisService``,
once with one worker and once with N (default: every core but one, at least two here so the
comparison means something). Measured: wall time until the queue is empty, the children's CPU
seconds (``RUSAGE_CHILDREN``: the children are joined at the end), and from them the analysis
throughput per core; then what a 20,000-track library (2,000 hours) takes on a 4-core laptop with
3 workers at that throughput.

The children run at ``SCHED_IDLE``: on a machine others keep busy they get only the CPU time left
over, so the wall times here say as much about the machine's load (printed) as about the code.

    .venv/bin/python tests/benchmarks/bench_analysis_workers.py [--workers N] [--files 24]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from player.analysis.worker import AnalysisService, default_workers  # noqa: E402
from player.store import open_database  # noqa: E402
from player.store.tracks import Track, upsert_tracks  # noqa: E402
from trainer.segment_classes import render_set  # noqa: E402

LIBRARY_HOURS = 2000.0
LAPTOP_WORKERS = 3  # a 4-core laptop: every core but one


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(paths: list[Path], workers: int) -> tuple[float, float]:
    """Wall and children's CPU seconds to analyse ``paths`` with ``workers`` processes."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "continuo.db"
        db = open_database(db_path)
        upsert_tracks(db, [Track(path=str(p), size=1, mtime_ns=1, title=p.stem) for p in paths])
        db.close()
        cpu = children_cpu()
        start = time.perf_counter()
        service = AnalysisService(db_path, workers=workers)
        service.start()
        service.wait()
        wall = time.perf_counter() - start
        done = service.progress
        if done.done != len(paths) or done.failed:
            raise SystemExit(f"analysis incomplete: {done}")
        return wall, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=max(2, default_workers()))
    parser.add_argument("--files", type=int, default=24)
    args = parser.parse_args()
    renders = render_set(5, part="eval", max_seconds=60.0)[: args.files]
    paths = [r.wav for r in renders]
    import soundfile as sf

    audio_s = sum(sf.info(str(p)).duration for p in paths)
    print(
        f"{len(paths)} files, {audio_s / 60:.0f} min of audio; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    print()
    print("| workers | wall s | × real time (wall) | children's CPU s | × real time per CPU s "
          "| speed-up (wall) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    results = {}
    for workers in (1, args.workers):
        wall, cpu = run(paths, workers)
        results[workers] = (wall, cpu)
        print(
            f"| {workers} | {wall:.1f} | {audio_s / wall:.0f} | {cpu:.1f} | {audio_s / cpu:.0f} | "
            f"{results[1][0] / wall:.2f} |"
        )
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    per_core = audio_s / results[1][1]  # seconds of audio per CPU second
    hours = LIBRARY_HOURS * 3600 / (per_core * LAPTOP_WORKERS) / 3600
    print(
        f"20,000 tracks ({LIBRARY_HOURS:.0f} h) on a 4-core laptop, {LAPTOP_WORKERS} workers at "
        f"{per_core:.0f}× real time per core (this machine's CPU seconds, one worker): "
        f"{hours:.1f} h, if the workers scale linearly and the laptop's cores are as fast"
    )


if __name__ == "__main__":
    main()
