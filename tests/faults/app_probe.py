"""Open the real window on a profile, offscreen, play a little, and print what the listener sees.

Run as a child process (``python -m tests.faults.app_probe PROFILE [--play N]``) so that a test
can run it without the capabilities that let root ignore file permissions. Prints one JSON
object: the banner, the status bar's fault line, the tracks shown, the plays the log holds in
memory, and whether the play-log thread is alive. Every wait has a deadline and ends on an event.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from player.app import build_services, build_window  # noqa: E402
from player.profile import Profile  # noqa: E402


def wait_until(condition, deadline_s: float) -> bool:
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--play", type=int, default=0, help="tracks to play through")
    args = parser.parse_args()
    app = QApplication([])
    services = build_services(Profile(Path(args.profile)), no_audio=True)
    window = build_window(services)
    window.show()
    loaded: list[int] = []
    scanned: list[object] = []
    window.library_loaded.connect(loaded.append)
    window.scan_finished.connect(scanned.append)
    window.start()
    wait_until(lambda: scanned and loaded, 30)
    started: list[object] = []
    controller = window.controller

    def heard(track) -> None:  # each play counts; its last moments are enough
        if track is not None:
            started.append(track)
            controller.seek(max(0.0, track.duration_s - 0.3))

    controller.now_playing.connect(heard)
    if args.play:
        window.controller.play_library()
        wait_until(lambda: len(started) > args.play, 60)
        window.controller.stop()
        wait_until(lambda: services.recorder.flush(1.0) and not window.controller.current, 10)
    services.recorder.flush()
    report = {
        "banner": window.banner.text() if window.banner.isVisible() else "",
        "fault": window.status.fault.text() if window.status.fault.isVisible() else "",
        "scan": window.status.scan.text(),
        "tracks": window.library.table_model.rowCount(),
        "played": len(started),
        "pending": services.recorder.pending,
        "play_log_alive": services.recorder.alive,
        "read_only": services.read_only,
    }
    window.close()
    window.jobs.wait(10000)
    services.close()
    print(json.dumps(report))
    del app


if __name__ == "__main__":
    main()
