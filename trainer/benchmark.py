"""``continuo-train benchmark``: every algorithm under one protocol, tuned fairly, one report.

Each algorithm is tuned on a validation split carved from the end of the training part (its
small grid in :data:`trainer.baselines.GRIDS`, picked by MRR@20), refitted on training +
validation with the chosen parameters (the torch models keep the validation split for early
stopping instead), and measured on the test split by :func:`trainer.evaluate.evaluate`.
``cnnsa`` is the project's CNN + self-attention model (``trainer.fit.SessionRecommender``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from trainer.baselines import ALGORITHMS, GRIDS, make
from trainer.dataset import SessionData
from trainer.evaluate import Recommender, evaluate
from trainer.readers import read_sessions
from trainer.split import concat, split, train_valid_test

NEURAL = ("gru4rec", "sasrec", "cnnsa")
DEFAULT_ALGORITHMS = ("pop", "iknn", "sr", "sknn", "vsknn", "gru4rec", "sasrec")
SHOWN = ("HR@10", "MRR@10", "NDCG@10", "HR@20", "MRR@20", "NDCG@20", "Coverage@20", "Popularity@20")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``benchmark`` subcommand on ``continuo-train``'s subparsers."""
    parser = subparsers.add_parser(
        "benchmark", help="all algorithms under the session-rec protocol; table and chart"
    )
    parser.add_argument("--sessions", type=Path, required=True, help="history file (any format)")
    parser.add_argument(
        "--test", type=Path, default=None, help="separate test file (default: split --sessions)"
    )
    parser.add_argument(
        "--algorithms",
        default=",".join(DEFAULT_ALGORITHMS),
        help=f"comma-separated, from {','.join([*ALGORITHMS, 'cnnsa'])}",
    )
    parser.add_argument(
        "--time-budget-s", type=float, default=300.0, help="training time per torch model"
    )
    parser.add_argument("--report", type=Path, required=True, help="output directory")
    parser.add_argument("--split", choices=("auto", "id", "time"), default="auto")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--valid-fraction", type=float, default=0.1)
    parser.add_argument("--no-tune", action="store_true", help="defaults only, no grid search")
    parser.add_argument(
        "--valid-predictions", type=int, default=5000, help="validation prefixes per grid point"
    )
    parser.add_argument(
        "--max-predictions", type=int, default=None, help="test prefixes (default: all)"
    )
    parser.add_argument(
        "--keep-seen", action="store_true", help="allow recommending items already in the prefix"
    )
    parser.add_argument("--min-length", type=int, default=2, help="shortest session kept")
    parser.add_argument("--max-length", type=int, default=None, help="longer sessions truncated")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def align(data: SessionData, reference: SessionData) -> SessionData:
    """``data``'s sessions re-indexed over ``reference``'s vocabularies (unknown keys → UNKNOWN)."""
    mapping = np.array([reference.items.index(k) for k in data.items.keys], dtype=np.int64)
    return SessionData(
        session_ids=data.session_ids,
        sessions=[mapping[s] for s in data.sessions],
        items=reference.items,
        artists=reference.artists,
        item_artist=reference.item_artist,
        item_content=reference.item_content,
        session_times=data.session_times,
    )


def build(name: str, params: dict, time_budget_s: float, progress: bool) -> Recommender:
    """A fresh algorithm; the torch ones get the time budget."""
    if name == "cnnsa":
        from trainer.config import TrainConfig
        from trainer.fit import SessionRecommender

        return SessionRecommender(
            train_config=TrainConfig(time_budget_s=time_budget_s, **params), progress=progress
        )
    if name in NEURAL:
        params = {"time_budget_s": time_budget_s, "progress": progress, **params}
    return make(name, **params)


def tune(
    name: str,
    train: SessionData,
    valid: SessionData,
    *,
    valid_predictions: int,
    exclude_seen: bool,
    log: Any,
) -> tuple[dict, list[dict]]:
    """The grid point of ``name`` with the best validation MRR@20, and every point's result."""
    trials: list[dict[str, Any]] = []
    for params in GRIDS.get(name, [{}]):
        model = make(name, **params)
        model.fit(train)
        metrics = evaluate(
            model,
            valid,
            train=train,
            progress=False,
            max_predictions=valid_predictions,
            exclude_seen=exclude_seen,
        )
        trials.append({"params": params, "MRR@20": metrics["MRR@20"], "HR@20": metrics["HR@20"]})
        log(f"  {name} {params}: valid MRR@20 {metrics['MRR@20']:.4f} HR@20 {metrics['HR@20']:.4f}")
    best = max(trials, key=lambda t: t["MRR@20"])
    return best["params"], trials


