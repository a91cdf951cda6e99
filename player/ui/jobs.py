"""One small helper for background work: run a job on a thread pool, get its result on the GUI thread.

Modelled on Picard's ``thread.run_task``: the job runs on a ``QThreadPool`` worker; its return value
or exception comes back through a queued signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from player.errors import ContinuoError

log = logging.getLogger(__name__)


class CancelToken:
    """Handed to long jobs that accept ``should_stop``; ``cancel()`` asks them to stop soon."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from a worker are delivered there (queued)."""

    done = Signal(object, object)  # callback, value


class _Job(QRunnable):
    def __init__(self, relay: _Relay, fn, on_result, on_error) -> None:
        super().__init__()
        self._relay, self._fn, self._on_result, self._on_error = relay, fn, on_result, on_error

    def run(self) -> None:
        try:
            value = self._fn()
        except ContinuoError as exc:  # expected and user-ready: the message is enough
            log.warning("background job stopped: %s", exc)
            self._relay.done.emit(self._on_error, exc)
        except Exception as exc:  # delivered to on_error on the GUI thread
            log.exception("background job failed")
            self._relay.done.emit(self._on_error, exc)
        else:
            self._relay.done.emit(self._on_result, value)


class JobRunner(QObject):
    """Runs callables off the GUI thread and delivers ``result``/``error`` back on it."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._pool.start(_Job(self._relay, fn, on_result, on_error))

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every job has finished (shutdown and tests only)."""
        return self._pool.waitForDone(msecs)

    @staticmethod
    def _deliver(callback, value) -> None:
        if callback is not None:
            callback(value)


class LatestJob(QObject):
    """Runs the latest of a stream of requests (a search as the listener types), one at a time.

    A request made while one runs replaces any request still waiting, and a result (or error)
    is delivered only when no newer request was made since: stale answers never reach the
    screen, and the worker never queues up behind fast typing.
    """

    def __init__(self, parent: QObject | None = None, jobs: JobRunner | None = None) -> None:
        """``jobs``: a runner to share (its ``wait`` then covers these requests too); by
        default one of its own."""
        super().__init__(parent)
        self._jobs = jobs if jobs is not None else JobRunner(self, max_threads=1)
        self._serial = 0
        self._running = False
        self._waiting: tuple | None = None

    def submit(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._serial += 1
        self._waiting = (self._serial, fn, on_result, on_error)
        if not self._running:
            self._start_waiting()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the running request has finished (shutdown and tests only)."""
        return self._jobs.wait(msecs)

    def _start_waiting(self) -> None:
        if self._waiting is None:
            return
        serial, fn, on_result, on_error = self._waiting
        self._waiting, self._running = None, True
        self._jobs.run(
            fn,
            lambda value: self._finished(serial, on_result, value),
            lambda error: self._finished(serial, on_error, error),
        )

    def _finished(self, serial: int, callback, value) -> None:
        self._running = False
        if serial == self._serial and callback is not None:
            callback(value)
        self._start_waiting()
