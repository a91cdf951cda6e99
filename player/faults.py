"""Faults the listener must hear about once, whichever thread meets them.

A database that cannot be written, a play log kept in memory, a model that failed at run time:
workers report here instead of dying or logging silently. Each fault reaches the subscribers
(the window's status bar) once until it is cleared, so a fault repeating every two
seconds does not flood the screen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Faults:
    """Thread-safe: :meth:`report` and :meth:`clear` may be called from any thread.

    Subscribers are called on the reporting thread, so a GUI must hop to its own (a Qt signal).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, str] = {}  # key -> message shown
        self._subscribers: list[Callable[[str], None]] = []

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """``callback(message)`` for each new fault; ``""`` when a cleared fault is over."""
        with self._lock:
            self._subscribers.append(callback)
            active = list(self._active.values())
        for message in active:  # a fault met before the window opened is still shown
            callback(message)

    def report(self, key: str, message: str) -> None:
        """Tell the listener ``message`` unless the fault ``key`` is already reported."""
        with self._lock:
            if key in self._active:
                return
            self._active[key] = message
            subscribers = list(self._subscribers)
        log.warning("%s", message)
        self._tell(subscribers, message)

    def clear(self, key: str, message: str = "") -> None:
        """The fault ``key`` is over; ``message`` (if any) says so."""
        with self._lock:
            if self._active.pop(key, None) is None:
                return
            subscribers = list(self._subscribers)
        if message:
            log.info("%s", message)
        self._tell(subscribers, message)

    @staticmethod
    def _tell(subscribers: list[Callable[[str], None]], message: str) -> None:
        for callback in subscribers:
            try:
                callback(message)
            except Exception:  # a closed window must not break the thread that reports
                log.exception("fault subscriber %r failed", callback)

    def active(self) -> list[str]:
        with self._lock:
            return list(self._active.values())
