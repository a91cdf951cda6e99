"""Sessions as the trainer sees them: item-index sequences over a vocabulary, plus side features.

Every reader (session TSV, Last.fm-1K, ListenBrainz, Last.fm CSV, a Continuo profile) ends in a
:class:`SessionData`; every algorithm (baselines and the CNN + self-attention model) trains on one
and is evaluated by the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from player.domain.model_contract import PAD, RESERVED, UNKNOWN

__all__ = ["PAD", "RESERVED", "UNKNOWN", "SessionData", "Vocabulary"]


@dataclass
class Vocabulary:
    """Keys in index order; positions 0 and 1 are padding and the unknown key."""

    keys: list[str] = field(default_factory=lambda: list(RESERVED))

    def __post_init__(self) -> None:
        if self.keys[:2] != list(RESERVED):
            raise ValueError(f"a vocabulary starts with {RESERVED}, not {self.keys[:2]}")
        self._index = {key: i for i, key in enumerate(self.keys)}

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str) -> int:
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.keys)
            self.keys.append(key)
        return index

    def index(self, key: str) -> int:
        """The key's index, or ``UNKNOWN``."""
        return self._index.get(key, UNKNOWN)


@dataclass
class SessionData:
    """Sessions over one item vocabulary.

    Attributes
    ----------
    session_ids : list of str
        One id per session, in the order of ``sessions``.
    sessions : list of int64 arrays
        Item indices (≥ 2) of each session, in listening order.
    items : Vocabulary
        Item keys (public item ids, or Continuo item keys for a profile).
    artists : Vocabulary
        Artist (composer) keys.
    item_artist : int64 array, shape (len(items),)
        Artist index of every item (``UNKNOWN`` when not known; ``PAD`` for the padding item).
    item_content : float32 array, shape (len(items), C), optional
        Content vectors (the analysis issue's TF-IDF vectors); ``None`` when the source has none.
    session_times : list of float arrays, optional
        Unix seconds of each event, when the source has timestamps.
    """

    session_ids: list[str]
    sessions: list[np.ndarray]
    items: Vocabulary
    artists: Vocabulary
    item_artist: np.ndarray
    item_content: np.ndarray | None = None
    session_times: list[np.ndarray] | None = None

    @property
    def n_events(self) -> int:
        return int(sum(len(s) for s in self.sessions))

    def subset(self, indices: Sequence[int]) -> SessionData:
        """The sessions at ``indices`` over the same vocabularies (for splits)."""
        return SessionData(
            session_ids=[self.session_ids[i] for i in indices],
            sessions=[self.sessions[i] for i in indices],
            items=self.items,
            artists=self.artists,
            item_artist=self.item_artist,
            item_content=self.item_content,
            session_times=None
            if self.session_times is None
            else [self.session_times[i] for i in indices],
        )
