"""Latency of the exported session model with onnxruntime, ranking a 50,000-item catalogue.

The player's path: candidate vectors computed once, then per request one run of the session
encoder (a 1-item dummy candidate), a numpy dot product and ``argpartition`` for the top 20 with
the session's own items excluded. Prints p50/p99 over sessions of 1-40 items (goal: p50 ≤ 5 ms).

    .venv/bin/python tests/benchmarks/bench_onnx_latency.py [--items 50000] [--requests 300]
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

from trainer.catalogue import Catalogue  # noqa: E402
from trainer.config import ModelConfig, TrainConfig  # noqa: E402
from trainer.export import export  # noqa: E402
from trainer.predict import OnnxRanker  # noqa: E402
from trainer.train import new_state  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    n = args.items + 2
    rng = np.random.default_rng(0)
    catalogue = Catalogue(
        items=["<pad>", "<unk>"] + [f"item{i}" for i in range(args.items)],
        artists=["<pad>", "<unk>"] + [f"artist{i}" for i in range(5000)],
        item_artist=np.concatenate([[0, 1], rng.integers(2, 5002, args.items)]).astype(np.int64),
        item_content=np.zeros((n, 0), np.float32),
        counts=np.ones(n, np.int64),
    )
    config = ModelConfig(n_items=n, n_artists=5002, hidden=args.hidden)
    state = new_state(catalogue, config, TrainConfig(), {"source": "random weights"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        export(state, path)
        started = time.perf_counter()
        ranker = OnnxRanker(path)  # candidate vectors for the whole catalogue, once
        setup_ms = (time.perf_counter() - started) * 1000
        latencies = []
        for i in range(args.requests + 20):
            length = int(rng.integers(1, 41))
            prefix = [
                (f"item{j}", f"artist{j % 5000}") for j in rng.integers(0, args.items, length)
            ]
            started = time.perf_counter()
            top = ranker.rank([prefix], 20)
            if i >= 20:  # the first runs warm onnxruntime up
                latencies.append((time.perf_counter() - started) * 1000)
            assert len(top[0]) == 20
    p50, p99 = np.percentile(latencies, [50, 99])
    print(f"provider: {ranker.session.provider_name}, 1 intra-op thread")
    print(f"load + {args.items} candidate vectors: {setup_ms:.0f} ms")
    print(
        f"rank {args.items} items, sessions of 1-40, hidden {args.hidden}: p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores while measuring)")


if __name__ == "__main__":
    main()
