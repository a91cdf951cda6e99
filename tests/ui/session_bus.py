"""A private D-Bus session bus for a test (``dbus-daemon``), and ``gdbus`` calls against it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


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
