"""NullBackend: keeps time without sound, for machines with no output device.

Threading: one thread (``continuo-null-clock``) owns the clock, reads each file's duration with
``soundfile.info`` (header only, nothing decoded) and calls the listener; caller methods only
change state under a lock and wake it. Tracks "play" for their real duration and follow each
other gaplessly, so the play log and the UI behave as with sound.
"""

from __future__ import annotations

import threading
import time

from player.audio.backend import (
    BackendListener,
    EndReason,
    OutputDevice,
    Playable,
    PlaybackSnapshot,
    PlaybackState,
)
from player.fspath import native


class NullBackend:
    """The :class:`AudioBackend` of last resort; ``unavailable_reason`` says why there is no sound."""

    name = "No sound output"

    def __init__(
        self, listener: BackendListener | None = None, *, unavailable_reason: str = ""
    ) -> None:
        self.listener = listener
        self.unavailable_reason = unavailable_reason
        self._lock = threading.Condition()
        self._state = PlaybackState.STOPPED
        self._current: Playable | None = None
        self._next: Playable | None = None
        self._duration = 0.0
        self._offset = 0.0  # position at _since (or while paused)
        self._since = 0.0
        self._heard = 0.0
        self._commands: list[tuple] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="continuo-null-clock", daemon=True)
        self._thread.start()

    def snapshot(self) -> PlaybackSnapshot:
        """State, track, position and time heard, read under the clock's lock together."""
        with self._lock:
            item, position = self._current, self._position()
            heard_s = self._heard + position - self._offset if item is not None else 0.0
            return PlaybackSnapshot(
                self._state, item, position, self._duration, round(heard_s * 1000)
            )

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def underruns(self) -> int:
        return 0

    @property
    def position_s(self) -> float:
        with self._lock:
            return self._position()

    @property
    def duration_s(self) -> float:
        return self._duration

    @property
    def current(self) -> Playable | None:
        return self._current

    def play(self, item: Playable) -> None:
        self._command("play", item)

    def set_next(self, item: Playable | None) -> None:
        with self._lock:
            self._next = item

    def pause(self) -> None:
        with self._lock:
            if self._state is PlaybackState.PLAYING:
                position = self._position()
                self._heard += position - self._offset  # the stretch heard since the last start
                self._offset = position
                self._state = PlaybackState.PAUSED
                self._lock.notify()

    def resume(self) -> None:
        with self._lock:
            if self._state is PlaybackState.PAUSED:
                self._since = time.monotonic()
                self._state = PlaybackState.PLAYING
                self._lock.notify()

    def stop(self) -> None:
        self._command("stop")

    def seek(self, seconds: float) -> None:
        with self._lock:
            if self._current is not None:
                self._heard += self._position() - self._offset
                self._offset = min(max(float(seconds), 0.0), self._duration)
                self._since = time.monotonic()
                self._lock.notify()

    def set_volume(self, volume: float) -> None:
        """Nothing to do: there is no sound."""

    def output_devices(self) -> list[OutputDevice]:
        return []

    def set_output_device(self, index: int | None) -> None:
        """Nothing to choose from."""

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join(timeout=5)

    # --- clock thread ---------------------------------------------------------------------

    def _command(self, *command: object) -> None:
        with self._lock:
            self._commands.append(command)
            self._lock.notify()

    def _position(self) -> float:
        if self._state is PlaybackState.PLAYING:
            return min(self._offset + time.monotonic() - self._since, self._duration)
        return self._offset if self._current is not None else 0.0

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._commands and not self._closed and not self._due():
                    self._lock.wait(self._wait_s())
                if self._closed and not self._commands:
                    return
                command = self._commands.pop(0) if self._commands else ("end",)
            getattr(self, f"_do_{command[0]}")(*command[1:])

    def _due(self) -> bool:
        return self._state is PlaybackState.PLAYING and self._position() >= self._duration

    def _wait_s(self) -> float | None:
        if self._state is not PlaybackState.PLAYING:
            return None
        return max(self._duration - self._position(), 0.0) + 0.001

    def _do_play(self, item: Playable) -> None:
        self._end(EndReason.SKIPPED)
        self._begin(item)

    def _do_stop(self) -> None:
        self._end(EndReason.STOPPED)

    def _do_end(self) -> None:
        with self._lock:
            follower, self._next = self._next, None
        self._end(EndReason.FINISHED, gapless=follower is not None)
        if follower is not None:
            self._begin(follower)

    def _begin(self, item: Playable) -> None:
        # on the clock thread: libsndfile and the decoder's module load with the first track,
        # not with the window (a silent start imports neither)
        import soundfile as sf

        from player.audio.decoder import open_failure

        try:
            duration = sf.info(native(item.path)).duration
        except (RuntimeError, OSError, ValueError) as exc:
            with self._lock:
                self._state = PlaybackState.STOPPED
            self._call("error", item, str(open_failure(item, exc)))
            return
        with self._lock:
            self._current, self._duration = item, duration
            self._offset, self._heard, self._since = 0.0, 0.0, time.monotonic()
            self._state = PlaybackState.PLAYING
        self._call("track_started", item)

    def _end(self, reason: EndReason, *, gapless: bool = False) -> None:
        """End the current play; with ``gapless`` the state stays PLAYING for the successor."""
        with self._lock:
            item = self._current
            if item is None:
                return
            heard = self._heard + self._position() - self._offset
            self._current, self._duration, self._offset = None, 0.0, 0.0
            if not gapless:
                self._state = PlaybackState.STOPPED
        self._call("track_ended", item, reason, round(heard * 1000))

    def _call(self, name: str, *args: object) -> None:
        if self.listener is not None:
            getattr(self.listener, name)(*args)
