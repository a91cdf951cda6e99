"""One window per profile: a second start (a real second process) hands its files to the first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from PySide6.QtCore import QDir

from player.ui.instance import InstanceServer, hand_off, socket_name

SECOND_START = (
    "import sys; from pathlib import Path; from player.ui.instance import hand_off; "
    "sys.exit(0 if hand_off(Path(sys.argv[1]), sys.argv[2:]) else 3)"
)


def second_start(qtbot, profile, *files) -> int:
    """Run a second process's hand-off while this one's event loop answers it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", SECOND_START, str(profile), *map(str, files)], env=env
    )
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=20000)
    return process.returncode


def test_second_start_hands_its_files_to_the_first(qtbot, tmp_path):
    profile = tmp_path / "profile"
    server = InstanceServer(profile)
    assert server.listen()
    received = []
    server.activated.connect(received.append)
    assert second_start(qtbot, profile, tmp_path / "a.flac", "relative/b.ogg") == 0
    qtbot.waitUntil(lambda: len(received) == 1)
    assert received[0][0] == str(tmp_path / "a.flac")
    assert received[0][1].endswith("relative/b.ogg") and os.path.isabs(received[0][1])
    assert second_start(qtbot, profile) == 0  # no files: just raise the window
    qtbot.waitUntil(lambda: len(received) == 2)
    assert received[1] == []
    server.close()


def test_other_profiles_and_dead_instances_do_not_answer(qtbot, tmp_path):
    server = InstanceServer(tmp_path / "one")
    assert server.listen()
    assert second_start(qtbot, tmp_path / "two") == 3
    assert socket_name(tmp_path / "one") != socket_name(tmp_path / "two")
    server.close()
    assert not hand_off(tmp_path / "one")  # closed: nobody runs, this start opens a window


def test_a_socket_left_by_a_crashed_instance_is_replaced(qtbot, tmp_path):
    profile = tmp_path / "profile"
    path = os.path.join(QDir.tempPath(), socket_name(profile))
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # bound, never listening, left behind: what a killed process leaves
    stale.close()
    assert not hand_off(profile)
    server = InstanceServer(profile)
    assert server.listen()
    received = []
    server.activated.connect(received.append)
    assert second_start(qtbot, profile, tmp_path / "x.flac") == 0
    qtbot.waitUntil(lambda: received == [[str(tmp_path / "x.flac")]])
    server.close()


def test_malformed_requests_are_dropped(qtbot, tmp_path):
    from PySide6.QtNetwork import QLocalSocket

    server = InstanceServer(tmp_path / "p")
    assert server.listen()
    received = []
    server.activated.connect(received.append)
    client = QLocalSocket()
    client.connectToServer(server.name)
    assert client.waitForConnected(1000)
    client.write(b"this is not json\n")
    client.flush()
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert received == []
    server.close()
