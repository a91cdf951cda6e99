"""Scanning music folders into the profile database, incrementally.

A scan walks the folders first (cheap: one ``stat`` per file), marks files that are gone as
missing, skips files whose size and modification time are unchanged without opening them, and
reads only new or changed files. A file that turns up at a new path with the size and item key
of a missing track is the same recording moved: it keeps its track id and so its history.
A file that cannot be read or stored, for any reason, is recorded as a Problem with its reason
and the scan goes on; a track already stored for it is left as it was. A file name that is not
valid UTF-8 is stored with its exact bytes (:func:`player.store.db.path_to_db`). Scans run on a worker thread; cancel with ``should_stop`` and
scan again to resume.

New and changed files are read by reader threads, or for a first scan of many files by worker
processes (:mod:`player.library.readers`), while the scan's own thread keeps the order, matches
moved files and writes them a batch per transaction; a few slices of read tracks at most wait
in memory. Unchanged files cost one ``stat`` in the walk and a dictionary lookup against the
signatures loaded in one query: no SQL per file.
"""

from __future__ import annotations

import logging
import operator
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from player.fspath import shown
from player.library.readers import FileProblem, FoundFile, Outcome, read_in_order, unexpected
from player.store import tracks as store
from player.store.db import Database, fault_kind
from player.store.tracks import Track

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = frozenset(
    {".flac", ".ogg", ".oga", ".opus", ".mp3", ".wav", ".m4a", ".aiff", ".aif"}
)
BATCH_SIZE = 200
"""Tracks (and problems) written per transaction: large enough to be fast, small enough to show
progress and to lose little when a scan is killed."""
_ROW_ERRORS = (sqlite3.Error, OverflowError, ValueError)
"""What storing one odd track can raise (an out-of-range integer, a value SQLite cannot bind)."""
PROGRESS_INTERVAL_S = 0.05
"""At most ~20 progress callbacks a second, so a UI thread is never flooded."""


@dataclass
class ScanProgress:
    """Where a scan stands; the last one returned is the scan's summary."""

    done: int
    total: int
    current: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    problems: int = 0
    changed_paths: frozenset[str] | None = None
    """In the summary: the files whose tracks the scan stored, moved or marked missing, so that
    a reader of the library may patch what it holds; None while scanning, or when the scan
    changed tracks it does not name (identities brought up to new rules, works merged)."""


@dataclass
class _Walk:
    unreadable_dirs: list[tuple[Path, str]] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)


