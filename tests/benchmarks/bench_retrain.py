"""Which training settings learn on a small personal history? ("Retrain on my history")

    .venv/bin/python tests/benchmarks/bench_retrain.py [--budget-s 30]

Runs the app's trainer child (``python -m trainer.retrain_job --dry-run``, so nothing is
installed) on generated profiles — 40 and 150 sessions over a 60-track library, where a listener
follows a habit (work a, then a + 5, then a + 11) 70 % of the time and picks at random
otherwise — and on the shipped demo history, for several learning rates and hidden sizes. Prints
MRR@20 on the held-out most recent sessions beside the best fallback, and the seconds taken.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from player.demo import create_demo_profile  # noqa: E402
from player.profile import Profile  # noqa: E402
from tests.recommend.conftest import build_library, sessions_apart  # noqa: E402

SETTINGS = [  # (lr, hidden, embedding lr scale)
    (0.001, 192, 5), (0.001, 64, 5), (0.005, 64, 5), (0.005, 192, 5), (0.01, 64, 5),
    (0.001, 64, 50), (0.005, 64, 20), (0.005, 64, 50),
]  # fmt: skip


def habit_profile(root: Path, n_sessions: int, habit: float = 0.7) -> Profile:
    library = build_library(root)
    keys = list(library.works)
    rng = random.Random(5)
    for start in sessions_apart(n_sessions):
        a = rng.randrange(len(keys))
        works = [a]
        for step in (5, 11):
            works.append(
                (a + step) % len(keys) if rng.random() < habit else rng.randrange(len(keys))
            )
        library.play_session([t for w in works for t in library.works[keys[w]]], start)
    library.db.close()
    return library.profile


def run(profile: Profile, lr: float, hidden: int, scale: float, budget_s: float) -> dict:
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable, "-m", "trainer.retrain_job", "--dry-run",
            "--profile", str(profile.root), "--staging", str(profile.models / ".bench"),
            "--time-budget-s", str(budget_s), "--lr", str(lr), "--hidden", str(hidden), "--embedding-lr-scale", str(scale),
        ],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    events = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    result = next(e for e in events if e["event"] == "result")
    steps = max((e["step"] for e in events if e["event"] == "progress"), default=0)
    return result | {"wall_s": time.monotonic() - started, "steps": steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-s", type=float, default=30.0, help="training time per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        profiles = {
            "habit, 40 sessions": habit_profile(Path(tmp) / "h40", 40),
            "habit, 150 sessions": habit_profile(Path(tmp) / "h150", 150),
        }
        demo = Profile(Path(tmp) / "demo")
        create_demo_profile(demo, with_model=False)
        profiles["demo history, 70 sessions"] = demo
        print(f"budget {args.budget_s:.0f} s per run; MRR@20 on the held-out recent sessions")
        print(
            f"{'history':<28}{'lr':>7}{'hidden':>7}{'emb x':>6}{'steps':>7}{'model':>8}{'fallback':>10}  wall"
        )
        for name, profile in profiles.items():
            for lr, hidden, scale in SETTINGS:
                r = run(profile, lr, hidden, scale, args.budget_s)
                print(
                    f"{name:<28}{lr:>7}{hidden:>7}{scale:>6}{r['steps']:>7}{r['new']['mrr20']:>8.3f}"
                    f"{r['fallback']['mrr20']:>10.3f}  {r['wall_s']:.0f} s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
