"""One window per profile: a second start hands its files to the first and exits.

The first instance listens on a local socket named after its profile folder (so two profiles can
run side by side). A later start for the same profile connects, sends one JSON line
(``{"files": [...]}``, absolute paths) and waits for ``ok``; the first raises its window and
gets the files through :attr:`InstanceServer.activated`. A socket left by a crashed instance is
found dead (nobody answers) and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
ANSWER_TIMEOUT_MS = 3000
MAX_REQUEST = 1 << 20


def socket_name(profile_root: Path) -> str:
    """The local socket's name for ``profile_root`` (per user: the runtime folder is private)."""
    digest = hashlib.sha256(str(Path(profile_root).resolve()).encode()).hexdigest()[:16]
    return f"continuo-{os.getuid() if hasattr(os, 'getuid') else 0}-{digest}"


def hand_off(profile_root: Path, files: Sequence[Path | str] = ()) -> bool:
    """Give ``files`` to a running Continuo on this profile and ask it to show its window.

    True when one answered (this start should then exit); False when none runs.
    """
    socket = QLocalSocket()
    socket.connectToServer(socket_name(profile_root))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    request = {"files": [str(Path(f).expanduser().absolute()) for f in files]}
    socket.write(json.dumps(request).encode("utf-8") + b"\n")
    socket.flush()
    answered = b""
    while b"\n" not in answered and socket.waitForReadyRead(ANSWER_TIMEOUT_MS):
        answered += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answered.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts on the same profile; :attr:`activated` gets their files."""

    activated = Signal(list)  # list[str]: absolute paths, possibly empty

    def __init__(self, profile_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = socket_name(profile_root)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a stale socket (its owner died) is removed first. False on failure."""
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("single-instance socket %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            self._buffers[client] = b""
            client.readyRead.connect(lambda c=client: self._read(c))
            client.disconnected.connect(lambda c=client: self._forget(c))

    def _read(self, client: QLocalSocket) -> None:
        data = self._buffers.get(client, b"") + bytes(client.readAll().data())
        if len(data) > MAX_REQUEST:
            client.abort()
            return
        self._buffers[client] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        try:
            files = [str(f) for f in json.loads(line.decode("utf-8")).get("files", [])]
        except (ValueError, AttributeError, TypeError) as exc:
            log.warning("ignored a malformed request from a second start: %s", exc)
            client.abort()
            return
        client.write(b"ok\n")
        client.flush()
        self.activated.emit(files)

    def _forget(self, client: QLocalSocket) -> None:
        self._buffers.pop(client, None)
        client.deleteLater()