def benchmark(
    train: SessionData,
    valid: SessionData,
    test: SessionData,
    algorithms: list[str],
    *,
    time_budget_s: float = 300.0,
    tune_grid: bool = True,
    valid_predictions: int = 5000,
    max_predictions: int | None = None,
    exclude_seen: bool = True,
    progress: bool = True,
) -> dict[str, dict]:
    """Tune, fit and test each algorithm; returns ``{name: {params, trials, fit_s, test}}``."""

    def log(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    results: dict[str, dict] = {}
    full = concat(train, valid)
    for name in algorithms:
        log(f"{name}:")
        params: dict[str, Any] = {}
        trials: list[dict[str, Any]] = []
        if tune_grid and name not in NEURAL and len(GRIDS.get(name, [{}])) > 1:
            params, trials = tune(
                name,
                train,
                valid,
                valid_predictions=valid_predictions,
                exclude_seen=exclude_seen,
                log=log,
            )
        model = build(name, params, time_budget_s, progress)
        started = time.monotonic()
        if name in NEURAL:
            model.fit(train, valid)
            fitted_on = train
        else:
            model.fit(full)
            fitted_on = full
        fit_s = time.monotonic() - started
        metrics = evaluate(
            model,
            test,
            train=fitted_on,
            progress=progress,
            max_predictions=max_predictions,
            exclude_seen=exclude_seen,
        )
        results[name] = {"params": params, "trials": trials, "fit_s": fit_s, "test": metrics}
        history = getattr(model, "history", None)
        if history:
            results[name]["history"] = history
        log(
            f"  test MRR@20 {metrics['MRR@20']:.4f} HR@20 {metrics['HR@20']:.4f} (fit {fit_s:.1f} s)"
        )
    return results


def markdown_table(results: dict[str, dict]) -> str:
    """The results as a markdown table, best MRR@20 in bold."""
    best = max((r["test"]["MRR@20"] for r in results.values()), default=0.0)
    lines = [
        "| algorithm | " + " | ".join(SHOWN) + " | cold HR@20 | cold MRR@20 | fit s | parameters |",
        "|---" * (len(SHOWN) + 5) + "|",
    ]
    for name, r in results.items():
        t = r["test"]
        cells = [f"{t[m]:.4f}" if m in t else "–" for m in SHOWN]
        if t["MRR@20"] == best:
            cells[SHOWN.index("MRR@20")] = f"**{cells[SHOWN.index('MRR@20')]}**"
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "defaults"
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {t.get('cold_HR@20', 0):.4f} | "
            f"{t.get('cold_MRR@20', 0):.4f} | {r['fit_s']:.1f} | {params} |"
        )
    return "\n".join(lines) + "\n"


def bar_chart(results: dict[str, dict], path: Path) -> None:
    """MRR@20 and HR@20 of each algorithm as grouped bars (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    x = np.arange(len(names))
    figure, axes = plt.subplots(figsize=(max(5.0, 1.1 * len(names)), 3.6), dpi=120)
    for offset, metric in ((-0.2, "MRR@20"), (0.2, "HR@20")):
        values = [results[n]["test"][metric] for n in names]
        bars = axes.bar(x + offset, values, 0.4, label=metric)
        axes.bar_label(bars, fmt="%.3f", fontsize=7)
    axes.set_xticks(x, names)
    axes.set_ylabel("test score")
    axes.set_title("Next-item prediction, every prefix of every test session")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def write_report(results: dict[str, dict], report: Path, header: str) -> None:
    report.mkdir(parents=True, exist_ok=True)
    (report / "results.json").write_text(json.dumps(results, indent=2, default=float))
    (report / "results.md").write_text(
        f"# Benchmark\n\n{header}\n\n{markdown_table(results)}\n![MRR@20 and HR@20](results.png)\n"
    )
    bar_chart(results, report / "results.png")


def run(args: argparse.Namespace) -> int:
    """The ``benchmark`` subcommand."""
    progress = not args.quiet
    algorithms = [a.strip() for a in args.algorithms.split(",") if a.strip()]
    unknown = [a for a in algorithms if a not in ALGORITHMS and a != "cnnsa"]
    if unknown:
        print(f"continuo-train benchmark: unknown algorithms {unknown}", file=sys.stderr)
        return 2
    reading = {"min_length": args.min_length, "max_length": args.max_length}
    data, report = read_sessions(args.sessions, **reading)
    if progress and (report.skipped or report.dropped_short):
        print(report.summary(), file=sys.stderr)
    if args.test is not None:
        test_data, test_report = read_sessions(args.test, **reading)
        if progress and test_report.skipped:
            print(test_report.summary(), file=sys.stderr)
        train, valid = split(data, args.valid_fraction, args.split)
        test = align(test_data, data)
    else:
        train, valid, test = train_valid_test(
            data,
            test_fraction=args.test_fraction,
            valid_fraction=args.valid_fraction,
            by=args.split,
        )
    results = benchmark(
        train,
        valid,
        test,
        algorithms,
        time_budget_s=args.time_budget_s,
        tune_grid=not args.no_tune,
        valid_predictions=args.valid_predictions,
        max_predictions=args.max_predictions,
        exclude_seen=not args.keep_seen,
        progress=progress,
    )
    header = (
        f"Data: `{args.sessions.name}`"
        + (f", test `{args.test.name}`" if args.test else "")
        + f" — {len(train.sessions)} training, {len(valid.sessions)} validation, "
        f"{len(test.sessions)} test sessions; {len(data.items) - 2} items. "
        f"Prefix items {'allowed' if args.keep_seen else 'excluded'} from the lists; "
        f"torch models trained for at most {args.time_budget_s:g} s each."
    )
    write_report(results, args.report, header)
    print(markdown_table(results))
    return 0
