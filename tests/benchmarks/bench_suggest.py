"""``Recommender.suggest()`` on a kept profile: CPU and wall per call, with and without the model,
and the suggestions themselves for a before/after comparison.

Run: ``.venv/bin/python tests/benchmarks/bench_suggest.py --profile DIR [--runs 300]
[--save out.json] [--compare before.json] [--json]``

``DIR`` is a profile written earlier, e.g. by ``bench_recommend_latency.py --tracks 100000
--plays 1000000`` (its temporary profile, copied aside) with a trained model in
``models/current``; the profile's caches (``DIR/cache``) are used and kept up as the app would.
The sessions asked about are prefixes of the profile's own sessions (the same ones every run,
seed 7), cycled through ``--runs`` calls after two warm-up rounds (the first loads the
profile, the next ones make the model's integer copy). ``--save`` writes every suggestion
(track, source, reason, group) of For you and Discover; ``--compare`` checks them against a
file written before a change and prints how many differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from player.profile import Profile  # noqa: E402
from player.recommend.up_next import Recommender  # noqa: E402

MODES = ("for_you", "discover")


def _stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    p90, p99 = (ms[min(len(ms) - 1, int(round(q * (len(ms) - 1))))] for q in (0.9, 0.99))
    return {"p50_ms": statistics.median(ms), "p90_ms": p90, "p99_ms": p99, "max_ms": ms[-1]}


def _sessions(rec: Recommender, count: int) -> list[list[int]]:
    library, history, _, _ = rec._state()
    rng = np.random.default_rng(7)
    sessions = [s for s in history.sessions if len(s)][-count:]
    ids = library.track_ids
    return [[int(ids[r]) for r in s[: int(rng.integers(1, len(s) + 1))]] for s in sessions]


def measure(rec: Recommender, sessions: list[list[int]], runs: int, mode: str) -> dict:
    """CPU (this thread) and wall time per call over ``runs`` calls, after two warm-up rounds."""
    for session in sessions[:3] * 2:
        rec.suggest(session, n=5, mode=mode)
    cpu, wall = [], []
    for i in range(runs):
        session = sessions[i % len(sessions)]
        w, c = time.perf_counter(), time.thread_time()
        rec.suggest(session, n=5, mode=mode)
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - w)
    return {"cpu": _stats(cpu), "wall": _stats(wall), "runs": runs}


def answers(rec: Recommender, sessions: list[list[int]]) -> dict[str, list]:
    return {
        mode: [
            [[s.track_id, s.source, s.reason, s.work_group] for s in rec.suggest(t, n=5, mode=mode)]
            for t in sessions
        ]
        for mode in MODES
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    profile = Profile(args.profile)
    result: dict = {"load_before": os.getloadavg()[0], "cores": os.cpu_count()}
    with_model = Recommender(profile.database, profile.models / "current", threads=1)
    without = Recommender(profile.database, args.profile / "no-model", threads=1)
    start = time.thread_time()
    with_model.prepare()
    result["prepare_cpu_s"] = time.thread_time() - start
    without.prepare()
    status = with_model.status()
    result["model"] = status.provider or status.model_problem
    sessions = _sessions(with_model, args.sessions)
    for label, rec in (("with_model", with_model), ("without_model", without)):
        for mode in MODES:
            result[f"{label}/{mode}"] = measure(rec, sessions, args.runs, mode)
    result["load_after"] = os.getloadavg()[0]
    got = answers(with_model, sessions)
    if args.save:
        args.save.write_text(json.dumps(got))
    if args.compare:
        before = json.loads(args.compare.read_text())
        result["differ"] = {
            m: sum(a != b for a, b in zip(before[m], got[m], strict=True)) for m in MODES
        }
    if args.json:
        print(json.dumps(result))
        return
    print(f"model: {result['model']}; prepare() {result['prepare_cpu_s']:.2f} s CPU")
    for key, value in result.items():
        if isinstance(value, dict) and "cpu" in value:
            c, w = value["cpu"], value["wall"]
            print(
                f"{key:26s} CPU p50 {c['p50_ms']:.2f} ms, p90 {c['p90_ms']:.2f}, p99 "
                f"{c['p99_ms']:.2f}, max {c['max_ms']:.2f}; wall p50 {w['p50_ms']:.2f} ms, p90 "
                f"{w['p90_ms']:.2f}, max {w['max_ms']:.2f} (n={value['runs']})"
            )
    print(f"load average {result['load_before']:.1f} -> {result['load_after']:.1f}")
    if "differ" in result:
        print(f"suggestions differing from {args.compare}: {result['differ']} of {len(sessions)}")


if __name__ == "__main__":
    main()
