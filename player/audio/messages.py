"""The typed messages between the app and its sound-engine process (see ``process.py``).

Commands go from the app to the engine, events come back; each is a small frozen dataclass,
pickled over one pipe. Commands that change what is heard carry ``seq``, the app's own command
counter: the engine publishes the last one it has acted on (``status.py``), so the app knows
when to stop showing what it asked for and show what the engine does.

A play is named by ``play_id``, chosen by the app, which keeps the :class:`Playable` behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from player.audio.backend import EndReason, OutputDevice

# --- commands (app → engine) --------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """A file to open: what the engine needs of a :class:`~player.audio.backend.Playable`."""

    play_id: int
    path: Path  # pickled as it is, so a file name that is not UTF-8 survives
    replaygain_db: float | None = None
    replaygain_peak: float | None = None


@dataclass(frozen=True)
class Play:
    seq: int
    track: Track


@dataclass(frozen=True)
class SetNext:
    track: Track | None


@dataclass(frozen=True)
class Pause:
    seq: int


@dataclass(frozen=True)
class Resume:
    seq: int


@dataclass(frozen=True)
class Stop:
    seq: int


@dataclass(frozen=True)
class Seek:
    seq: int
    play_id: int  # the play the app shows as heard
    seconds: float


@dataclass(frozen=True)
class Volume:
    volume: float  # 0.0 … 1.0


@dataclass(frozen=True)
class Device:
    index: int | None  # None: the system default


@dataclass(frozen=True)
class Close:
    pass


Command = Play | SetNext | Pause | Resume | Stop | Seek | Volume | Device | Close

# --- events (engine → app) ----------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The output is open: its name, rate, channels and the devices there are."""

    name: str
    rate: int
    channels: int
    devices: tuple[OutputDevice, ...]


@dataclass(frozen=True)
class Failed:
    """No output could be opened at start; the engine process ends."""

    message: str


@dataclass(frozen=True)
class Started:
    play_id: int


@dataclass(frozen=True)
class Ended:
    play_id: int
    reason: EndReason
    ms_heard: int


@dataclass(frozen=True)
class Error:
    play_id: int | None
    message: str


@dataclass(frozen=True)
class DeviceChanged:
    index: int | None
    name: str
    devices: tuple[OutputDevice, ...]


@dataclass(frozen=True)
class DeviceLost:
    """The output stopped taking sound by itself (unplugged, server gone)."""

    message: str


Event = Ready | Failed | Started | Ended | Error | DeviceChanged | DeviceLost
