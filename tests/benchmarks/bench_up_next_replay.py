"""Up next's quality: sessions the model never saw, replayed work by work, paired before/after.

Run: ``.venv/bin/python tests/benchmarks/bench_up_next_replay.py --keep DIR [--tracks 20000]
[--extra 880] [--train-seconds 150] [--save out.json] [--compare before.json]``

The first run makes a profile under ``DIR`` with ``bench_recommend_latency.py``'s generator
(seed 7: a library of composers × works × 4 movements with content features, 600 sessions of
works with habits — 60 % of the time a work is followed by one of three fixed successors), writes
the first 480 sessions as the history, trains the model on it (``--train-seconds``, lr 0.005) and
keeps the other 120 and ``--extra`` more from the same habits as unseen sessions; later runs
reuse it, so versions of the code are compared on the same profile, model and sessions.

At each work boundary of the unseen sessions ``suggest(n=5)`` (For you) is asked with the works
before it; reported: hit rate @ 5 works (the next work among the five units), NDCG @ 5 (one
relevant unit: 1 / log2(1 + its place)) and the source of the first unit. ``--save`` writes
every answer; ``--compare`` prints, against a file another version of the code wrote, how many
answers changed (units, their order, reasons) and the hits each side has alone: a paired
comparison, so a change in a few answers is seen rather than lost in the noise of two rates.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recommend_latency import (  # noqa: E402
    build_library,
    install_model,
    synthetic_sessions,
    write_history,
)

from player.profile import Profile  # noqa: E402
from player.recommend.up_next import Recommender  # noqa: E402
from player.store import open_database  # noqa: E402

WRITTEN = 480  # the first 80 % of the generator's 600 sessions, as bench_recommend_latency


def made(root: Path, tracks: int, extra: int, train_seconds: float) -> tuple[Profile, list]:
    """The kept profile and its unseen sessions, made on the first run."""
    profile, unseen = Profile(root / "profile"), root / "unseen.json"
    if unseen.exists():
        return profile, json.loads(unseen.read_text())
    profile.create()
    db = open_database(profile.database)
    rng = np.random.default_rng(7)
    build_library(db, tracks, rng)
    sessions = synthetic_sessions(db, 600 + extra, rng)
    write_history(db, sessions[:WRITTEN])
    print(f"model: {install_model(profile, train_seconds, 0.005)}")
    unseen.write_text(json.dumps(sessions[WRITTEN:]))
    return profile, sessions[WRITTEN:]


def replay(rec: Recommender, sessions: list[list[list[int]]]) -> list[dict]:
    answers = []
    for session in sessions:
        for i in range(1, len(session)):
            asked = [t for work in session[:i] for t in work]
            got = rec.suggest(asked, n=5)
            groups: list[int] = []
            for s in got:
                if s.work_group not in groups:
                    groups.append(s.work_group)
            target = session[i][0]
            place = next(
                (groups.index(s.work_group) + 1 for s in got if s.track_id == target), None
            )
            answers.append(
                {
                    "units": groups,
                    "suggestions": [[s.track_id, s.source, s.reason] for s in got],
                    "place": place,
                    "first_source": got[0].source if got else "",
                }
            )
    return answers


def summary(answers: list[dict]) -> str:
    n = len(answers)
    hits = sum(a["place"] is not None for a in answers)
    ndcg = sum(1 / math.log2(1 + a["place"]) for a in answers if a["place"]) / n
    sources: dict[str, int] = {}
    for a in answers:
        sources[a["first_source"]] = sources.get(a["first_source"], 0) + 1
    return f"hit rate @5 works {hits / n:.4f} ({hits}/{n}), NDCG@5 {ndcg:.4f}, first by {sources}"


def compare(before: list[dict], after: list[dict]) -> str:
    pairs = list(zip(before, after, strict=True))
    units = sum(set(a["units"]) != set(b["units"]) for a, b in pairs)
    order = sum(a["units"] != b["units"] for a, b in pairs)
    anything = sum(a["suggestions"] != b["suggestions"] for a, b in pairs)
    only_before = sum(a["place"] is not None and b["place"] is None for a, b in pairs)
    only_after = sum(a["place"] is None and b["place"] is not None for a, b in pairs)
    moved = sum(
        a["place"] is not None and b["place"] is not None and a["place"] != b["place"]
        for a, b in pairs
    )
    return (
        f"of {len(pairs)} answers: units differ {units}, order {order}, anything (reasons too) "
        f"{anything}; hits only before {only_before}, only now {only_after}, hit at another place "
        f"{moved}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, required=True)
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--extra", type=int, default=880, help="unseen sessions beyond the 120")
    parser.add_argument("--train-seconds", type=float, default=150.0)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    profile, sessions = made(args.keep, args.tracks, args.extra, args.train_seconds)
    rec = Recommender(profile.database, profile.models / "current", threads=1)
    rec.prepare()
    print(f"model: {rec.status().provider or rec.status().model_problem}")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    answers = replay(rec, sessions)
    print(
        f"{len(sessions)} unseen sessions, {len(answers)} boundaries in "
        f"{time.perf_counter() - started:.0f} s (load {load:.1f}): {summary(answers)}"
    )
    if args.save:
        args.save.write_text(json.dumps(answers))
    if args.compare:
        print(compare(json.loads(args.compare.read_text()), answers))


if __name__ == "__main__":
    main()
