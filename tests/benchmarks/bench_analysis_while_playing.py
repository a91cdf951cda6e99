"""Playback while the library is analysed: underruns during 60 s on a PulseAudio null sink.

A private PulseAudio server with a null sink (as in the tests) paces PortAudio in real time.
``PortAudioBackend`` plays a 60 s render while ``AnalysisService`` analyses every cached
corpus render of a fresh profile in its niced child process. Reported: PortAudio output
underflows, callbacks that found the ring dry, and how many tracks were analysed meanwhile.

Run: .venv/bin/python tests/benchmarks/bench_analysis_while_playing.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from tests.audio_env import start_private_audio, stop_private_audio


def main() -> None:
    home, kind = start_private_audio()  # before sounddevice is imported
    try:
        from player.analysis.worker import AnalysisService
        from player.audio.backend import Playable
        from player.audio.engine import PortAudioBackend
        from player.store import open_database
        from player.store.tracks import Track, upsert_tracks
        from trainer.segment_classes import render_set

        renders = render_set(2, part="train", max_seconds=60.0)
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "continuo.db"
            db = open_database(db_path)
            upsert_tracks(
                db, [Track(path=str(r.wav), size=1, mtime_ns=1, title=r.name) for r in renders]
            )
            db.close()
            progress = []
            service = AnalysisService(db_path, on_progress=progress.append)
            backend = PortAudioBackend()
            try:
                service.start()
                time.sleep(3.0)  # the child is up and analysing before the music starts
                backend.play(Playable(path=renders[0].wav))
                started = time.monotonic()
                while time.monotonic() - started < 60.0:
                    time.sleep(0.5)
                played = backend.position_s
            finally:
                backend.close()
                service.cancel()
                service.wait(30)
        done = max((p.done for p in progress), default=0)
        print(
            f"audio output: {kind}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        print(f"played {played:.1f} s while {done} of {len(renders)} tracks were analysed")
        print(
            f"PortAudio underflows: {backend.underruns}; ring dry mid-track: {backend.ring_underruns}"
        )
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    main()
