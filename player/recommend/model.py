"""The personal session model: contract checks, candidate vectors per library, scores per request.

A model is ``DIR/model.onnx`` + ``DIR/model.vocab.json`` (DESIGN.md, contract 3). Two towers
scored by a dot product: candidate vectors are computed once per library change, the session
vector once per request, and numpy does the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from player.domain.model_contract import (
    FORMAT_VERSION,
    INPUT_RANKS,
    METADATA_KEY,
    MODEL_FILE,
    OUTPUTS,
    RESERVED,
    UNKNOWN,
    VOCAB_FILE,
)
from player.domain.text import key_part
from player.errors import ModelError, NoModelError
from player.recommend import fit_cache
from player.recommend.item_search import (
    PRUNE_FROM,
    SCAN_FIRST,
    QuantizedVectors,
    Scored,
    VectorSearch,
)
from player.recommend.library import LibraryIndex

if TYPE_CHECKING:
    from player.recommend.onnx_session import OnnxSession

log = logging.getLogger(__name__)

INPUT_TYPES = {
    name: ("tensor(float)" if name.endswith("_content") else "tensor(int64)", rank)
    for name, rank in INPUT_RANKS.items()
}
MIN_SHARED_ITEMS = 0.5
"""Share of the vocabulary's items that must be in the library: less means another library."""
CHUNK = 8192
"""Candidates per inference call when computing the library's vectors (bounds peak memory)."""
QUANTIZE_AFTER = SCAN_FIRST
"""Requests answered by a full scan before the trained items' integer copy is made."""


@dataclass
class ModelFiles:
    """A checked model directory: its session, metadata and vocabularies."""

    session: OnnxSession
    meta: dict
    items: list[str]
    artists: list[str]
    path: Path
    size_bytes: int = 0
    _lookup: tuple[dict[str, int], dict[str, int]] | None = None

    def lookup(self) -> tuple[dict[str, int], dict[str, int]]:
        """``{key: vocabulary index}`` of the items and of the artists, keys spelled as the
        library's (made once: a tenth of a second for 100,000 items)."""
        if self._lookup is None:
            items = {key_part(k): i for i, k in enumerate(self.items) if i > 1}
            artists = {key_part(k): i for i, k in enumerate(self.artists) if i > 1}
            self._lookup = (items, artists)
        return self._lookup


