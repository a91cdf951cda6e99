"""Playback while the library is analysed: underruns during 60 s on a PulseAudio null sink.

A private PulseAudio server with a null sink (as in the tests, kept awake: ``audio_env.AWAKE``)
paces PortAudio in real time.
The engine process (``ProcessBackend``) plays 90 s of rendered music (44.1 kHz FLAC, resampled by the decoder when
the output runs at another rate) while ``AnalysisService`` analyses the trainer's 56 corpus renders in a
fresh profile with its niced child process; the first 60 s of playback are measured. The
renders are written at ``--input-rate`` (44,100 or 48,000 Hz, as a listener's files are, so
the analysis resamples them to its 22,050 Hz; 22050 feeds them at the analysis rate). Reported:
PortAudio output underflows, callbacks that found the ring dry, and how many tracks were
analysed meanwhile, and the callback's margin (its longest gap and the least music left in
the ring, measured in the engine process).

Run: .venv/bin/python tests/benchmarks/bench_analysis_while_playing.py [--input-rate 44100]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402


def main(input_rate: int) -> None:
    home, kind = start_private_audio(awake=True)  # before sounddevice is imported
    try:
        import numpy as np
        import soundfile as sf
        import soxr

        from player.analysis.worker import AnalysisService
        from player.audio.backend import Playable
        from player.audio.process import ProcessBackend
        from player.store import open_database
        from player.store.tracks import Track, upsert_tracks
        from trainer.segment_classes import render_set

        renders = render_set(6, part="train", max_seconds=60.0)
        with tempfile.TemporaryDirectory() as tmp:
            music = Path(tmp) / "music.flac"
            y = np.concatenate([sf.read(r.wav, dtype="float32")[0] for r in renders[-2:]])
            sf.write(music, soxr.resample(y, 22_050, 44_100), 44_100)
            inputs = []
            for r in renders:  # at the listener's rate: the analysis resamples them
                path = Path(tmp) / f"{r.name}.flac"
                audio, rate = sf.read(r.wav, dtype="float32")
                sf.write(path, soxr.resample(audio, rate, input_rate), input_rate)
                inputs.append((path, r.name))
            db_path = Path(tmp) / "continuo.db"
            db = open_database(db_path)
            upsert_tracks(
                db, [Track(path=str(p), size=1, mtime_ns=1, title=name) for p, name in inputs]
            )
            db.close()
            progress = []
            service = AnalysisService(db_path, on_progress=progress.append)
            backend = ProcessBackend()
            try:
                service.start()
                time.sleep(3.0)  # the child is up and analysing before the music starts
                backend.play(Playable(path=music))
                while backend.position_s <= 0.0:
                    time.sleep(0.01)
                backend.callback_margin()  # from now on
                started = time.monotonic()
                while time.monotonic() - started < 60.0:
                    time.sleep(0.5)
                played = backend.position_s
                margin = backend.callback_margin()
                counts = backend.underruns, backend.ring_underruns
            finally:
                backend.close()
                service.cancel()
                service.wait(30)
        done = max((p.done for p in progress), default=0)
        print(
            f"audio output: {kind}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        print(
            f"played {played:.1f} s (44.1 kHz FLAC, output at {backend.rate} Hz) while {done} "
            f"of {len(renders)} tracks were analysed (FLAC at {input_rate} Hz, resampled to "
            "22,050 Hz by the analysis)"
        )
        print(f"PortAudio underflows: {counts[0]}; ring dry mid-track: {counts[1]}")
        print(f"callback margin: {margin}")
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-rate", type=int, default=44_100)
    main(parser.parse_args().input_rate)
