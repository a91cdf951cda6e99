"""One PortAudio backend for the whole module (opening a PulseAudio stream costs ~2 s) and files."""

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
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 8.0) -> list[tuple]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len([e for e in self.events if e[0] == kind]) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no {count}× {kind} in {timeout} s; got {self.events}"
                self._cond.wait(left)
            return [e for e in self.events if e[0] == kind]


def write_sine(
    path: Path, *, seconds: float, rate: int, channels: int = 2, amplitude: float = 0.5
) -> Playable:
    t = np.arange(int(seconds * rate)) / rate
    tone = amplitude * np.sin(2 * np.pi * 440.0 * t)
    sf.write(path, np.repeat(tone[:, None], channels, axis=1), rate)
    return Playable(path)


@pytest.fixture(scope="module")
def backend():
    from player.audio.engine import PortAudioBackend

    engine = PortAudioBackend(samplerate=48000)
    yield engine
    engine.close()


@pytest.fixture
def recorder(backend):
    backend.stop()
    rec = Recorder()
    time.sleep(0.1)  # events of an earlier test's stop() go to the old listener
    rec.backend = backend
    backend.listener = rec
    return rec
