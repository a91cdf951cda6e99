"""``continuo``: open the player; ``continuo history``, ``scan``, ``library``, ``suggest`` and
``import-history`` work without it.

``continuo [options] FILE_OR_FOLDER...`` opens files and folders (the desktop entry's
``Exec=continuo %F``); with ``--play`` it plays exactly those, in the order given. Options Qt
understands (``-platform offscreen``, ``-style …``) are passed on to Qt.

Each command imports what it runs only when it runs: opening the window must not pay for the
recommender, the demo's library or the importers before its first paint.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from player.allocator import give_back_large_buffers
from player.errors import ContinuoError, DatabaseError
from player.profile import Profile


def _profile(path: str | None) -> Profile:
    return Profile(Path(path).expanduser()).create() if path else Profile.default()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo",
        description="Continuo, a player for classical music. `continuo history` prints the "
        "listening log, `continuo scan PATH...` adds and scans folders, `continuo library` "
        "prints the library, `continuo suggest` prints what Up next would suggest, "
        "`continuo import-history FILE` imports another player's listening history.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="FILE_OR_FOLDER",
        type=Path,
        help="files or folders to open (added to the library); with --play, played in this order",
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (database, models, logs)")
    parser.add_argument(
        "--library",
        metavar="PATH",
        action="append",
        default=[],
        type=Path,
        help="a music folder to add and scan (repeatable)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the bundled demo library with an example listening history and its model "
        "(in a throwaway profile unless --profile is given)",
    )
    parser.add_argument(
        "--play",
        action="store_true",
        help="start playing at once: the files and folders given, else the library",
    )
    parser.add_argument(
        "--analysis-workers",
        metavar="N",
        type=_positive_int,
        help="processes analysing the library at once, at idle priority "
        "(default: every core but one)",
    )
    parser.add_argument(
        "--quit-after", metavar="SECONDS", type=float, help="close the window after this long"
    )
    parser.add_argument(
        "--no-audio",
        action="store_true",
        help="play silently (no sound device is opened); also CONTINUO_NO_AUDIO=1",
    )
    return parser


def history_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="continuo history", description="Print the listening sessions and their plays."
    )
    parser.add_argument("--profile", metavar="DIR", help="profile folder (default: the user's)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def history_records(profile: Profile) -> Iterator[dict]:
    """The log as plain data, one session at a time, each with its plays (what ``--json``
    prints); read as it is consumed, so a decade of plays needs no more memory than a day.

    Raises :class:`DatabaseError` (never a bare sqlite3 error) when the log cannot be read.
    """
    from player.fspath import shown
    from player.store.db import database_error, open_database
    from player.store.plays import iter_listening_sessions

    try:
        db = open_database(profile.database)
    except DatabaseError as exc:
        if exc.kind != "cannot-write":
            raise
        db = open_database(profile.database, read_only=True)  # reading needs no room
    try:
        for session in iter_listening_sessions(db):
            plays = [
                {
                    "track_id": p.track_id,
                    "track": shown(p.path) if p.path else "",
                    "composer": p.composer,
                    "work": p.work,
                    "title": p.title,
                    "started_at": p.started_at.isoformat(timespec="milliseconds"),
                    "ms_heard": p.ms_heard,
                    "ended_how": p.ended_how,
                    "started_by": p.started_by,
                }
                for p in session
            ]
            yield {
                "started_at": plays[0]["started_at"],
                "ms_heard": sum(p["ms_heard"] for p in plays),
                "plays": plays,
            }
    except sqlite3.Error as exc:
        raise database_error(profile.database, exc, doing="read the listening log in") from exc
    finally:
        db.close()


def print_history(sessions: Iterable[dict]) -> None:
    number = 0
    for number, session in enumerate(sessions, 1):
        minutes = session["ms_heard"] / 60000
        print(f"Session {number}: {session['started_at']}  ({minutes:.1f} min heard)")
        for p in session["plays"]:
            seconds = p["ms_heard"] / 1000
            what = " · ".join(x for x in (p["composer"], p["work"], p["title"]) if x)
            print(
                f"  {p['started_at'][11:19]}  {seconds:7.1f} s  "
                f"{p['ended_how'] or 'playing':<11} {p['started_by']:<10} {what}"
            )
    if not number:
        print("No plays yet.")


def print_history_json(sessions: Iterable[dict]) -> None:
    """The same text as ``json.dump(list(sessions), indent=2)``, written a session at a time."""
    out = sys.stdout
    opened = False
    for session in sessions:
        text = json.dumps(session, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write(("," if opened else "[") + "\n  " + text)
        opened = True
    out.write("\n]\n" if opened else "[]\n")


def history_main(argv: list[str]) -> int:
    args = history_parser().parse_args(argv)
    profile = _profile(args.profile)
    if not profile.database.exists():
        print(f"continuo: no listening log in {profile.root}", file=sys.stderr)
        return 1
    try:
        (print_history_json if args.json else print_history)(history_records(profile))
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        return 2
    return 0


QT_VALUE_OPTIONS = frozenset(
    {"-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-style", "-stylesheet"}
    | {"-display", "-geometry", "-qwindowgeometry", "-qwindowtitle", "-qwindowicon", "-session"}
)
"""Qt options followed by a value, which must not be read as a file to open."""


def split_qt_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """``(ours, Qt's)``: Qt's value-taking options and their values are set aside first."""
    ours, qt = [], []
    items = iter(argv)
    for item in items:
        if item in QT_VALUE_OPTIONS:
            qt.extend([item, next(items, "")])
        else:
            ours.append(item)
    return ours, qt


COMMANDS = {
    "scan": ("player.library_commands", "scan_main"),
    "library": ("player.library_commands", "library_main"),
    "suggest": ("player.suggest_command", "suggest_main"),
    "import-history": ("player.import_command", "import_main"),
}
"""The headless commands: ``(module, function)``, imported when the command is given."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["history"]:
        return history_main(argv[1:])
    if argv[:1] and argv[0] in COMMANDS:
        module, name = COMMANDS[argv[0]]
        command = getattr(importlib.import_module(module), name)
        return command(argv[1:], _profile)
    ours, qt_argv = split_qt_options(argv)
    args, unknown = app_parser().parse_known_args(ours)
    qt_argv += unknown
    libraries = list(args.library)
    opened = [p.expanduser().resolve() for p in args.paths]
    missing = [p for p in opened if not p.exists()]
    for path in missing:
        print(f"continuo: {path} does not exist; it is not opened", file=sys.stderr)
    opened = [p for p in opened if p.exists()]
    libraries += opened
    if args.demo:
        from player.demo import DEMO_LIBRARY, create_demo_profile

        libraries.append(DEMO_LIBRARY)
        profile = _profile(args.profile) if args.profile else Profile.throwaway()
        try:  # the example history and its model, so Up next is personal from the start
            create_demo_profile(profile)
        except ContinuoError as exc:  # the demo library still opens, without the history
            print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
    else:
        profile = _profile(args.profile)
    # The window's start makes hundreds of thousands of objects that live as long as it does:
    # the cyclic collector waits until its library is shown (player.app.run_window), instead
    # of passing over them again and again (a tenth of the start's CPU).
    gc.disable()
    give_back_large_buffers()  # before the window's threads start (player.allocator)
    from player.app import main as app_main  # Qt is imported only when a window opens

    return app_main(
        profile,
        libraries,
        qt_argv,
        play=args.play,
        play_paths=opened if args.play else [],
        quit_after=args.quit_after,
        no_audio=args.no_audio,
        analysis_workers=args.analysis_workers,
    )
