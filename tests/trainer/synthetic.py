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


def fit_tiny_model(
    n_sessions: int,
    *,
    seed: int,
    hidden: int,
    max_len: int,
    steps: int,
    batch_sessions: int,
    eval_every: int,
):
    """A few real training steps on cyclic sessions with random 4-d content vectors.

    Returns ``(model, train, held_out)``: the fitted ``SessionRecommender`` and the id split
    (the last 20 % of sessions held out, used for validation during the fit).
    """
    from trainer.config import ModelConfig, TrainConfig
    from trainer.fit import SessionRecommender
    from trainer.split import split_by_id

    data = cyclic_sessions(n_sessions)
    data.item_content = (
        np.random.default_rng(seed).normal(size=(len(data.items), 4)).astype(np.float32)
    )
    train, held_out = split_by_id(data, 0.2)
    config = TrainConfig(
        max_steps=steps,
        batch_sessions=batch_sessions,
        eval_every=eval_every,
        threads=1,
        device="cpu",
    )
    model = SessionRecommender(
        ModelConfig(hidden=hidden, heads=2, max_len=max_len), config, progress=False
    )
    model.fit(train, held_out)
    return model, train, held_out


def write_tsv(data: SessionData, path: Path) -> Path:
    """The data as a session TSV (header, one row per event)."""
    lines = ["session_id\tposition\titem_id\tartist\ttitle"]
    for sid, session in zip(data.session_ids, data.sessions, strict=True):
        for position, item in enumerate(session):
            artist = data.artists.keys[data.item_artist[item]]
            lines.append(f"{sid}\t{position}\t{data.items.keys[item]}\t{artist}\tt")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
