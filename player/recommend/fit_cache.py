"""A model fitted to a library, kept in a cache file: its item tower's output and vocabulary rows.

Fitting the personal model to 100,000 tracks (each track's item key looked up in the model's
vocabulary, then the item tower run over every track) costs a second or more of CPU, and its
result depends only on what goes in: the model's files and, per track, its item key, composer
key and content vector. ``PROFILE/cache/model-fit.npz`` keeps the result under a digest of
exactly those inputs, so it is used only for the same inputs and made again otherwise (a
damaged file too: :mod:`player.store.caches`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from player.store import caches

FILE = "model-fit.npz"
FORMAT = 1


class Fit(NamedTuple):
    """A model fitted to a library of N tracks."""

    item_index: np.ndarray  # int64 (N,): vocabulary index of each track's item
    artist_index: np.ndarray  # int64 (N,): vocabulary index of each track's composer
    candidate_vectors: np.ndarray  # float32 (N, H): the item tower's output
    vocabulary: np.ndarray  # int64 (): distinct items the model was trained on


def digest(
    model: Path, vocabulary_sha256: str, texts: list[Sequence[str]], content: np.ndarray
) -> str:
    """A digest of a fit's inputs: the model file (by size and time: its vocabulary's hash is
    checked when it is read), the library's keys per track and the content fed to the model."""
    stat = model.stat()
    h = hashlib.sha256(f"{FORMAT}|{stat.st_size}|{stat.st_mtime_ns}|{vocabulary_sha256}".encode())
    for column in texts:
        h.update(b"\x01" + "\x00".join(column).encode("utf-8", "surrogatepass"))
    h.update(str(content.shape).encode())
    h.update(np.ascontiguousarray(content, dtype=np.float32).tobytes())
    return h.hexdigest()


def load(directory: Path, key: str, n: int, hidden: int) -> Fit | None:
    """The fit stored under ``key`` for ``n`` tracks, or None."""
    arrays = caches.load(directory / FILE, {"format": FORMAT, "inputs": key})
    if arrays is None or set(arrays) != set(Fit._fields):
        return None
    fit = Fit(**arrays)
    if (
        fit.item_index.shape != (n,)
        or fit.artist_index.shape != (n,)
        or fit.item_index.dtype != np.int64
        or fit.artist_index.dtype != np.int64
        or fit.candidate_vectors.shape != (n, hidden)
        or fit.candidate_vectors.dtype != np.float32
        or fit.vocabulary.shape != ()
        or fit.vocabulary.dtype != np.int64
    ):
        return None
    return fit


def store(directory: Path, key: str, fit: Fit) -> None:
    """Keep ``fit`` under ``key`` (nothing when the folder cannot take it)."""
    caches.save(directory / FILE, {"format": FORMAT, "inputs": key}, fit._asdict())
