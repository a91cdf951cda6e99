"""The background analysis: one child process at lowered priority, driven by the main process.

``AnalysisService`` runs a dispatcher thread in the main process. It asks the store for the
tracks without features of the current analysis version, hands their paths one at a time to
a single child process (``spawn``, ``os.nice(10)``), receives the small results (histogram and
summary numbers) and writes them with :mod:`player.store.features`, so only the main process
writes the profile. A child that dies on a file is noticed; the file is marked
"analysis worker crashed" and a fresh child goes on with the next one. No Qt here: progress goes
to a callback (called from the dispatcher thread), which the UI wraps in a signal.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from player.analysis.segments import MODEL_PATH
from player.analysis.version import ANALYSIS_VERSION
from player.errors import ContinuoError, DatabaseError
from player.faults import Faults
from player.store.db import Database, open_database
from player.store.features import (
    TrackFeatures,
    save_failure,
    save_features,
    tracks_needing_analysis,
)

CRASHED = "analysis worker crashed"
_POLL_S = 0.1


@dataclass(frozen=True)
class AnalysisProgress:
    """Where the background analysis stands; ``current`` is the file being analysed."""

    done: int
    total: int
    failed: int
    current: str | None
    eta_s: float | None  # None until one file has finished
    paused: bool
    finished: bool  # the queue is empty or the service was cancelled


def _child_main(conn: Connection, model_path: str) -> None:
    """The child: analyse each path received, send back ``("ok", TrackFeatures)`` or
    ``("failed", reason)``; ``None`` ends it."""
    os.nice(10)
    from player.analysis.pipeline import analyse_file
    from player.analysis.segments import SegmentClassModel

    model = SegmentClassModel.load(model_path)
    while (path := conn.recv()) is not None:
        try:
            a = analyse_file(path, model=model)
            features = TrackFeatures(
                histogram=a.histogram,
                n_segments=len(a.segment_bounds_s),
                duration_s=a.duration_s,
                voiced_share=a.voiced_share,
                median_f0_hz=a.median_f0_hz,
                tuning=a.tuning,
            )
            conn.send(("ok", features))
        except ContinuoError as exc:
            conn.send(("failed", exc.short))
        except Exception as exc:  # a bug on one file must not stop the library's analysis
            conn.send(("failed", f"analysis error: {type(exc).__name__}: {exc}"))


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self, model_path: Path) -> None:
        context = mp.get_context("spawn")
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_child_main, args=(child_conn, str(model_path)), daemon=True,
            name="continuo-analysis",
        )  # fmt: skip
        self.process.start()
        child_conn.close()

    def analyse(
        self, path: str, cancelled: threading.Event
    ) -> tuple[str, TrackFeatures | str] | None:
        """The child's answer for ``path``; ``("crashed", None)`` if it died; None if cancelled."""
        try:
            self.conn.send(path)
            while not self.conn.poll(_POLL_S):
                if cancelled.is_set():
                    return None
                if not self.process.is_alive():
                    return ("crashed", CRASHED)
            return self.conn.recv()
        except (EOFError, OSError):
            return ("crashed", CRASHED)

    def stop(self) -> None:
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
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        on_progress: Callable[[AnalysisProgress], None] | None = None,
        model_path: Path = MODEL_PATH,
        analysis_version: str = ANALYSIS_VERSION,
        faults: Faults | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.faults = faults or Faults()
        self.on_progress = on_progress or (lambda progress: None)
        self.model_path = model_path
        self.analysis_version = analysis_version
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None
        self._child: _Child | None = None
        self._state = AnalysisProgress(0, 0, 0, None, None, False, False)

    @property
    def child_pid(self) -> int | None:
        child = self._child
        return child.process.pid if child else None

    @property
    def progress(self) -> AnalysisProgress:
        return self._state

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the analysis service was already started")
        self._thread = threading.Thread(target=self._run, name="analysis-dispatcher", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Finish the current file, then wait."""
        self._running.clear()
        self._report(paused=True)

    def resume(self) -> None:
        self._running.set()
        self._report(paused=False)

    def cancel(self) -> None:
        """Stop now; the file being analysed is left for next time."""
        self._cancelled.set()
        self._running.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the dispatcher ends; True if it did within ``timeout``."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _report(self, **changes) -> None:
        self._state = AnalysisProgress(**{**self._state.__dict__, **changes})
        self.on_progress(self._state)

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
            if self._child is not None:
                if self._cancelled.is_set():
                    self._child.process.kill()
                self._child.stop()
                self._child = None
            db.close()
            self._report(current=None, finished=True)

    def _stopped_by(self, exc: BaseException) -> None:
        self.faults.report(
            "analysis-database",
            f"Analysis stopped: its results cannot be saved ({getattr(exc, 'short', exc)}). "
            "It goes on from where it stopped at the next start.",
        )

    def _analyse_queue(self, db: Database) -> None:
        queue = tracks_needing_analysis(db, self.analysis_version)
        self._report(total=len(queue))
        started = time.monotonic()
        for done, (track_id, path) in enumerate(queue):
            self._running.wait()
            if self._cancelled.is_set():
                break
            if self._child is None or not self._child.process.is_alive():
                self._child = _Child(self.model_path)
            self._report(current=path)
            answer = self._child.analyse(path, self._cancelled)
            if answer is None:
                break
            status, value = answer
            if isinstance(value, TrackFeatures):
                save_features(db, track_id, self.analysis_version, value)
            else:
                save_failure(db, track_id, self.analysis_version, value)
            if status == "crashed":
                self._child.stop()
                self._child = None
            per_file = (time.monotonic() - started) / (done + 1)
            self._report(
                done=done + 1,
                failed=self._state.failed + (status != "ok"),
                current=None,
                eta_s=per_file * (len(queue) - done - 1),
            )
