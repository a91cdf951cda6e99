"""Fixtures shared by the window tests."""

from __future__ import annotations

import pytest

from tests.ui.session_bus import private_session_bus


@pytest.fixture
def bus(monkeypatch):  # noqa: ANN001
    """A private D-Bus session bus as the window's session bus (MPRIS, the file manager)."""
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
