"""``continuo-train predict``: next-item lists from an exported model, with onnxruntime only.

The sessions file is read as given (a session TSV: rows grouped by ``session_id`` in file order,
nothing merged or dropped), so an independent check can score the lists against the file itself.
Candidate vectors are computed once; each batch of prefixes then needs one run of the session
encoder and a numpy dot product, the way the player ranks its library.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from player.errors import ContinuoError, ModelError
from player.recommend.model import contract_metadata
from player.recommend.onnx_session import OnnxSession
from trainer.dataset import PAD, UNKNOWN
from trainer.evaluate import top_k


class OnnxRanker:
    """An exported model plus its vocabulary: rank the whole catalogue for item-key prefixes."""

    def __init__(self, model_path: Path, *, threads: int = 1) -> None:
        # the player's session owner: CUDA first when it really loads, quiet, few threads
        self.session = OnnxSession(Path(model_path), threads=threads)
        self.meta = contract_metadata(self.session, Path(model_path))  # the player's checks
        vocab = _vocabulary(Path(model_path).parent / str(self.meta["vocabulary"]["file"]))
        self.items: list[str] = vocab["items"]
        self.item_index = {key: i for i, key in enumerate(self.items)}
        self.artist_index = {key: i for i, key in enumerate(vocab["artists"])}
        self.item_artist = np.asarray(
            vocab.get("item_artists", [UNKNOWN] * len(self.items)), np.int64
        )
        self.content_dim = int(self.meta["content_dim"])
        self.max_len = int(self.meta["max_session_length"])
        candidates = np.arange(2, len(self.items), dtype=np.int64)
        self.vectors = self.candidate_vectors(candidates, self.item_artist[candidates])

    def _run(self, items, artists, candidates, candidate_artists) -> list[np.ndarray]:
        feeds = {
            "session_items": items,
            "session_artists": artists,
            "session_content": np.zeros((*items.shape, self.content_dim), np.float32),
            "candidate_items": candidates,
            "candidate_artists": candidate_artists,
            "candidate_content": np.zeros((len(candidates), self.content_dim), np.float32),
        }
        return self.session.run(None, feeds)

    def candidate_vectors(self, items: np.ndarray, artists: np.ndarray) -> np.ndarray:
        one = np.full((1, 1), UNKNOWN, np.int64)
        return self._run(one, one, items, artists)[2]

    def session_vectors(self, items: np.ndarray, artists: np.ndarray) -> np.ndarray:
        one = np.full(1, UNKNOWN, np.int64)
        return self._run(items, artists, one, one)[1]

    def rank(self, prefixes: list[list[tuple[str, str]]], k: int) -> list[list[str]]:
        """Top ``k`` item keys for each prefix of ``(item, artist)`` pairs, prefix items excluded."""
        width = max(1, min(self.max_len, max(len(p) for p in prefixes)))
        items = np.full((len(prefixes), width), PAD, np.int64)
        artists = np.full((len(prefixes), width), PAD, np.int64)
        for row, prefix in enumerate(prefixes):
            tail = prefix[-width:]
            items[row, width - len(tail) :] = [self.item_index.get(i, UNKNOWN) for i, _ in tail]
            artists[row, width - len(tail) :] = [self.artist_index.get(a, UNKNOWN) for _, a in tail]
        scores = self.session_vectors(items, artists) @ self.vectors.T
        for row, prefix in enumerate(prefixes):
            seen = [self.item_index[i] - 2 for i, _ in prefix if self.item_index.get(i, 0) > 1]
            scores[row, seen] = -np.inf
        return [[self.items[i + 2] for i in row if i >= 0] for row in top_k(scores, k)]


def _vocabulary(path: Path) -> dict:
    try:
        vocab = json.loads(path.read_text("utf-8"))
        if not isinstance(vocab.get("items"), list) or not isinstance(vocab.get("artists"), list):
            raise ValueError("no 'items' and 'artists' lists")
    except (OSError, ValueError, AttributeError) as exc:
        raise ModelError(
            f"{path}: the model's vocabulary cannot be read",
            f"{exc}. Export the model again (continuo-train export).",
        ) from exc
    return vocab


def read_tsv_sessions(path: Path) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``(session_id, [(item, artist), ...])`` in file order, rows of one id joined as they come."""
    opener = gzip.open if path.suffix == ".gz" else open
    sessions: dict[str, list[tuple[str, str]]] = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        columns = handle.readline().rstrip("\r\n").lstrip("\ufeff").lower().split("\t")
        if "session_id" not in columns or "item_id" not in columns:
            raise ContinuoError(
                f"{path}:1: not a session TSV (header {columns})",
                "predict needs a tab-separated file with session_id and item_id columns.",
            )
        sid, item = columns.index("session_id"), columns.index("item_id")
        artist = columns.index("artist") if "artist" in columns else None
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) <= max(sid, item):
                continue
            name = fields[artist] if artist is not None and artist < len(fields) else ""
            sessions.setdefault(fields[sid], []).append((fields[item], name))
    yield from sessions.items()


def predict(model: Path, sessions: Path, out: Path, *, k: int = 20, batch: int = 256) -> int:
    """Write one JSON line per (session, position ≥ 1); returns how many."""
    if k < 1:
        raise ContinuoError(f"--k must be at least 1, not {k}", "It is the length of each list.")
    ranker = OnnxRanker(model, threads=os.cpu_count() or 1)
    written = 0
    with open(out, "w", encoding="utf-8") as handle:
        pending: list[tuple[str, int, list[tuple[str, str]]]] = []

        def flush() -> None:
            nonlocal written
            if not pending:
                return
            lists = ranker.rank([p for _, _, p in pending], k)
            for (session_id, position, _), items in zip(pending, lists, strict=True):
                handle.write(
                    json.dumps({"session_id": session_id, "position": position, "items": items})
                    + "\n"
                )
            written += len(pending)
            pending.clear()

        for session_id, events in read_tsv_sessions(Path(sessions)):
            for position in range(1, len(events)):
                pending.append((session_id, position, events[:position]))
                if len(pending) >= batch:
                    flush()
        flush()
    return written
