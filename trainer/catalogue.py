"""The model's own item and artist vocabularies: what it was trained on, nothing else.

A :class:`~trainer.dataset.SessionData` vocabulary also holds items that only occur in validation or
test sessions; their embeddings would never be trained. The catalogue keeps the items that occur in
the training sessions (so index 1, ``<unk>``, is exactly "an item the model never saw"), their
artists, content vectors and training counts (for negative sampling), and maps data indices to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from trainer.dataset import PAD, RESERVED, UNKNOWN, SessionData, Vocabulary


@dataclass
class Catalogue:
    items: list[str]  # model item keys; position = model index; 0/1 = <pad>/<unk>
    artists: list[str]  # model artist keys; 0/1 = <pad>/<unk>
    item_artist: np.ndarray  # int64 (n_items,): artist index of each model item
    item_content: np.ndarray  # float32 (n_items, C): content vector of each model item
    counts: np.ndarray  # int64 (n_items,): occurrences in the training sessions

    @classmethod
    def from_training(cls, data: SessionData) -> Catalogue:
        """The items and artists that occur in ``data``'s sessions, most frequent first."""
        flat = np.concatenate(data.sessions) if data.sessions else np.zeros(0, np.int64)
        counts = np.bincount(flat, minlength=len(data.items))
        counts[:2] = 0
        order = np.argsort(-counts, kind="stable")
        kept = order[counts[order] > 0]
        data_artists = data.item_artist[kept]
        artist_ids = np.unique(data_artists[data_artists > UNKNOWN])
        artist_map = np.full(len(data.artists), UNKNOWN, np.int64)
        artist_map[PAD] = PAD
        artist_map[artist_ids] = np.arange(2, 2 + len(artist_ids))
        content_dim = 0 if data.item_content is None else data.item_content.shape[1]
        content = np.zeros((2 + len(kept), content_dim), np.float32)
        if data.item_content is not None:
            content[2:] = data.item_content[kept]
        return cls(
            items=list(RESERVED) + [data.items.keys[i] for i in kept],
            artists=list(RESERVED) + [data.artists.keys[i] for i in artist_ids],
            item_artist=np.concatenate([[PAD, UNKNOWN], artist_map[data_artists]]).astype(np.int64),
            item_content=content,
            counts=np.concatenate([[0, 0], counts[kept]]).astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.items)

    @property
    def content_dim(self) -> int:
        return int(self.item_content.shape[1])

    def item_map(self, vocabulary: Vocabulary) -> np.ndarray:
        """Data index → model index (``UNKNOWN`` for items not in the catalogue)."""
        index = {key: i for i, key in enumerate(self.items)}
        mapping = np.array([index.get(key, UNKNOWN) for key in vocabulary.keys], np.int64)
        mapping[PAD] = PAD
        return mapping

    def to_state(self) -> dict:
        return {
            "items": self.items,
            "artists": self.artists,
            "item_artist": torch.from_numpy(self.item_artist),
            "item_content": torch.from_numpy(self.item_content),
            "counts": torch.from_numpy(self.counts),
        }

    @classmethod
    def from_state(cls, state: dict) -> Catalogue:
        return cls(
            items=list(state["items"]),
            artists=list(state["artists"]),
            item_artist=state["item_artist"].numpy(),
            item_content=state["item_content"].numpy(),
            counts=state["counts"].numpy(),
        )
