"""Opening the listener's profile database at start, whatever state the file or disk is in.

The rule: never lose or hide a library because of a passing condition. Only a file SQLite proves
damaged (not a database, or ``quick_check`` finds corruption) is copied aside and rebuilt from
what can still be read. A file another program holds is waited for, then reported. A full disk or
a read-only file or folder opens the library read-only with a notice; the play log keeps plays
in memory and writes them when it can (:mod:`player.playlog`).

The integrity check reads every page. A small database is checked before the window opens; a
large one (:data:`START_CHECK_BYTES`: a decade of plays is hundreds of MB) after the window
shows its library (:func:`finish_check`); damage found then is noted in the profile
(:data:`DAMAGE_NOTE`) and the next start recovers the file before opening it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from player.errors import ContinuoError, DatabaseError
from player.profile import Profile
from player.store.db import Database, open_database
from player.store.repair import quick_check, recover

log = logging.getLogger(__name__)

BUSY_WAIT_S = 20.0
"""How long start-up waits for another program to release the database before saying so."""
MIN_FREE_BYTES = 1 << 20
"""Less free space than this on the profile's disk counts as full: the library opens read-only."""
BUSY_RETRY_S = 2.0
"""Each attempt waits this long on SQLite's lock, then ``on_wait`` hears how long is left."""
START_CHECK_BYTES = 32 << 20
"""A database up to this size is checked before the window opens (a tenth of a second or so);
a larger one (a decade of plays is hundreds of MB, seconds of reading) by :func:`finish_check`
once the window shows its library."""
DAMAGE_NOTE = "continuo.db.damage-found"
"""In the profile: the problem :func:`finish_check` found; the next start recovers the file."""


def open_profile_database(
    profile: Profile,
    notices: list[str],
    *,
    wait_s: float = BUSY_WAIT_S,
    on_wait: Callable[[str], None] | None = None,
    unchecked: list[Path] | None = None,
    checked: Future[str | None] | None = None,
) -> Database:
    """The profile's database, writable when possible; adds what the listener must know to
    ``notices``. ``on_wait`` gets a line to show while the listener waits (another program
    holds the file, or a damaged one is being recovered). A database too large to check at
    start (:data:`START_CHECK_BYTES`) is left to the caller when it gives ``unchecked``: its path
    goes in there, and the caller runs :func:`finish_check` later. ``checked`` is the check
    begun by :func:`check_early`, taken instead of checking again when it ran.

    Raises :class:`DatabaseError` when the file is still busy after ``wait_s`` (``kind`` "busy"),
    is from a newer Continuo, or cannot be opened even for reading.
    """
    path = profile.database
    deadline = time.monotonic() + wait_s
    while True:
        left = deadline - time.monotonic()
        try:
            db = open_database(path, timeout_s=max(0.1, min(BUSY_RETRY_S, left)))
            break
        except DatabaseError as exc:
            if exc.kind == "busy" and time.monotonic() < deadline:
                if on_wait is not None:
                    on_wait(
                        f"Another program is using {path}; waiting up to "
                        f"{max(0, round(deadline - time.monotonic()))} s for it to finish…"
                    )
                continue
            if exc.kind == "busy":
                raise DatabaseError(
                    "Another program holds your Continuo profile",
                    f"{path} stayed locked for {wait_s:.0f} s (a second Continuo, a backup or a "
                    "database tool?). Close that program and start Continuo again, or start "
                    "with another --profile. Nothing was changed.",
                    kind="busy",
                ) from exc
            if exc.kind == "cannot-write":
                return _read_only(profile, notices, exc)
            if exc.kind == "damaged":
                return _recovered(profile, notices, str(exc.__cause__ or exc), on_wait)
            raise
    problem: str | None = _damage_found_before(profile)
    if not problem and unchecked is not None and _size(path) > START_CHECK_BYTES:
        unchecked.append(path)
    elif not problem:  # None: not finished within its budget; the next start checks
        early = checked.result() if checked is not None else None
        problem = quick_check(db) if early is None else early
    if problem not in ("ok", None, ""):
        db.close()
        return _recovered(profile, notices, problem, on_wait)
    cannot_write = _cannot_write(profile)
    if cannot_write:
        db.close()
        return _read_only(profile, notices, DatabaseError(cannot_write, kind="cannot-write"))
    return db


