"""Playback control for the window: queue → backend, backend callbacks → GUI-thread signals.

The backend calls its listener from its own threads; :class:`BackendBridge` re-emits those calls
as Qt signals, which Qt delivers on the GUI thread. The controller keeps the backend's gapless
successor (``set_next``) equal to the head of the queue. What fills "Up next" is a feature's
business (:mod:`player.ui.features.up_next`), not the controller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from player.audio.backend import AudioBackend, EndReason, Playable, PlaybackState
from player.library.grouping import play_order
from player.library.track_rows import PAGE, LibraryTracks
from player.playlog import PlayToken, token_of
from player.store.tracks import Track
from player.ui.shell.queue_model import QueueModel

PREVIOUS_RESTARTS_AFTER_S = 3.0


def playable(track: Track, started_by: str) -> Playable:
    return Playable(
        path=Path(track.path),
        replaygain_db=track.replaygain_track_db,
        replaygain_peak=track.replaygain_track_peak,
        token=PlayToken(int(track.id or 0), started_by),
    )


class BackendBridge(QObject):
    """A BackendListener whose calls arrive as signals on the GUI thread."""

    started = Signal(object)  # Playable
    ended = Signal(object, object, int)  # Playable, EndReason, ms_heard
    failed = Signal(object, str)  # Playable | None, message

    def track_started(self, item: Playable) -> None:
        self.started.emit(item)

    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        self.ended.emit(item, reason, ms_heard)

    def error(self, item: Playable | None, message: str) -> None:
        self.failed.emit(item, message)


class PlaybackController(QObject):
    now_playing = Signal(object)  # Track | None
    play_ended = Signal()  # a play was logged: the history may reload
    message = Signal(str)
    state_changed = Signal(object)  # PlaybackState, when a command or a backend event changed it
    seeked = Signal(float)  # seconds: the position jumped (a seek, a restart)
    unplayable = Signal(object, str)  # Track, message: skipped; the window lists it as a Problem

    def __init__(self, backend: AudioBackend, bridge: BackendBridge, queue: QueueModel) -> None:
        super().__init__()
        self.backend = backend
        self.queue = queue
        self.current: Track | None = None
        self._library: Sequence[Track] = ()
        self._handled: dict[int, Track] = {}  # tracks given to the backend, by id
        self._played: list[Track] = []
        self._armed: Playable | None = None
        self._state = backend.state
        bridge.started.connect(self._on_started)
        bridge.ended.connect(self._on_ended)
        bridge.failed.connect(self._on_failed)
        queue.changed.connect(self._arm_next)

    @property
    def played(self) -> list[Track]:
        """The tracks started in this run, oldest first (the session so far)."""
        return list(self._played)

    @property
    def library_tracks(self) -> Sequence[Track]:
        """The library in order, each track read when asked for (the default Up next walks
        it near the playing track)."""
        return self._library

    def track(self, track_id: int) -> Track | None:
        """The track with this id: one the controller played or queued, else read from the
        library (``None`` when it is not there)."""
        known = self._handled.get(track_id)
        if known is not None:
            return known
        if isinstance(self._library, LibraryTracks):
            return self._library.track(track_id)
        return None

    def prefetch(self, track_ids: Sequence[int]) -> None:
        """Read these tracks in one go, so that :meth:`track` finds each without a read."""
        if isinstance(self._library, LibraryTracks):
            self._library.prefetch(track_ids)

    def set_library(self, tracks_in_order: Sequence[Track]) -> None:
        self._library = tracks_in_order

    # commands -------------------------------------------------------------------------------
    def play_track(
        self, track: Track, *, then: Sequence[Track] = (), started_by: str = "user"
    ) -> None:
        """Play ``track`` now; ``then`` (the rest of its work) goes to the front of the queue."""
        self._armed = None
        if then:
            self.queue.add_front(list(then))
        self._play(track, started_by)
        self._report_state()

    def _play(self, track: Track, started_by: str) -> None:
        self._handled[int(track.id or 0)] = track
        self.backend.play(playable(track, started_by))

    def play_library(self) -> bool:
        """``--play``: start at the top of the library, the rest of its first recording queued
        (a recording's tracks are together in library order)."""
        if not self._library:
            return False
        head = list(self._library[:PAGE])
        key = head[0].recording_key
        unit = [t for t in head if t.recording_key == key] if key else head[:1]
        first, *rest = sorted(unit, key=play_order)
        self.play_track(first, then=rest)
        return True

    def play_tracks(self, tracks: Sequence[Track]) -> bool:
        """``continuo --play FILE_OR_FOLDER...``: exactly these, in this order (the window
        finds them in the store). False when there are none."""
        if not tracks:
            return False
        self.play_track(tracks[0], then=tracks[1:])
        return True

    def toggle(self) -> None:
        if self.backend.state == PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        """Resume, or start: the queue's head, else the last track, else the library's top."""
        state = self.backend.state
        if state == PlaybackState.PAUSED:
            self.backend.resume()
        elif state == PlaybackState.STOPPED and not self.next():
            if self.current is not None:
                self.play_track(self.current)
            else:
                self.play_library()
        self._report_state()

    def pause(self) -> None:
        if self.backend.state == PlaybackState.PLAYING:
            self.backend.pause()
        self._report_state()

    def next(self) -> bool:
        head = self.queue.pop()
        if head is None:
            return False
        self._armed = None
        track, started_by = head
        self._play(track, started_by)
        self._report_state()
        return True

    def previous(self) -> None:
        if self.backend.position_s > PREVIOUS_RESTARTS_AFTER_S or len(self._played) < 2:
            self.seek(0.0)
            return
        current = self._played.pop()
        before = self._played.pop()
        self.play_track(before, then=[current])

    def stop(self) -> None:
        self.backend.stop()
        self._report_state()

    def seek(self, seconds: float) -> None:
        self.backend.seek(seconds)
        self.seeked.emit(seconds)

    # backend events (GUI thread) ------------------------------------------------------------
    def _on_started(self, item: Playable) -> None:
        token = token_of(item)
        track = self.track(token.track_id) if token else None
        head = self.queue.peek()
        armed = self._armed is not None and self._armed.token == token
        if armed and head is not None and token is not None and head[0].id == token.track_id:
            self.queue.pop()  # the gapless successor is now playing
        self._armed = None
        self.current = track
        if track is not None:
            self._played.append(track)
        self._arm_next()
        self.now_playing.emit(track)
        self._report_state()

    def _on_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        self.play_ended.emit()
        if self.backend.state == PlaybackState.STOPPED and reason != EndReason.SKIPPED:
            self.current = None if reason == EndReason.FINISHED else self.current
            if reason == EndReason.FINISHED:
                self.now_playing.emit(None)
        self._report_state()

    def _on_failed(self, item: Playable | None, message: str) -> None:
        """A track could not be played: say so, skip it and go on with the queue; never stall.

        The backend reports the gapless successor it could not open (the current track plays
        on, so the next head is armed instead) and a ``play`` that failed (it stopped, so the
        next queued track starts).
        """
        self.message.emit(message)
        token = token_of(item) if item is not None else None
        if token is None:
            return
        track = self.track(token.track_id)
        if track is not None:
            self.unplayable.emit(track, message)
        if self._armed is not None and self._armed == item:
            self._armed = None
            head = self.queue.peek()
            if head is not None and head[0].id == token.track_id:
                self.queue.pop()
        if self.backend.state == PlaybackState.STOPPED:
            self.next()
        else:
            self._arm_next()

    def _report_state(self) -> None:
        state = self.backend.state
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _arm_next(self) -> None:
        """Keep the backend's gapless successor equal to the head of the queue."""
        if self.backend.current is None:
            return
        head = self.queue.peek()
        item = playable(*head) if head else None
        if head is not None:
            self._handled[int(head[0].id or 0)] = head[0]
        if item != self._armed:
            self._armed = item
            self.backend.set_next(item)
