"""One window per profile: a second start hands its files to the first and exits.

The first instance listens on a local socket named after its profile folder (so two profiles can
run side by side). A later start for the same profile connects, sends one JSON line
(``{"files": [...]}``, absolute paths) and waits for ``ok``; the first raises its window and
gets the files through :attr:`InstanceServer.activated`. A socket left by a crashed instance is
found dead (nobody answers) and replaced.

The socket is a Unix socket in Qt's temporary folder (where ``QLocalServer`` would put it, so a
``QLocalSocket`` reaches it by :attr:`InstanceServer.name`), served with Python's ``socket``
through ``QSocketNotifier``: every start asks whether another window runs before its first
paint, and QtNetwork's import (with the enum types PySide6 makes for it) cost that paint ~20 ms.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QDir, QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
ANSWER_TIMEOUT_MS = 3000
MAX_REQUEST = 1 << 20


def socket_name(profile_root: Path) -> str:
    """The local socket's name for ``profile_root`` (per user: the runtime folder is private)."""
    digest = hashlib.sha256(str(Path(profile_root).resolve()).encode()).hexdigest()[:16]
    return f"continuo-{os.getuid() if hasattr(os, 'getuid') else 0}-{digest}"


def socket_path(profile_root: Path) -> str:
    """Where the socket for ``profile_root`` lies: :func:`socket_name` in Qt's temporary folder."""
    return os.path.join(QDir.tempPath(), socket_name(profile_root))


def hand_off(profile_root: Path, files: Sequence[Path | str] = ()) -> bool:
    """Give ``files`` to a running Continuo on this profile and ask it to show its window.

    True when one answered (this start should then exit); False when none runs.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            client.connect(socket_path(profile_root))
        except OSError:  # no socket, or one left by a crashed instance: nobody answers
            return False
        request = {"files": [str(Path(f).expanduser().absolute()) for f in files]}
        answered = b""
        try:
            client.settimeout(ANSWER_TIMEOUT_MS / 1000)
            client.sendall(json.dumps(request).encode("utf-8") + b"\n")
            while b"\n" not in answered:
                part = client.recv(64)
                if not part:
                    break
                answered += part
        except OSError:  # it stopped answering (a window closing, a hung process)
            return False
    return answered.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts on the same profile; :attr:`activated` gets their files."""

    activated = Signal(list)  # list[str]: absolute paths, possibly empty

    def __init__(self, profile_root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = socket_name(profile_root)
        self.path = socket_path(profile_root)
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._clients: dict[socket.socket, tuple[QSocketNotifier, bytearray]] = {}

    def listen(self) -> bool:
        """Start listening, in place of a socket left at the path (its owner died). The socket
        is bound in a private folder, made the user's alone, then moved into place, so no
        other user can connect to it in between. False on failure."""
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            folder = tempfile.mkdtemp(prefix="continuo-", dir=os.path.dirname(self.path))
            private = os.path.join(folder, "s")
            try:
                server.bind(private)
                os.chmod(private, 0o600)
                server.listen(8)
                os.replace(private, self.path)
            finally:
                with suppress(FileNotFoundError):
                    os.unlink(private)  # moved into place unless something failed
                os.rmdir(folder)
        except OSError as exc:
            server.close()
            log.warning("single-instance socket %s: %s", self.path, exc)
            return False
        server.setblocking(False)
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def close(self) -> None:
        for client in list(self._clients):
            self._drop(client)
        if self._server is not None:
            assert self._notifier is not None
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._server.close()
            self._server = self._notifier = None
            with suppress(OSError):
                os.unlink(self.path)

    def _accept(self, *_: object) -> None:
        assert self._server is not None
        while True:
            try:
                client, _address = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("single-instance socket %s: %s", self.path, exc)
                return
            client.setblocking(False)
            notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
            notifier.activated.connect(lambda *_, c=client: self._read(c))
            self._clients[client] = (notifier, bytearray())

    def _read(self, client: socket.socket) -> None:
        entry = self._clients.get(client)
        if entry is None:
            return
        data = entry[1]
        try:
            part = client.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            part = b""
        if not part:  # the other start hung up
            self._drop(client)
            return
        data += part
        if len(data) > MAX_REQUEST:
            self._drop(client)
            return
        if b"\n" not in data:
            return
        line = bytes(data).split(b"\n", 1)[0]
        try:
            files = [str(f) for f in json.loads(line.decode("utf-8")).get("files", [])]
        except (ValueError, AttributeError, TypeError) as exc:
            log.warning("ignored a malformed request from a second start: %s", exc)
            self._drop(client)
            return
        with suppress(OSError):
            client.sendall(b"ok\n")
        self._drop(client)
        self.activated.emit(files)

    def _drop(self, client: socket.socket) -> None:
        notifier, _ = self._clients.pop(client, (None, b""))
        if notifier is not None:
            notifier.setEnabled(False)
            notifier.deleteLater()
        client.close()
