"""``continuo scan`` and ``continuo library``: the library without a window.

Both run the code the window runs (``player.library.scanner``, the analysis service,
``player.library.grouping``), so scripts, tests and curious listeners see what the window shows.
Progress and problems go to stderr; ``library --json`` prints one JSON document on stdout:

    {"composers": [{"name": str, "works": [{"title": str, "catalogue": str|null,
      "recordings": [{"performers": str, "year": int|null, "album": str|null,
        "tracks": [{"path": str, "number": int|null, "title": str, "duration_s": float}]}]}]}]}
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from player.errors import ContinuoError
from player.library.grouping import Composer, group_library
from player.profile import Profile
from player.profile_db import open_for_command
from player.store.db import open_database
from player.store.plays import heard_plays_by_recording
from player.store.tracks import add_library_root, all_tracks, library_roots, problems

REPORT_EVERY_S = 1.0
"""At most one progress line a second on stderr."""


def scan_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo scan",
        description="Add music folders to the library, scan them, then analyse the new tracks.",
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (default: the user's)")
    parser.add_argument("--no-analysis", action="store_true", help="skip the audio analysis")
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="a music folder")
    return parser


def library_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo library",
        description="Print the library: composers, works, recordings and their tracks in play order.",
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (default: the user's)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _throttled(write: Callable[[str], None]) -> Callable[[str], None]:
    last = [0.0]

    def say(line: str) -> None:
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_S:
            last[0] = now
            write(line)

    return say


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def scan_main(argv: list[str], profile_of: Callable[[str | None], Profile]) -> int:
    """Exit 0 when the scan ran (a bad file is a Problem, not a failure), 2 when it could not."""
    args = scan_parser().parse_args(argv)
    folders = [p.expanduser().resolve() for p in args.paths]
    for folder in folders:
        if not folder.is_dir():
            _stderr(f"continuo scan: {folder} is not a folder; it is left out")
    folders = [f for f in folders if f.is_dir()]
    if not folders:
        _stderr("continuo scan: no music folder to scan")
        return 2
    profile = profile_of(args.profile)
    try:
        db = open_database(profile.database)
    except ContinuoError as exc:
        _stderr(f"continuo: {exc.short}\n{exc.detail}")
        return 2
    try:
        from player.library.scanner import scan_library

        for folder in folders:
            add_library_root(db, str(folder))
        say = _throttled(_stderr)
        result = scan_library(
            db,
            [Path(r) for r in library_roots(db)],
            on_progress=lambda p: say(f"Scanning {p.done:,} of {p.total:,} files"),
        )
        _stderr(
            f"Scanned {result.total:,} files: {result.added} new, {result.updated} changed, "
            f"{result.unchanged} unchanged, {result.missing} missing, {result.problems} problems"
        )
        for path, reason in problems(db):
            _stderr(f"  problem: {path}: {reason}")
    finally:
        db.close()
    if not args.no_analysis:
        _analyse(profile)
    return 0


def _analyse(profile: Profile) -> None:
    """Analyse the tracks without current features, as the window does after a scan."""
    from player.analysis.worker import AnalysisService

    say = _throttled(_stderr)

    def report(p) -> None:
        if p.total and not p.finished:
            eta = f" · about {p.eta_s / 60:.0f} min left" if p.eta_s else ""
            say(f"Analysing {p.done:,} of {p.total:,}{eta}")

    service = AnalysisService(profile.database, on_progress=report)
    service.start()
    try:
        service.wait()
    except KeyboardInterrupt:  # the file in hand is left for next time
        service.cancel()
        service.wait()
    state = service.progress
    _stderr(f"Analysis done ({state.done} tracks, {state.failed} failed)")


def library_records(composers: list[Composer]) -> dict:
    """The grouped library as the ``library --json`` contract spells it."""
    return {
        "composers": [
            {
                "name": composer.name,
                "works": [
                    {
                        "title": work.title,
                        "catalogue": work.catalogue or None,
                        "recordings": [
                            {
                                "performers": recording.performers,
                                "year": recording.year,
                                "album": recording.album or None,
                                "tracks": [
                                    {
                                        "path": track.path,
                                        "number": track.movement_number or track.track_number,
                                        "title": track.display_title,
                                        "duration_s": float(track.duration_s),
                                    }
                                    for track in recording.movements
                                ],
                            }
                            for recording in work.recordings
                        ],
                    }
                    for work in composer.works
                ],
            }
            for composer in composers
        ]
    }


def print_library(composers: list[Composer]) -> None:
    if not composers:
        print("The library is empty. Add a folder with `continuo scan PATH`.")
    for composer in composers:
        print(composer.name)
        for work in composer.works:
            catalogue = (
                f" ({work.catalogue})"
                if work.catalogue and work.catalogue not in work.title
                else ""
            )
            print(f"  {work.title}{catalogue}")
            for recording in work.recordings:
                if len(work.recordings) > 1:
                    print(f"    {recording.label}")
                indent = "      " if len(work.recordings) > 1 else "    "
                for track in recording.movements:
                    number = track.movement_number or track.track_number
                    print(f"{indent}{f'{number}. ' if number else ''}{track.display_title}")


def library_main(argv: list[str], profile_of: Callable[[str | None], Profile]) -> int:
    args = library_parser().parse_args(argv)
    profile = profile_of(args.profile)
    db = open_for_command(profile, "no library")
    if isinstance(db, int):
        return db
    try:
        composers = group_library(all_tracks(db), heard_plays_by_recording(db))
    finally:
        db.close()
    if args.json:
        json.dump(library_records(composers), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_library(composers)
    return 0