def read_model(
    directory: Path, *, threads: int = 1, providers: list[str] | None = None
) -> ModelFiles:
    """Open and check a model directory on its own (no library yet).

    Raises :class:`ModelError` with a one-line reason for a missing, damaged, foreign or newer
    model.
    """
    onnx_path, vocab_path = directory / MODEL_FILE, directory / VOCAB_FILE
    if not onnx_path.is_file():
        raise NoModelError("No personal model yet", f"{onnx_path} does not exist.")
    if not vocab_path.is_file():
        raise ModelError(
            "The personal model has no vocabulary file", f"{vocab_path} does not exist."
        )
    # onnxruntime loads with the first model read, not with the window (a fifth of a second)
    from player.recommend.onnx_session import OnnxSession

    session = OnnxSession(onnx_path, threads=threads, providers=providers)
    meta = contract_metadata(session, onnx_path)
    vocab_bytes = vocab_path.read_bytes()
    declared = meta.get("vocabulary") or {}
    if hashlib.sha256(vocab_bytes).hexdigest() != declared.get("sha256"):
        raise ModelError(
            "The personal model's vocabulary does not match it",
            f"{vocab_path.name} has another sha256 than the model declares: the two files come "
            "from different trainings. Retrain or reinstall the model.",
        )
    try:
        vocab = json.loads(vocab_bytes)
        items, artists = list(vocab["items"]), list(vocab["artists"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError("The personal model's vocabulary is damaged", str(exc)) from exc
    if tuple(items[:2]) != RESERVED or tuple(artists[:2]) != RESERVED:
        raise ModelError(
            "The personal model's vocabulary is damaged",
            "positions 0 and 1 must hold <pad> and <unk>.",
        )
    size = onnx_path.stat().st_size + len(vocab_bytes)
    return ModelFiles(session, meta, items, artists, directory, size)


def contract_metadata(session: OnnxSession, path: Path) -> dict:
    """The model's contract-3 metadata, after checking it and the inputs and outputs it names.

    Raises :class:`ModelError` for a model that is not a Continuo model (an unrelated ONNX
    file), has a newer or unknown format, or has other inputs or outputs.
    """
    meta = _metadata(session, path)
    _check_signature(session, meta)
    return meta


def _metadata(session: OnnxSession, path: Path) -> dict:
    raw = session.metadata().get(METADATA_KEY)
    if raw is None:
        raise ModelError(
            "Not a Continuo model", f"{path.name} has no 'continuo' entry in its metadata."
        )
    try:
        meta = json.loads(raw)
    except ValueError as exc:
        raise ModelError("The personal model's metadata is damaged", str(exc)) from exc
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if not isinstance(version, int) or version < 1:
        raise ModelError(
            "The personal model has an unknown format", f"format_version is {version!r}."
        )
    if version > FORMAT_VERSION:
        raise ModelError(
            "The personal model needs a newer Continuo",
            f"it has format {version}; this Continuo reads up to {FORMAT_VERSION}. "
            "Update Continuo or retrain on this version.",
        )
    return meta


def _check_signature(session: OnnxSession, meta: dict) -> None:
    types, ranks = session.input_types(), session.input_ranks()
    expected = list(INPUT_TYPES)
    if meta.get("inputs") != expected or set(types) != set(expected):
        raise ModelError(
            "The personal model has the wrong inputs",
            f"expected {expected}, the model has {sorted(types)}.",
        )
    for name, (kind, rank) in INPUT_TYPES.items():
        if types[name] != kind or ranks[name] != rank:
            raise ModelError(
                "The personal model has the wrong inputs",
                f"{name} is {types[name]} of rank {ranks[name]}, expected {kind} of rank {rank}.",
            )
    missing = set(OUTPUTS) - set(session.output_names())
    if missing:
        raise ModelError("The personal model has the wrong outputs", f"missing {sorted(missing)}.")


@dataclass
class SessionModel:
    """A checked model fitted to one library: candidate vectors cached, sessions scored by numpy.

    Use :func:`load_model`; call :meth:`fit_library` again when the library changes.
    """

    files: ModelFiles
    library: LibraryIndex = field(init=False)
    candidate_vectors: np.ndarray = field(init=False)  # float32 (N, H)
    item_index: np.ndarray = field(init=False)  # int64 (N,): library row -> vocabulary index
    artist_index: np.ndarray = field(init=False)
    content: np.ndarray = field(init=False)  # float32 (N, C) fed to the model
    known_rows: np.ndarray = field(init=False)  # int64 (K,): rows of items the model was trained on
    known_vectors: np.ndarray = field(init=False)  # float32 (K, H): their candidate vectors
    known: VectorSearch = field(init=False)  # the top-k search over known_vectors
    fit: fit_cache.Fit = field(init=False)  # the above per track id, for the next fit
    computed_rows: int = field(init=False, default=0)  # run through the item tower by the fit
    prune_from: int = PRUNE_FROM  # trained items from which known is searched by integer copy

    @property
    def provider(self) -> str:
        return self.files.session.provider_name

    @property
    def content_dim(self) -> int:
        return int(self.files.meta.get("content_dim") or 0)

    @property
    def max_session_length(self) -> int:
        return int(self.files.meta.get("max_session_length") or 40)

    @property
    def quantized(self) -> QuantizedVectors | None:
        """The trained items' integer copy, once requests made it."""
        return self.known.quantized

    @property
    def nbytes(self) -> int:
        """Bytes held for this library: the candidate vectors and the model's own inputs."""
        return int(
            self.candidate_vectors.nbytes
            + (self.known_vectors.nbytes if self.known_vectors is not self.candidate_vectors else 0)
            + self.known.nbytes
            + self.item_index.nbytes
            + self.artist_index.nbytes
            + self.content.nbytes
        )

    def fit_library(
        self,
        library: LibraryIndex,
        *,
        cache: Path | None = None,
        earlier: fit_cache.Fit | None = None,
    ) -> None:
        """Check the model against ``library`` and give every track its candidate vector.

        A track already fitted with the same inputs (:mod:`player.recommend.fit_cache`) keeps
        its vector: from ``earlier`` (this model's fit to the library before a change) or else
        from the folder ``cache``; only the others are looked up in the vocabulary and run
        through the item tower (:attr:`computed_rows` says how many). The result is kept in
        ``cache`` when any track was computed.
        """
        content = self._content_for(library)
        hidden = int(self.files.meta.get("hidden_size") or 0)
        inputs = fit_cache.fingerprints([library.item_keys, library.model_artist_keys], content)
        key = fit_cache.model_key(
            self.files.path / MODEL_FILE,
            str((self.files.meta.get("vocabulary") or {}).get("sha256")),
            hidden,
            self.content_dim,
        )
        if earlier is None and cache is not None:
            earlier = fit_cache.load(cache, key, hidden)
        kept = fit_cache.matching(earlier, library.track_ids, inputs)
        todo = np.flatnonzero(kept < 0)
        item_index, artist_index = self._vocabulary_rows(library, todo)
        if earlier is not None:
            have = kept >= 0
            item_index[have] = earlier.item_index[kept[have]]
            artist_index[have] = earlier.artist_index[kept[have]]
            vocabulary = int(earlier.vocabulary)
        else:
            vocabulary = max(len(self.files.lookup()[0]), 1)
        known = int(np.unique(item_index[item_index > UNKNOWN]).size)
        if known / vocabulary < MIN_SHARED_ITEMS:
            raise ModelError(
                "The personal model was trained on another library",
                f"only {known} of its {vocabulary} items are in this library. "
                "Retrain on your history.",
            )
        self.content = content
        self.library = library
        self.item_index = item_index
        self.artist_index = artist_index
        computed = self._candidate_vectors(todo)
        if earlier is None or len(todo) == len(library):
            self.candidate_vectors = computed
        else:
            vectors = earlier.candidate_vectors[np.maximum(kept, 0)]  # a new array, in row order
            vectors[todo] = computed
            self.candidate_vectors = vectors
        self.computed_rows = len(todo)
        self._check_outputs()
        self.fit = fit_cache.Fit(
            library.track_ids, inputs, item_index, artist_index, self.candidate_vectors,
            np.array(vocabulary, dtype=np.int64),
        )  # fmt: skip
        if cache is not None and (earlier is None or len(todo)):  # else the file holds them
            fit_cache.store(cache, key, self.fit)
        log.info("personal model fitted: %d of %d tracks computed", len(todo), len(library))
        self.known_rows = np.flatnonzero(item_index > UNKNOWN)
        if len(self.known_rows) == len(library):  # every track trained: no second copy
            self.known_vectors = self.candidate_vectors
        else:
            self.known_vectors = np.ascontiguousarray(self.candidate_vectors[self.known_rows])
        self.known = VectorSearch(self.known_vectors, prune_from=self.prune_from)

    def _vocabulary_rows(
        self, library: LibraryIndex, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every track's item and composer as vocabulary indices, looked up for ``rows`` (the
        rest UNKNOWN until the caller fills them)."""
        item_index = np.full(len(library), UNKNOWN, dtype=np.int64)
        artist_index = np.full(len(library), UNKNOWN, dtype=np.int64)
        if not len(rows):
            return item_index, artist_index
        items, artists = self.files.lookup()
        if len(rows) == len(library):  # every row: no index per row
            item_keys, artist_keys = library.item_keys, library.model_artist_keys
        else:
            item_keys, artist_keys = (
                library.item_keys.take(rows),
                library.model_artist_keys.take(rows),
            )
        item_index[rows] = [items.get(key_part(k), UNKNOWN) for k in item_keys]
        artist_index[rows] = [artists.get(k, UNKNOWN) for k in artist_keys]
        return item_index, artist_index

    def _check_outputs(self) -> None:
        """The first inference: outputs that load but cannot be used are refused here.

        A model whose towers were exported with different widths, or whose weights diverged to
        NaN, passes every check on its files; only running it shows it.
        """
        vectors, n = self.candidate_vectors, len(self.library)
        if vectors.ndim != 2 or vectors.shape[0] != n:
            raise ModelError(
                "The personal model gives outputs of the wrong shape",
                f"candidate_vectors is {list(vectors.shape)} for {n} tracks, expected [{n}, H]. "
                "Retrain or reinstall the model.",
            )
        probe = self.session_vector(np.zeros(0, dtype=np.int64))
        if probe.shape != (vectors.shape[1],):
            raise ModelError(
                "The personal model's two towers do not fit together",
                f"session_vectors has {probe.shape[-1] if probe.ndim else 0} values per session, "
                f"candidate_vectors {vectors.shape[1]} per track, so they cannot be scored "
                "against each other. Retrain or reinstall the model.",
            )
        if not (np.isfinite(vectors).all() and np.isfinite(probe).all()):
            raise ModelError(
                "The personal model gives invalid numbers",
                "its outputs hold NaN or infinity (a training that diverged?). Retrain.",
            )

    def _content_for(self, library: LibraryIndex) -> np.ndarray:
        dim = self.content_dim
        if library.content is None or dim == 0:
            # Nothing analysed yet, or a model that reads no content: the contract's "zeros when
            # unknown" for every track.
            return np.zeros((len(library), dim), dtype=np.float32)
        if library.content.shape[1] != dim:
            raise ModelError(
                "The personal model expects other sound features",
                f"its content vectors have {dim} values, the library's have "
                f"{library.content.shape[1]}. Retrain after the analysis has finished.",
            )
        version = self.files.meta.get("analysis_version")
        if version and library.content_version and version != library.content_version:
            raise ModelError(
                "The personal model expects other sound features",
                f"it was trained on analysis {version}, the library has "
                f"{library.content_version}. Retrain after the analysis has finished.",
            )
        return library.content

    def _candidate_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The item tower's output (len(rows), H) for library ``rows``."""
        dummy = self._session_feeds(np.zeros(0, dtype=np.int64))
        parts = []
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            feeds = {
                **dummy,
                "candidate_items": self.item_index[part],
                "candidate_artists": self.artist_index[part],
                "candidate_content": self.content[part],
            }
            parts.append(self.files.session.run(["candidate_vectors"], feeds)[0])
        hidden = int(self.files.meta.get("hidden_size") or 0)
        if not parts:
            return np.zeros((0, hidden), dtype=np.float32)
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    def _session_feeds(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The session inputs for library ``rows`` (most recent last), left-padded to one row."""
        rows = rows[-self.max_session_length :]
        length = max(len(rows), 1)
        items = np.zeros((1, length), dtype=np.int64)
        artists = np.zeros((1, length), dtype=np.int64)
        content = np.zeros((1, length, self.content_dim), dtype=np.float32)
        if len(rows):
            items[0, -len(rows) :] = self.item_index[rows]
            artists[0, -len(rows) :] = self.artist_index[rows]
            content[0, -len(rows) :] = self.content[rows]
        else:
            items[0, -1] = artists[0, -1] = UNKNOWN
        return {"session_items": items, "session_artists": artists, "session_content": content}

    def session_vector(self, rows: np.ndarray) -> np.ndarray:
        """The session tower's vector (H,) for the library ``rows`` heard so far.

        Raises :class:`ModelError` when the model answers this session with NaN or infinity.
        """
        feeds = {
            **self._session_feeds(np.asarray(rows, dtype=np.int64)),
            "candidate_items": np.array([UNKNOWN], dtype=np.int64),
            "candidate_artists": np.array([UNKNOWN], dtype=np.int64),
            "candidate_content": np.zeros((1, self.content_dim), dtype=np.float32),
        }
        vector = self.files.session.run(["session_vectors"], feeds)[0][0]
        if not np.isfinite(vector).all():
            raise ModelError(
                "The personal model gives invalid numbers",
                "its session vector holds NaN or infinity for this session. Retrain.",
            )
        return vector

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Score (N,) of every library track as the next item after ``rows`` (a full scan)."""
        return self.score_rows(self.session_vector(rows))

    def score_rows(self, query: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Scores of library ``rows`` (all when ``None``) for a session vector ``query`` (H,)."""
        # einsum, not BLAS: a matrix-vector product is memory-bound, and BLAS threads fighting
        # the audio and UI threads for two cores made it 2-3x slower (docs/recommender.md)
        vectors = self.candidate_vectors if rows is None else self.candidate_vectors[rows]
        return np.einsum("nh,h->n", vectors, query)

    def top_known(self, query: np.ndarray, k: int, allowed: np.ndarray) -> np.ndarray:
        """Rows of the ``k`` best-scoring tracks the model was trained on, where ``allowed``.

        The model's own candidates: a track it never saw gets only its composer's and its
        content's share of a vector, so it is reached through the other sources' candidates
        and ranked by :meth:`score_rows`. Scanning the trained items only keeps a request's
        memory traffic small on a large library.
        """
        return self.search_known(query, k, allowed)[0]

    def search_known(
        self, query: np.ndarray, k: int, allowed: np.ndarray
    ) -> tuple[np.ndarray, Scored]:
        """:meth:`top_known`, and the exact scores (by library row) worked out on the way."""
        if self.known_vectors is self.candidate_vectors:  # every track trained: rows as they are
            return self.known.search(query, k, allowed)
        best, scored = self.known.search(query, k, allowed[self.known_rows])
        known = self.known_rows
        return known[best], Scored(known[scored.rows], scored.values)


def load_model(
    directory: Path,
    library: LibraryIndex,
    *,
    threads: int = 1,
    providers: list[str] | None = None,
) -> SessionModel:
    """Read, check and fit the model in ``directory``; :class:`ModelError` says why not."""
    model = SessionModel(read_model(directory, threads=threads, providers=providers))
    model.fit_library(library)
    return model
