"""Training the session model: windows of every session, sampled or full softmax, early stopping.

Every position of every training session is a target (the encoder is causal, so one pass over a
window trains all its prefixes). With a catalogue small enough the loss is the full softmax;
otherwise the candidates are the batch's own targets plus popularity-sampled shared negatives,
with the logQ correction (Yi et al. 2019) so the scores still estimate the full softmax. Runs stop
early on validation MRR@20, on ``time_budget_s``, or after the schedule's last step, and always
keep the best weights. Under ``torchrun`` each process trains on its share of the windows with
DistributedDataParallel (gloo on CPU, NCCL on CUDA).
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn
from torch import distributed as dist
from torch.nn import functional as F

from trainer.catalogue import Catalogue
from trainer.checkpoint import TrainState, save
from trainer.config import ModelConfig, TrainConfig
from trainer.dataset import PAD, UNKNOWN
from trainer.evaluate import Progress
from trainer.model import SessionModel

Validate = Callable[[SessionModel], dict[str, float]]


def resolve_device(name: str) -> torch.device:
    """``auto`` is CUDA when a GPU is usable (the local rank's under torchrun), else the CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return device


def set_threads(threads: int) -> None:
    """Use ``threads`` CPU threads; 0 picks all cores unless the load already fills them.

    On a shared machine, torch's spinning worker threads contending for busy cores made steps
    several times slower than a single thread (measured: dropout 86 ms with 2 threads vs 11 ms
    with 1 at load 8 on 2 cores).
    """
    if threads <= 0:
        cores = os.cpu_count() or 1
        threads = 1 if os.getloadavg()[0] >= cores else cores
    torch.set_num_threads(threads)


def init_distributed(device: str = "auto") -> int:
    """Join the process group ``torchrun`` describes (WORLD_SIZE > 1); returns this rank."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        backend = "nccl" if resolve_device(device).type == "cuda" else "gloo"
        dist.init_process_group(backend)
    return _world()[0]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_windows(
    sessions: Sequence[np.ndarray], max_len: int, rng: np.random.Generator
) -> np.ndarray:
    """Cut sessions into left-padded windows of ``max_len + 1`` items, shape (W, max_len + 1).

    Window ``w`` trains inputs ``w[:-1]`` on targets ``w[1:]``; every target position of every
    session is in exactly one window. The first window of a long session has a random length,
    so the cut points move from epoch to epoch.
    """
    rows: list[np.ndarray] = []
    for session in sessions:
        n = len(session)
        if n < 2:
            continue
        first = int(rng.integers(1, max_len + 1)) if n - 1 > max_len else max_len
        lo = 1
        for hi in [*range(first, n - 1, max_len), n - 1]:  # chunks of target positions lo..hi
            if hi >= lo:
                rows.append(session[lo - 1 : hi + 1])
            lo = hi + 1
    windows = np.zeros((len(rows), max_len + 1), np.int64)
    for i, row in enumerate(rows):
        windows[i, max_len + 1 - len(row) :] = row
    return windows


def left_pad(prefixes: Sequence[np.ndarray], max_len: int) -> np.ndarray:
    """The last ``max_len`` items of each prefix, left-padded with 0, shape (B, ≤ max_len)."""
    width = max(1, min(max_len, max((len(p) for p in prefixes), default=1)))
    out = np.zeros((len(prefixes), width), np.int64)
    for i, prefix in enumerate(prefixes):
        tail = prefix[-width:]
        if len(tail):
            out[i, width - len(tail) :] = tail
    return out


def learning_rate(step: int, *, peak: float, warmup: int, horizon: int) -> float:
    """Linear warm-up to ``peak``, then cosine decay to a tenth of it at ``horizon``."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, horizon - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


class Objective(nn.Module):
    """The training loss of one batch of windows, as one module so DDP sees every parameter use."""

    item_artist: Tensor  # buffers, registered in __init__
    item_content: Tensor
    target_share: Tensor
    sample_share: Tensor

    def __init__(self, model: SessionModel, catalogue: Catalogue, config: TrainConfig) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("item_artist", torch.from_numpy(catalogue.item_artist), False)
        self.register_buffer("item_content", torch.from_numpy(catalogue.item_content), False)
        counts = torch.from_numpy(catalogue.counts).double()
        self.register_buffer("target_share", counts / counts.sum().clamp(min=1), False)
        sample = counts.pow(config.sample_alpha) * (counts > 0)
        self.register_buffer("sample_share", sample / sample.sum().clamp(min=1e-12), False)
        self.full = config.negatives == 0 or len(catalogue) <= config.full_softmax_max_items
        self.negatives = config.negatives
        self.label_smoothing = config.label_smoothing

    def item_vectors(self, items: Tensor) -> Tensor:
        return self.model.items(items, self.item_artist[items], self.item_content[items])

    def forward(self, windows: Tensor, generator: torch.Generator | None = None) -> Tensor:
        inputs, targets = windows[:, :-1], windows[:, 1:]
        queries = self.model.encode(inputs, self.item_artist[inputs], self.item_content[inputs])
        valid = (targets > UNKNOWN) & (inputs != PAD)  # a session's first item has no prefix
        queries, targets = queries[valid], targets[valid]
        if self.full:
            candidates = torch.arange(len(self.item_artist), device=windows.device)
            logits = queries @ self.item_vectors(candidates).T
            logits[:, :2] = -1e4
            labels = targets
        else:
            negatives = torch.multinomial(
                self.sample_share.float(), self.negatives, replacement=True, generator=generator
            )
            candidates, inverse = torch.unique(torch.cat([targets, negatives]), return_inverse=True)
            labels = inverse[: len(targets)]
            expected = (
                len(targets) * self.target_share[candidates]
                + self.negatives * self.sample_share[candidates]
            )
            logits = queries @ self.item_vectors(candidates).T - expected.log().float()
        return F.cross_entropy(logits.float(), labels, label_smoothing=self.label_smoothing)


def _world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _any(flag: bool, device: torch.device) -> bool:
    """True on every process when ``flag`` is true on any (so all stop at the same step)."""
    if _world()[1] == 1:
        return flag
    value = torch.tensor([float(flag)], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)


def new_state(
    catalogue: Catalogue, model_config: ModelConfig, train_config: TrainConfig, data_summary: dict
) -> TrainState:
    """A fresh run: seeded weights, no optimiser state yet."""
    seed_everything(train_config.seed)
    model = SessionModel(model_config)
    return TrainState(
        model_config=model_config,
        train_config=train_config,
        catalogue=catalogue,
        model={k: v.clone() for k, v in model.state_dict().items()},
        data_summary=data_summary,
    )


def _optimizers(
    model: SessionModel, config: TrainConfig, sparse: bool
) -> list[torch.optim.Optimizer]:
    """Adam on the weights; on a single CPU process lazy (sparse) Adam on the two embedding tables.

    With 100k+ items a dense update of the item table costs more than the rest of the step;
    the sparse one touches only the rows the batch used. Each group's ``lr_scale`` multiplies
    the scheduled learning rate (the tables learn faster: most rows see few updates).
    """
    tables = [model.item_tower.item, model.item_tower.artist]
    for table in tables:
        table.sparse = sparse
    table_weights = [t.weight for t in tables]
    table_ids = {id(w) for w in table_weights}
    weights = [p for p in model.parameters() if id(p) not in table_ids]
    scale = config.embedding_lr_scale
    dense_groups = [{"params": weights, "lr_scale": 1.0}]
    if not sparse:
        dense_groups.append({"params": table_weights, "lr_scale": scale})
    optimizers: list[torch.optim.Optimizer] = [
        torch.optim.AdamW(dense_groups, lr=config.lr, weight_decay=config.weight_decay)
    ]
    if sparse:
        optimizers.append(
            torch.optim.SparseAdam([{"params": table_weights, "lr_scale": scale}], lr=config.lr)
        )
    return optimizers


def run(
    state: TrainState,
    sessions: Sequence[np.ndarray],
    *,
    validate: Validate | None = None,
    checkpoint: Path | None = None,
    progress: bool = True,
    on_evaluation: Callable[[TrainState], None] | None = None,
) -> TrainState:
    """Train ``state`` on ``sessions`` (model indices) until it finishes; resumes where it stood.

    ``validate`` scores a model (in eval mode) and returns metrics with ``"MRR@20"``; the best
    weights by that figure are kept in ``state.best_model``. The checkpoint (when given) is
    written after every evaluation and at the end, by the first process only.
    """
    config = state.train_config
    rank, world = _world()
    device = resolve_device(config.device)
    if device.type == "cpu":
        set_threads(config.threads)
    started = time.monotonic()
    model = SessionModel(state.model_config)
    model.load_state_dict(state.model)
    objective = Objective(model, state.catalogue, config).to(device)
    trained: nn.Module = objective
    if world > 1:
        trained = nn.parallel.DistributedDataParallel(
            objective, device_ids=[device.index] if device.type == "cuda" else None
        )
    optimizers = _optimizers(model, config, sparse=device.type == "cpu" and world == 1)
    if state.optimizer is not None and len(state.optimizer) == len(optimizers):
        for optimizer, saved in zip(optimizers, state.optimizer, strict=True):
            optimizer.load_state_dict(saved)
    dense = [p for group in optimizers[0].param_groups for p in group["params"]]
    autocast, scaler = _precision(device)
    windows_per_epoch = len(
        make_windows(sessions, state.model_config.max_len, np.random.default_rng(0))
    )
    batches_per_epoch = max(1, math.ceil(windows_per_epoch / world / config.batch_sessions))
    if not state.horizon:
        state.horizon = config.max_steps or max(1, int(config.epochs * batches_per_epoch))
    limit = config.max_steps or state.horizon
    generator = torch.Generator(device=device).manual_seed(config.seed * 1000 + rank + state.step)
    bar = Progress(limit, "train", progress and rank == 0)
    bar.update(state.step)
    events, first_step, losses = 0, state.step, []
    while not state.finished:
        rng = np.random.default_rng([config.seed, state.epoch])
        windows = make_windows(sessions, state.model_config.max_len, rng)
        windows = windows[rng.permutation(len(windows))][rank::world]
        for lo in range(state.batch * config.batch_sessions, len(windows), config.batch_sessions):
            batch = torch.from_numpy(windows[lo : lo + config.batch_sessions]).to(device)
            warmup = min(config.warmup_steps, state.horizon // 10)
            lr = learning_rate(state.step, peak=config.lr, warmup=warmup, horizon=state.horizon)
            for optimizer in optimizers:
                for group in optimizer.param_groups:
                    group["lr"] = lr * group["lr_scale"]
            model.train()
            with autocast():
                loss = trained(batch, generator)
            for optimizer in optimizers:
                optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            for optimizer in optimizers:
                scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(dense, 1.0)
            for optimizer in optimizers:
                scaler.step(optimizer)
            scaler.update()
            losses.append(float(loss.item()))
            events += int((batch[:, :-1] != PAD).sum()) * world
            state.step += 1
            state.batch = lo // config.batch_sessions + 1
            bar.update(1)
            elapsed = time.monotonic() - started
            out_of_time = bool(config.time_budget_s) and elapsed > config.time_budget_s
            if config.time_budget_s and state.step - first_step in (20, 100):
                per_step = elapsed / (state.step - first_step)
                state.horizon = min(
                    state.horizon, int(state.step + (config.time_budget_s - elapsed) / per_step)
                )
                bar.total = max(state.step, state.horizon)  # the ETA follows the budget
            done = _any(out_of_time or state.step >= limit, device)
            if done or state.step % config.eval_every == 0:
                entry = {
                    "step": state.step,
                    "epoch": state.epoch + state.batch / batches_per_epoch,
                    "loss": float(np.mean(losses)) if losses else float("nan"),
                    "lr": lr,
                    "seconds": elapsed,
                    "events_per_s": events / max(elapsed, 1e-9),
                }
                losses = []
                if validate is not None:
                    model.eval()
                    with torch.no_grad():
                        entry.update(validate(model))
                    if entry.get("MRR@20", -1.0) > state.best_metrics.get("MRR@20", -1.0):
                        state.best_metrics = {k: float(v) for k, v in entry.items()}
                        state.best_step = state.step
                        state.best_model = {
                            k: v.detach().cpu().clone() for k, v in model.state_dict().items()
                        }
                    stale = (state.step - state.best_step) // config.eval_every
                    done = done or _any(stale >= config.patience, device)
                state.history.append(entry)
                if rank == 0 and progress:
                    figures = " ".join(
                        f"{k} {entry[k]:.4g}"
                        for k in ("epoch", "loss", "MRR@20", "HR@20", "events_per_s")
                        if k in entry
                    )
                    print(f"\nstep {state.step}: {figures}", file=sys.stderr, flush=True)
                state.finished = done
                _sync(state, model, optimizers)
                if checkpoint is not None and rank == 0:
                    save(state, checkpoint)
                if on_evaluation is not None:
                    on_evaluation(state)
            if state.finished:
                break
        else:
            state.epoch += 1
            state.batch = 0
    if validate is None or state.best_model is None:
        state.best_model = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        state.best_step = state.step
    _sync(state, model, optimizers)
    if checkpoint is not None and rank == 0:
        save(state, checkpoint)
    return state


def _sync(state: TrainState, model: SessionModel, optimizers: list[torch.optim.Optimizer]) -> None:
    state.model = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    state.optimizer = [optimizer.state_dict() for optimizer in optimizers]


def _precision(device: torch.device):
    """Autocast context and gradient scaler: bf16 (or fp16 with scaling) on CUDA, fp32 on CPU."""
    if device.type != "cuda":
        return nullcontext, torch.amp.GradScaler("cpu", enabled=False)
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return (
        lambda: torch.autocast("cuda", dtype=dtype),
        torch.amp.GradScaler("cuda", enabled=dtype == torch.float16),
    )


def encode_prefixes(
    model: SessionModel, catalogue: Catalogue, prefixes: Sequence[np.ndarray], batch: int = 512
) -> np.ndarray:
    """Query vectors (B, H) of prefixes given in model indices (eval mode, no gradients)."""
    artists = torch.from_numpy(catalogue.item_artist)
    content = torch.from_numpy(catalogue.item_content)
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for lo in range(0, len(prefixes), batch):
            items = torch.from_numpy(left_pad(prefixes[lo : lo + batch], model.config.max_len))
            out.append(
                model(items.to(device), artists[items].to(device), content[items].to(device))
                .float()
                .cpu()
            )
    return torch.cat(out).numpy() if out else np.zeros((0, model.config.hidden), np.float32)


def item_matrix(model: SessionModel, catalogue: Catalogue) -> np.ndarray:
    """Vectors (n_items, H) of every catalogue item; rows 0 and 1 are padding and unknown."""
    device = next(model.parameters()).device
    items = torch.arange(len(catalogue), device=device)
    with torch.no_grad():
        vectors = model.items(
            items,
            torch.from_numpy(catalogue.item_artist).to(device),
            torch.from_numpy(catalogue.item_content).to(device),
        )
    return vectors.float().cpu().numpy()
