"""The composition root: builds the services from the command line, then the window and its features.

Nothing else in the program reaches for globals: the window, the recorder and the workers get
what they need from :class:`~player.services.Services`; each UI feature gets the window's
:class:`~player.ui.shell.context.FeatureContext`, never the window.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, cast

from player.audio.backend import AudioBackend
from player.collector import freeze_long_lived
from player.errors import ContinuoError, DatabaseError
from player.faults import Faults
from player.playlog import PlayLogRecorder
from player.profile import Profile
from player.profile_db import check_early, open_profile_database
from player.services import Listeners, Services
from player.store.db import Database
from player.store.tracks import add_library_root

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from player.library.browse import FirstRead
    from player.recommend.up_next import Recommender
    from player.ui.shell.main_window import MainWindow

NO_AUDIO_ENV = "CONTINUO_NO_AUDIO"  # set to 1 to play silently through the NullBackend


AudioStart = Callable[[Listeners, list[str]], AudioBackend]
"""A sound engine on its way up: call it with the listeners and notices to get the backend."""


def start_audio(device: int | None, *, no_audio: bool) -> AudioStart:
    """Start the sound engine now; the function returned waits for it and gives the sound card
    through PortAudio, else the silent NullBackend (adding a notice saying so). Started early,
    the engine process opens its output while the app imports Qt and opens the profile."""
    from player.audio import start_backend
    from player.audio.null import NullBackend

    if no_audio or os.environ.get(NO_AUDIO_ENV) == "1":

        def silent(listener: Listeners, notices: list[str]) -> AudioBackend:
            notices.append(
                "Sound output is off (--no-audio): Continuo keeps time but plays silently."
            )
            return NullBackend(listener, unavailable_reason="sound output turned off")

        return silent
    ready = start_backend(device)

    def finish(listener: Listeners, notices: list[str]) -> AudioBackend:
        backend = ready()
        backend.listener = listener
        if isinstance(backend, NullBackend):
            notices.append(
                f"{backend.unavailable_reason} Continuo still logs what you play. Connect a "
                "device and restart, or choose one under Output."
            )
        return backend

    return finish


def scan_library(db: Database, roots, **options):
    """The scanner, imported on first use (on the worker thread: it pulls in mutagen and numpy).

    A read-only profile is not scanned: its library stays as stored.
    """
    from player.library.scanner import scan_library as scan

    if db.read_only:
        raise DatabaseError(
            "Library not rescanned: the profile cannot be written now",
            f"{db.path} is open read-only; restart Continuo once it can be written.",
            kind="cannot-write",
        )

    return scan(db, roots, **options)


def build_services(
    profile: Profile,
    libraries: Sequence[Path] = (),
    *,
    no_audio: bool = False,
    device: int | None = None,
    analysis_workers: int | None = None,
    on_wait: Callable[[str], None] | None = None,
    audio: AudioStart | None = None,
    checked: Future[str | None] | None = None,
) -> Services:
    """``on_wait`` shows a line while another program holds the profile's database; ``audio``
    is a sound engine started earlier (:func:`start_audio`), else it starts here; ``checked``,
    the database's check begun earlier (:func:`~player.profile_db.check_early`)."""
    notices: list[str] = []
    faults = Faults()
    if audio is None:
        audio = start_audio(device, no_audio=no_audio)  # opens while the profile does
    unchecked: list[Path] = []
    db = open_profile_database(
        profile, notices, on_wait=on_wait, unchecked=unchecked, checked=checked
    )
    read_only = db.read_only
    try:
        if not read_only:
            for folder in libraries:
                add_library_root(db, str(Path(folder).expanduser().resolve()))
    finally:
        db.close()
    listeners = Listeners()
    backend = audio(listeners, notices)
    recorder = PlayLogRecorder(
        profile.database,
        snapshot=backend.snapshot,
        faults=faults,
    ).start()
    listeners.append(recorder)

    def make_recommender() -> Recommender:
        from player.recommend.up_next import Recommender

        recommender = Recommender(
            profile.database,
            profile.models / "current",
            threads=1,
            read_only=read_only,
            faults=faults,
        )
        recorder.written.append(recommender.plays_logged)  # its history grows play by play
        return recommender

    return Services(
        profile,
        backend,
        recorder,
        listeners,
        scan_library,
        notices,
        make_recommender,
        faults=faults,
        read_only=read_only,
        analysis_workers=analysis_workers,
        unchecked=bool(unchecked),
    )


def read_library_early(services: Services) -> Future[FirstRead]:
    """Begin reading the library's first screen now, on a thread of its own; the future
    returned gives it. SQLite reads with the GIL released, so the read overlaps the window's
    imports and construction: the window shows it with its first paint when it is in by then
    (:meth:`~player.ui.shell.main_window.MainWindow.show_first_screen`), else a worker waits
    for it, never the GUI thread. The thread only reads
    (:func:`~player.library.browse.read_first`, no numpy: numpy is imported on a worker, after
    the paint)."""
    from player.analysis.version import ANALYSIS_VERSION
    from player.library.browse import read_first

    answer: Future[FirstRead] = Future()

    def read() -> None:
        try:
            answer.set_result(read_first(services.open_db, ANALYSIS_VERSION))
        except BaseException as exc:  # given to the window's job, which reports it
            answer.set_exception(exc)

    threading.Thread(target=read, name="continuo-first-library", daemon=True).start()
    return answer


