"""A private D-Bus session bus for a test (``dbus-daemon``), ``gdbus`` calls against it, and a
stand-in file manager on it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection


@contextmanager
def private_session_bus() -> Iterator[str]:
    """Start a session ``dbus-daemon`` of our own; yields its address (skips when not installed)."""
    if shutil.which("dbus-daemon") is None or shutil.which("gdbus") is None:
        pytest.skip("dbus-daemon and gdbus are not installed (packaging/setup.sh installs them)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address=1", "--nofork", "--nopidfile"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(10)


def gdbus(qtbot, address: str, *args: str) -> str:
    """Run ``gdbus ARGS`` on the bus at ``address`` while this process's event loop keeps
    answering (the service under test lives on it); returns its output, failing on an error."""
    process = subprocess.Popen(
        ["gdbus", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"},
    )
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=15000)
    out, err = process.communicate()
    assert process.returncode == 0, err
    return out.strip()


@contextmanager
def fake_file_manager(address: str) -> Iterator[list[list[str]]]:
    """A stand-in for the desktop's file manager on the bus at ``address``: it owns
    ``org.freedesktop.FileManager1`` and answers ``ShowItems``; yields the URI lists it got."""
    calls: list[list[str]] = []
    stop = threading.Event()
    bus = open_dbus_connection(address)
    owned = bus.send_and_get_reply(message_bus.RequestName("org.freedesktop.FileManager1", 4))
    assert owned.body == (1,), "the private bus should have no file manager yet"

    def serve() -> None:
        while not stop.is_set():
            try:
                message = bus.receive(timeout=0.05)
            except TimeoutError:
                continue
            header = message.header
            if header.message_type == MessageType.method_call:
                member = header.fields.get(HeaderFields.member)
                if member == "ShowItems":
                    calls.append(list(message.body[0]))
                bus.send(new_method_return(message))

    thread = threading.Thread(target=serve, name="fake file manager", daemon=True)
    thread.start()
    try:
        yield calls
    finally:
        stop.set()
        thread.join(5)
        bus.close()
