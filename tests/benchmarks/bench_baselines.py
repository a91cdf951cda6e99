"""Every baseline on the shared playlists under the evaluation protocol; prints the table.

Split: the last 20 % of playlists by id are the test set, the last 10 % of the rest validation
(each count-based baseline is tuned on it over its grid in ``trainer.baselines.GRIDS``).
Usage: ``.venv/bin/python tests/benchmarks/bench_baselines.py [--time-budget-s S]
[--algorithms pop,sr,...] [--report DIR]`` (the report defaults to docs/experiments/baselines/).
Needs ``../shared/data/playlists-dev.tsv.gz`` (or ``$CONTINUO_SHARED_DATA``); skips without it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from trainer.benchmark import DEFAULT_ALGORITHMS, benchmark, markdown_table, write_report  # noqa: E402
from trainer.readers import read_sessions  # noqa: E402
from trainer.split import train_valid_test  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-budget-s", type=float, default=240.0)
    parser.add_argument("--algorithms", default=",".join(DEFAULT_ALGORITHMS))
    parser.add_argument("--max-predictions", type=int, default=None, help="test subset")
    parser.add_argument("--valid-predictions", type=int, default=3000)
    parser.add_argument("--report", type=Path, default=ROOT / "docs/experiments/baselines")
    args = parser.parse_args()
    shared = Path(os.environ.get("CONTINUO_SHARED_DATA", ROOT.parent / "shared" / "data"))
    path = shared / "playlists-dev.tsv.gz"
    if not path.exists():
        print(f"skipped: {path} not found (set CONTINUO_SHARED_DATA)")
        return 0
    started = time.monotonic()
    data, _ = read_sessions(path)
    train, valid, test = train_valid_test(data, test_fraction=0.2, valid_fraction=0.1, by="id")
    print(
        f"read {data.n_events} events in {time.monotonic() - started:.1f} s; "
        f"{len(train.sessions)}/{len(valid.sessions)}/{len(test.sessions)} sessions"
    )
    results = benchmark(
        train,
        valid,
        test,
        args.algorithms.split(","),
        time_budget_s=args.time_budget_s,
        valid_predictions=args.valid_predictions,
        max_predictions=args.max_predictions,
    )
    header = (
        f"`playlists-dev.tsv.gz`, split by id: {len(train.sessions)} training, "
        f"{len(valid.sessions)} validation, {len(test.sessions)} test playlists; "
        f"{len(data.items) - 2} items; prefix items excluded; torch models "
        f"≤ {args.time_budget_s:g} s on the CPU; "
        f"{args.max_predictions or 'all'} test predictions. Total {time.monotonic() - started:.0f} s."
    )
    write_report(results, args.report, header)
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