def build_window(
    services: Services,
    *,
    play_on_load: bool = False,
    play_paths: Sequence[Path] = (),
    features_after_library: bool = False,
) -> MainWindow:
    """The shell with every feature installed on its context (a QApplication must exist).

    ``features_after_library`` (``continuo``'s start): only the appearance (the window's colours)
    now; the other features are imported and installed once the library has been drawn (or
    0.5 s after it was shown), when ``window.features`` is set: neither the first paint nor
    the library waits for them, nor do they compete with the library's worker for the GIL."""
    first_library = read_library_early(services)  # SQLite reads while the shell is imported
    from player.ui.features.installer import install_all, install_first, install_rest
    from player.ui.shell.main_window import MainWindow

    window = MainWindow(
        services, play_on_load=play_on_load, play_paths=play_paths, first_library=first_library
    )
    if not features_after_library:
        window.features = install_all(window.context)
        return window
    looks = install_first(window.context)

    def install() -> None:
        window.features = install_rest(window.context, looks)
        window.context.catch_up()  # a track started as the library was shown (--play)

    window.context.after_library_shown(lambda: window.after_library_drawn(install))
    return window


def qt_app(qt_argv: list[str]) -> QApplication:
    """The one QApplication (made on first use), named, in Fusion and the palette. Its
    stylesheet comes with the appearance (:func:`build_window`'s ``install_first``) once the
    window's widgets are made: they are built faster without one
    (:func:`~player.ui.style.apply_palette`)."""
    from PySide6.QtWidgets import QApplication

    from player.ui.style import apply_palette

    app = cast(QApplication, QApplication.instance() or QApplication([sys.argv[0], *qt_argv]))
    app.setApplicationName("Continuo")
    app.setDesktopFileName("continuo")
    apply_palette(app)
    return app


def collect_from_now_on() -> None:
    """The start is over (the library is on screen): what it made stays, so it is moved out of
    the cyclic collector's passes (``gc.freeze``), which run again from now on (``continuo``
    paused them while the window started: :func:`player.cli.main`)."""
    freeze_long_lived()
    gc.enable()


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

    from player.ui.instance import InstanceServer
    from player.ui.shell.next_paint import after_next_paint

    app = qt_app(qt_argv)
    window = build_window(
        services, play_on_load=play, play_paths=play_paths, features_after_library=True
    )
    window.show_first_screen()  # the library, when its read is in: drawn with the window
    window.show()
    after_next_paint(window, window.start)  # the library's worker does not delay the paint
    window.context.after_library_shown(collect_from_now_on)
    instance = InstanceServer(services.profile.root, window)
    if instance.listen():  # later starts on this profile raise this window and hand it files
        instance.activated.connect(window.activate_from_second_start)
    # The main window is the app: once it closes the event loop ends, whatever else is on
    # screen (a dialog left open, or one shown as it closed, kept it going, sound and all).
    window.context.closing.connect(lambda: app.exit(0))
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    close_on_signals(window)
    try:
        return app.exec()
    finally:
        gc.enable()  # when the window closed before its library was shown
        instance.close()
        window.jobs.wait(10000)
        services.close()


def close_on_signals(window: MainWindow) -> None:
    """SIGTERM (logout, kill), Ctrl+C and SIGHUP (the terminal it was started from closed)
    close the window properly, so the running play ends as "stopped". Python runs a signal
    handler only when the interpreter runs; the wake-up socket, watched by Qt, makes that
    happen at once even while no timer ticks."""
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)
    notifier.activated.connect(lambda *_: reader.recv(64))

    def release(*_: object) -> None:
        signal.set_wakeup_fd(-1)
        reader.close()
        writer.close()

    window.destroyed.connect(release)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: window.close())


def main(
    profile: Profile,
    libraries: Sequence[Path],
    qt_argv: list[str],
    *,
    play: bool = False,
    quit_after: float | None = None,
    no_audio: bool = False,
    analysis_workers: int | None = None,
    play_paths: Sequence[Path] = (),
) -> int:
    """Run Continuo on ``profile``; when a window already runs on it, hand it the files and
    folders given (``play_paths``, else the ``libraries``) instead: it adds and plays them."""
    checked = check_early(profile)  # reads the database while Qt is imported
    from player.ui.instance import hand_off

    if hand_off(profile.root, list(play_paths) or list(libraries)):
        print(f"continuo: passed to the window already open on {profile.root}", file=sys.stderr)
        return 0
    audio = start_audio(None, no_audio=no_audio)  # comes up while Qt loads
    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    try:
        logging.basicConfig(
            filename=profile.logs / "continuo.log", level=logging.INFO, format=log_format
        )
    except OSError:  # a read-only or full profile: the log goes to the terminal instead
        logging.basicConfig(level=logging.WARNING, format=log_format)

    qt_app(qt_argv)  # before the profile opens, so that waiting for it is visible
    from player.ui.shell.startup import StartupNotice

    notice = StartupNotice()

    def waiting(line: str) -> None:
        print(f"continuo: {line}", file=sys.stderr, flush=True)
        notice.waiting(line)

    try:
        services = build_services(
            profile,
            libraries,
            no_audio=no_audio,
            on_wait=waiting,
            analysis_workers=analysis_workers,
            audio=audio,
            checked=checked,
        )
    except ContinuoError as exc:
        print(f"continuo: {exc.short}\n{exc.detail}", file=sys.stderr)
        notice.refused(exc)
        return 2
    notice.close()
    return run_window(services, qt_argv, play=play, quit_after=quit_after, play_paths=play_paths)
