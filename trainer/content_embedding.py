"""Learning the content embedding: a small MLP over pooled segment features, shipped as ONNX.

prepare: the content corpus's training renders (``trainer/content_corpus.py``: seven
collections, each on its own ensemble and again on the piano) → the player's analysis
(``trainer/content_data.py``) → train: random crops of each track's segments pooled to mean and
spread, standardised, an MLP to a unit vector, supervised contrastive loss with the collection
as the label (pieces of one collection attract, whatever they are played on) → export:
``assets/models/content-embedding-v1.onnx`` with the pooling and standardisation inside the
graph, so the player feeds a track's segment features and gets its content vector.

Run ``python -m trainer.content_embedding`` (``--out`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from player.analysis.embedding import INPUT, METADATA_KEY, OUTPUT
from player.analysis.version import EMBEDDING_PATH, EMBEDDING_VERSION
from trainer.content_data import pooled

OPSET = 18


@dataclass
class EmbeddingConfig:
    """How the embedding is shaped and trained (chosen by cross-validation over training pieces,
    ``tests/benchmarks/bench_content_vectors.py --tune``; never on held-out pieces)."""

    hidden: int = 128  # width of the MLP's hidden layer
    dim: int = 32  # length of the content vector
    dropout: float = 0.2  # dropout on the standardised input and the hidden layer
    epochs: int = 400  # full passes (one step each: the corpus fits one batch)
    lr: float = 0.003  # AdamW learning rate
    weight_decay: float = 0.01  # AdamW weight decay
    temperature: float = 0.1  # supervised contrastive loss temperature
    min_crop: float = 0.5  # a training crop keeps at least this share of a track's segments
    seed: int = 0


class Embedder(nn.Module):
    """Pool (mean, std) → standardise → MLP → unit vector. ``forward`` takes one track's
    segments (n, F) as the player does; ``embed_pooled`` a batch of pooled rows (training)."""

    mean: torch.Tensor  # (2F,) pooled-feature means of the training tracks (a buffer)
    scale: torch.Tensor  # (2F,) their standard deviations

    def __init__(self, n_features: int, config: EmbeddingConfig) -> None:
        super().__init__()
        self.n_features = n_features
        self.register_buffer("mean", torch.zeros(2 * n_features))
        self.register_buffer("scale", torch.ones(2 * n_features))
        self.mlp = nn.Sequential(
            nn.Dropout(config.dropout),
            nn.Linear(2 * n_features, config.hidden),
            nn.GELU(),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.dim),
        )

    def embed_pooled(self, pooled: torch.Tensor) -> torch.Tensor:
        z = (pooled - self.mean) / self.scale
        return nn.functional.normalize(self.mlp(z), dim=-1)

    def forward(self, segments: torch.Tensor) -> torch.Tensor:
        mean = segments.mean(dim=0, keepdim=True)
        std = ((segments - mean) ** 2).mean(dim=0, keepdim=True).sqrt()
        return self.embed_pooled(torch.cat([mean, std], dim=1))


def pool_crop(segments: np.ndarray, rng: np.random.Generator, min_crop: float) -> np.ndarray:
    """Mean and std over a random contiguous run of at least ``min_crop`` of the segments."""
    n = len(segments)
    length = int(rng.integers(max(1, int(np.ceil(min_crop * n))), n + 1))
    start = int(rng.integers(0, n - length + 1))
    return pooled(segments[start : start + length])


def supervised_contrastive(z: torch.Tensor, labels: torch.Tensor, temperature: float):
    """Khosla et al. (2020) SupCon loss over unit vectors ``z`` (B, D) with integer labels."""
    logits = z @ z.T / temperature
    eye = torch.eye(len(z), dtype=torch.bool)
    logits = logits.masked_fill(eye, -1e9)
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~eye
    count = positive.sum(dim=1).clamp(min=1)
    return -((log_prob * positive).sum(dim=1) / count).mean()


def train(
    tracks: list[np.ndarray], labels: list[str], config: EmbeddingConfig
) -> tuple[Embedder, dict]:
    """Fit an :class:`Embedder` on per-track segment features (each (n_i, F)) and their labels.

    Returns the model (in eval mode) and a summary (classes, tracks, final loss, seconds).
    """
    if len(tracks) != len(labels) or len(set(labels)) < 2:
        raise ValueError("need one label per track and at least two labels")
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    classes = sorted(set(labels))
    y = torch.tensor([classes.index(label) for label in labels])
    full = np.stack([pooled(t) for t in tracks])
    model = Embedder(tracks[0].shape[1], config)
    with torch.no_grad():
        model.mean.copy_(torch.from_numpy(full.mean(axis=0)).float())
        model.scale.copy_(torch.from_numpy(full.std(axis=0) + 1e-3).float())
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    model.train()
    loss = torch.tensor(0.0)
    for _ in range(config.epochs):
        batch = np.stack([pool_crop(t, rng, config.min_crop) for t in tracks])
        z = model.embed_pooled(torch.from_numpy(batch).float())
        loss = supervised_contrastive(z, y, config.temperature)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    model.eval()
    summary = {
        "classes": classes,
        "tracks": len(tracks),
        "final_loss": round(float(loss.detach()), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return model, summary


def embed(model: Embedder, segments: np.ndarray) -> np.ndarray:
    """The torch model's content vector of one track's segments (what the ONNX graph gives)."""
    with torch.no_grad():
        return model(torch.from_numpy(np.asarray(segments, np.float32))).numpy()[0]


def export(model: Embedder, out: Path, meta: dict) -> None:
    """Write the ONNX graph (segments (n, F) → embedding (1, D)) with ``meta`` as its
    ``continuo_content_embedding`` metadata; atomically."""
    import onnx

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n_features = model.n_features
    tmp = out.with_name(out.name + ".export.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(),
            (torch.zeros(3, n_features),),
            str(tmp),
            input_names=[INPUT],
            output_names=[OUTPUT],
            opset_version=OPSET,
            dynamic_axes={INPUT: {0: "segments"}},
            dynamo=False,
        )
    proto = onnx.load(str(tmp))
    tmp.unlink()
    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(meta)
    staged = out.with_name(out.name + ".tmp")
    staged.write_bytes(proto.SerializeToString())
    os.replace(staged, out)


def metadata(model: Embedder, config: EmbeddingConfig, summary: dict, class_model: str) -> dict:
    """The model's self-description; the player checks version, class model and input_dim."""
    return {
        "version": EMBEDDING_VERSION,
        "class_model": class_model,
        "input_dim": model.n_features,
        "output_dim": config.dim,
        "config": asdict(config),
        "training": summary,
    }


def main(argv: list[str] | None = None) -> int:
    """Render and analyse the training side of the content corpus, train, export."""
    from player.analysis.segments import SegmentClassModel
    from trainer.content_corpus import TRAIN_CONDITIONS, renders
    from trainer.content_data import track_data

    parser = argparse.ArgumentParser(
        prog="python -m trainer.content_embedding", description=__doc__
    )
    parser.add_argument("--out", type=Path, default=EMBEDDING_PATH)
    args = parser.parse_args(argv)
    class_model = SegmentClassModel.load()
    data = [
        track_data(r, class_model)
        for condition in TRAIN_CONDITIONS
        for r in renders(held_out=False, condition=condition)
    ]
    config = EmbeddingConfig()
    model, summary = train([d.segments for d in data], [d.collection for d in data], config)
    export(model, args.out, metadata(model, config, summary, class_model.version))
    print(f"{summary['tracks']} training tracks, {len(summary['classes'])} collections, "
          f"loss {summary['final_loss']}, {summary['seconds']} s → {args.out} "
          f"({args.out.stat().st_size / 1024:.0f} KiB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
