"""Library scan speed: a first scan of 1,000 generated tagged files and an unchanged re-scan.

Goals (issues 2 and 9): first scan ≥ 1,000 files/s, unchanged re-scan ≥ 20,000 files/s.

    .venv/bin/python tests/benchmarks/bench_scan.py [--files 1000]

The files are 1-second tones, half FLAC and half Ogg Vorbis, each with its own classical tags,
in composer/work folders. Wall time and CPU time are both reported: on a shared machine under
load only the CPU figure compares runs. The page cache is warm (the files were just written), as
it is for a re-scan on start; a first scan from a cold disk is bounded by the disk instead.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

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
        composer = COMPOSERS[n % len(COMPOSERS)]
        work = f"Work {n // 8 % 40}"
        target = root / composer / work / f"{n:04d} movement{template.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        tag_vorbis(
            target,
            composer=composer,
            work=work,
            movementname=f"Movement {n}",
            movement=str(n % 8 + 1),
            title=f"{work}: Movement {n}",
            performer="Bench Ensemble",
            replaygain_track_gain="-3.1 dB",
        )
    shutil.rmtree(root / ".templates")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "music")
        start = time.perf_counter()
        make_library(root, args.files)
        print(f"generated {args.files} tagged files in {time.perf_counter() - start:.1f} s")
        db = open_database(Path(tmp, "profile", "continuo.db"))

        start, cpu = time.perf_counter(), time.process_time()
        first = scan_library(db, [root])
        first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert first.added == args.files and store.track_count(db) == args.files, first

        start, cpu = time.perf_counter(), time.process_time()
        again = scan_library(db, [root])
        again_s, again_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert again.unchanged == args.files, again
        db.close()

    # CPU seconds too: on a shared, loaded machine they compare runs where wall time cannot
    print(
        f"first scan:     {args.files / first_s:8.0f} files/s  ({first_s:.2f} s; goal >= 1000)"
        f"  {args.files / first_cpu:8.0f} files per CPU second"
    )
    print(
        f"unchanged scan: {args.files / again_s:8.0f} files/s  ({again_s:.3f} s; goal >= 20000)"
        f"  {args.files / again_cpu:8.0f} files per CPU second"
    )


if __name__ == "__main__":
    main()
