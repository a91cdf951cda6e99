"""Exact top-k search over the personal model's item vectors, reading a quarter of their bytes.

A request ranks the model's own candidates by ``q·v`` over every trained item: at 100,000
items of 192 float32 that is 77 MB read per request, about 5 ms on one core whatever the
arithmetic. :class:`QuantizedVectors` keeps a second copy of the vectors as 7-bit integers
with one scale per row (19 MB) and scores that copy with onnxruntime's integer matrix product;
the rounding of both sides bounds each row's error, so the exact scores of the ``k`` best
approximations set a floor, only rows whose approximation plus bound reaches it are scored
with the float vectors, and the answer is the exact top ``k`` of a full scan
(``tests/recommend/test_item_search.py``).

Why bounds on the rounding and not on a few principal directions: a trained model's session
vectors keep about half their norm outside the items' principal directions, so a first pass on
those directions must add each row's ``|q⊥| |v⊥|``; tried at 100,000 x 192 (per-row residual
norms, int8 codes of 64/96/128 directions), it halved the scan but left 7,000/3,200/2,000 rows
to score in float, and those scattered reads made a search slower than this one (p50
3.7/2.8/2.7 ms against 1.9 ms). The rounding error is ~1 % of a vector's norm.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from player.recommend.onnx_session import OnnxSession

ROW_LEVELS = 63
"""Integer range of the item vectors (+-63, 7 bits): on x86 CPUs without VNNI onnxruntime
multiplies unsigned by signed bytes with an instruction that saturates pairs of products at
32,767; 255 x 64 x 2 stays below it, so every integer score is exact."""
QUERY_LEVELS = 127
"""Integer range of the session vector, fed as bytes 1..255: its codes plus :data:`SHIFT`."""
SHIFT = 128
"""Added to the query's codes so they are unsigned; ``SHIFT * sum(codes)`` per row is taken off
the product afterwards (onnxruntime's own zero-point input made the product 4x as slow)."""
CHUNK = 4096
"""Rows quantized at a time (float64 working copies that stay in the cache)."""
SAMPLE_STRIDE = 16
"""One approximation in this many is read first to place a threshold near the k-th best."""
PRUNE_FROM = 20_000
"""Rows from which :class:`VectorSearch` goes through the integer copy; below, one scan of
the float vectors is as quick."""
SCAN_FIRST = 2
"""Requests :class:`VectorSearch` answers by a full scan before it makes the integer copy (0.3 s
CPU at 100,000 x 192): vectors asked about once (``continuo suggest``) never pay for it, the
window's pay on the third request after each change."""
FEW_ALLOWED = 2_000
"""Allowed rows up to which :class:`VectorSearch` scores them alone instead of searching every
row: gathering a row costs about what ten rows cost the whole search (measured at 100,000 x 192:
2,000 rows scored alone 0.3 ms, the search 1.6 ms), so this stays well below where they meet."""
SLACK = 1e-4
"""Added to each bound, as a share of ``|q| max|v|``: float32 rounding of the exact scores
(at most ~192 x 6e-8 of ``|q||v|``) and of the approximations, kept on the safe side."""


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (argpartition, then a small sort)."""
    k = min(k, scores.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(scores, scores.size - k)[-k:]
    return part[np.argsort(-scores[part], kind="stable")]


def _likely_best(approx: np.ndarray, k: int) -> tuple[np.ndarray | None, float | None]:
    """At least ``k`` rows of finite ``approx`` among its highest, and the threshold that
    chose them when every row at or above it is among them: the rows above a threshold read
    from every :data:`SAMPLE_STRIDE`-th value (about 3 k rows: a partition of the whole array
    costs more than the product that made it), else the ``k`` best (no threshold); no rows
    when fewer are finite."""
    sample = approx[::SAMPLE_STRIDE]
    want = 3 * k // SAMPLE_STRIDE + 2
    if len(sample) > 4 * want:
        threshold = float(np.partition(sample, len(sample) - want)[len(sample) - want])
        if np.isfinite(threshold):
            rows = np.flatnonzero(approx >= threshold)
            if (
                k <= len(rows) <= 12 * k
            ):  # not fewer (a sample unlike the rest), nor ties by the many
                return rows, threshold
    best = top_k(approx, k)
    best = best[np.isfinite(approx[best])]
    return (best, None) if len(best) == k else (None, None)


class Scored(NamedTuple):
    """Exact scores a search worked out on its way (its answer among them), for a caller that
    scores candidates next: the rows found here need no second gather."""

    rows: np.ndarray  # int64, ascending
    values: np.ndarray  # float32: their exact scores

    def of(self, rows: np.ndarray, score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Exact scores of ``rows``: those held here, ``score(others)`` for the others."""
        known = self.rows
        if not len(known):
            return score(rows)
        at = np.minimum(np.searchsorted(known, rows), len(known) - 1)
        hit = known[at] == rows
        if hit.all():
            return self.values[at]
        values = np.empty(len(rows), dtype=np.float32)
        values[hit] = self.values[at[hit]]
        values[~hit] = score(rows[~hit])
        return values


class VectorSearch:
    """The exact top k of ``vectors @ query`` among allowed rows, request after request: a
    float scan while the rows are few or it was asked little, then through a
    :class:`QuantizedVectors` copy (made once, here, on the request that first needs it)."""

    def __init__(
        self, vectors: np.ndarray, *, prune_from: int = PRUNE_FROM, scan_first: int = SCAN_FIRST
    ) -> None:
        self.vectors = vectors
        self.prune_from, self.scan_first = prune_from, scan_first
        self.quantized: QuantizedVectors | None = None
        self.asked = 0  # from several threads at once: a count off by one does no harm

    @property
    def nbytes(self) -> int:
        """Bytes of the integer copy (the vectors are the caller's)."""
        quantized = self.quantized
        return quantized.nbytes if quantized is not None else 0

    def top(self, query: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
        """Rows of the ``k`` best scores among ``allowed`` ones, best first (only finite ones)."""
        return self.search(query, k, allowed)[0]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, Scored]:
        """:meth:`top`, and the exact scores worked out on the way (the answer's among them)."""
        self.asked += 1
        if len(self.vectors) > FEW_ALLOWED and np.count_nonzero(allowed) <= FEW_ALLOWED:
            # Discover after years of listening: the few rows left are scored, not every row
            rows = np.flatnonzero(allowed)
            scores = np.einsum("nh,h->n", self.vectors[rows], query)
            best = top_k(scores, k)
            return rows[best[np.isfinite(scores[best])]], Scored(rows, scores)
        quantized = self.quantized
        if (
            quantized is None
            and self.asked > self.scan_first
            and len(self.vectors) >= max(self.prune_from, 1)
        ):
            quantized = self.quantized = QuantizedVectors.of(self.vectors)
        if quantized is not None:
            return quantized.search(self.vectors, query, k, allowed)
        scores = np.einsum("nh,h->n", self.vectors, query)
        scores[~allowed] = -np.inf
        best = top_k(scores, k)
        best = best[np.isfinite(scores[best])]
        held = np.sort(best)
        return best, Scored(held, scores[held])

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The exact scores of ``rows``, as :meth:`top` ranks them."""
        return np.einsum("nh,h->n", self.vectors[rows], query)


@dataclass(frozen=True)
class QuantizedVectors:
    """Rows ``v`` kept as ``scale * codes`` (codes in +-63), with what that rounding leaves out.

    For a query ``q ~ s_q * c_q``: ``q·v - s_q s_v (c_q·c_v) = q·(v - v^) + (q - q^)·v^``, so
    ``|error| <= |q| |v - v^| + |q - q^| |v^|`` per row, each norm known in advance or once
    per query.
    """

    codes: np.ndarray  # int8 (H, K): the rows' codes, one column per row (the product's layout)
    shift: np.ndarray  # int32 (K,): SHIFT * the sum of each row's codes
    scale: np.ndarray  # float32 (K,): s_v per row
    error: np.ndarray  # float32 (K,): |v - v^| per row, rounded up
    norm: np.ndarray  # float32 (K,): |v^| per row, rounded up
    largest: float  # max |v|: the float32 slack's scale
    error_max: float  # max |v - v^|
    norm_max: float  # max |v^|
    scan: OnnxSession

    @classmethod
    def of(cls, vectors: np.ndarray) -> QuantizedVectors:
        parts = [
            _quantize(vectors[start : start + CHUNK]) for start in range(0, len(vectors), CHUNK)
        ]
        codes, scale, error, norm, whole = (
            np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(5)
        )
        codes = codes.reshape(len(vectors), vectors.shape[1])
        error, norm = _up(error), _up(norm)
        return cls(
            codes=np.ascontiguousarray(codes.T, dtype=np.int8),
            shift=(SHIFT * codes.sum(axis=1, dtype=np.int32)).astype(np.int32),
            scale=scale.astype(np.float32),
            error=error,
            norm=norm,
            largest=float(whole.max()) if len(whole) else 0.0,
            error_max=float(error.max()) if len(error) else 0.0,
            norm_max=float(norm.max()) if len(norm) else 0.0,
            scan=_integer_scan(),
        )

    @property
    def nbytes(self) -> int:
        arrays = (self.codes, self.shift, self.scale, self.error, self.norm)
        return sum(a.nbytes for a in arrays)

    def top(
        self, vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> np.ndarray:
        """Indices into ``vectors`` (the rows quantized) of the ``k`` best scores for
        ``query`` where ``allowed``, best first: exactly those of a scan of ``vectors``."""
        return self.search(vectors, query, k, allowed)[0]

    def search(
        self, vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, Scored]:
        """:meth:`top`, and the exact scores worked out on the way (the answer's among them)."""
        if k <= 0:
            nothing = np.zeros(0, dtype=np.int64)
            return nothing, Scored(nothing, np.zeros(0, dtype=np.float32))
        wide = query.astype(np.float64)
        peak = float(np.abs(wide).max()) if len(wide) else 0.0
        step = peak / QUERY_LEVELS if peak > 0 else 1.0
        codes = np.rint(wide / step)
        # within the levels but where a subnormal peak rounds loosely (np.clip costs more)
        np.minimum(codes, QUERY_LEVELS, out=codes)
        np.maximum(codes, -QUERY_LEVELS, out=codes)
        rest = wide - codes * step
        left_out, length = math.sqrt(rest @ rest), math.sqrt(wide @ wide)
        codes += SHIFT
        feeds = {"query": codes.astype(np.uint8)[None, :], "codes": self.codes}
        products = self.scan.run(None, feeds)[0][0]
        products -= self.shift
        # the approximations in units of the query's step (a factor common to every row, so
        # the order is the same; the bounds below are divided by it instead): one pass less
        approx = products.astype(np.float32)  # exact: |products| < 2**24
        approx *= self.scale
        np.copyto(approx, np.float32(-np.inf), where=~allowed)
        first, threshold = _likely_best(approx, k)
        if first is None:  # fewer allowed than asked: all of them
            rows = np.flatnonzero(allowed)
        else:
            # any k rows' exact scores: the k-th best of all is at least the k-th best of these
            exact = np.einsum("nh,h->n", vectors[first], query)
            cut = len(exact) - k
            order = np.argpartition(exact, cut)
            floor = float(exact[order[cut]])
            # the widest bound of any row: no row approximated below ``lowest`` reaches the floor
            reach = (length * float(self.error_max) + left_out * float(self.norm_max)) * (1 + 1e-3)
            slack = SLACK * length * self.largest
            lowest = floor - reach - slack
            if threshold is not None and threshold * step <= lowest:
                # every row that can reach the floor is among the first: theirs is the answer
                best = order[cut:]
                best = best[np.argsort(-exact[best], kind="stable")]  # as top_k orders them
                return first[best], Scored(first, exact)
            # else their own bounds decide which of the rows near the floor are scored
            rows = np.flatnonzero(approx >= np.float32(lowest / step))
            margin = self.error[rows] * np.float32(length * (1 + 1e-3) / step)
            margin += self.norm[rows] * np.float32(left_out * (1 + 1e-3) / step)
            margin += np.float32(slack / step)
            rows = rows[approx[rows] + margin >= np.float32(floor / step)]
        scores = np.einsum("nh,h->n", vectors[rows], query)
        return rows[top_k(scores, k)], Scored(rows, scores)


def _quantize(rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Codes, scales, rounding errors, rounded norms and norms of ``rows`` (float64 math: the
    bounds come from it; a few thousand rows at a time, so it stays in the cache)."""
    wide = rows.astype(np.float64)
    whole = np.sqrt(np.einsum("nh,nh->n", wide, wide))
    peak = np.abs(wide).max(axis=1) if wide.shape[1] else np.zeros(len(wide))
    scale = (np.where(peak > 0, peak, 1.0) / ROW_LEVELS).astype(np.float32)
    codes = np.clip(np.rint(wide / scale[:, None]), -ROW_LEVELS, ROW_LEVELS)
    rounded = codes * scale.astype(np.float64)[:, None]
    wide -= rounded
    error = np.sqrt(np.einsum("nh,nh->n", wide, wide))
    norm = np.sqrt(np.einsum("nh,nh->n", rounded, rounded))
    return codes.astype(np.int8), scale, error, norm, whole


def _up(values: np.ndarray) -> np.ndarray:
    """float64 norms as float32, never below the value (a bound must not shrink)."""
    return np.nextafter(values.astype(np.float32), np.float32(np.inf))


def _integer_scan() -> OnnxSession:
    """A session computing ``query @ codes`` exactly in int32 (MatMulInteger, CPU)."""
    # onnxruntime loads with the first model read, not with the window (model.read_model)
    from player.recommend.onnx_session import OnnxSession

    return OnnxSession(_scan_graph(), threads=1, providers=["CPUExecutionProvider"])


# ---- the scan's ONNX graph, written as protobuf bytes (onnx is not a player dependency) ------

_UINT8, _INT8, _INT32 = 2, 3, 6  # onnx.TensorProto data types


def _scan_graph() -> bytes:
    """ModelProto: ``scores[1, n] = MatMulInteger(query[1, h], codes[h, n])``."""
    node = _strings(1, ["query", "codes"]) + _strings(2, ["scores"])
    node += _string(4, "MatMulInteger")
    graph = _message(1, node) + _string(2, "integer_scan")
    graph += _message(11, _value("query", _UINT8, [1, "h"]))
    graph += _message(11, _value("codes", _INT8, ["h", "n"]))
    graph += _message(12, _value("scores", _INT32, [1, "n"]))
    opset = _string(1, "") + _varint_field(2, 13)
    return _varint_field(1, 8) + _message(8, opset) + _message(7, graph)


def _value(name: str, elem_type: int, dims: list) -> bytes:
    """ValueInfoProto of a tensor: its name, element type and dimensions (ints or names)."""
    shape = b"".join(
        _message(1, _varint_field(1, d) if isinstance(d, int) else _string(2, d)) for d in dims
    )
    tensor = _varint_field(1, elem_type) + _message(2, shape)
    return _string(1, name) + _message(2, _message(1, tensor))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _message(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    return _message(number, text.encode())


def _strings(number: int, texts: list[str]) -> bytes:
    return b"".join(_string(number, t) for t in texts)
