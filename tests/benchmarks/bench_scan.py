"""Library scan speed: a first scan of generated tagged files and an unchanged re-scan.

Goals (issues 9 and 13, the latter at 100,000 files): first scan ≥ 1,000 files/s, unchanged
re-scan ≥ 20,000 files/s, memory bounded while scanning.

    .venv/bin/python tests/benchmarks/bench_scan.py [--files 1000] [--formats flac,ogg,mp3]
        [--keep DIR] [--json]

The files are half-second mono tones, in turn FLAC, Ogg Vorbis and MP3 (``--formats``), each
with its own classical tags (Vorbis comments, ID3v2.4), in composer/work folders (20 movements
a work); they are written to a temporary folder and deleted afterwards, or with ``--keep DIR``
written once under DIR and reused by later runs with the same files and formats (100,000 take
minutes to write; each run still scans into a new profile). Wall time and CPU time
(all the process's threads and its scan worker processes, if it started them) are both
reported: on a shared machine under load only the CPU figure compares runs, and the load
average is given at the start and the end. The page cache is warm (the files were just
written), as it is for a re-scan on start; a first scan from a cold disk is bounded by the disk
instead. Memory: the process's resident set sampled every 20 ms during each scan, as growth over the
resident set before the first scan, and beside it the peak of its worker processes' together
(the sampler's own CPU, ~1%, is counted in the CPU figures).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import struct
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


def make_library(root: Path, count: int, formats: tuple[str, ...] = ("flac", "ogg", "mp3")) -> None:
    """``count`` tagged files under ``root``: FLAC and MP3 written as bytes (a template's audio
    behind a Vorbis comment block or an ID3v2.4 tag: 100,000 files in minutes), Ogg Vorbis
    tagged by mutagen (its comment header sits in a checksummed page)."""
    templates = [
        write_audio(root / ".templates" / f"t{i}.{ext}", seconds=0.5, freq=220 + 30 * i)
        for i in range(4)
        for ext in formats
    ]
    audio = {t: t.read_bytes() for t in templates}
    for n in range(count):
        template = templates[n % len(templates)]
        composer = COMPOSERS[n // 20 % len(COMPOSERS)]
        work = f"Work {n // 20}"
        target = root / composer / work / f"{n % 20 + 1:02d} movement{template.suffix}"
        if n % 20 == 0:
            target.parent.mkdir(parents=True, exist_ok=True)
        tags = {
            "COMPOSER": composer,
            "WORK": work,
            "MOVEMENTNAME": f"Movement {n}",
            "MOVEMENT": str(n % 20 + 1),
            "TITLE": f"{work}: Movement {n}",
            "PERFORMER": "Bench Ensemble",
            "REPLAYGAIN_TRACK_GAIN": "-3.1 dB",
        }
        if template.suffix == ".flac":
            target.write_bytes(_flac_with(audio[template], tags))
        elif template.suffix == ".mp3":
            target.write_bytes(_id3(tags) + audio[template])
        else:
            shutil.copyfile(template, target)
            tag_vorbis(target, **tags)
    shutil.rmtree(root / ".templates")


def library(parent: Path, count: int, formats: tuple[str, ...]) -> Path:
    """The folder of ``count`` generated files under ``parent``: written now, unless an earlier
    run finished writing the same library there (its ``.complete`` marker)."""
    root = parent / f"music-{count}-{'-'.join(formats)}"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)  # a run stopped while writing
        make_library(root, count, formats)
        (root / ".complete").touch()
    return root


def _flac_with(template: bytes, tags: dict[str, str]) -> bytes:
    """The template's STREAMINFO and audio with a Vorbis comment block of ``tags``."""
    at = 4
    while not template[at] & 0x80:  # step over the template's metadata blocks
        at += 4 + int.from_bytes(template[at + 1 : at + 4], "big")
    at += 4 + int.from_bytes(template[at + 1 : at + 4], "big")
    vendor = b"Continuo bench"
    entries = [f"{key}={value}".encode() for key, value in tags.items()]
    comment = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(entries))
    comment += b"".join(struct.pack("<I", len(e)) + e for e in entries)
    streaminfo = b"\x00" + template[5:42]
    return (
        b"fLaC" + streaminfo + b"\x84" + len(comment).to_bytes(3, "big") + comment + template[at:]
    )


