"""The whole app analysing while it plays: underruns during 60 s on a PulseAudio null sink.

Unlike ``bench_analysis_while_playing.py`` (the backend and the service alone), this opens the
real window (Qt offscreen) on a fresh profile holding the demo library and a few long generated
recordings, lets the window start the analysis after its scan as it does for a listener, and
plays a demo movement for 60 s meanwhile. Reported: PortAudio output underflows, callbacks that
found the ring dry, how far the analysis got, and the longest stall of the GUI thread (a 20 ms
timer's worst lateness, from the first sound on). The null sink is kept awake
(``audio_env.AWAKE``): idle, it holds a stream's start ~1.6 s, an underflow that is not ours.

Run: .venv/bin/python tests/benchmarks/bench_window_analysis_while_playing.py [--paused]
[--rate 44100] [--workers N]
(``--paused``: the same minute with the analysis paused, the baseline under the same load;
``--rate``: the sample rate of the generated recordings — 44,100 or 48,000 Hz as a listener's
files are, so the analysis resamples them to its 22,050 Hz; 22050 skips that cost;
``--workers``: analysis child processes, as the app's setting — default every core but one;
as many as there are cores keeps every core busy at idle priority beside the player)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.audio_env import start_private_audio, stop_private_audio  # noqa: E402

PLAY_S = 60.0
LONG_FILES = 4
LONG_MINUTES = 20.0


def write_long_files(folder: Path, rate: int) -> None:
    """Tagged FLAC melodies of ``LONG_MINUTES`` each at ``rate`` Hz (the analysis keeps busy the
    whole minute)."""
    import soundfile as sf

    from tests.analysis.synth import melody
    from tests.library.audio_files import tag_vorbis

    notes = int(LONG_MINUTES * 60 / 0.5)
    for n in range(LONG_FILES):
        path = folder / f"long-{n}.flac"
        sf.write(path, melody(notes, seed=n, sr=rate), rate)
        tag_vorbis(path, composer="Generated", work="Long melodies", title=f"Melody {n + 1}",
                   tracknumber=str(n + 1))  # fmt: skip


def children_cpu_s() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each child of this process by pid and kind (Linux ``/proc``): the
    analysis workers (at a positive nice level, as they set themselves) and the rest (the audio
    engine)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            kind = "analysis workers" if int(fields[16]) > 0 else "engine and other children"
            out[int(stat.parent.name)] = (kind, (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_since(before: dict[int, tuple[str, float]], window_before: float) -> dict[str, float]:
    """CPU seconds since ``before`` per kind (children alive at both ends) and of the window."""
    spent = {"window": sum(os.times()[:2]) - window_before}
    for pid, (kind, seconds) in children_cpu_s().items():
        if pid in before:
            spent[kind] = spent.get(kind, 0.0) + seconds - before[pid][1]
    return spent


def main(paused: bool, rate: int, workers: int | None) -> None:
    home, kind = start_private_audio(awake=True)  # before sounddevice is imported
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from player.app import build_services, build_window
        from player.demo import DEMO_LIBRARY
        from player.profile import Profile
        from player.ui.shell.library_models import TRACK_ROLE

        _app = QApplication([sys.argv[0]])
        with tempfile.TemporaryDirectory() as tmp:
            long_folder = Path(tmp) / "long"
            long_folder.mkdir()
            write_long_files(long_folder, rate)
            profile = Profile(Path(tmp) / "profile").create()
            services = build_services(
                profile, [DEMO_LIBRARY, long_folder], analysis_workers=workers
            )
            window = build_window(services)
            window.show()
            seen, finished_at = [], []
            window.features.analysis.progressed.connect(lambda p: p is not None and seen.append(p))
            window.features.analysis.summarised.connect(
                lambda _: finished_at.append(time.monotonic())
            )
            window.start()

            def run_until(seconds: float, done=None) -> None:
                """Qt's own event loop, as in the app, until ``done()`` or ``seconds`` pass."""
                loop = QEventLoop()
                QTimer.singleShot(int(seconds * 1000), loop.quit)
                poll = QTimer(interval=50)
                poll.timeout.connect(lambda: done is not None and done() and loop.quit())
                poll.start()
                loop.exec()
                poll.stop()

            table = window.library.table_model
            run_until(120, lambda: table.rowCount() == 10 + LONG_FILES)
            if paused:
                window.features.analysis.pause()
            else:
                run_until(120, lambda: bool(seen) and seen[-1].current is not None)
            rows = [table.index(r, 0).data(TRACK_ROLE) for r in range(table.rowCount())]
            movement = next(t for t in rows if "Quartet" in t.work and t.duration_s >= PLAY_S)
            backend = services.backend
            before = backend.underruns, backend.ring_underruns
            late = [0.0]
            last = [0.0]

            def tick() -> None:
                now = time.monotonic()
                late[0] = max(late[0], now - last[0] - 0.02)
                last[0] = now

            timer = QTimer(interval=20)
            timer.timeout.connect(tick)
            window.controller.play_track(movement)
            asked = time.monotonic()
            run_until(10, lambda: backend.position_s > 0)  # sound flows
            first_sound = time.monotonic() - asked
            last[0] = time.monotonic()  # the GUI thread's lateness, not the wait for sound
            timer.start()
            margin = getattr(backend, "callback_margin", dict)
            margin()  # from now on
            started, at_start = time.monotonic(), backend.position_s
            load_before, cpu_before = os.getloadavg()[0], children_cpu_s()
            window_cpu = sum(os.times()[:2])
            run_until(PLAY_S)
            timer.stop()
            elapsed = time.monotonic() - started
            busy = min((finished_at[0] if finished_at else time.monotonic()) - started, elapsed)
            played = backend.position_s - at_start
            underruns = backend.underruns - before[0], backend.ring_underruns - before[1]
            callback = margin()
            cpu = cpu_since(cpu_before, window_cpu)
            done = [p.done for p in seen if not p.paused]
            window.close()
            window.jobs.wait()
            services.close()
        load = os.getloadavg()[0]
        print(
            f"audio output: {kind}; load average {load_before:.2f} → {load:.2f} "
            f"on {os.cpu_count()} CPUs; analysis workers {services.analysis_workers or 'default'}"
        )
        print(
            f"first sound {first_sound:.2f} s after play; then {played:.1f} s of "
            f"{movement.display_title} played in {elapsed:.1f} s"
        )
        if paused:
            print("analysis paused (baseline)")
        else:
            print(
                f"analysis meanwhile: {done[-1] - done[0]} files over {busy:.0f} s "
                f"({done[-1]} of {seen[-1].total} done; the demo library and "
                f"{LONG_FILES} x {LONG_MINUTES:g} min generated at {rate} Hz)"
            )
        print(f"PortAudio underflows: {underruns[0]}; ring dry mid-track: {underruns[1]}")
        print(f"callback margin: {callback}")
        print("CPU s during the minute: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        print(f"GUI thread: worst lateness of a 20 ms timer {late[0] * 1000:.0f} ms")
    finally:
        stop_private_audio(home)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paused", action="store_true")
    parser.add_argument("--rate", type=int, default=44_100)
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    main(paused=options.paused, rate=options.rate, workers=options.workers)
