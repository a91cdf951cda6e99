"""The background analysis in the window: started after each scan, progress in the status bar.

:class:`AnalysisRunner` owns one :class:`~player.analysis.worker.AnalysisService` at a time: a
dispatcher thread in this process that drives the idle-priority child processes (as many as
the ``analysis_workers`` setting says) and writes their results.
The service reports progress from the dispatcher thread; the runner re-emits it as a Qt signal,
which Qt queues to the GUI thread. Building the service (its import pulls in scipy) and counting
what is analysed run as :class:`~player.ui.jobs.JobRunner` jobs, so the GUI thread never waits
on the child, the disk or an import; only :meth:`AnalysisRunner.stop` at quit joins the dispatcher.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from player.analysis.version import ANALYSIS_VERSION
from player.faults import Faults
from player.priority import Priority
from player.store.db import Database
from player.store.features import failures, load_histograms
from player.store.tracks import track_by_id, track_count
from player.ui.jobs import JobRunner
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.analysis.worker import AnalysisProgress, AnalysisService

STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class AnalysisSummary:
    """What the profile holds for the current analysis version (read after each run)."""

    analysed: frozenset[int]  # ids of present tracks with features
    failed: list[tuple[str, str]]  # (path, reason) of present tracks that could not be analysed
    library: int  # present tracks

    @property
    def done(self) -> int:
        return len(self.analysed) + len(self.failed)


def analysis_summary(db: Database) -> AnalysisSummary:
    ids, _ = load_histograms(db, ANALYSIS_VERSION)
    failed = []
    for track_id, reason in failures(db, ANALYSIS_VERSION).items():
        track = track_by_id(db, track_id)
        if track is not None and not track.missing:
            failed.append((track.path, reason))
    return AnalysisSummary(frozenset(int(i) for i in ids), sorted(failed), track_count(db))


def format_time_left(seconds: float) -> str:
    """``"about 40 s left"``, ``"about 4 min left"``, ``"about 2 h 5 min left"`` (rounded up)."""
    if seconds < 60:
        return f"about {max(5, math.ceil(seconds / 5) * 5)} s left"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"


def progress_text(progress: AnalysisProgress) -> str:
    """The status bar's line while a run goes on: ``"Analysing 12 of 340 · about 4 min left"``."""
    if progress.paused:
        return f"Analysis paused ({progress.done:,} of {progress.total:,} done)"
    text = f"Analysing {min(progress.done + 1, progress.total):,} of {progress.total:,}"
    if progress.eta_s is not None:
        text += f" · {format_time_left(progress.eta_s)}"
    return text


def summary_text(summary: AnalysisSummary) -> str:
    """``"Analysis done (340 tracks, 2 failed)"``; empty (the slot hides) for an empty library."""
    if not summary.library:
        return ""
    failed = f", {len(summary.failed):,} failed" if summary.failed else ""
    if summary.done < summary.library:  # paused before the start, or stopped early
        return f"Analysed {summary.done:,} of {summary.library:,} tracks{failed}"
    return f"Analysis done ({summary.done:,} tracks{failed})"


