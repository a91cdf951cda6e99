"""One engine process for the whole module (starting one costs a second or two) and files."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from player.audio.backend import EndReason, Playable


class Recorder:
    """A BackendListener that writes down what it hears and lets a test wait for it."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.times: list[float] = []  # when each event arrived (time.monotonic)
        self.backend = None  # when set, its state at each track_ended goes to end_states
        self.end_states: list = []
        self._cond = threading.Condition()

    def track_started(self, item: Playable) -> None:
        self._add(("started", item.path.name))

    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None:
        if self.backend is not None:
            self.end_states.append(self.backend.state)
        self._add(("ended", item.path.name, reason, ms_heard))

    def error(self, item: Playable | None, message: str) -> None:
        self._add(("error", item.path.name if item else None, message))

    def _add(self, event: tuple) -> None:
        with self._cond:
            self.times.append(time.monotonic())
            self.events.append(event)
            self._cond.notify_all()

    def arrived(self, event: tuple) -> float:
        """When ``event`` (one of :attr:`events`) arrived, on the ``time.monotonic`` clock."""
        return next(t for e, t in zip(self.events, self.times, strict=True) if e is event)

    def wait_for(self, kind: str, count: int = 1, timeout: float = 8.0) -> list[tuple]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len([e for e in self.events if e[0] == kind]) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no {count}× {kind} in {timeout} s; got {self.events}"
                self._cond.wait(left)
            return [e for e in self.events if e[0] == kind]


def wait_until(predicate, *, timeout: float = 8.0, what: str = "the condition") -> None:  # noqa: ANN001
    """Poll ``predicate`` until it holds; a generous deadline, so a loaded machine only waits longer."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not hold within {timeout} s"
        time.sleep(0.01)


def write_sine(
    path: Path, *, seconds: float, rate: int, channels: int = 2, amplitude: float = 0.5
) -> Playable:
    t = np.arange(int(seconds * rate)) / rate
    tone = amplitude * np.sin(2 * np.pi * 440.0 * t)
    sf.write(path, np.repeat(tone[:, None], channels, axis=1), rate)
    return Playable(path)


@pytest.fixture(scope="module")
def backend():
    from player.audio.process import ProcessBackend

    engine = ProcessBackend(samplerate=48000)
    yield engine
    engine.close()


@pytest.fixture
def recorder(backend):
    backend.stop()
    old = backend.listener
    if isinstance(old, Recorder):  # the earlier test's stop() ends its plays for its listener
        started = len([e for e in old.events if e[0] == "started"])
        old.wait_for("ended", started)
    rec = Recorder()
    rec.backend = backend
    backend.listener = rec
    return rec
