"""``continuo-train sweep``: the paper's hidden size × learning rate experiment (seed paper §4.3).

Every combination trains on the same split of the playlists (the last 20 % of sessions by id are
left out as test, the last 10 % of the rest validate) under the same time budget; the training
loss and the validation MRR@20 are recorded over the steps. ``runs.json`` keeps the raw curves;
the plots and ``README.md`` are drawn from it, so ``--report-only`` redraws them without training.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

from trainer.config import ModelConfig, TrainConfig  # noqa: E402
from trainer.fit import SessionRecommender  # noqa: E402
from trainer.readers import read_sessions  # noqa: E402
from trainer.split import split  # noqa: E402

PAPER_ROUNDS = 24_000  # the paper's convergence point at lr 0.001


def shared_data(name: str) -> Path:
    """``../shared/data/NAME`` from the repository root, or under ``$CONTINUO_SHARED_DATA``."""
    root = (
        os.environ.get("CONTINUO_SHARED_DATA")
        or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    return Path(root) / name


def sweep_config(hidden: int, lr: float, budget_s: float) -> tuple[ModelConfig, TrainConfig]:
    """Small steps so a short budget still draws a curve; no early stopping (full curves)."""
    train = TrainConfig(
        lr=lr,
        time_budget_s=budget_s,
        batch_sessions=16,
        negatives=512,
        eval_every=10,
        eval_prefixes=400,
        patience=10**6,
        warmup_steps=10,
    )
    return ModelConfig(hidden=hidden, heads=4 if hidden % 4 == 0 else 2), train


def sweep(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs_path = out / "runs.json"
    if not args.report_only:
        path = args.sessions or shared_data("playlists-dev.tsv.gz")
        data, _ = read_sessions(path)
        rest, _test = split(data, 0.2)
        train, valid = split(rest, 0.1)
        runs = json.loads(runs_path.read_text()) if runs_path.exists() else []
        done = {(r["hidden"], r["lr"]) for r in runs}
        for hidden in args.hidden:
            for lr in args.lr:
                if (hidden, lr) in done:
                    continue
                print(f"sweep: hidden {hidden}, lr {lr}", file=sys.stderr, flush=True)
                model_config, train_config = sweep_config(hidden, lr, args.budget_s)
                model = SessionRecommender(
                    model_config, train_config, progress=False, source=Path(path).name
                )
                model.fit(train, valid)
                assert model.state is not None  # fit() leaves the trained state
                runs.append(
                    {
                        "hidden": hidden,
                        "lr": lr,
                        "budget_s": args.budget_s,
                        "train_config": asdict(train_config),
                        "best": model.state.best_metrics,
                        "history": model.state.history,
                    }
                )
                runs_path.write_text(json.dumps(runs, indent=1))  # a crash keeps what is done
    report(json.loads(runs_path.read_text()), out)


def _plot(runs: list[dict], key: str, label: str, path: Path) -> None:
    hiddens = sorted({r["hidden"] for r in runs})
    fig, axes = plt.subplots(
        1, len(hiddens), figsize=(4 * len(hiddens), 3.4), sharey=True, squeeze=False
    )
    for ax, hidden in zip(axes[0], hiddens, strict=True):
        for run in sorted((r for r in runs if r["hidden"] == hidden), key=lambda r: -r["lr"]):
            points = [(h["step"], h[key]) for h in run["history"] if key in h]
            if points:
                ax.plot(*zip(*points, strict=True), marker=".", label=f"lr {run['lr']:g}")
        ax.set_title(f"hidden {hidden}")
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
    if key == "loss":  # lr 0.1 starts hundreds of times higher than the others
        axes[0][0].set_yscale("log")
    axes[0][0].set_ylabel(label)
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report(runs: list[dict], out: Path) -> None:
    """Draw ``sweep_loss.png`` and ``sweep_mrr.png`` and write ``README.md`` from the runs."""
    _plot(runs, "loss", "training loss (sampled softmax)", out / "sweep_loss.png")
    _plot(runs, "MRR@20", "validation MRR@20", out / "sweep_mrr.png")
    hiddens = sorted({r["hidden"] for r in runs})
    lrs = sorted({r["lr"] for r in runs}, reverse=True)
    cell = {(r["hidden"], r["lr"]): r for r in runs}

    def fmt(run: dict | None) -> str:
        if run is None:
            return "—"
        best, last = run["best"], run["history"][-1] if run["history"] else {}
        return (
            f"{best.get('MRR@20', 0):.4f} (step {int(best.get('step', 0))}/{last.get('step', 0)})"
        )

    budget = runs[0]["budget_s"] if runs else 0
    rate = [h["events_per_s"] for r in runs for h in r["history"][-1:]]
    best_run = max(runs, key=lambda r: r["best"].get("MRR@20", 0)) if runs else None
    lines = [
        "# The paper's experiment: hidden size × learning rate",
        "",
        "Regenerate with `continuo-train sweep` (training, about "
        f"{len(runs) * budget / 60:.0f} minutes) or `continuo-train sweep --report-only` (plots and this "
        "report from `runs.json`). Data: `../shared/data/playlists-dev.tsv.gz`, the last 20 % of "
        "sessions by id left out as test, the last 10 % of the rest for validation (MRR@20 over the "
        "whole catalogue on 400 evenly spaced validation predictions, prefix items excluded).",
        "",
        f"Each run had a **{budget:.0f} s** budget on the shared 2-core machine "
        f"({min(rate, default=0):.0f}–{max(rate, default=0):.0f} training events/s under the load of other jobs), "
        "batches of 16 windows and 512 sampled negatives, so that a short budget still draws a curve. "
        "That is a few hundred steps, not the paper's 24,000 rounds: these curves show the start of "
        "training, and the comparison below is about how fast each setting learns, not where it ends.",
        "",
        "Best validation MRR@20 (step of the best / steps done):",
        "",
        "| hidden | " + " | ".join(f"lr {lr:g}" for lr in lrs) + " |",
        "| --- | " + " | ".join("---" for _ in lrs) + " |",
    ]
    for hidden in hiddens:
        lines.append(
            f"| {hidden} | " + " | ".join(fmt(cell.get((hidden, lr))) for lr in lrs) + " |"
        )
    lines += [
        "",
        "![training loss](sweep_loss.png)",
        "",
        "![validation MRR@20](sweep_mrr.png)",
        "",
        "## Compared with the paper",
        "",
        f"The paper reports convergence after {PAPER_ROUNDS:,} rounds at learning rate 0.001 and picks "
        "hidden size 192. "
        + (
            f"Here the best short run was hidden {best_run['hidden']} at lr {best_run['lr']:g}. "
            if best_run
            else ""
        )
        + FINDINGS,
    ]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


FINDINGS = (
    "Our findings differ from the paper's in what can be seen, not necessarily in substance: "
    "within 20–320 steps no setting converges, so the 24,000-round claim can be neither confirmed "
    "nor refuted on this machine. What the short runs do show: (1) lr 0.1 is unusable — the "
    "sampled-softmax loss jumps to 10–800 (hidden 96–384) before it falls back, and validation "
    "MRR@20 stays at the popularity level; (2) lr 0.0001 barely leaves the start (loss 7.8 → 7.1 "
    "at best); (3) 0.01 and 0.001 learn fastest, with 0.01 ahead at hidden 48 and 0.001 the "
    "safer choice at 96–384 (0.01 stalls at 192 and diverges at 384), which agrees with the paper's "
    "choice of 0.001; (4) under a fixed CPU time budget the larger hidden sizes do fewer steps "
    "(hidden 384: ~25 steps, 150 events/s; hidden 48: ~300 steps, 1,900 events/s), so the ranking "
    "by hidden size here is a ranking by speed, not the paper's ranking by capacity (it preferred "
    "192). The runs shared two cores with up to eight other jobs (load 7–9), so the step counts "
    "vary between runs by a factor of two for reasons unrelated to the setting. The sweep ran with "
    "the trainer's earlier defaults (embedding tables at 5× the learning rate, dropout 0.3); "
    "docs/model.md has the longer runs with the current defaults (validation MRR@20 0.045 after "
    "590 steps, 600 s)."
)
