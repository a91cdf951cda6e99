"""Who goes first when the listener is waiting: a job they asked for, before background work.

The app's threads share one GIL on as few as two cores. A view the listener opens soon after
the start (Insights: a third of a second of its own work at a decade of plays) took three
times as long while the start's background work ran beside it: the search texts built, the
analysis queue listed. So a job whose result the listener waits for runs inside
:meth:`Priority.foreground`, and background loops call :meth:`Priority.pause_point` between
slices of their work: while a foreground job runs they wait, then go on where they were.
A wait is bounded (:data:`MAX_WAIT_S`), so a stream of foreground jobs slows the background
work but never stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_S = 3.0
"""The longest one pause point waits for foreground jobs to end."""
SLICE = 2_000
"""Rows a background loop handles between two pause points (a few milliseconds of work)."""


class Priority:
    """Thread-safe: foreground jobs and pause points may run on any thread."""

    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self.max_wait_s = max_wait_s
        self._changed = threading.Condition()
        self._running = 0

    @contextmanager
    def foreground(self) -> Iterator[None]:
        """Run the body as a job the listener waits for: background work pauses meanwhile."""
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                if not self._running:
                    self._changed.notify_all()

    @property
    def busy(self) -> bool:
        """Whether a foreground job runs now."""
        return self._running > 0

    def pause_point(self) -> None:
        """Return at once when no foreground job runs; else wait until none does (at most
        ``max_wait_s``). Background work calls this between slices of a few milliseconds."""
        if not self._running:  # the common case, without taking the lock
            return
        with self._changed:
            self._changed.wait_for(lambda: not self._running, timeout=self.max_wait_s)
