"""Content vectors the trainer learned: a small shipped ONNX embedding over segment features.

The paper's content vector (TF-IDF of segment classes, ``content.py``) groups recordings by
which kinds of segments they contain; measured on renders of seven corpus collections it
groups them no better than a mean-MFCC timbre summary (docs/analysis.md). The embedding
reads, per segment, the class probabilities, the note-spectrum descriptor and the texture
statistics (``texture.py``), pools them over the track (mean and spread, inside the graph),
and maps them to a unit vector learned so that pieces of one collection lie close whatever
they are played on (``trainer/content_embedding.py``). Cosine similarity of these vectors is
what "Similar" and Up next's content fallback rank by.

The player runs it with onnxruntime alone. A model it cannot use (missing, damaged, made for
other features, or answering with the wrong shape or non-finite values) is refused with a
one-line reason, and the analysis stores no embedding: the library then falls back to the
TF-IDF vectors (``player.store.features.library_content_vectors``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from player.analysis.pipeline import Analysis
from player.analysis.segments import DESCRIPTOR_DIM, SegmentClassModel
from player.analysis.texture import TEXTURE_DIM
from player.analysis.version import EMBEDDING_PATH, EMBEDDING_VERSION
from player.errors import ModelError

METADATA_KEY = "continuo_content_embedding"
"""``metadata_props`` key of the model's JSON: version, class_model, input_dim, output_dim, …"""
INPUT = "segments"  # float32 (n_segments, input_dim)
OUTPUT = "embedding"  # float32 (1, output_dim), unit length


def feature_dim(n_classes: int) -> int:
    """Values per segment the embedding reads: class probabilities, descriptor, texture."""
    return n_classes + DESCRIPTOR_DIM + TEXTURE_DIM


def segment_features(
    class_probabilities: np.ndarray, descriptors: np.ndarray, textures: np.ndarray
) -> np.ndarray:
    """Per-segment input of the embedding, shape (n_segments, feature_dim(K)), float32."""
    if not len(class_probabilities) == len(descriptors) == len(textures):
        raise ValueError(
            f"segment counts differ: {len(class_probabilities)} class rows, "
            f"{len(descriptors)} descriptors, {len(textures)} textures"
        )
    return np.hstack([class_probabilities, descriptors, textures]).astype(np.float32)


@dataclass
class ContentEmbedding:
    """A checked embedding model; :meth:`embed` turns a track's segment features into its vector."""

    session: object  # player.recommend.onnx_session.OnnxSession
    meta: dict
    input_dim: int
    output_dim: int

    @classmethod
    def load(cls, class_model: SegmentClassModel, path: Path = EMBEDDING_PATH) -> ContentEmbedding:
        """Open and check the model; :class:`ModelError` with a one-line reason if it does not fit
        this analysis."""
        from player.recommend.onnx_session import OnnxSession

        if not Path(path).is_file():
            raise ModelError("No content embedding", f"{path} does not exist.")
        session = OnnxSession(Path(path), providers=["CPUExecutionProvider"])
        try:
            meta = json.loads(session.metadata()[METADATA_KEY])
        except (KeyError, ValueError) as exc:
            raise ModelError(
                "Not a Continuo content embedding", f"{path}: no readable {METADATA_KEY} metadata."
            ) from exc
        want = feature_dim(class_model.n_classes)
        problems = [
            f"version {meta.get('version')!r}, not {EMBEDDING_VERSION!r}"
            if meta.get("version") != EMBEDDING_VERSION
            else "",
            f"made for class model {meta.get('class_model')!r}, not {class_model.version!r}"
            if meta.get("class_model") != class_model.version
            else "",
            f"reads {meta.get('input_dim')} values per segment, the analysis gives {want}"
            if meta.get("input_dim") != want
            else "",
            f"inputs {session.input_types()}, not {{{INPUT!r}: float}}"
            if session.input_types() != {INPUT: "tensor(float)"}
            else "",
            f"outputs {session.output_names()}, not [{OUTPUT!r}]"
            if session.output_names() != [OUTPUT]
            else "",
        ]
        if any(problems):
            raise ModelError(
                "The content embedding does not fit this analysis",
                f"{path}: {'; '.join(p for p in problems if p)}.",
            )
        model = cls(session, meta, want, int(meta.get("output_dim", 0)))
        model.embed(np.zeros((2, want), np.float32))  # a model that answers wrongly is refused now
        return model

    def embed(self, features: np.ndarray) -> np.ndarray:
        """(n_segments, input_dim) → (output_dim,) unit vector; :class:`ModelError` when the
        model answers with another shape or non-finite values."""
        x = np.ascontiguousarray(features, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.input_dim or len(x) == 0:
            raise ValueError(f"features must have shape (n>0, {self.input_dim}), got {x.shape}")
        (out,) = self.session.run([OUTPUT], {INPUT: x})  # type: ignore[attr-defined]
        if out.shape != (1, self.output_dim) or not np.isfinite(out).all():
            raise ModelError(
                "The content embedding answered wrongly",
                f"output of shape {out.shape} (expected (1, {self.output_dim}))"
                + ("" if np.isfinite(out).all() else " with non-finite values"),
            )
        v = out[0].astype(np.float32)
        return v / max(float(np.linalg.norm(v)), 1e-12)


def load_embedding(
    class_model: SegmentClassModel, path: Path = EMBEDDING_PATH
) -> tuple[ContentEmbedding | None, str]:
    """The embedding, or None and the one-line reason it was refused (the caller says it once
    and the TF-IDF vector takes its place)."""
    try:
        return ContentEmbedding.load(class_model, path), ""
    except ModelError as exc:
        return None, str(exc)


def learned_vector(embedding: ContentEmbedding | None, analysis: Analysis) -> np.ndarray | None:
    """The track's learned content vector, or None — stored as such, so the library ranks by
    TF-IDF — without an embedding or when it answers wrongly for this file."""
    if embedding is None or not len(analysis.descriptors):
        return None
    a = analysis
    try:
        return embedding.embed(segment_features(a.class_probabilities, a.descriptors, a.textures))
    except ModelError:
        return None
