"""MPRIS2 on a private session bus, driven and read with gdbus as a desktop's media controls do.

The real window (offscreen, silent NullBackend) over a generated library with a folder cover.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from player.app import build_services, build_window
from player.audio.backend import PlaybackState
from player.profile import Profile
from player.ui.features.mpris.service import BUS_NAME, OBJECT_PATH, TRACK_PATH
from tests.library.images import png_bytes
from tests.ui.library import make_library
from tests.ui.session_bus import gdbus
from tests.ui.test_window import close_window, open_window

PLAYER = "org.mpris.MediaPlayer2.Player"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = make_library(tmp_path_factory.mktemp("music"))
    (folder / "work0" / "cover.png").write_bytes(png_bytes(32, 32))
    return folder


@pytest.fixture
def window(qtbot, qapp, tmp_path, library, bus):
    window = open_window(qtbot, qapp, tmp_path / "profile", library, no_audio=True)
    qtbot.waitUntil(lambda: len(window.controller.library_tracks) == 6, timeout=10000)
    yield window
    if window.isVisible():
        close_window(window)


def call(qtbot, bus, method, *args):
    return gdbus(
        qtbot, bus, "call", "--session", "--dest", BUS_NAME, "--object-path", OBJECT_PATH,
        "--method", method, *args,
    )  # fmt: skip


def prop(qtbot, bus, name, interface=PLAYER):
    return call(qtbot, bus, "org.freedesktop.DBus.Properties.Get", interface, name)


def test_media_controls_drive_and_read_the_player(qtbot, window, bus):
    assert window.features.mpris is not None and window.features.mpris.name == BUS_NAME
    introspection = call(qtbot, bus, "org.freedesktop.DBus.Introspectable.Introspect")
    assert 'interface name="org.mpris.MediaPlayer2.Player"' in introspection
    assert prop(qtbot, bus, "Identity", "org.mpris.MediaPlayer2") == "(<'Continuo'>,)"
    assert prop(qtbot, bus, "DesktopEntry", "org.mpris.MediaPlayer2") == "(<'continuo'>,)"
    assert prop(qtbot, bus, "PlaybackStatus") == "(<'Stopped'>,)"
    assert "TrackList/NoTrack" in prop(qtbot, bus, "Metadata")

    monitor = subprocess.Popen(
        ["gdbus", "monitor", "--session", "--dest", BUS_NAME],
        stdout=subprocess.PIPE,
        text=True,
        env={"DBUS_SESSION_BUS_ADDRESS": bus, "PATH": "/usr/bin:/bin"},
    )
    try:
        controller = window.controller
        call(qtbot, bus, f"{PLAYER}.Play")
        qtbot.waitUntil(lambda: controller.current is not None, timeout=5000)
        first = controller.current
        assert prop(qtbot, bus, "PlaybackStatus") == "(<'Playing'>,)"
        # the folder's cover.png is found off the GUI thread, then the metadata carries it
        qtbot.waitUntil(lambda: "mpris:artUrl" in prop(qtbot, bus, "Metadata"), timeout=10000)
        metadata = prop(qtbot, bus, "Metadata")
        assert f"'mpris:trackid': <objectpath '{TRACK_PATH}{first.id}'>" in metadata
        assert f"'mpris:length': <int64 {round(first.duration_s * 1e6)}>" in metadata
        assert "'xesam:title': <'Brandenburg Concerto No. 3 in G major, BWV 1048: Allegro'>" in (
            metadata
        )
        assert "'xesam:composer': <['Johann Sebastian Bach']>" in metadata
        assert "'xesam:artist': <['Continuo test ensemble']>" in metadata
        art = re.search(r"'mpris:artUrl': <'file://([^']+)'>", metadata)
        assert art and art.group(1).startswith(str(window.services.profile.art))

        call(qtbot, bus, f"{PLAYER}.Pause")
        qtbot.waitUntil(lambda: controller.backend.state == PlaybackState.PAUSED, timeout=5000)
        assert prop(qtbot, bus, "PlaybackStatus") == "(<'Paused'>,)"
        call(qtbot, bus, f"{PLAYER}.SetPosition", f"{TRACK_PATH}{first.id}", "2000000")
        position = int(re.search(r"<int64 (\d+)>", prop(qtbot, bus, "Position")).group(1))
        assert 1_900_000 <= position <= 2_100_000
        call(qtbot, bus, f"{PLAYER}.Seek", "1000000")
        position = int(re.search(r"<int64 (\d+)>", prop(qtbot, bus, "Position")).group(1))
        assert 2_900_000 <= position <= 3_100_000
        call(qtbot, bus, f"{PLAYER}.PlayPause")
        qtbot.waitUntil(lambda: controller.backend.state == PlaybackState.PLAYING, timeout=5000)

        call(qtbot, bus, f"{PLAYER}.Next")
        qtbot.waitUntil(lambda: controller.current not in (None, first), timeout=5000)
        assert f"{TRACK_PATH}{controller.current.id}'" in prop(qtbot, bus, "Metadata")
        call(qtbot, bus, f"{PLAYER}.Previous")  # early in the track: back to the one before
        qtbot.waitUntil(lambda: controller.current == first, timeout=5000)

        call(qtbot, bus, "org.freedesktop.DBus.Properties.Set", PLAYER, "Volume", "<0.25>")
        assert window.transport.volume_slider.value() == 25
        assert prop(qtbot, bus, "Volume") == "(<0.25>,)"
        window.transport.set_volume(0.5)  # moved in the window: the bus hears of it

        window.showMinimized()
        call(qtbot, bus, "org.mpris.MediaPlayer2.Raise")
        assert not window.isMinimized()
        qtbot.wait(300)  # the monitor's connection receives the last signals
    finally:
        monitor.terminate()
    signals = monitor.communicate()[0]
    assert "PropertiesChanged" in signals
    assert re.search(r"'PlaybackStatus': <'Paused'>", signals)
    assert re.search(r"Player\.Seeked \(int64 \d+,\)", signals)
    assert "'Volume': <0.5>" in signals


def test_bad_calls_get_dbus_errors_and_the_window_stays(qtbot, window, bus):
    for args in (
        (f"{PLAYER}.OpenUri", "file:///x.flac"),
        ("org.freedesktop.DBus.Properties.Set", PLAYER, "PlaybackStatus", "<'Playing'>"),
        ("org.freedesktop.DBus.Properties.Get", PLAYER, "NoSuchThing"),
        ("org.freedesktop.DBus.Properties.GetAll", "org.example.Nothing"),
    ):
        with pytest.raises(AssertionError, match="org.freedesktop.DBus.Error"):
            call(qtbot, bus, *args)
    # a Seek or SetPosition with nothing playing, or for another track, changes nothing
    call(qtbot, bus, f"{PLAYER}.Seek", "5000000")
    call(qtbot, bus, f"{PLAYER}.SetPosition", f"{TRACK_PATH}999", "1000")
    assert window.controller.current is None
    call(qtbot, bus, "org.mpris.MediaPlayer2.Quit")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    window.jobs.wait()
    window.services.close()


def test_no_session_bus_leaves_mpris_off(qtbot, qapp, tmp_path, library, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    services = build_services(Profile(tmp_path / "p").create(), [library], no_audio=True)
    window = build_window(services)
    qtbot.addWidget(window)
    try:
        assert window.features.mpris is None
    finally:
        close_window(window)
