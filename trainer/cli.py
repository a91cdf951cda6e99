"""``continuo-train``: the trainer's command line (fit, predict, export, benchmark, sweep, from-history)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from player.errors import ContinuoError


def _fit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hidden", type=int, default=192, help="hidden size (paper: 192)")
    parser.add_argument("--lr", type=float, default=0.001, help="peak learning rate (paper: 0.001)")
    parser.add_argument(
        "--time-budget-s", type=float, default=0.0, help="stop after this long (0: none)"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--epochs", type=float, default=None, help="passes over the data")
    parser.add_argument(
        "--max-steps", type=int, default=None, help="optimiser steps (overrides epochs)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _build(argv: list[str] | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="continuo-train", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    fit = commands.add_parser(
        "fit", help="train on a history file; write model.onnx, checkpoint, metrics"
    )
    fit.add_argument(
        "--sessions", type=Path, required=True, help="history file (any supported format)"
    )
    fit.add_argument("--out", type=Path, required=True, help="output directory")
    fit.add_argument("--resume", action="store_true", help="continue OUT/checkpoint.pt")
    _fit_arguments(fit)

    predict = commands.add_parser("predict", help="top-k next items for every prefix (onnxruntime)")
    predict.add_argument("--model", type=Path, required=True, help="DIR/model.onnx")
    predict.add_argument("--sessions", type=Path, required=True, help="session TSV")
    predict.add_argument("--k", type=int, default=20, help="list length")
    predict.add_argument("--out", type=Path, required=True, help="JSON-lines output")

    export = commands.add_parser("export", help="export a checkpoint's best weights to ONNX")
    export.add_argument("checkpoint", type=Path)
    export.add_argument("--out", type=Path, required=True, help="ONNX file (vocabulary beside it)")

    sweep = commands.add_parser("sweep", help="the paper's hidden size x learning rate experiment")
    sweep.add_argument(
        "--sessions", type=Path, default=None, help="default: ../shared/data playlists"
    )
    sweep.add_argument(
        "--out", type=Path, default=Path("docs/experiments"), help="report directory"
    )
    sweep.add_argument("--budget-s", type=float, default=120.0, help="time budget per run")
    sweep.add_argument("--hidden", type=int, nargs="+", default=[48, 96, 192, 384])
    sweep.add_argument("--lr", type=float, nargs="+", default=[0.1, 0.01, 0.001, 0.0001])
    sweep.add_argument(
        "--report-only", action="store_true", help="redraw plots and report from runs.json"
    )

    history = commands.add_parser(
        "from-history", help="train on a profile and install the model there"
    )
    history.add_argument("--profile", type=Path, required=True, help="Continuo profile directory")
    _fit_arguments(history)

    try:
        from trainer import benchmark
    except ImportError:  # the benchmark lands separately; the other commands do not need it
        pass
    else:
        benchmark.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build(argv).parse_args(argv)
    try:
        if args.command == "fit":
            from trainer.fit import fit_file

            fit_file(args)
        elif args.command == "predict":
            from trainer.predict import predict

            n = predict(args.model, args.sessions, args.out, k=args.k)
            print(f"{n} predictions written to {args.out}", file=sys.stderr)
        elif args.command == "export":
            from trainer.checkpoint import load
            from trainer.export import export

            meta = export(load(args.checkpoint), args.out)
            print(f"{args.out}: {meta['vocabulary']['items']} items, hidden {meta['hidden_size']}")
        elif args.command == "sweep":
            from trainer.experiments import sweep

            sweep(args)
        elif args.command == "from-history":
            from trainer.from_history import from_history

            from_history(args)
        else:
            from trainer import benchmark

            return int(benchmark.run(args) or 0)
    except ContinuoError as error:
        print(f"continuo-train: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