def scan_library(
    db: Database,
    roots: Sequence[Path],
    *,
    on_progress: Callable[[ScanProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanProgress:
    """Scan ``roots`` (remembered as library folders) into ``db``; returns the final progress.

    ``on_progress`` is called from this thread at most ~20 times a second and once at the end;
    ``should_stop`` is asked between files.
    """
    scan = _Scan(db, on_progress, should_stop or (lambda: False))
    return scan.run([Path(os.path.abspath(r)) for r in roots])


class _Scan:
    def __init__(
        self,
        db: Database,
        on_progress: Callable[[ScanProgress], None] | None,
        should_stop: Callable[[], bool],
    ) -> None:
        self.db = db
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.progress = ScanProgress(done=0, total=0, current="")
        self.last_report = 0.0
        self.batch: list[Track] = []
        self.warnings: list[tuple[Track, str]] = []
        self.problems: list[tuple[str, str, int | None, int | None]] = []  # written at a flush
        self.moved_from: dict[tuple[int, str], list[Track]] = {}
        self.missing_paths: set[str] = set()
        self.known: set[str] = set()  # changed files already stored (updated, not added)
        self.changed: set[str] | None = set()  # tracks' files written (None: not only those)

    def run(self, roots: list[Path]) -> ScanProgress:
        if store.refresh_identities(self.db):  # rows identified by older rules, from stored tags
            self.changed = None
        # path -> (size, mtime_ns) of the files stored; the walk takes out each one it meets,
        # so what is left when it ends is gone, and an unchanged file is never held in memory
        unmet = store.file_signatures(self.db)
        folder_problems = [p for p, _ in store.problems(self.db) if p not in unmet]
        walk = _Walk()
        changed: list[FoundFile] = []
        present_roots = []
        for root in roots:
            store.add_library_root(self.db, str(root))
            if root.is_dir():
                present_roots.append(root)
                found: Iterable[FoundFile] = _walk_dir(str(root), str(root), walk)
            elif root.is_file():  # a file opened on its own (``continuo FILE``)
                present_roots.append(root)
                walked = any(root.is_relative_to(r) for r in roots if r != root)
                found = [] if walked else [_found(root, root.stat())]
            else:  # an unplugged drive: keep its tracks as they are
                walk.unreadable_dirs.append((root, "The music folder is not there (unplugged?)"))
                found = []
            for file in found:
                stored = unmet.pop(file.path, None)
                if stored != (file.size, file.mtime_ns):
                    changed.append(file)
                    if stored is not None:
                        self.known.add(file.path)
                else:
                    self.progress.unchanged += 1
        self.progress.total = self.progress.unchanged + len(changed)
        self.progress.done = self.progress.unchanged
        self._report(force=True)
        self._mark_gone(present_roots, walk, unmet, folder_problems)
        for directory, reason in walk.unreadable_dirs:
            store.record_problem(self.db, str(directory), reason, None, None)
        if changed:
            self._missing_by_identity()
        with closing(read_in_order(changed)) as outcomes:
            for found_file, outcome in outcomes:
                if self.should_stop():  # what was read past here is read again next time
                    break
                self.progress.current = found_file.path
                self._store(found_file, outcome, known=found_file.path in self.known)
                self.progress.done += 1
                self._report()
        self._flush()
        # "Symphony No. 5" is the known "…, Op. 67": tracks the scan did not read may move
        if (self.progress.added or self.progress.updated) and store.merge_identities(self.db):
            self.changed = None
        self.progress.current = ""
        self._report(force=True)
        paths = None if self.changed is None else frozenset(self.changed)
        return replace(self.progress, changed_paths=paths)

    def _mark_gone(
        self, roots: list[Path], walk: _Walk, unmet: dict, folder_problems: list[str]
    ) -> None:
        """Flag stored files the walk did not meet as missing, and clear problems of folders
        that no longer apply.

        Nothing under a folder that cannot be read now (or a root that is not there) is touched.
        """
        unreadable = {str(d) for d, _ in walk.unreadable_dirs}
        shielded = tuple(d + os.sep for d in unreadable)
        under = tuple(str(r) + os.sep for r in roots)
        root_paths = {str(r) for r in roots}

        def gone(path: str) -> bool:
            inside = path.startswith(under) or path in root_paths
            return inside and path not in unreadable and not path.startswith(shielded)

        files = [p for p in unmet if gone(p)]
        store.mark_missing(self.db, files + [p for p in folder_problems if gone(p)])
        self._changed(files)
        self.progress.missing = len(files)

    def _missing_by_identity(self) -> None:
        """Index missing tracks by (size, item key): a new file matching one is that track, moved."""
        for track in store.missing_tracks(self.db):
            self.moved_from.setdefault((track.size, track.item_key), []).append(track)
            self.missing_paths.add(track.path)

    def _store(self, found: FoundFile, outcome: Outcome, *, known: bool) -> None:
        if isinstance(outcome, FileProblem):
            if outcome.trace:
                log.warning("could not read %s:\n%s", shown(found.path), outcome.trace)
            self.problems.append((found.path, outcome.reason, found.size, found.mtime_ns))
            self.progress.problems += 1
            if len(self.problems) >= BATCH_SIZE:
                self._flush()
            return
        track, report = outcome
        if report.reason:
            self.warnings.append((track, report.reason))
        earlier = self.moved_from.get((track.size, track.item_key))
        if earlier and track.path not in self.missing_paths:
            old = earlier.pop(0)
            self.missing_paths.discard(old.path)
            assert old.id is not None  # read from the database, so it has one
            store.move_track(self.db, old.id, track)
            self._changed([track.path])
            self.progress.updated += 1
            return
        self.batch.append(track)
        self._changed([track.path])
        if known:
            self.progress.updated += 1
        else:
            self.progress.added += 1
        if len(self.batch) >= BATCH_SIZE:
            self._flush()

    def _changed(self, paths: Iterable[str]) -> None:
        if self.changed is not None:
            self.changed.update(paths)

    def _flush(self) -> None:
        try:
            store.upsert_tracks(self.db, self.batch)
        except _ROW_ERRORS as exc:
            if fault_kind(exc) != "other":  # the database itself fails: the scan cannot go on
                raise
            self._store_one_by_one()
        self.batch = []
        for track, reason in self.warnings:  # after the tracks: storing one clears its problem
            self.problems.append((track.path, reason, track.size, track.mtime_ns))
            self.progress.problems += 1
        self.warnings = []
        if self.problems:
            store.record_problems(self.db, self.problems)
        self.problems = []

    def _store_one_by_one(self) -> None:
        """A batch failed on one odd track: store the others, make that one a Problem."""
        for track in self.batch:
            try:
                store.upsert_tracks(self.db, [track])
            except _ROW_ERRORS as exc:
                if fault_kind(exc) != "other":
                    raise
                log.warning("could not store %s", shown(track.path), exc_info=True)
                reason = unexpected(exc, "store")
                self.problems.append((track.path, reason, track.size, track.mtime_ns))
                self.progress.problems += 1

    def _report(self, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_report >= PROGRESS_INTERVAL_S:
            self.last_report = now
            self.on_progress(replace(self.progress))


_name = operator.attrgetter("name")


def _found(path: Path, info: os.stat_result) -> FoundFile:
    return FoundFile(str(path), str(path.parent), info.st_size, info.st_mtime_ns)


def _walk_dir(directory: str, root: str, walk: _Walk) -> Iterator[FoundFile]:
    """Audio files below ``directory`` in name order; hidden entries skipped, a folder met twice
    (a link loop, or roots inside each other) walked once."""
    try:
        info = os.stat(directory)
        if (info.st_dev, info.st_ino) in walk.seen:
            return
        walk.seen.add((info.st_dev, info.st_ino))
        with os.scandir(directory) as entries:
            listing = sorted(entries, key=_name)
    except OSError as exc:
        reason = (
            "Continuo is not allowed to read this folder (permission denied)"
            if isinstance(exc, PermissionError)
            else f"The folder cannot be read ({exc.strerror or exc})"
        )
        walk.unreadable_dirs.append((Path(directory), reason))
        return
    for entry in listing:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                yield from _walk_dir(entry.path, root, walk)
            elif entry.name[entry.name.rfind(".") :].lower() in AUDIO_EXTENSIONS:
                stat = entry.stat()
                yield FoundFile(entry.path, root, stat.st_size, stat.st_mtime_ns)
        except OSError:  # a dangling link or a file removed while walking
            continue
