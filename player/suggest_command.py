"""``continuo suggest``: what Up next would suggest, without a window.

It calls the recommender the window calls (:meth:`player.recommend.up_next.Recommender.suggest`)
with the window's defaults, so scripts, tests and benchmarks see what the panel shows. ``--after``
is the session so far, the current track last, taken as heard just now; ``--to PATH`` asks for
the sonic path from there to PATH's recording instead ("From here to …"). Prints one JSON
document:

    {"source": str, "units": [{"composer": str, "work": str, "recording": str, "reason": str,
      "tracks": [{"path": str, "duration_s": float}]}]}

units in order, each unit's tracks in play order.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from player.errors import ContinuoError, DatabaseError
from player.profile import Profile
from player.recommend.settings import DEFAULT_COUNT
from player.recommend.up_next import MODES, Recommender, Suggestion
from player.store.db import Database, open_database
from player.store.tracks import track_by_id, track_ids_by_path


def suggest_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo suggest", description="Print what Up next would suggest after a session."
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (default: the user's)")
    parser.add_argument(
        "--after",
        metavar="PATH",
        action="append",
        default=[],
        help="a track of the session so far, in order, the current one last (repeatable)",
    )
    parser.add_argument("--mode", choices=MODES, default="for_you", help="what fills Up next")
    parser.add_argument(
        "--minutes", metavar="M", type=_minutes, help="fill this much time with whole works"
    )
    parser.add_argument(
        "-n", type=_count, default=DEFAULT_COUNT, help=f"units ahead (default {DEFAULT_COUNT})"
    )
    parser.add_argument(
        "--to",
        metavar="PATH",
        help="a sonic path: whole recordings stepping through sound to PATH's recording",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"minutes must be a number above 0, not {text!r}")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"-n must be a whole number of at least 1, not {text!r}")
    return int(text)


def suggestion_document(db: Database, suggestions: list[Suggestion], source: str) -> dict:
    """The JSON contract above, from suggestions in order (a unit's tracks share ``work_group``)."""
    units: list[dict] = []
    group = None
    for s in suggestions:
        track = track_by_id(db, s.track_id)
        if track is None:  # removed since the library was indexed
            continue
        if s.work_group != group or not units:
            group = s.work_group
            units.append(
                {
                    "composer": track.composer_name or track.composer,
                    "work": track.work_title or track.work or track.title,
                    "recording": track.recording_label,
                    "reason": s.reason,
                    "tracks": [],
                }
            )
        units[-1]["tracks"].append({"path": track.path, "duration_s": float(track.duration_s)})
    return {"source": source, "units": units}


def print_text(document: dict) -> None:
    if not document["units"]:
        print("Nothing to suggest.")
    for number, unit in enumerate(document["units"], 1):
        minutes = sum(t["duration_s"] for t in unit["tracks"]) / 60
        recording = f" ({unit['recording']})" if unit["recording"] else ""
        print(f"{number}. {unit['composer']}: {unit['work']}{recording}  {minutes:.1f} min")
        print(f"   {unit['reason']}")


def suggest_main(argv: list[str], profile_of: Callable[[str | None], Profile]) -> int:
    args = suggest_parser().parse_args(argv)
    profile = profile_of(args.profile)
    if not profile.database.exists():
        print(f"continuo: no library in {profile.root}", file=sys.stderr)
        return 1
    read_only = False
    try:
        try:
            db = open_database(profile.database)
        except DatabaseError as exc:
            if exc.kind != "cannot-write":
                raise
            read_only = True  # suggesting only reads the profile
            db = open_database(profile.database, read_only=True)
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        return 2
    try:
        wanted = [*args.after, *([args.to] if args.to else [])]
        given = [str(Path(p).expanduser().resolve()) for p in wanted]
        ids = track_ids_by_path(db, [*wanted, *given])
        session = []
        for raw, resolved in zip(wanted, given, strict=True):
            track_id = ids.get(raw, ids.get(resolved))
            if track_id is None:
                print(f"continuo: {raw} is not a track in the library", file=sys.stderr)
                return 1
            session.append(track_id)
        rec = Recommender(profile.database, profile.models / "current", read_only=read_only)
        if args.to:
            found = rec.path_to(session[:-1], session[-1])
        else:
            found = rec.suggest(session, n=args.n, mode=args.mode, minutes=args.minutes)
        document = suggestion_document(db, found, rec.status().source)
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        return 2
    finally:
        db.close()
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False)
        print()
    else:
        print_text(document)
    return 0
