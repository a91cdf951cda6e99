"""The background analysis: N child processes at idle priority, driven by the main process.

``AnalysisService`` runs a dispatcher thread in the main process. It asks the store for the
tracks without features of the current analysis version and hands their paths, one at a time
each, to ``workers`` child processes (``spawn``; each child lowers itself to ``nice 10`` and
Linux ``SCHED_IDLE``, so it only gets CPU time that playback and the UI leave). It receives the
small results (histogram and summary numbers) and writes them with
:mod:`player.store.features`, so only the main process writes the profile. A child that dies on
a file is noticed; the file is marked "analysis worker crashed" and a fresh child goes on with
the next one. A child stopped from outside (SIGTERM, SIGHUP: a logout stops every process of the
session) leaves its file for the next run instead, and Ctrl+C is left to the app. No Qt here:
progress goes to a callback (called from the dispatcher thread), which the UI wraps in a signal.

Why processes, not threads: the analysis is numpy and Python in equal parts, and a thread
would hold the GIL against the audio engine's decoder thread; why ``cores − 1`` by default:
one core stays free for playback, the UI and whatever else the listener runs.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from player.analysis.version import ANALYSIS_VERSION, CLASS_MODEL_PATH, EMBEDDING_PATH
from player.domain.keys import Key, notated_key
from player.errors import ContinuoError, DatabaseError
from player.faults import Faults
from player.fspath import file_on_disk
from player.priority import SLICE, Priority
from player.store.db import Database, open_database
from player.store.features import (
    TrackFeatures,
    save_failure,
    save_features,
    tracks_needing_analysis,
)
from player.store.tracks import track_by_id

CRASHED = "analysis worker crashed"
STOPPED_FROM_OUTSIDE = frozenset(
    -getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)
"""A child's exit codes that say it was stopped (logout's SIGTERM to the session, a hang-up),
not that its file made it crash (SIGSEGV, SIGABRT, the out-of-memory killer's SIGKILL)."""
_POLL_S = 0.1


def default_workers() -> int:
    """Analysis processes when the setting is not given: every core but one, at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


@dataclass(frozen=True)
class AnalysisProgress:
    """Where the background analysis stands; ``current`` is the file handed out last that is
    still being analysed (None when no file is)."""

    done: int
    total: int
    failed: int
    current: str | None
    eta_s: float | None  # None until one file has finished
    paused: bool
    finished: bool  # the queue is empty or the service was cancelled


def _lower_priority() -> None:
    """Run this process only on CPU time nothing else wants: ``nice 10`` everywhere, and Linux
    ``SCHED_IDLE`` where there is one (``nice`` alone still cost playback up to 2 s a minute on
    a busy two-core machine in ``bench_window_analysis_while_playing.py``; none with it)."""
    os.nice(10)
    if hasattr(os, "sched_setscheduler"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _child_main(conn: Connection, model_path: str, embedding_path: str) -> None:
    """The child: analyse each ``(path, notated key or None)`` received, send back
    ``("ok", TrackFeatures)`` or ``("failed", reason)``; ``None`` ends it. An embedding it
    refuses is said first, as ``("refused", reason)``, and then no content vector is stored.
    The embedding is checked here, not in the parent: loading it needs the signal stack, which
    the GUI process that runs the service has no other use for."""
    _lower_priority()
    # Ctrl+C in a terminal reaches every process of the group: the app closes on it and
    # stops this child itself, its file left for the next run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from player.analysis.embedding import learned_vector, load_embedding
    from player.analysis.key import estimate_key
    from player.analysis.pipeline import analyse_file
    from player.analysis.segments import SegmentClassModel

    model = SegmentClassModel.load(model_path)
    embedding, reason = load_embedding(model, Path(embedding_path))
    if reason:
        conn.send(("refused", reason))
    while (job := conn.recv()) is not None:
        path, notated = job
        try:
            a = analyse_file(path, model=model)
            key, tuning_hz = estimate_key(
                a.chroma, a.concert_tuning, notated, ending=a.ending_chroma
            )
            features = TrackFeatures(
                histogram=a.histogram,
                n_segments=len(a.segment_bounds_s),
                duration_s=a.duration_s,
                voiced_share=a.voiced_share,
                median_f0_hz=a.median_f0_hz,
                tuning=a.tuning,
                key=key.name,
                tuning_hz=round(tuning_hz, 1),
                content_vector=learned_vector(embedding, a),
            )
            conn.send(("ok", features))
        except ContinuoError as exc:
            conn.send(("failed", exc.short))
        except Exception as exc:  # a bug on one file must not stop the library's analysis
            conn.send(("failed", f"analysis error: {type(exc).__name__}: {exc}"))


class _Child:
    """One child process, the parent's end of its pipe and the file it holds (if any)."""

    def __init__(self, model_path: Path, embedding_path: Path) -> None:
        context = mp.get_context("spawn")
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_child_main, args=(child_conn, str(model_path), str(embedding_path)), daemon=True,
            name="continuo-analysis",
        )  # fmt: skip
        self.process.start()
        child_conn.close()
        self.job: tuple[int, str] | None = None  # (track_id, path) in hand

    def give(self, track_id: int, path: str, notated: Key | None) -> bool:
        """Hand over one file and the key its tags name; False if the child is gone."""
        self.job = (track_id, path)
        try:
            self.conn.send((path, notated))
        except OSError:
            return False
        return True

    def answer(self) -> tuple[str, TrackFeatures | str]:
        """The child's answer for its file (call when its pipe is readable or it died)."""
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return ("crashed", CRASHED)

    def stopped_from_outside(self) -> bool:
        """Whether the child, gone, was stopped by a signal its file cannot have caused."""
        self.process.join(timeout=2)
        return self.process.exitcode in STOPPED_FROM_OUTSIDE

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class AnalysisService:
    """Analyse, in the background, every track of the profile lacking current features.

    Parameters
    ----------
    db_path : the profile database (the dispatcher opens its own connection)
    on_progress : called with an :class:`AnalysisProgress` before and after each file, on
        pause/resume and at the end; from the dispatcher thread
    workers : child processes analysing at once (default :func:`default_workers`)
    priority : the listing of the queue pauses while its foreground jobs run
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        on_progress: Callable[[AnalysisProgress], None] | None = None,
        model_path: Path = CLASS_MODEL_PATH,
        embedding_path: Path = EMBEDDING_PATH,
        analysis_version: str = ANALYSIS_VERSION,
        workers: int | None = None,
        faults: Faults | None = None,
        priority: Priority | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.db_path = Path(db_path)
        self.faults = faults or Faults()
        self.priority = priority or Priority()
        self.on_progress = on_progress or (lambda progress: None)
        self.model_path = model_path
        self.embedding_path = embedding_path
        self.analysis_version = analysis_version
        self.workers = workers or default_workers()
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None
        self._children: list[_Child] = []
        self._state = AnalysisProgress(0, 0, 0, None, None, False, False)
        self._state_lock = threading.RLock()  # pause()/resume() report from the caller's thread

    @property
    def child_pids(self) -> list[int]:
        """Process ids of the children alive now (empty before the first file and after the end)."""
        return [c.process.pid for c in list(self._children) if c.process.pid is not None]

    @property
    def child_pid(self) -> int | None:
        """The first child's process id, or None."""
        pids = self.child_pids
        return pids[0] if pids else None

    @property
    def progress(self) -> AnalysisProgress:
        return self._state

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the analysis service was already started")
        self._thread = threading.Thread(target=self._run, name="analysis-dispatcher", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Finish the files in hand, then wait. Under the state lock no file is handed out
        between the check of ``_running`` and its report (:meth:`_hand_out`), so the record
        said here names what is really in hand: "paused, nothing in hand" means nothing more
        will be done until :meth:`resume`."""
        with self._state_lock:
            self._running.clear()
            self._report(paused=True, current=self._current())

    def resume(self) -> None:
        self._running.set()
        self._report(paused=False)

    def cancel(self) -> None:
        """Stop now; the files being analysed are left for next time."""
        self._cancelled.set()
        self._running.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the dispatcher ends; True if it did within ``timeout``."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _report(self, **changes) -> None:
        """Change the progress record and pass it on. The dispatcher and the caller of
        :meth:`pause`/:meth:`resume` both report: under the lock neither overwrites the other's
        change with a copy read before it (a file handed out would read as none in hand), and
        records reach ``on_progress`` in the order they were made."""
        with self._state_lock:
            self._state = AnalysisProgress(**{**self._state.__dict__, **changes})
            self.on_progress(self._state)

    def _current(self) -> str | None:
        busy = [c.job[1] for c in self._children if c.job is not None]
        return busy[-1] if busy else None

    def _run(self) -> None:
        """Analyse the queue; a profile that cannot be read or written ends the run (reported
        once through ``faults``) and leaves what is left for the next run."""
        try:
            db = open_database(self.db_path)
        except DatabaseError as exc:
            self._stopped_by(exc)
            self._report(current=None, finished=True)
            return
        try:
            self._analyse_queue(db)
        except sqlite3.Error as exc:
            self._stopped_by(exc)
        finally:
            for child in self._children:
                child.stop(kill=self._cancelled.is_set())
            self._children = []
            db.close()
            self._report(current=None, finished=True)

    def _embedding_refused(self, reason: str) -> None:
        """Say once that the content embedding is not used: the children store no learned
        vectors and the library ranks by the TF-IDF vectors."""
        self.faults.report(
            "analysis-embedding",
            f"Content embedding not used ({reason}); Similar and Up next rank by "
            "segment classes instead.",
        )

    def _stopped_by(self, exc: BaseException) -> None:
        self.faults.report(
            "analysis-database",
            f"Analysis stopped: its results cannot be saved ({getattr(exc, 'short', exc)}). "
            "It goes on from where it stopped at the next start.",
        )

    def _analyse_queue(self, db: Database) -> None:
        # A file not on disk now (a drive not mounted, moved since the last scan) is left for
        # a later run rather than stored as failed for this version: stored, it would never be
        # analysed once it is back, and a library of absent files cost a transaction each.
        # The listing pauses while a job the listener waits for runs (``priority``).
        pause = self.priority.pause_point
        queue = []
        for n, (track_id, path) in enumerate(
            tracks_needing_analysis(db, self.analysis_version, pause)
        ):
            if n % SLICE == 0:
                pause()
            if file_on_disk(path):
                queue.append((track_id, path))
        queue.reverse()  # pop() from the end hands files out in library order
        self._report(total=len(queue))
        started = time.monotonic()
        while not self._cancelled.is_set() and (queue or self._busy()):
            if self._running.is_set():
                self._hand_out(db, queue)
            elif not self._busy():
                self._running.wait()
                continue
            self._collect(db, started)

    def _busy(self) -> bool:
        return any(c.job is not None for c in self._children)

    def _hand_out(self, db: Database, queue: list[tuple[int, str]]) -> None:
        """Give every idle child a file, starting children up to ``workers``."""
        while queue and not self._cancelled.is_set():
            idle = next((c for c in self._children if c.job is None), None)
            if idle is None:
                if len(self._children) >= self.workers:
                    return
                idle = _Child(self.model_path, self.embedding_path)
                self._children.append(idle)
            track_id, path = queue[-1]
            track = track_by_id(db, track_id)
            notated = notated_key(track.work, track.title, track.album) if track else None
            with self._state_lock:  # a pause() that came meanwhile holds this file back
                if not self._running.is_set():
                    return
                queue.pop()
                idle.give(track_id, path, notated)
                self._report(current=path)

    def _collect(self, db: Database, started: float) -> None:
        """Wait up to a poll interval for answers; store each, replacing children that died.
        A child stopped from outside leaves its file unstored, for the next run (stored as
        failed, it would not be analysed again for this version)."""
        busy = [c for c in self._children if c.job is not None]
        ready = set(wait([c.conn for c in busy], timeout=_POLL_S)) if busy else set()
        for child in busy:
            if child.conn not in ready and child.process.is_alive():
                continue
            status, value = child.answer()
            if status == "refused":  # the child's first word; its file's answer is yet to come
                self._embedding_refused(str(value))
                continue
            assert child.job is not None
            track_id, _ = child.job
            stopped = status == "crashed" and child.stopped_from_outside()
            if isinstance(value, TrackFeatures):
                save_features(db, track_id, self.analysis_version, value)
            elif not stopped:
                save_failure(db, track_id, self.analysis_version, value)
            if status == "crashed":
                child.stop()
            with self._state_lock:  # the file leaves the hand and is counted in one record
                child.job = None
                if status == "crashed":
                    self._children.remove(child)
                if stopped:
                    self._report(total=self._state.total - 1, current=self._current())
                    continue
                done, total = self._state.done + 1, self._state.total
                per_file = (time.monotonic() - started) / done
                self._report(
                    done=done,
                    failed=self._state.failed + (status != "ok"),
                    current=self._current(),
                    eta_s=per_file * (total - done),
                )
