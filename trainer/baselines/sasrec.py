"""SASRec (Kang & McAuley 2018) in torch: item plus position embeddings, causal self-attention
blocks (pre-norm), scores by the dot product with item embeddings (tied, as in the paper).
Trained with the sampled softmax of :mod:`trainer.baselines.neural` instead of the paper's
single-negative BCE, which Klenitskiy & Vasilev 2023 showed to be much stronger.
"""

from __future__ import annotations

import torch
from torch import nn

from trainer.baselines.neural import NeuralBaseline, SequenceModel


class SASNet(SequenceModel):
    def __init__(
        self, n_items: int, hidden: int, max_len: int, blocks: int, heads: int, dropout: float
    ):
        super().__init__(n_items, hidden)
        self.position = nn.Embedding(max_len, hidden)
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(
            hidden, heads, 2 * hidden, dropout, batch_first=True, norm_first=True
        )
        self.blocks = nn.TransformerEncoder(layer, blocks, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(hidden)

    def encode(self, items: torch.Tensor) -> torch.Tensor:
        length = items.shape[1]
        x = self.output(items)
        x = self.dropout(x + self.position(torch.arange(length)))
        causal = nn.Transformer.generate_square_subsequent_mask(length)
        x = self.blocks(x, mask=causal, is_causal=True)
        return self.norm(x)


class SASRec(NeuralBaseline):
    name = "sasrec"

    def __init__(self, *, blocks: int = 2, heads: int = 2, dropout: float = 0.2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.blocks, self.heads, self.dropout = blocks, heads, dropout

    def build(self, n_items: int) -> SequenceModel:
        return SASNet(n_items, self.hidden, self.max_len, self.blocks, self.heads, self.dropout)
