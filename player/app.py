"""The composition root: builds the services from the command line, then the window and its features.

Nothing else in the program reaches for globals: the window, the recorder and the workers get
what they need from :class:`~player.services.Services`; each UI feature gets the window's
:class:`~player.ui.shell.context.FeatureContext`, never the window.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from player.audio.backend import AudioBackend, PlaybackState
from player.errors import ContinuoError, DatabaseError, NewerDatabaseError
from player.playlog import PlayLogRecorder
from player.profile import Profile
from player.services import Listeners, Services
from player.store.db import Database, open_database, quarantine_damaged
from player.store.tracks import add_library_root

if TYPE_CHECKING:
    from player.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

NO_AUDIO_ENV = "CONTINUO_NO_AUDIO"  # set to 1 to play silently through the NullBackend


def open_profile_database(profile: Profile, notices: list[str]) -> Database:
    """Open the profile's database; a damaged one is moved aside (never deleted) and replaced."""
    try:
        return open_database(profile.database)
    except NewerDatabaseError:
        raise
    except DatabaseError as exc:
        moved = quarantine_damaged(profile.database)
        notices.append(
            f"{exc.short}: it was damaged, so Continuo moved it aside to {moved.name} and started "
            "a fresh library. Your music files are untouched."
        )
        log.warning("%s; moved to %s", exc, moved)
        return open_database(profile.database)


def open_audio(
    listener: Listeners, device: int | None, *, no_audio: bool, notices: list[str]
) -> AudioBackend:
    """The sound card through PortAudio, else the silent NullBackend (and a notice saying so)."""
    from player.audio import open_backend
    from player.audio.null import NullBackend

    if no_audio or os.environ.get(NO_AUDIO_ENV) == "1":
        notices.append("Sound output is off (--no-audio): Continuo keeps time but plays silently.")
        return NullBackend(listener, unavailable_reason="sound output turned off")
    backend = open_backend(device, listener=listener)
    if isinstance(backend, NullBackend):
        notices.append(
            f"{backend.unavailable_reason} Continuo still logs what you play. Connect a device "
            "and restart, or choose one under Output."
        )
    return backend


def scan_library(db: Database, roots, **options):
    """The scanner, imported on first use (on the worker thread: it pulls in mutagen and numpy)."""
    from player.library.scanner import scan_library as scan

    return scan(db, roots, **options)


def build_services(
    profile: Profile,
    libraries: Sequence[Path] = (),
    *,
    no_audio: bool = False,
    device: int | None = None,
) -> Services:
    notices: list[str] = []
    db = open_profile_database(profile, notices)
    try:
        for folder in libraries:
            add_library_root(db, str(Path(folder).expanduser().resolve()))
    finally:
        db.close()
    listeners = Listeners()
    backend = open_audio(listeners, device, no_audio=no_audio, notices=notices)
    recorder = PlayLogRecorder(
        profile.database, is_playing=lambda: backend.state == PlaybackState.PLAYING
    ).start()
    listeners.append(recorder)
    from player.recommend.up_next import Recommender

    recommender = Recommender(profile.database, profile.models / "current", threads=1)
    return Services(profile, backend, recorder, listeners, scan_library, notices, recommender)


def build_window(
    services: Services, *, play_on_load: bool = False, play_paths: Sequence[Path] = ()
) -> MainWindow:
    """The shell with every feature installed on its context (a QApplication must exist)."""
    from player.ui.features import install_all
    from player.ui.shell.main_window import MainWindow

    window = MainWindow(services, play_on_load=play_on_load, play_paths=play_paths)
    window.features = install_all(window.context)
    return window


def run_window(
    services: Services,
    qt_argv: list[str],
    *,
    play: bool,
    quit_after: float | None,
    play_paths: Sequence[Path] = (),
) -> int:
    """Open the window and run Qt's event loop until the window closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from player.ui.style import apply_style

    app = cast(QApplication, QApplication.instance() or QApplication([sys.argv[0], *qt_argv]))
    app.setApplicationName("Continuo")
    app.setDesktopFileName("continuo")
    apply_style(app)
    window = build_window(services, play_on_load=play, play_paths=play_paths)
    window.show()
    QTimer.singleShot(0, window.start)
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    # SIGTERM (logout, kill) and Ctrl+C close the window properly, so the running play ends as
    # "stopped"; Python sees the signal at the transport's next poll (every 200 ms).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: window.close())
    try:
        return app.exec()
    finally:
        window.jobs.wait(10000)
        services.close()


def main(
    profile: Profile,
    libraries: Sequence[Path],
    qt_argv: list[str],
    *,
    play: bool = False,
    quit_after: float | None = None,
    no_audio: bool = False,
    play_paths: Sequence[Path] = (),
) -> int:
    logging.basicConfig(
        filename=profile.logs / "continuo.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        services = build_services(profile, libraries, no_audio=no_audio)
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        return 2
    return run_window(services, qt_argv, play=play, quit_after=quit_after, play_paths=play_paths)
