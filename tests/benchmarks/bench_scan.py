"""Library scan speed: a first scan of generated tagged files and an unchanged re-scan.

Goals (issues 9 and 13, the latter at 100,000 files): first scan ≥ 1,000 files/s, unchanged
re-scan ≥ 20,000 files/s, memory bounded while scanning.

    .venv/bin/python tests/benchmarks/bench_scan.py [--files 1000] [--json]

The files are 1-second tones, half FLAC and half Ogg Vorbis, each with its own classical tags,
in composer/work folders (20 movements a work). Wall time and CPU time (all the process's
threads) are both reported: on a shared machine under load only the CPU figure compares runs.
The page cache is warm (the files were just written), as it is for a re-scan on start; a first
scan from a cold disk is bounded by the disk instead. Memory: the process's resident set sampled
every 20 ms during each scan, as growth over the resident set before the first scan.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from player.library.scanner import scan_library  # noqa: E402
from player.store import tracks as store  # noqa: E402
from player.store.db import open_database  # noqa: E402
from tests.library.audio_files import tag_vorbis, write_audio  # noqa: E402

COMPOSERS = ["Bach", "Haydn", "Mozart", "Beethoven", "Schubert", "Brahms", "Dvořák", "Ravel"]


def make_library(root: Path, count: int) -> None:
    templates = [
        write_audio(root / ".templates" / f"t{i}{ext}", seconds=1.0, freq=220 + 30 * i)
        for i in range(4)
        for ext in (".flac", ".ogg")
    ]
    for n in range(count):
        template = templates[n % len(templates)]
        composer = COMPOSERS[n // 20 % len(COMPOSERS)]
        work = f"Work {n // 20}"
        target = root / composer / work / f"{n % 20 + 1:02d} movement{template.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        tag_vorbis(
            target,
            composer=composer,
            work=work,
            movementname=f"Movement {n}",
            movement=str(n % 20 + 1),
            title=f"{work}: Movement {n}",
            performer="Bench Ensemble",
            replaygain_track_gain="-3.1 dB",
        )
    shutil.rmtree(root / ".templates")


class PeakMemory:
    """The resident set's peak while a block runs, sampled on a thread every 20 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self._running = False

    def __enter__(self) -> PeakMemory:
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "music")
        start = time.perf_counter()
        make_library(root, args.files)
        generated_s = time.perf_counter() - start
        db = open_database(Path(tmp, "profile", "continuo.db"))
        base = psutil.Process().memory_info().rss

        with PeakMemory() as first_memory:
            start, cpu = time.perf_counter(), time.process_time()
            first = scan_library(db, [root])
            first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert first.added == args.files and store.track_count(db) == args.files, first

        with PeakMemory() as again_memory:
            start, cpu = time.perf_counter(), time.process_time()
            again = scan_library(db, [root])
            again_s, again_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert again.unchanged == args.files, again
        db.close()
    result = {
        "files": args.files,
        "load_average": round(load, 2),
        "generated_s": round(generated_s, 1),
        "first_scan_files_per_s": round(args.files / first_s),
        "rescan_files_per_s": round(args.files / again_s),
        "first_scan_files_per_cpu_s": round(args.files / first_cpu),
        "rescan_files_per_cpu_s": round(args.files / again_cpu),
        "first_scan_s": round(first_s, 2),
        "rescan_s": round(again_s, 3),
        "first_scan_rss_growth_mb": round((first_memory.peak - base) / 2**20, 1),
        "rescan_rss_growth_mb": round((again_memory.peak - base) / 2**20, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"generated {args.files} tagged files in {generated_s:.1f} s (load average {load:.1f})")
    print(f"first scan:     {result['first_scan_files_per_s']:8d} files/s  ({first_s:.2f} s; "
          f"goal >= 1000), {result['first_scan_files_per_cpu_s']} files per CPU second, "
          f"resident set +{result['first_scan_rss_growth_mb']} MB")  # fmt: skip
    print(f"unchanged scan: {result['rescan_files_per_s']:8d} files/s  ({again_s:.3f} s; "
          f"goal >= 20000), {result['rescan_files_per_cpu_s']} files per CPU second, "
          f"resident set +{result['rescan_rss_growth_mb']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
