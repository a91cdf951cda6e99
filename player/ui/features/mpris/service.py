"""MPRIS2 (``org.mpris.MediaPlayer2`` and ``.Player``) for desktop media controls and media keys.

The service answers the bus on the GUI thread and asks a :class:`MprisPlayer` (a small
interface the window adapts its playback to) for state and commands; it never sees the window.
Whoever drives it calls :meth:`MprisService.changed` when the status, the track or the volume
changed (one ``PropertiesChanged`` signal) and :meth:`MprisService.seeked` after every jump in
the position, its own Seek and SetPosition included.
Position is not signalled (the specification has clients poll it), so nothing ticks here.

Specification: https://specifications.freedesktop.org/mpris-spec/latest/
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from jeepney import HeaderFields, Message, MessageType, new_error, new_method_return, new_signal
from jeepney.wrappers import DBusAddress
from PySide6.QtCore import QObject

from player.ui.features.mpris.bus import SessionBus

log = logging.getLogger(__name__)

OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
BUS_NAME = "org.mpris.MediaPlayer2.continuo"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
TRACK_PATH = "/io/github/continuo/Continuo/track/"
MIME_TYPES = [
    "audio/flac",
    "audio/ogg",
    "audio/x-vorbis+ogg",
    "audio/opus",
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "audio/aiff",
    "audio/x-aiff",
    "audio/mp4",
]


@dataclass(frozen=True)
class NowPlaying:
    """What MPRIS tells about the current track (the adapter fills it from the library)."""

    track_id: int
    title: str
    length_s: float
    path: Path
    album: str = ""
    artists: list[str] = field(default_factory=list)
    composers: list[str] = field(default_factory=list)
    art: Path | None = None


@dataclass(frozen=True)
class Reading:
    """The status, the track and the position in it, read together: a client's ``GetAll``
    (Metadata and Position in one reply) never pairs one track's position with another's."""

    status: str  # "Playing", "Paused" or "Stopped"
    now: NowPlaying | None
    position_s: float = 0.0


class MprisPlayer(Protocol):
    """What the service needs from the player; every call happens on the GUI thread."""

    def reading(self) -> Reading: ...
    def volume(self) -> float: ...  # 0.0 … 1.0
    def set_volume(self, volume: float) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def play_pause(self) -> None: ...
    def stop(self) -> None: ...
    def next(self) -> None: ...
    def previous(self) -> None: ...
    def seek_to(self, seconds: float) -> None: ...
    def can_go_next(self) -> bool: ...
    def raise_window(self) -> None: ...
    def quit(self) -> None: ...


def track_object_path(track_id: int) -> str:
    return f"{TRACK_PATH}{int(track_id)}"


def metadata(now: NowPlaying | None) -> dict[str, tuple[str, object]]:
    """The ``Metadata`` map, each value with its D-Bus signature (lengths in µs as ``x``)."""
    if now is None:
        return {"mpris:trackid": ("o", NO_TRACK)}
    values: dict[str, tuple[str, object]] = {
        "mpris:trackid": ("o", track_object_path(now.track_id)),
        "mpris:length": ("x", max(0, round(now.length_s * 1_000_000))),
        "xesam:title": ("s", now.title),
        "xesam:url": ("s", now.path.resolve().as_uri()),
    }
    if now.album:
        values["xesam:album"] = ("s", now.album)
    if now.artists:
        values["xesam:artist"] = ("as", list(now.artists))
    if now.composers:
        values["xesam:composer"] = ("as", list(now.composers))
    if now.art is not None:
        values["mpris:artUrl"] = ("s", now.art.resolve().as_uri())
    return values


class MprisService(QObject):
    """The MPRIS object at ``/org/mpris/MediaPlayer2`` on ``bus``, answering for ``player``."""

    def __init__(self, bus: SessionBus, player: MprisPlayer, *, identity: str = "Continuo") -> None:
        super().__init__(bus)
        self.bus = bus
        self.player = player
        self.identity = identity
        self.name = ""
        self._emitter = DBusAddress(OBJECT_PATH, interface=PROPERTIES)

    def register(self) -> str:
        """Own ``org.mpris.MediaPlayer2.continuo``, or a per-process name when another Continuo
        (another profile) holds it, as the specification asks; returns the name owned."""
        for name in (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}"):
            if self.bus.request_name(name):
                self.name = name
                return name
        raise RuntimeError("could not own an MPRIS bus name")

    # notifications --------------------------------------------------------------------------
    def changed(self, *names: str) -> None:
        """Signal that the Player properties ``names`` changed (one PropertiesChanged)."""
        player = self._player_properties()
        values = {name: player[name] for name in names if name in player}
        if values:
            body: tuple = (PLAYER, values, [])
            self.bus.send(new_signal(self._emitter, "PropertiesChanged", "sa{sv}as", body))

    def seeked(self) -> None:
        """Signal a jump in the position (a seek, or a track restarted)."""
        emitter = DBusAddress(OBJECT_PATH, interface=PLAYER)
        position = _microseconds(self.player.reading().position_s)
        self.bus.send(new_signal(emitter, "Seeked", "x", (position,)))

    # incoming -------------------------------------------------------------------------------
    def handle(self, message: Message) -> None:
        """Answer one message from the bus (method calls to our object; signals are ignored)."""
        if message.header.message_type != MessageType.method_call:
            return  # NameAcquired and the like
        fields = message.header.fields
        if fields.get(HeaderFields.path) != OBJECT_PATH:
            self._error(message, "org.freedesktop.DBus.Error.UnknownObject", "no such object")
            return
        interface = fields.get(HeaderFields.interface, "")
        member = fields[HeaderFields.member]
        try:
            reply = self._dispatch(interface, member, message)
        except _DBusError as exc:
            self._error(message, exc.name, str(exc))
            return
        except Exception as exc:  # a bug must not take the window down with it
            log.exception("MPRIS %s.%s failed", interface, member)
            self._error(message, "org.freedesktop.DBus.Error.Failed", str(exc))
            return
        if reply is not None:
            self.bus.send(reply)

    def _dispatch(self, interface: str, member: str, message: Message) -> Message | None:
        body = message.body
        if interface == PROPERTIES:
            return self._properties(member, message)
        if interface == INTROSPECTABLE and member == "Introspect":
            return new_method_return(message, "s", (INTROSPECTION,))
        if interface == PEER and member == "Ping":
            return new_method_return(message)
        commands = {
            (ROOT, "Raise"): self.player.raise_window,
            (ROOT, "Quit"): self.player.quit,
            (PLAYER, "Play"): self.player.play,
            (PLAYER, "Pause"): self.player.pause,
            (PLAYER, "PlayPause"): self.player.play_pause,
            (PLAYER, "Stop"): self.player.stop,
            (PLAYER, "Next"): self.player.next,
            (PLAYER, "Previous"): self.player.previous,
        }
        command = commands.get((interface, member))
        if command is not None:
            command()
        elif (interface, member) == (PLAYER, "Seek"):
            self._seek_by(int(body[0]))
        elif (interface, member) == (PLAYER, "SetPosition"):
            self._set_position(str(body[0]), int(body[1]))
        elif (interface, member) == (PLAYER, "OpenUri"):
            raise _DBusError("org.freedesktop.DBus.Error.NotSupported", "OpenUri is not supported")
        else:
            raise _DBusError(
                "org.freedesktop.DBus.Error.UnknownMethod", f"no method {interface}.{member}"
            )
        return new_method_return(message)

    def _properties(self, member: str, message: Message) -> Message:
        tables = {ROOT: self._root_properties, PLAYER: self._player_properties}
        interface = str(message.body[0])
        if interface not in tables:
            raise _DBusError("org.freedesktop.DBus.Error.UnknownInterface", interface)
        values = tables[interface]()
        if member == "GetAll":
            return new_method_return(message, "a{sv}", (values,))
        name = str(message.body[1])
        if name not in values:
            raise _DBusError("org.freedesktop.DBus.Error.UnknownProperty", name)
        if member == "Get":
            return new_method_return(message, "v", (values[name],))
        if member == "Set" and (interface, name) == (PLAYER, "Volume"):
            signature, value = message.body[2]
            if signature not in ("d", "i", "x", "u", "t"):
                raise _DBusError("org.freedesktop.DBus.Error.InvalidArgs", "Volume is a double")
            self.player.set_volume(min(1.0, max(0.0, float(value))))
            self.changed("Volume")
            return new_method_return(message)
        if member == "Set" and (interface, name) == (PLAYER, "Rate"):
            return new_method_return(message)  # only 1.0 is played; the specification says ignore
        raise _DBusError("org.freedesktop.DBus.Error.PropertyReadOnly", name)

    def _root_properties(self) -> dict[str, tuple[str, object]]:
        return {
            "CanQuit": ("b", True),
            "CanRaise": ("b", True),
            "HasTrackList": ("b", False),
            "Identity": ("s", self.identity),
            "DesktopEntry": ("s", "continuo"),
            "SupportedUriSchemes": ("as", ["file"]),
            "SupportedMimeTypes": ("as", MIME_TYPES),
        }

    def _player_properties(self) -> dict[str, tuple[str, object]]:
        reading = self.player.reading()
        now = reading.now
        return {
            "PlaybackStatus": ("s", reading.status),
            "Rate": ("d", 1.0),
            "MinimumRate": ("d", 1.0),
            "MaximumRate": ("d", 1.0),
            "Metadata": ("a{sv}", metadata(now)),
            "Volume": ("d", float(self.player.volume())),
            "Position": ("x", _microseconds(reading.position_s)),
            "CanGoNext": ("b", self.player.can_go_next()),
            "CanGoPrevious": ("b", now is not None),
            "CanPlay": ("b", True),
            "CanPause": ("b", True),
            "CanSeek": ("b", now is not None),
            "CanControl": ("b", True),
        }

    def _seek_by(self, offset_us: int) -> None:
        reading = self.player.reading()
        now = reading.now
        if now is None:
            return
        target = reading.position_s + offset_us / 1_000_000
        if target >= now.length_s > 0:  # past the end: the specification says go to the next
            self.player.next()
            return
        self.player.seek_to(max(0.0, target))  # the driver reports the jump (seeked())

    def _set_position(self, track_path: str, position_us: int) -> None:
        now = self.player.reading().now
        if now is None or track_path != track_object_path(now.track_id):
            return  # a stale request for a track that is no longer playing is ignored
        if not 0 <= position_us <= now.length_s * 1_000_000:
            return
        self.player.seek_to(position_us / 1_000_000)

    def _error(self, message: Message, name: str, text: str) -> None:
        self.bus.send(new_error(message, name, "s", (text,)))


def _microseconds(seconds: float) -> int:
    return max(0, round(seconds * 1_000_000))


class _DBusError(Exception):
    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name


INTROSPECTION = """<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface" type="s" direction="in"/>
      <arg name="values" type="a{sv}" direction="out"/>
    </method>
    <method name="Set">
      <arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg name="interface" type="s"/><arg name="changed" type="a{sv}"/>
      <arg name="invalidated" type="as"/>
    </signal>
  </interface>
  <interface name="org.mpris.MediaPlayer2">
    <method name="Raise"/>
    <method name="Quit"/>
    <property name="CanQuit" type="b" access="read"/>
    <property name="CanRaise" type="b" access="read"/>
    <property name="HasTrackList" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="DesktopEntry" type="s" access="read"/>
    <property name="SupportedUriSchemes" type="as" access="read"/>
    <property name="SupportedMimeTypes" type="as" access="read"/>
  </interface>
  <interface name="org.mpris.MediaPlayer2.Player">
    <method name="Next"/>
    <method name="Previous"/>
    <method name="Pause"/>
    <method name="PlayPause"/>
    <method name="Stop"/>
    <method name="Play"/>
    <method name="Seek"><arg name="offset" type="x" direction="in"/></method>
    <method name="SetPosition">
      <arg name="track" type="o" direction="in"/><arg name="position" type="x" direction="in"/>
    </method>
    <method name="OpenUri"><arg name="uri" type="s" direction="in"/></method>
    <signal name="Seeked"><arg name="position" type="x"/></signal>
    <property name="PlaybackStatus" type="s" access="read"/>
    <property name="Rate" type="d" access="readwrite"/>
    <property name="MinimumRate" type="d" access="read"/>
    <property name="MaximumRate" type="d" access="read"/>
    <property name="Metadata" type="a{sv}" access="read"/>
    <property name="Volume" type="d" access="readwrite"/>
    <property name="Position" type="x" access="read"/>
    <property name="CanGoNext" type="b" access="read"/>
    <property name="CanGoPrevious" type="b" access="read"/>
    <property name="CanPlay" type="b" access="read"/>
    <property name="CanPause" type="b" access="read"/>
    <property name="CanSeek" type="b" access="read"/>
    <property name="CanControl" type="b" access="read"/>
  </interface>
</node>
"""
