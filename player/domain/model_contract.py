"""Contract 3's constants: what a model file holds, shared by the exporter and the player.

``trainer/export.py`` writes models with these names and ``player/recommend/model.py`` refuses
models that do not match them, so both import them from here (docs/architecture.md).
"""

from __future__ import annotations

FORMAT_VERSION = 1
"""The model format written and read; a newer one is refused with a reason."""

MODEL_FILE = "model.onnx"
VOCAB_FILE = "model.vocab.json"
METADATA_KEY = "continuo"
"""The ONNX ``metadata_props`` key holding the JSON metadata."""

INPUTS = (
    "session_items",
    "session_artists",
    "session_content",
    "candidate_items",
    "candidate_artists",
    "candidate_content",
)
INPUT_RANKS = {
    "session_items": 2,
    "session_artists": 2,
    "session_content": 3,
    "candidate_items": 1,
    "candidate_artists": 1,
    "candidate_content": 2,
}
OUTPUTS = ("scores", "session_vectors", "candidate_vectors")

PAD, UNKNOWN = 0, 1
RESERVED = ("<pad>", "<unk>")
"""Vocabulary positions 0 and 1: padding and the unknown key."""
