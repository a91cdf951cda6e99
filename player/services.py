"""What the composition root (:mod:`player.app`) builds and hands to the window: :class:`Services`.

It lives below ``player/ui/`` so that the window and its features can name the services they get
without importing the composition root that builds them (which imports the window).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from player.audio.backend import AudioBackend, EndReason, Playable, PlaybackState
from player.faults import Faults
from player.playlog import PlayLogRecorder
from player.priority import Priority
from player.profile import Profile
from player.profile_db import finish_check
from player.store.db import Database, open_database

if TYPE_CHECKING:
    from player.recommend.up_next import Recommender


class Listeners(list):
    """Fans the backend's callbacks out to the play log and the window (each must be quick)."""

    def track_started(self, item: Playable) -> None:
        for listener in self:
            listener.track_started(item)

    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        for listener in self:
            listener.track_ended(item, reason, ms_heard)

    def error(self, item: Playable | None, message: str) -> None:
        for listener in self:
            listener.error(item, message)


@dataclass
class Services:
    """Everything the window needs, built once by :func:`player.app.build_services`."""

    profile: Profile
    backend: AudioBackend
    recorder: PlayLogRecorder
    listeners: Listeners
    scan: Callable  # player.app.scan_library's signature
    notices: list[str] = field(default_factory=list)  # shown at the top of the window
    make_recommender: Callable[[], Recommender] | None = None  # None: Up next keeps library order
    faults: Faults = field(default_factory=Faults)  # met by any thread, shown once each
    priority: Priority = field(default_factory=Priority)  # listener's jobs before background
    read_only: bool = False  # the profile cannot be written (full disk, read-only folder)
    analysis_workers: int | None = None  # analysis processes; None: every core but one
    unchecked: bool = False  # the database was too large to check at start: finish_check()
    _recommender: Recommender | None = field(default=None, init=False, repr=False, compare=False)
    _recommender_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def recommender(self) -> Recommender | None:
        """The Recommender that fills "Up next" (None: library order), made on first use.

        Up next first uses it once the library is on screen, so importing its module (the
        policy, the history, the model's loader) and building it stay off the start's path.
        """
        if self.make_recommender is None:
            return None
        with self._recommender_lock:
            if self._recommender is None:
                self._recommender = self.make_recommender()
            return self._recommender

    def open_db(self) -> Database:
        """A fresh connection for the calling thread (connections are not shared)."""
        return open_database(self.profile.database, read_only=self.read_only)

    def finish_check(self, should_stop: Callable[[], bool]) -> None:
        """The rest of the database's integrity check (off the GUI thread, once the library is
        on screen); damage is reported as a fault and recovered at the next start."""
        problem = finish_check(self.profile, should_stop)
        if problem:
            self.faults.report(
                "database-damaged",
                f"The library database is damaged ({problem}). Quit and start Continuo again: "
                "it keeps a copy of the file and recovers what can still be read.",
            )

    def close(self) -> None:
        """Stop playback (the running play ends as "stopped"), then flush the log."""
        if self.backend.state != PlaybackState.STOPPED:
            self.backend.stop()
        self.backend.close()
        self.recorder.flush()
        self.recorder.close()
