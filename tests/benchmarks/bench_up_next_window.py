"""How soon after a track starts does the window show its new Up next set?

The demo profile (its library, history and model) in the real window, offscreen, with the silent
NullBackend keeping time: Next is pressed every 0.4 s and the time from the started event on the
GUI thread to the new set in the queue is collected (``UpNext.ready_after_start_s``).

    .venv/bin/python tests/benchmarks/bench_up_next_window.py [--starts 6] [--rounds 6]
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
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from player.app import build_services, build_window
    from player.demo import create_demo_profile
    from player.profile import Profile

    app = QApplication([sys.argv[0]])
    profile = Profile(Path(tempfile.mkdtemp(prefix="continuo-bench-"))).create()
    create_demo_profile(profile)
    firsts, times = [], []
    for _ in range(args.rounds):  # a fresh window each round: the demo library is 10 tracks,
        # and once the session holds every work there is nothing left to suggest
        services = build_services(profile, no_audio=True)
        window = build_window(services)
        window.show()
        window.start()
        pump(app, 60, lambda: window.library.table_model.rowCount() > 0 and not window._scan_cancel)  # noqa: B023
        up_next = window.features.up_next
        assert up_next is not None
        window.features.analysis.stop()  # measure Up next alone, not beside the analysis child
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
        window.close()
        window.jobs.wait()
        services.close()
    ms = np.array(times) * 1000
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {source}")
    print(
        f"first set of a window (loads library, history, model): {np.median(firsts) * 1000:.0f} ms median"
    )
    print(
        f"track start -> new set on screen, {len(ms)} starts: p50 {np.percentile(ms, 50):.0f} ms, "
        f"p95 {np.percentile(ms, 95):.0f} ms, max {ms.max():.0f} ms"
    )


if __name__ == "__main__":
    main()
