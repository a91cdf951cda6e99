"""Hyper-parameters of the CNN + self-attention session model and of its training run.

Defaults follow the paper (../shared/seed-paper.md §4: hidden size 192, Adam, learning rate 0.001)
where it states them and our tuning on a split of ``playlists-dev`` elsewhere (docs/model.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class ModelConfig:
    """The shape of the two towers; stored in every checkpoint so a model rebuilds without guessing."""

    n_items: int = 2  # item vocabulary size, including <pad> (0) and <unk> (1)
    n_artists: int = 2  # artist vocabulary size, including <pad> and <unk>
    content_dim: int = 0  # width of the content vectors (0: the source has none)
    hidden: int = 192  # width of item vectors, session states and the query vector (paper: 192)
    max_len: int = 40  # most recent items the session encoder reads (paper: sessions of 5-40)
    conv_kernel: int = 3  # width of the causal 1-D convolutions (local patterns)
    conv_layers: int = 1  # number of residual causal convolution blocks
    attn_layers: int = 1  # number of pre-LN causal self-attention blocks (long-range patterns)
    heads: int = 4  # attention heads per block (must divide ``hidden``)
    ff_mult: int = 2  # width of each block's feed-forward layer, in multiples of ``hidden``
    dropout: float = 0.3  # dropout inside the session encoder
    item_dropout: float = 0.1  # share of input items replaced by <unk> in training (robustness)

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} is not a multiple of heads={self.heads}")
        if self.max_len < 1 or self.conv_kernel < 1:
            raise ValueError(
                f"max_len={self.max_len} and conv_kernel={self.conv_kernel} must be ≥ 1"
            )


@dataclass
class TrainConfig:
    """How one run trains; stored in the checkpoint beside :class:`ModelConfig`."""

    lr: float = 0.001  # peak Adam learning rate (paper: 0.001)
    weight_decay: float = 0.0  # AdamW weight decay on the dense weights
    embedding_lr_scale: float = 20.0  # item/artist tables learn this much faster (rare rows)
    warmup_steps: int = 100  # linear warm-up before the cosine decay
    max_steps: int = 0  # cosine horizon and step limit (0: derived from ``epochs``)
    epochs: float = 20.0  # passes over the training events when ``max_steps`` is 0
    batch_sessions: int = 32  # sessions (windows of ``max_len`` + 1 items) per step and process
    negatives: int = 8192  # popularity-sampled shared negatives per step (0: full softmax)
    full_softmax_max_items: int = 20000  # full softmax when the catalogue is at most this large
    sample_alpha: float = 0.75  # negatives are drawn ∝ count**alpha (0: uniform, 1: unigram)
    label_smoothing: float = 0.0  # cross-entropy label smoothing
    eval_every: int = 200  # steps between validation evaluations
    eval_prefixes: int = 1500  # validation prefixes ranked (full catalogue) per evaluation
    patience: int = 6  # evaluations without a better validation MRR@20 before stopping
    valid_share: float = 0.1  # share of training sessions (the last by id) held out for validation
    time_budget_s: float = 0.0  # stop cleanly after this many seconds (0: no limit)
    seed: int = 7  # seeds python, numpy and torch; the data order follows it
    device: str = "auto"  # "auto" (CUDA when present), "cpu", "cuda", "cuda:N"
    threads: int = 0  # CPU threads (0: all cores, or 1 when other work keeps them all busy)


def to_dict(config: Any) -> dict[str, Any]:
    return asdict(config)


def from_dict(cls: type, values: dict[str, Any]) -> Any:
    """Build ``cls`` from a stored dict, ignoring keys a newer version dropped."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})
