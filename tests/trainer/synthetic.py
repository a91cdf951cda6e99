"""Small session data with a known answer: in every session item ``i`` is followed by ``i + 1``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.dataset import UNKNOWN, SessionData, Vocabulary

N_ITEMS = 60  # distinct items, in 10 artists of 6 consecutive items


def cyclic_sessions(n_sessions: int = 300, seed: int = 0) -> SessionData:
    """Sessions walking up the ring of items from a random start, 5-15 items long."""
    rng = np.random.default_rng(seed)
    items, artists = Vocabulary(), Vocabulary()
    index = [items.add(f"i{k}") for k in range(N_ITEMS)]
    item_artist = np.full(len(items), UNKNOWN, np.int64)
    item_artist[0] = 0
    for k in range(N_ITEMS):
        item_artist[index[k]] = artists.add(f"a{k // 6}")
    sessions = []
    for _ in range(n_sessions):
        start, length = int(rng.integers(N_ITEMS)), int(rng.integers(5, 16))
        sessions.append(np.array([index[(start + p) % N_ITEMS] for p in range(length)], np.int64))
    return SessionData(
        session_ids=[str(i) for i in range(n_sessions)],
        sessions=sessions,
        items=items,
        artists=artists,
        item_artist=item_artist,
    )


def write_tsv(data: SessionData, path: Path) -> Path:
    """The data as a session TSV (header, one row per event)."""
    lines = ["session_id\tposition\titem_id\tartist\ttitle"]
    for sid, session in zip(data.session_ids, data.sessions, strict=True):
        for position, item in enumerate(session):
            artist = data.artists.keys[data.item_artist[item]]
            lines.append(f"{sid}\t{position}\t{data.items.keys[item]}\t{artist}\tt")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
