"""How long the Insights view takes to compute and draw for a large play log; its screenshot.

Run: ``.venv/bin/python tests/benchmarks/bench_insights.py [--plays 100000] [--days 1095]``
     ``[--screenshot docs/screenshots/insights.png]``

1. Writes a generated history (``tests/store/insights_profile.generated_profile``: favourite
   composers, suggestions from the end of the first month on, growing acceptance) to a temp
   profile through ``player.store``.
2. Times ``compute_insights`` (the one ordered scan of the log, then numpy) and, inside it, the
   read alone; then what a second opening or another binning costs with the read kept (the
   log's version checked, the aggregates recomputed); median and worst of ``--repeat`` runs.
3. Times ``InsightsView.set_insights`` plus one offscreen paint of the whole view.
4. With ``--screenshot PATH``, renders a smaller, readable profile (2,600 plays over eight
   months) to PATH, the picture in the docs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from player.store import open_database  # noqa: E402
from player.store.insights import compute_insights, read_plays  # noqa: E402
from player.store.play_log import log_version  # noqa: E402
from player.ui.features.insights.dialog import InsightsView  # noqa: E402
from player.ui.style import apply_style  # noqa: E402
from tests.store.insights_profile import generated_profile  # noqa: E402


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run (CPU time shows the cost without other processes)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def report(label: str, runs: tuple[list[float], list[float]]) -> None:
    wall, cpu = runs
    print(
        f"{label:<38} wall median {statistics.median(wall):6.1f} ms, worst {max(wall):6.1f} ms; "
        f"CPU median {statistics.median(cpu):6.1f} ms"
    )


def render(view: InsightsView, app: QApplication):
    view.show()
    app.processEvents()
    return view.grab()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=3 * 365)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    app = QApplication([])
    apply_style(app)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "continuo.db")
        start = time.perf_counter()
        generated_profile(db, plays=args.plays, days=args.days)
        print(
            f"generated {args.plays:,} plays over {args.days} days in {time.perf_counter() - start:.1f} s"
        )
        compute_insights(db)  # warm the page cache, as a second opening would find it
        report("read_plays (the log and identities)", timed(lambda: read_plays(db), args.repeat))
        report("compute_insights", timed(lambda: compute_insights(db), args.repeat))
        facts = read_plays(db)
        report(
            "log_version (is the kept read current?)", timed(lambda: log_version(db), args.repeat)
        )
        report(
            "compute_insights on the kept read",
            timed(lambda: compute_insights(db, period="month", plays=facts), args.repeat),
        )
        insights = compute_insights(db)
        weekly = compute_insights(db, period="week")
        print(
            f"  {insights.period}s: {len(insights.periods)}, weeks: {len(weekly.periods)}, "
            f"composers discovered {len(insights.discovered_composers)} of {insights.composers_heard}, "
            f"works {len(insights.discovered_works)} of {insights.works_heard}"
        )
        view = InsightsView()
        view.resize(1040, 1180)
        draw = timed(lambda: (view.set_insights(weekly), render(view, app)), 5)
        report(f"set_insights + paint, {len(weekly.periods)} weekly bars", draw)
        db.close()
        if args.screenshot:
            db = open_database(Path(tmp) / "screenshot.db")
            generated_profile(db, plays=2_600, days=240, seed=3)
            view.set_insights(compute_insights(db))
            render(view, app).save(str(args.screenshot))
            db.close()
            print(f"screenshot: {args.screenshot} ({args.screenshot.stat().st_size / 1024:.0f} KB)")
        view.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
