"""How soon after a track starts does the window show its new Up next set?

The demo profile (its library, history and model) in the real window, offscreen: Next is pressed
every 0.4 s and the time from the started event on the GUI thread to the new set in the queue is
collected (``UpNext.ready_after_start_s``).

By default the silent NullBackend keeps time and the background analysis is stopped, so Up next
is timed alone. ``--real-output`` plays through PortAudio on a private PulseAudio null sink (as a
listener hears it); ``--analysis`` adds four long generated recordings at ``--rate`` Hz (44,100
or 48,000, resampled by the analysis) to the library and leaves the analysis running beside.

    .venv/bin/python tests/benchmarks/bench_up_next_window.py [--starts 6] [--rounds 6]
        [--real-output] [--analysis [--rate 44100]]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pump(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=6, help="Next presses per window")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--real-output", action="store_true", help="PortAudio on a null sink")
    parser.add_argument("--analysis", action="store_true", help="keep the analysis running")
    parser.add_argument("--rate", type=int, default=44_100, help="of the --analysis recordings")
    args = parser.parse_args()
    home = None
    if args.real_output:
        from tests.audio_env import start_private_audio

        home, kind = start_private_audio()  # before anything loads PortAudio
        if kind != "pulse":
            raise SystemExit("--real-output needs PulseAudio (the tests' private null sink)")
    try:
        run(args)
    finally:
        if home is not None:
            from tests.audio_env import stop_private_audio

            stop_private_audio(home)


def run(args: argparse.Namespace) -> None:
    from PySide6.QtWidgets import QApplication

    from player.app import build_services, build_window
    from player.demo import create_demo_profile
    from player.profile import Profile

    app = QApplication([sys.argv[0]])
    profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-bench-"))).create()
    create_demo_profile(profile)
    roots = []
    if args.analysis:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_window_analysis_while_playing import LONG_FILES, LONG_MINUTES, write_long_files

        roots.append(profile.root.parent / f"{profile.root.name}-long")
        roots[0].mkdir()
        write_long_files(roots[0], args.rate)
        analysis = (
            f"analysis running ({LONG_FILES} x {LONG_MINUTES:g} min recordings at {args.rate} Hz "
            "added to the library)"
        )
    else:
        analysis = "analysis stopped"
    firsts, times, outputs = [], [], set()
    underruns = 0
    for _ in range(args.rounds):  # a fresh window each round: the demo library is 10 tracks,
        # and once the session holds every work there is nothing left to suggest
        services = build_services(profile, roots, no_audio=not args.real_output)
        outputs.add(services.backend.name)
        window = build_window(services)
        window.show()
        window.start()
        pump(app, 60, lambda: window.library.table_model.rowCount() > 0 and not window._scan_cancel)  # noqa: B023
        up_next = window.features.up_next
        assert up_next is not None
        if not args.analysis:
            window.features.analysis.stop()  # measure Up next alone, not the analysis child
        before = getattr(services.backend, "underruns", 0)
        window.controller.play_library()
        pump(app, 30, lambda: len(up_next.ready_after_start_s) >= 1)  # noqa: B023
        firsts.append(up_next.ready_after_start_s[0])
        source = window.status.model.text()
        for _ in range(args.starts):
            seen = len(up_next.ready_after_start_s)
            window.controller.next()
            pump(app, 5, lambda: len(up_next.ready_after_start_s) > seen)  # noqa: B023
            pump(app, 0.4)
        times += up_next.ready_after_start_s[1:]
        underruns += getattr(services.backend, "underruns", 0) - before
        window.close()
        window.jobs.wait()
        services.close()
    ms = np.array(times) * 1000
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {source}")
    print(
        f"conditions: output {', '.join(sorted(outputs))}; {analysis}; "
        f"{args.rounds} windows x {args.starts} Next presses"
        + (f"; PortAudio underflows meanwhile: {underruns}" if args.real_output else "")
    )
    print(
        f"first set of a window (loads library, history, model): {np.median(firsts) * 1000:.0f} ms median"
    )
    print(
        f"track start -> new set on screen, {len(ms)} starts: p50 {np.percentile(ms, 50):.0f} ms, "
        f"p95 {np.percentile(ms, 95):.0f} ms, max {ms.max():.0f} ms"
    )


if __name__ == "__main__":
    main()
