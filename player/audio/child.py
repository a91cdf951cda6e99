"""The sound-engine process's entry point: open the output, say Ready (or Failed), serve.

Started with the ``spawn`` method by :class:`~player.audio.process.ProcessBackend`; it imports
only ``player.audio`` and what that needs (numpy, soundfile, soxr, sounddevice) — no Qt, no
profile database.
"""

from __future__ import annotations

import logging
from multiprocessing.connection import Connection

from player.audio import messages as m
from player.audio.status import view


def run(conn: Connection, raw: object, options: dict) -> None:
    """Serve ``conn`` until Close or until the app's end of the pipe closes."""
    logging.basicConfig(level=logging.WARNING, format="continuo-audio: %(message)s")
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio is not installed
        conn.send(m.Failed(f"PortAudio is not available ({exc}); install libportaudio2"))
        return
    from player.audio.engine import Engine

    try:
        engine = Engine(conn, view(raw), **options)
    except (sd.PortAudioError, ValueError) as exc:  # no output device, or it refused us
        conn.send(m.Failed(str(exc)))
        return
    conn.send(engine.ready())
    engine.run()
