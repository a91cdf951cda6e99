"""Reading a scan's new and changed files, in order, on reader threads or worker processes.

Reading a file (:func:`player.library.tags.read_track`) is now mostly Python — header parsing,
tag cleaning, identity — so threads share one core under the GIL, and that work competes with
the window's thread and the audio callback when the scan runs inside the player. A first scan of
many files is therefore read by worker processes (``spawn``: forking a process that runs Qt and
PortAudio threads is unsafe), one per core up to :data:`PROCESSES`; the scan's thread only
stores. Starting them costs about 0.4 s of CPU each (Python, mutagen, the domain rules), which
pays off from a few thousand files (:data:`PROCESS_MIN_FILES`); fewer are read by threads, which
still overlap waiting on a cold disk.

Either way results come back in the order asked, at most two slices ahead of the one being
stored, so memory stays bounded however large the library; closing the iterator (a scan asked to
stop) cancels what was not begun. Files already stored are never sent: a scan stopped or killed
resumes where its last transaction ended, and its worker processes end within a second. If a
worker process dies (a crash in a decoder), the rest is read by threads in this process, as
before there were processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import operator
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields
from typing import NamedTuple, TypeVar

from player.library.probe import UnreadableFileError
from player.library.tags import TagReport, read_track
from player.store.tracks import Track

log = logging.getLogger(__name__)
T = TypeVar("T")

THREADS = 4
"""Reader threads for scans of few files."""
THREAD_SLICE = 64
"""Files handed to the reader threads at a time."""
PROCESSES = 4
"""At most this many worker processes (never more than the cores this process may use)."""
PROCESS_MIN_FILES = 4000
"""New or changed files from which worker processes are started (~0.7 s of reading at 0.17 ms
a file; their start costs ~0.45 s CPU each, but the reading leaves the player's process and its
GIL)."""
PROCESS_SLICE = 512
"""Files handed to the worker processes at a time..."""
PROCESS_CHUNK = 64
"""...in tasks of this many, so a result crosses between processes in batches."""
WORKER_NICE = 5
"""Worker processes' niceness: on a busy machine the window and the audio callback (nice 0)
weigh three times as much. Milder than analysis (nice 10, idle-only): a scan is asked for and
waited on, and lasts a minute, not hours."""
PARENT_CHECK_S = 0.5
"""How often a worker process looks whether the scanning process is still there."""


class FoundFile(NamedTuple):
    """A file met by a scan's walk, with its stat signature and the root it was found under
    (a tuple: a re-scan makes one per file, 100,000 of them)."""

    path: str
    root: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class FileProblem:
    """Why a file cannot be a track: the Problems list's reason, and for an error no rule
    foresaw its traceback (logged by the scan's thread)."""

    reason: str
    trace: str = ""


Outcome = tuple[Track, TagReport] | FileProblem
_Packed = tuple[tuple, list[str]] | FileProblem
"""An outcome as a worker process sends it: the track as a plain tuple of its field values."""
_track_values = operator.attrgetter(*(f.name for f in fields(Track)))


def read_in_order(files: Sequence[FoundFile]) -> Generator[tuple[FoundFile, Outcome], None, None]:
    """Each of ``files`` with what reading it gave, in order (see the module's docstring)."""
    done = 0
    processes = _process_pool() if len(files) >= PROCESS_MIN_FILES else None
    if processes is not None:
        try:
            for found, packed in _ordered(
                processes, files, PROCESS_SLICE, PROCESS_CHUNK, _read_packed
            ):
                yield found, _unpacked(packed)
                done += 1
            return
        except BrokenProcessPool:
            log.warning("a scan's worker process ended unexpectedly; reading on in this process")
        finally:
            processes.shutdown(wait=True, cancel_futures=True)
    threads = ThreadPoolExecutor(THREADS, thread_name_prefix="scan-reader")
    try:
        yield from _ordered(threads, files[done:], THREAD_SLICE, 1, read_file)
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


def read_file(found: FoundFile) -> Outcome:
    """A reader's job: the file's track, or why it cannot be one."""
    try:
        return read_track(found.path, size=found.size, mtime_ns=found.mtime_ns, root=found.root)
    except UnreadableFileError as exc:
        return FileProblem(exc.short)
    except Exception as exc:  # a surprise (a parser's bug) must not stop the scan
        return FileProblem(unexpected(exc, "read"), traceback.format_exc())


def _read_packed(found: FoundFile) -> _Packed:
    """:func:`read_file` in a worker process, for the trip back: pickling a slotted dataclass
    runs Python for each of its 46 fields (~45 us a track between the two processes, most of
    it in the scanning process, which stores every track alone), a tuple of them ~10 us."""
    outcome = read_file(found)
    if isinstance(outcome, FileProblem):
        return outcome
    track, report = outcome
    return _track_values(track), report.cut


def _unpacked(packed: _Packed) -> Outcome:
    if isinstance(packed, FileProblem):
        return packed
    values, cut = packed
    return Track(*values), TagReport(cut)


def unexpected(exc: BaseException, doing: str) -> str:
    """A Problems-list reason for an error no rule foresaw, naming it so it can be reported."""
    return (
        f"Continuo could not {doing} this file because of an unexpected error "
        f"({type(exc).__name__}: {str(exc)[:120]}); please report it"
    )


def _process_pool() -> ProcessPoolExecutor | None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        return None
    try:
        return ProcessPoolExecutor(
            min(PROCESSES, cores or 1),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
    except (OSError, ImportError, NotImplementedError) as exc:  # no semaphores here, say
        log.info("scan: no worker processes (%s); reading on threads", exc)
        return None


def _worker_start(parent: int) -> None:
    """In a worker process: yield to the player's own threads (the audio callback, the window),
    and end when the scanning process is gone (killed, it cannot say so; the workers would
    otherwise wait for work forever)."""
    os.nice(WORKER_NICE)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="scan-parent-watch", daemon=True).start()


def _ordered(
    executor: Executor,
    files: Sequence[FoundFile],
    size: int,
    chunk: int,
    read: Callable[[FoundFile], T],
) -> Iterator[tuple[FoundFile, T]]:
    """``files`` read by ``executor`` (``read`` on each) a slice at a time, the next slice
    already being read while one is handed out."""
    ahead: deque = deque()
    for start in range(0, len(files), size):
        piece = files[start : start + size]
        ahead.append((piece, executor.map(read, piece, chunksize=chunk)))
        if len(ahead) > 1:
            yield from zip(*ahead.popleft(), strict=True)
    while ahead:
        yield from zip(*ahead.popleft(), strict=True)
