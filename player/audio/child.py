"""The sound-engine process's entry point: open the output, say Ready (or Failed), serve.

``python -m player.audio.child CONN_FD BLOCK_FD``, started by
:class:`~player.audio.process.ProcessBackend` as a fresh interpreter (never a fork of the app)
with two descriptors: its end of the pipe and the shared status block. It imports only
``player.audio`` and what that needs (numpy, soundfile, soxr, sounddevice) — no Qt, no profile
database, not the app's main module (which ``multiprocessing``'s spawn would import again).
The first message on the pipe is the engine's options.
"""

from __future__ import annotations

import logging
import signal
import sys
from multiprocessing.connection import Connection

from player.audio import messages as m


def run(conn: Connection, block_fd: int, options: dict) -> None:
    """Say which output there is, open it, and serve ``conn`` until Close or until the app's
    end of the pipe closes. Ready goes out as soon as PortAudio has found the output, before
    numpy, the decoders and the stream are loaded: the app waits only for that."""
    try:
        import sounddevice as sd

        from player.audio.devices import describe, output_devices

        name, rate, channels = describe(options.get("device"), options.get("samplerate"))
    except OSError as exc:  # libportaudio is not installed
        conn.send(m.Failed(f"PortAudio is not available ({exc}); install libportaudio2"))
        return
    except (sd.PortAudioError, ValueError) as exc:  # no output device
        conn.send(m.Failed(str(exc)))
        return
    conn.send(m.Ready(name, rate, channels, tuple(output_devices())))
    import numpy as np

    from player.audio.engine import Engine
    from player.audio.status import SharedBlock

    block = np.asarray(SharedBlock(block_fd).array)  # float64 over the same memory
    try:
        engine = Engine(conn, block, **options)
    except (sd.PortAudioError, ValueError) as exc:  # the output refused to open
        conn.send(m.Failed(str(exc)))
        return
    engine.run()


CLOSE_GRACE_S = 2
"""How long the engine waits, after a SIGTERM or SIGHUP, for the app to close it."""


def _leave_to_the_app(_signum: int, _frame: object) -> None:
    """A logout's SIGTERM, a closed terminal's SIGHUP reach the app too: it closes this engine
    in a moment, ending the play as "stopped" (dying first ended it as an error). Should it not
    (a hung app), SIGALRM's default action ends the engine."""
    signal.alarm(CLOSE_GRACE_S)


def main(argv: list[str]) -> None:
    # Ctrl+C in a terminal reaches every process of the group: it is the app's to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, _leave_to_the_app)
    logging.basicConfig(level=logging.WARNING, format="continuo-audio: %(message)s")
    conn = Connection(int(argv[0]))
    try:
        options = conn.recv()
    except EOFError:  # the app went away before saying anything
        return
    run(conn, int(argv[1]), options)


if __name__ == "__main__":
    main(sys.argv[1:])
