"""The CNN + self-attention model on the playlists: training throughput, epoch time, test metrics.

Reads ``../shared/data/playlists-dev.tsv.gz`` (or ``$CONTINUO_SHARED_DATA``), holds out the last
20 % of sessions by id as test (the shared split), trains with ``fit``'s defaults under a time
budget (the last 10 % of the training sessions validate), and measures the test split with the
protocol every baseline uses (:func:`trainer.evaluate.evaluate`).

    .venv/bin/python tests/benchmarks/bench_model.py [--budget-s 300] [--hidden 192] [--max-predictions N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from trainer.config import ModelConfig, TrainConfig  # noqa: E402
from trainer.evaluate import evaluate  # noqa: E402
from trainer.experiments import shared_data  # noqa: E402
from trainer.fit import SessionRecommender  # noqa: E402
from trainer.readers import read_sessions  # noqa: E402
from trainer.split import split_by_id  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget-s", type=float, default=300.0)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--max-predictions", type=int, default=None, help="evaluate a subset")
    args = parser.parse_args()
    path = shared_data("playlists-dev.tsv.gz")
    if not path.exists():
        print(f"skipped: {path} is absent (set CONTINUO_SHARED_DATA)")
        return
    data, _ = read_sessions(path)
    rest, test = split_by_id(data, 0.2)
    train, valid = split_by_id(rest, 0.1)
    model = SessionRecommender(
        ModelConfig(hidden=args.hidden),
        TrainConfig(lr=args.lr, time_budget_s=args.budget_s),
        source=path.name,
    )
    load = os.getloadavg()[0]
    started = time.monotonic()
    model.fit(train, valid)
    seconds = time.monotonic() - started
    last = model.state.history[-1]
    epoch_events = sum(len(s) - 1 for s in train.sessions)
    print(f"training: {seconds:.0f} s, {model.state.step} steps, {last['epoch']:.2f} epochs")
    print(
        f"throughput: {last['events_per_s']:.0f} events/s; one epoch ({epoch_events} events): {epoch_events / last['events_per_s']:.0f} s"
    )
    print(
        f"best validation step {model.state.best_step}: MRR@20 {model.state.best_metrics.get('MRR@20', 0):.4f}"
    )
    metrics = evaluate(model, test, train=train, max_predictions=args.max_predictions)
    print("test:", json.dumps({k: round(v, 4) for k, v in metrics.items()}))
    print(f"(load average {load:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