_ID3_FRAMES = {
    "COMPOSER": "TCOM",
    "WORK": "TIT1",
    "MOVEMENTNAME": "MVNM",
    "MOVEMENT": "MVIN",
    "TITLE": "TIT2",
    "PERFORMER": "TPE1",
}


def _id3(tags: dict[str, str]) -> bytes:
    """An ID3v2.4 tag of UTF-8 text frames (TXXX for names ID3 has no frame for)."""

    def syncsafe(size: int) -> bytes:
        return bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))

    body = b""
    for name, value in tags.items():
        frame = _ID3_FRAMES.get(name, "TXXX")
        data = b"\x03" + (b"" if frame != "TXXX" else name.encode() + b"\0") + value.encode()
        body += frame.encode() + syncsafe(len(data)) + b"\0\0" + data
    return b"ID3\x04\x00\x00" + syncsafe(len(body)) + body


class PeakMemory:
    """Peaks of the resident set and of its worker processes' (summed) while a block runs,
    sampled on a thread every 20 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self.workers_peak = 0
        self._running = False

    def __enter__(self) -> PeakMemory:
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        children: list[psutil.Process] = []
        listed = 0.0
        while self._running:
            # listing children reads all of /proc (3 ms here): every half second, not every
            # sample, or the sampler's own CPU inflates the scan's CPU figure by a sixth
            if time.monotonic() - listed > 0.5:
                children, listed = self.process.children(recursive=True), time.monotonic()
            workers = 0
            for child in children:
                with contextlib.suppress(psutil.Error):  # a worker that has just ended
                    workers += child.memory_info().rss
            self.peak = max(self.peak, self.process.memory_info().rss)
            self.workers_peak = max(self.workers_peak, workers)
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join()


def cpu_seconds() -> float:
    """CPU time of this process's threads and of the children it has waited for (the scan's
    worker processes, once the scan has ended)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--formats", default="flac,ogg,mp3", help="in turn, e.g. flac,ogg")
    parser.add_argument("--keep", type=Path, help="write the files once under this folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        root = library(args.keep or Path(tmp), args.files, tuple(args.formats.split(",")))
        load = os.getloadavg()[0]
        generated_s = time.perf_counter() - start
        db = open_database(Path(tmp, "profile", "continuo.db"))
        base = psutil.Process().memory_info().rss

        with PeakMemory() as first_memory:
            start, cpu = time.perf_counter(), cpu_seconds()
            first = scan_library(db, [root])
            first_s, first_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        assert first.added == args.files and store.track_count(db) == args.files, first

        with PeakMemory() as again_memory:
            start, cpu = time.perf_counter(), cpu_seconds()
            again = scan_library(db, [root])
            again_s, again_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        assert again.unchanged == args.files, again
        db.close()
    result = {
        "files": args.files,
        "formats": args.formats,
        "load_average": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "generated_s": round(generated_s, 1),
        "first_scan_files_per_s": round(args.files / first_s),
        "rescan_files_per_s": round(args.files / again_s),
        "first_scan_files_per_cpu_s": round(args.files / first_cpu),
        "rescan_files_per_cpu_s": round(args.files / again_cpu),
        "first_scan_s": round(first_s, 2),
        "first_scan_cpu_s": round(first_cpu, 2),
        "rescan_cpu_s": round(again_cpu, 3),
        "rescan_s": round(again_s, 3),
        "first_scan_rss_growth_mb": round((first_memory.peak - base) / 2**20, 1),
        "rescan_rss_growth_mb": round((again_memory.peak - base) / 2**20, 1),
        "first_scan_workers_rss_mb": round(first_memory.workers_peak / 2**20, 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"generated {args.files} tagged files ({args.formats}) in {generated_s:.1f} s; "
          f"load average {load:.1f} before the scans, {result['load_average_after']:.1f} after")  # fmt: skip
    print(f"first scan:     {result['first_scan_files_per_s']:8d} files/s  ({first_s:.2f} s; "
          f"goal >= 1000), {result['first_scan_files_per_cpu_s']} files per CPU second, "
          f"resident set +{result['first_scan_rss_growth_mb']} MB, worker processes "
          f"{result['first_scan_workers_rss_mb']} MB")  # fmt: skip
    print(f"unchanged scan: {result['rescan_files_per_s']:8d} files/s  ({again_s:.3f} s; "
          f"goal >= 20000), {result['rescan_files_per_cpu_s']} files per CPU second, "
          f"resident set +{result['rescan_rss_growth_mb']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