def check_early(profile: Profile) -> Future[str | None]:
    """Begin the start's integrity check now, on a thread of its own, and give its answer for
    :func:`open_profile_database` (``checked``): SQLite reads with the GIL released, so the
    check (~50 ms at 10,000 tracks) runs while Qt is imported instead of after it. The answer
    is :func:`quick_check`'s (``""`` when its budget ran out), or None where the check could
    not run here and is left to the open: no file yet, one too large to check at start, one
    that cannot be opened for reading (busy, damaged, an older schema)."""
    answer: Future[str | None] = Future()

    def check() -> None:
        result = None  # on a bug here too: the open checks again
        try:
            result = _check_read_only(profile.database)
        finally:
            answer.set_result(result)

    threading.Thread(target=check, name="continuo-start-check", daemon=True).start()
    return answer


def _check_read_only(path: Path) -> str | None:
    if not 0 < _size(path) <= START_CHECK_BYTES:
        return None
    try:
        db = open_database(path, read_only=True, timeout_s=0.1)
    except DatabaseError:
        return None
    try:
        problem = quick_check(db)
    finally:
        db.close()
    return "" if problem is None else problem


def finish_check(profile: Profile, should_stop: Callable[[], bool]) -> str | None:
    """Check the whole profile database (off the GUI thread, after start): the problem found,
    also noted in the profile for the next start to recover; None when it is sound or the check
    was stopped."""
    try:
        db = open_database(profile.database, read_only=True)
    except DatabaseError as exc:
        problem = str(exc.__cause__ or exc) if exc.kind == "damaged" else None
    else:
        try:
            problem = quick_check(db, budget_s=float("inf"), should_stop=should_stop)
        finally:
            db.close()
    if problem in ("ok", None):
        return None
    log.warning("%s is damaged: %s", profile.database, problem)
    try:
        (profile.root / DAMAGE_NOTE).write_text(problem + "\n", encoding="utf-8")
    except OSError as exc:  # a read-only or full profile: said now, found again next time
        log.warning("damage not noted for the next start: %s", exc)
    return problem


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _damage_found_before(profile: Profile) -> str:
    """What :func:`finish_check` found in an earlier session, or ``""``."""
    try:
        return (profile.root / DAMAGE_NOTE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _cannot_write(profile: Profile) -> str:
    """Why the profile cannot take writes although SQLite opened it (it opens a read-only file
    or a full disk without complaint and fails at the first write), or ``""``."""
    path = profile.database
    if not os.access(path, os.W_OK) or not os.access(profile.root, os.W_OK):
        return f"Continuo cannot write to the library database {path.name} (read-only)"
    if shutil.disk_usage(profile.root).free < MIN_FREE_BYTES:
        return f"Continuo cannot write to the library database {path.name} (the disk is full)"
    return ""


def _read_only(profile: Profile, notices: list[str], exc: DatabaseError) -> Database:
    db = open_database(profile.database, read_only=True)
    notices.append(
        f"{exc.short}: the disk may be full, or the file or its folder read-only. Your library "
        "is shown as it was, read-only; what you play is kept in memory and saved as soon as "
        "the profile can be written. Free some space or fix the permissions, then restart "
        "Continuo."
    )
    log.warning("opened read-only: %s", exc)
    return db


def _recovered(
    profile: Profile, notices: list[str], problem: str, on_wait: Callable[[str], None] | None
) -> Database:
    """Rebuild a damaged database from what can be read; read-only when that cannot be done."""
    path = profile.database
    log.warning("%s is damaged: %s", path, problem)
    if on_wait is not None:
        on_wait(f"{path} is damaged; keeping a copy and recovering what can be read…")
    try:
        recovery = recover(path)
    except (OSError, sqlite3.Error) as exc:  # no room for the copy, a read-only folder
        notices.append(
            f"The library database {path.name} is damaged ({problem}) and Continuo cannot "
            f"repair it now ({exc}). It is shown read-only as far as it can be read; free "
            "some space or fix the folder's permissions, then restart Continuo."
        )
        return open_database(path, read_only=True)
    notices.append(
        f"The library database was damaged ({problem}). Continuo kept the damaged file as "
        f"{recovery.damaged_copy.name} and recovered {recovery.summary()}; your music files "
        "are untouched and playing goes on."
    )
    log.warning("recovered %s into %s: %s", path, path.name, recovery)
    (profile.root / DAMAGE_NOTE).unlink(missing_ok=True)
    return open_database(path)


def open_for_command(profile: Profile, missing: str) -> Database | int:
    """The profile's database for a headless command, or the exit status after saying on stderr
    why not: 1 when there is no database yet (``missing`` says what is absent), 2 when it cannot
    be opened."""
    if not profile.database.exists():
        print(f"continuo: {missing} in {profile.root}", file=sys.stderr)
        return 1
    try:
        return open_database(profile.database)
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        return 2
