"""The CNN + self-attention two-tower session model (../shared/seed-paper.md §3, docs/model.md).

An item tower turns an item into a vector from its id, its artist (composer) and its content vector,
so an item the model never saw (index 1) is still placed by its artist and content. A session tower
reads the session's item vectors (the same tower: weights are tied), adds positions, finds local
patterns with causal 1-D convolutions and long-range ones with causal multi-head self-attention, and
returns the state at the last position as the query. Scores are dot products, so the player can add
tracks without retraining (docs/architecture.md, contract 3).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from trainer.config import ModelConfig
from trainer.dataset import PAD, UNKNOWN


class ItemTower(nn.Module):
    """Item vector = id embedding + artist embedding + linear projection of the content vector."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.item = nn.Embedding(config.n_items, config.hidden, padding_idx=PAD)
        self.artist = nn.Embedding(config.n_artists, config.hidden, padding_idx=PAD)
        # a bare weight rather than nn.Linear: sources without content vectors have C = 0
        self.content = nn.Parameter(
            torch.randn(config.hidden, config.content_dim) / math.sqrt(max(config.content_dim, 1))
        )
        for embedding in (self.item, self.artist):
            nn.init.normal_(embedding.weight, std=0.01)  # rare items: let the artist dominate
            with torch.no_grad():
                embedding.weight[PAD].zero_()

    def forward(self, items: Tensor, artists: Tensor, content: Tensor) -> Tensor:
        """``items``/``artists`` int64 (...), ``content`` float32 (..., C) → vectors (..., H)."""
        return self.item(items) + self.artist(artists) + F.linear(content, self.content)


class CausalConv(nn.Module):
    """Pre-LN residual 1-D convolution that only sees the current and earlier positions."""

    def __init__(self, hidden: int, kernel: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.conv = nn.Conv1d(hidden, hidden, kernel)
        self.kernel = kernel
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        h = F.pad(self.norm(x).transpose(1, 2), (self.kernel - 1, 0))
        return x + self.drop(F.gelu(self.conv(h).transpose(1, 2)))


class CausalSelfAttention(nn.Module):
    """Pre-LN multi-head self-attention block with a feed-forward layer (written out for ONNX)."""

    def __init__(self, hidden: int, heads: int, dropout: float, ff_mult: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.norm2 = nn.LayerNorm(hidden)
        self.ff = nn.Sequential(
            nn.Linear(hidden, ff_mult * hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(ff_mult * hidden, hidden),
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, allowed: Tensor) -> Tensor:
        """``x`` (B, L, H); ``allowed`` bool (B, 1, L, L), True where a query may read a key."""
        b, n, h = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(h, dim=-1)
        shape = (b, n, self.heads, h // self.heads)
        q, k, v = (t.reshape(shape).transpose(1, 2) for t in (q, k, v))
        logits = (q @ k.transpose(-1, -2)) / math.sqrt(h // self.heads)
        weights = self.drop(torch.softmax(logits.masked_fill(~allowed, -1e4), dim=-1))
        x = x + self.drop(self.out((weights @ v).transpose(1, 2).reshape(b, n, h)))
        return x + self.drop(self.ff(self.norm2(x)))


class SessionModel(nn.Module):
    """Both towers; :meth:`encode` gives a state per position, :meth:`items` the item vectors."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.item_tower = ItemTower(config)
        self.position = nn.Embedding(config.max_len, config.hidden)
        nn.init.normal_(self.position.weight, std=0.02)
        self.convs = nn.ModuleList(
            CausalConv(config.hidden, config.conv_kernel, config.dropout)
            for _ in range(config.conv_layers)
        )
        self.blocks = nn.ModuleList(
            CausalSelfAttention(config.hidden, config.heads, config.dropout, config.ff_mult)
            for _ in range(config.attn_layers)
        )
        self.norm = nn.LayerNorm(config.hidden)
        self.query = nn.Linear(config.hidden, config.hidden)
        self.drop = nn.Dropout(config.dropout)

    def items(self, items: Tensor, artists: Tensor, content: Tensor) -> Tensor:
        return self.item_tower(items, artists, content)

    def encode(self, items: Tensor, artists: Tensor, content: Tensor) -> Tensor:
        """Query vector at every position of left-padded sessions.

        Parameters
        ----------
        items, artists : int64 tensors, shape (B, L)
            Vocabulary indices, 0 = padding (on the left), 1 = unknown.
        content : float32 tensor, shape (B, L, C)

        Returns
        -------
        float32 tensor, shape (B, L, H)
            Position ``t`` depends only on positions ``≤ t`` (causal), so one pass trains on every
            prefix and the last column is the query of the whole session.
        """
        valid = items != PAD
        if self.training and self.config.item_dropout > 0:
            drop = torch.rand(items.shape, device=items.device) < self.config.item_dropout
            items = torch.where(drop & valid, torch.full_like(items, UNKNOWN), items)
        mask = valid.unsqueeze(-1).to(content.dtype)
        positions = (torch.cumsum(valid.long(), dim=1) - 1).clamp(0, self.config.max_len - 1)
        x = self.item_tower(items, artists, content) + self.position(positions) * mask
        x = self.drop(x)
        for conv in self.convs:
            x = conv(x) * mask
        n = items.shape[1]
        causal = torch.ones(n, n, dtype=torch.bool, device=items.device).tril()
        diagonal = torch.arange(n, device=items.device)[:, None] == torch.arange(
            n, device=items.device
        )  # no EyeLike(bool): ORT lacks it
        allowed = (causal & valid.unsqueeze(1)) | diagonal  # (B, L, L); pads read themselves only
        allowed = allowed.unsqueeze(1)
        for block in self.blocks:
            x = block(x, allowed) * mask
        return self.query(self.norm(x))

    def forward(self, items: Tensor, artists: Tensor, content: Tensor) -> Tensor:
        """Query vector (B, H) of each left-padded session: the state at its last column."""
        return self.encode(items, artists, content)[:, -1]


class ExportModel(nn.Module):
    """The ONNX graph of contract 3: six inputs, ``scores``, ``session_vectors``, ``candidate_vectors``."""

    def __init__(self, model: SessionModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        session_items: Tensor,
        session_artists: Tensor,
        session_content: Tensor,
        candidate_items: Tensor,
        candidate_artists: Tensor,
        candidate_content: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor]:
        session_vectors = self.model(session_items, session_artists, session_content)
        candidate_vectors = self.model.items(candidate_items, candidate_artists, candidate_content)
        return session_vectors @ candidate_vectors.T, session_vectors, candidate_vectors
