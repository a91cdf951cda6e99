"""DistributedDataParallel with two CPU processes on gloo, as ``torchrun --nproc_per_node 2`` runs it."""

import os

import torch
from torch import distributed as dist
from torch import multiprocessing as mp

from tests.trainer.synthetic import cyclic_sessions
from trainer.config import ModelConfig, TrainConfig
from trainer.fit import SessionRecommender
from trainer.split import split_by_id


def _worker(rank: int, world: int, root: str) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    dist.init_process_group(
        "gloo", init_method=f"file://{root}/rendezvous", rank=rank, world_size=world
    )
    try:
        train, valid = split_by_id(cyclic_sessions(120), 0.2)
        config = TrainConfig(
            lr=0.01, max_steps=8, batch_sessions=16, eval_every=4, threads=1, device="cpu"
        )
        model = SessionRecommender(
            ModelConfig(hidden=16, heads=2, max_len=8), config, progress=False
        )
        model.fit(train, valid)
        torch.save(
            {"model": model.state.model, "step": model.state.step, "history": model.state.history},
            f"{root}/rank{rank}.pt",
        )
    finally:
        dist.destroy_process_group()


def test_two_processes_train_the_same_weights(tmp_path):
    mp.spawn(_worker, args=(2, str(tmp_path)), nprocs=2, join=True)
    first, second = (torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1))
    assert first["step"] == second["step"] == 8
    for name, tensor in first["model"].items():  # gradients were averaged: replicas agree
        torch.testing.assert_close(tensor, second["model"][name], rtol=0, atol=1e-6)
    losses = [h["loss"] for h in first["history"]]
    assert len(losses) == 2 and losses[1] < losses[0]
    # both processes saw different windows, and counted them: events are summed over the world
    assert first["history"][0]["events_per_s"] > 0
