"""``continuo import-history [--profile DIR] FILE``: another player's listening history into the
profile (Last.fm scrobble CSV, ListenBrainz JSON export, Continuo's own ``history --json``).

Prints the matched / unmatched counts; each bad line as ``FILE:LINE: why`` on stderr. Importing
the same file again adds nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from player.history_import import NotAHistory, import_history
from player.profile import Profile
from player.profile_db import open_for_command


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo import-history",
        description="Import a listening history (Last.fm CSV, ListenBrainz JSON, Continuo's "
        "history --json) into the profile, matched to the library's tracks.",
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (default: the user's)")
    parser.add_argument("file", metavar="FILE", type=Path, help="the exported history")
    return parser


def import_main(argv: list[str], profile_of: Callable[[str | None], Profile]) -> int:
    args = import_parser().parse_args(argv)
    profile = profile_of(args.profile)
    db = open_for_command(profile, "no library (scan one first)")
    if isinstance(db, int):
        return db
    try:
        report = import_history(db, args.file)
    except (NotAHistory, OSError) as exc:
        print(f"continuo: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    for name in report.unmatched:
        print(f"  not in the library: {name}")
    if report.unmatched_count > len(report.unmatched):
        print(f"  … and {report.unmatched_count - len(report.unmatched)} more")
    return 0
