"""The one small interface between the player and whatever makes sound.

The UI and the play log only talk to an :class:`AudioBackend` and listen to its
:class:`BackendListener` callbacks. ``ProcessBackend`` (process.py) plays through the sound
card; ``NullBackend`` keeps time without sound on machines with no output device, and the app
says it is using it.

Callbacks come from the backend's own threads, never from the PortAudio callback; a GUI must
hop to its main thread before touching widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from player.domain.plays import EndReason

__all__ = [
    "AudioBackend",
    "BackendListener",
    "EndReason",
    "OutputDevice",
    "Playable",
    "PlaybackSnapshot",
]


class PlaybackState(Enum):
    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"


@dataclass(frozen=True)
class Playable:
    """What the backend needs to play a file: no database, no tags beyond loudness."""

    path: Path
    replaygain_db: float | None = None  # track (or album) gain from the tags
    replaygain_peak: float | None = None
    token: object = None  # the caller's own handle (a track id), echoed in callbacks


@dataclass(frozen=True)
class PlaybackSnapshot:
    """What is heard, taken in one reading: the state, the track, where in it, how much of it.

    Why one reading: the properties are each read anew, and across a gapless boundary two of
    them read one after the other can name different tracks (the new track's first second
    under the old one's title). Whoever needs more than one field reads a snapshot.
    """

    state: PlaybackState
    item: Playable | None  # the track heard (or just asked for); None when nothing plays
    position_s: float = 0.0  # in ``item``
    duration_s: float = 0.0  # of ``item``
    ms_heard: int = 0  # of this play of ``item`` so far (paused time and skipped parts not)


NOTHING_PLAYS = PlaybackSnapshot(PlaybackState.STOPPED, None)


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    default_samplerate: float
    is_default: bool


class BackendListener(Protocol):
    def track_started(self, item: Playable) -> None: ...
    def track_ended(self, item: Playable, reason: EndReason, ms_heard: int) -> None: ...
    def error(self, item: Playable | None, message: str) -> None: ...


class AudioBackend(Protocol):
    """Playback of one current track with an optional gapless successor."""

    name: str  # human-readable, e.g. "PortAudio: pulse" or "No sound output"

    def snapshot(self) -> PlaybackSnapshot: ...  # track, position, state: one reading
    @property
    def state(self) -> PlaybackState: ...
    @property
    def position_s(self) -> float: ...  # each of these three is a reading of its own
    @property
    def duration_s(self) -> float: ...
    @property
    def current(self) -> Playable | None: ...
    @property
    def underruns(self) -> int: ...  # PortAudio output_underflow count since start

    def play(self, item: Playable) -> None: ...  # replaces the current track at once
    def set_next(self, item: Playable | None) -> None: ...  # opened early, played gaplessly
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...
    def seek(self, seconds: float) -> None: ...
    def set_volume(self, volume: float) -> None: ...  # 0.0 … 1.0, applied smoothly
    def output_devices(self) -> list[OutputDevice]: ...
    def set_output_device(self, index: int | None) -> None: ...  # None = system default
    def close(self) -> None: ...
