"""A model fitted to a library, kept per track: its vocabulary rows and its item tower's output.

Fitting the personal model to 100,000 tracks (each track's item key looked up in the model's
vocabulary, then the item tower run over every track) costs a second or more of CPU. A track's
result depends on the model and on that track's own inputs only — its item key, its composer key
and its content vector — not on the rest of the library nor on the play log (the model's
training read the log; a new training is a new model file). So a fit is kept per track id with a
fingerprint of the track's inputs (:func:`fingerprints`), under a key of the model alone
(:func:`model_key`): after a scan adds, changes or loses tracks, or the analysis stores new
content vectors, only the tracks whose inputs are new are run through the item tower (a track
the model never saw gets its composer's and its content's share of a vector: its cold start)
and the rest are taken as they were, from the fit in memory or from
``PROFILE/cache/model-fit.npz``. A damaged or foreign file is not used (:mod:`player.store.caches`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from player.store import caches

FILE = "model-fit.npz"
FORMAT = 2
_CHUNK = 8192  # rows hashed at a time (a uint64 copy of their content stays small)
_MIX = np.random.default_rng(0x5EED).integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)
"""Odd multipliers, one per content value, that make a row's content bits one number."""


class Fit(NamedTuple):
    """A model fitted to N tracks (in any order: matched by track id)."""

    track_ids: np.ndarray  # int64 (N,)
    inputs: np.ndarray  # uint64 (N,): fingerprint of each track's inputs (:func:`fingerprints`)
    item_index: np.ndarray  # int64 (N,): vocabulary index of each track's item
    artist_index: np.ndarray  # int64 (N,): vocabulary index of each track's composer
    candidate_vectors: np.ndarray  # float32 (N, H): the item tower's output
    vocabulary: np.ndarray  # int64 (): distinct items the model was trained on


def model_key(model: Path, vocabulary_sha256: str, hidden: int, content_dim: int) -> str:
    """What a fit depends on besides each track's inputs: the model file (by size and time:
    its vocabulary's hash is checked when it is read) and the widths of its vectors."""
    stat = model.stat()
    text = f"{FORMAT}|{stat.st_size}|{stat.st_mtime_ns}|{vocabulary_sha256}|{hidden}|{content_dim}"
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprints(texts: Sequence[Iterable[str]], content: np.ndarray) -> np.ndarray:
    """uint64 (N,): each row's texts (CRC-32 and Adler-32 of them joined) and content vector
    (its float bits, each times an odd number, summed) in one number; a row whose inputs
    changed gets another one."""
    n = len(content)
    rows = zip(*texts, strict=True)
    joined = ["\x00".join(parts).encode("utf-8", "surrogatepass") for parts in rows]
    if len(joined) != n:
        raise ValueError(f"{len(joined)} rows of texts for {n} content vectors")
    low = np.fromiter(map(zlib.crc32, joined), dtype=np.uint64, count=n)
    high = np.fromiter(map(zlib.adler32, joined), dtype=np.uint64, count=n)
    found = (high << np.uint64(32)) | low
    width = content.shape[1] if content.ndim == 2 else 0
    if width:
        bits = np.ascontiguousarray(content, dtype=np.float32).view(np.uint32)
        mix = np.resize(_MIX, width)
        for start in range(0, n, _CHUNK):
            part = bits[start : start + _CHUNK].astype(np.uint64)
            part *= mix  # wraps around: a hash, not a sum
            found[start : start + _CHUNK] ^= part.sum(axis=1, dtype=np.uint64)
    return found


def matching(earlier: Fit | None, track_ids: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """int64 (N,): the row of ``earlier`` holding each track with the same inputs, -1 where
    none does (a new track, or one whose key, composer or content changed)."""
    found = np.full(len(track_ids), -1, dtype=np.int64)
    if earlier is None or not len(earlier.track_ids) or not len(track_ids):
        return found
    order = np.argsort(earlier.track_ids)
    ids = earlier.track_ids[order]
    at = np.minimum(np.searchsorted(ids, track_ids), len(ids) - 1)
    rows = order[at]
    same = (ids[at] == track_ids) & (earlier.inputs[rows] == inputs)
    found[same] = rows[same]
    return found


def load(directory: Path, key: str, hidden: int) -> Fit | None:
    """The fit stored for the model ``key`` (any tracks), or None."""
    arrays = caches.load(directory / FILE, {"format": FORMAT, "model": key})
    if arrays is None or set(arrays) != set(Fit._fields):
        return None
    fit = Fit(**arrays)
    n = len(fit.track_ids)
    if (
        fit.track_ids.shape != (n,)
        or fit.track_ids.dtype != np.int64
        or fit.inputs.shape != (n,)
        or fit.inputs.dtype != np.uint64
        or fit.item_index.shape != (n,)
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
    """Keep ``fit`` for the model ``key`` (nothing when the folder cannot take it)."""
    caches.save(directory / FILE, {"format": FORMAT, "model": key}, fit._asdict())