class AnalysisRunner(QObject):
    """Runs the analysis service over the profile, one run at a time, restartable after scans.

    A :meth:`start` while a run goes on asks for one more run when it ends (the service reads
    its queue once, so tracks a re-scan added are picked up by the next run).
    """

    progressed = Signal(object)  # AnalysisProgress, on the GUI thread
    summarised = Signal(object)  # AnalysisSummary, after each run
    features_changed = Signal()  # a run stored new features: content vectors changed
    _from_dispatcher = Signal()  # a report waits in _latest (emitted on the dispatcher thread)

    def __init__(
        self,
        db_path: Path,
        open_db: Callable[[], Database],
        jobs: JobRunner,
        parent: QObject | None = None,
        faults: Faults | None = None,
        *,
        workers: int | None = None,
        priority: Priority | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path, self.open_db, self.jobs = db_path, open_db, jobs
        self.faults = faults or Faults()
        self.priority = priority or Priority()
        self.workers = (
            workers  # None: every core but one  # a run that cannot save its results says so here
        )
        self.summary: AnalysisSummary | None = None
        self.error = ""  # why the last run could not start
        self._service: AnalysisService | None = None
        self._starting = self._again = self._paused = self._stopped = False
        self._latest: AnalysisProgress | None = None  # the newest report not yet handled
        self._lock = threading.Lock()
        self._from_dispatcher.connect(self._on_progress)

    @property
    def running(self) -> bool:
        return self._starting or self._service is not None

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def child_pid(self) -> int | None:
        return self._service.child_pid if self._service else None

    def start(self) -> None:
        """Analyse every track lacking current features (after the library loaded or re-scanned)."""
        if self._stopped:
            return
        if self.running:
            self._again = True
            return
        self._starting = True
        db_path, report, faults = self.db_path, self._report, self.faults
        workers, priority = self.workers, self.priority

        def create() -> AnalysisService:
            from player.analysis.worker import AnalysisService

            return AnalysisService(
                db_path, on_progress=report, faults=faults, workers=workers, priority=priority
            )

        self.jobs.run(create, self._created, self._not_created)
        self.progressed.emit(None)  # Pause is possible from now on

    def pause(self) -> None:
        """Finish the file in hand, then wait; also holds runs that start later."""
        self._paused = True
        if self._service is not None:
            self._service.pause()
        else:
            self.progressed.emit(None)

    def resume(self) -> None:
        self._paused = False
        if self._service is not None:
            self._service.resume()
        else:
            self.progressed.emit(None)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """At quit: end the child (its file is left for next time) and join the dispatcher."""
        self._stopped = True
        service = self._service
        if service is None:
            return True
        service.cancel()
        return service.wait(timeout)

    def _created(self, service: AnalysisService) -> None:
        self._starting, self.error = False, ""
        if self._stopped:
            return
        self._service = service
        if self._paused:
            service.pause()
        service.start()

    def _not_created(self, error: Exception) -> None:
        self._starting = False
        self.error = f"Analysis could not start: {getattr(error, 'short', error)}"
        self.progressed.emit(None)

    def _report(self, progress: AnalysisProgress) -> None:
        """On the dispatcher thread: keep the newest report and wake the GUI thread only when
        none is waiting. Files that fail at once (gone, unreadable) are reported hundreds a
        second; queued one by one they kept the GUI thread busy for 100-170 ms in one batch."""
        with self._lock:
            waiting = self._latest is not None
            self._latest = progress
        if not waiting:
            self._from_dispatcher.emit()

    def _on_progress(self) -> None:
        with self._lock:
            progress, self._latest = self._latest, None
        if progress is None:
            return
        if progress.finished and self._service is not None:
            self._service = None
            stored = progress.done > progress.failed
            open_db = self.open_db

            def count() -> AnalysisSummary:
                db = open_db()
                try:
                    return analysis_summary(db)
                finally:
                    db.close()

            self.jobs.run(count, lambda summary: self._summarised(summary, stored))
            if self._again and not self._stopped:
                self._again = False
                self.start()
        self.progressed.emit(progress)

    def _summarised(self, summary: AnalysisSummary, stored: bool) -> None:
        self.summary = summary
        self.summarised.emit(summary)
        if stored:
            self.features_changed.emit()


class AnalysisStatus(QObject):
    """The window's side of the runner: status-bar line, Pause/Resume actions, Problems rows."""

    def __init__(self, ctx: FeatureContext, runner: AnalysisRunner) -> None:
        super().__init__(ctx)
        self.ctx, self.runner = ctx, runner
        self.pause_action = ctx.add_menu_action("&Library", "&Pause analysis", runner.pause)
        self.resume_action = ctx.add_menu_action("&Library", "&Resume analysis", runner.resume)
        runner.progressed.connect(self._progressed)
        runner.summarised.connect(self._summarised)
        ctx.scan_finished.connect(runner.start)  # new tracks, or work an earlier run left
        ctx.closing.connect(lambda: runner.stop())
        self._progressed(None)

    def _progressed(self, progress: AnalysisProgress | None) -> None:
        runner = self.runner
        self.pause_action.setVisible(not runner.paused)
        self.pause_action.setEnabled(runner.running)
        self.resume_action.setVisible(runner.paused)
        if progress is not None and not progress.finished and progress.total:
            tip = Path(progress.current).name if progress.current else ""
            self.ctx.show_status("analysis", progress_text(progress), tip)
        elif runner.error and not runner.running:
            self.ctx.show_status("analysis", runner.error)
        elif runner.paused and not runner.running:
            self.ctx.show_status("analysis", "Analysis paused")
        elif runner.summary is not None and not runner.running:
            self._summarised(runner.summary)

    def _summarised(self, summary: AnalysisSummary) -> None:
        self.ctx.problems.set_analysis_failures(summary.failed)
        if not self.runner.running:
            self.ctx.show_status("analysis", summary_text(summary))


def install(ctx: FeatureContext) -> AnalysisRunner:
    """Background analysis: started after each scan, stopped at close; new features announced."""
    services = ctx.services
    runner = AnalysisRunner(
        services.profile.database,
        services.open_db,
        ctx.jobs,
        ctx,
        services.faults,
        workers=services.analysis_workers,
        priority=services.priority,
    )
    runner.features_changed.connect(ctx.features_changed)
    AnalysisStatus(ctx, runner)
    return runner
