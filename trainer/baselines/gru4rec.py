"""GRU4Rec (Hidasi et al. 2016; Hidasi & Karatzoglou 2018) in torch: an embedding, a GRU over the
session, and item scores from an output embedding. Trained on padded session windows with the
sampled softmax (cross-entropy with popularity-sampled negatives and logQ correction) of
:mod:`trainer.baselines.neural` — the cross-entropy variant that Hidasi & Czapp 2023 found
as strong as BPR-max.
"""

from __future__ import annotations

import torch
from torch import nn

from trainer.baselines.neural import NeuralBaseline, SequenceModel, item_embedding


class GRUNet(SequenceModel):
    def __init__(self, n_items: int, hidden: int, layers: int, dropout: float) -> None:
        super().__init__(n_items, hidden)
        self.embed = item_embedding(n_items, hidden)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRU(hidden, hidden, num_layers=layers, batch_first=True)

    def encode(self, items: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(self.dropout(self.embed(items)))
        return out


class GRU4Rec(NeuralBaseline):
    name = "gru4rec"

    def __init__(self, *, layers: int = 1, dropout: float = 0.2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.layers, self.dropout = layers, dropout

    def build(self, n_items: int) -> SequenceModel:
        return GRUNet(n_items, self.hidden, self.layers, self.dropout)
