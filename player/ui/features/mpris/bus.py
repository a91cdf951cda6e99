"""A session-bus connection read on the GUI thread: jeepney for the wire format, Qt for the waiting.

Why not QtDBus: PySide6 turns every Python ``int`` inside a variant into a 32-bit ``i``, and
offers no way to write a 64-bit ``x`` inside a map, but MPRIS requires ``mpris:length`` to be an
``x`` in the ``a{sv}`` Metadata (GLib- and Go-based clients check the type and ignore anything
else). jeepney (pure Python) writes exactly the signatures it is given.

No thread: the socket is watched by a :class:`QSocketNotifier`, so messages are handled between
the window's other events, and replies are sent at once (they are a few hundred bytes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jeepney import DBusAddress, Message, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

DO_NOT_QUEUE = 4
PRIMARY_OWNER = 1


class BusUnavailable(Exception):
    """There is no session bus to connect to (a headless machine, a bare container)."""


class SessionBus(QObject):
    """One connection to the session bus; ``handler`` gets every incoming message (GUI thread)."""

    def __init__(self, handler: Callable[[Message], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        try:
            self._conn: DBusConnection | None = open_dbus_connection(bus="SESSION")
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise BusUnavailable(f"no session bus: {exc}") from exc
        self._handler = handler
        self._notifier = QSocketNotifier(self._conn.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)

    @property
    def unique_name(self) -> str:
        return str(self._conn.unique_name) if self._conn else ""

    def request_name(self, name: str) -> bool:
        """Own ``name`` if nobody does (no queueing); True when this connection now owns it."""
        if self._conn is None:
            return False
        reply = self._conn.send_and_get_reply(
            message_bus.RequestName(name, DO_NOT_QUEUE), timeout=5
        )
        return bool(reply.body and reply.body[0] == PRIMARY_OWNER)

    def send(self, message: Message) -> None:
        if self._conn is None:
            return
        try:
            self._conn.send(message)
        except OSError as exc:
            self._lost(exc)

    def call(self, address: DBusAddress, method: str, signature: str, body: tuple) -> Message:
        """A blocking method call (for tests and one-off questions); returns the reply."""
        if self._conn is None:
            raise BusUnavailable("the session bus connection is closed")
        return self._conn.send_and_get_reply(
            new_method_call(address, method, signature, body), timeout=5
        )

    def close(self) -> None:
        if self._conn is not None:
            self._notifier.setEnabled(False)
            self._conn.close()
            self._conn = None

    def _readable(self) -> None:
        while self._conn is not None:
            try:
                message = self._conn.receive(timeout=0)
            except TimeoutError:  # nothing more buffered or waiting on the socket
                return
            except (OSError, ValueError) as exc:  # the bus went away or sent garbage
                self._lost(exc)
                return
            if message.header.message_type in (MessageType.method_call, MessageType.signal):
                self._handler(message)

    def _lost(self, exc: Exception) -> None:
        log.warning("session bus connection lost: %s", exc)
        self.close()
