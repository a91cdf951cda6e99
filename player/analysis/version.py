"""Which analysis produced a set of features: stored with every result so stale ones are redone.

It also names the shipped model files each version reads. The analysis service imports only this
module to find them, so the GUI process that runs the service never loads the signal stack
(scipy, librosa: ~0.5 s and ~30 MB) that only its worker processes use."""

from player.resources import ASSETS

PIPELINE_VERSION = "pipeline-7"
"""Decoding, pitch, note spectrum, segment descriptors, key and tuning; bump when any of them
changes (2: subharmonic check and level-aware voicing in the pitch tracker; key and A4;
3: texture statistics per segment; 4: fundamental check and voicing apart from ranking in the
pitch tracker, Albrecht–Shanahan key profiles; 5: pitch and note spectrum share one half-rate
signal per chunk, key profiles as heard with their partials; 6: the key's ending chroma is the
last 2 s of sound, each frame scaled to its loudest class; 7: the key's chroma is timbre-free,
the note spectrum's envelope removed)."""

CLASS_MODEL_VERSION = "segment-classes-v1"
"""The shipped segment class model."""

CLASS_MODEL_PATH = ASSETS / "models" / f"{CLASS_MODEL_VERSION}.npz"

EMBEDDING_VERSION = "content-embedding-v1"
"""The shipped content embedding; its vectors are stored with the features, so a new one
re-analyses."""

EMBEDDING_PATH = ASSETS / "models" / f"{EMBEDDING_VERSION}.onnx"

ANALYSIS_VERSION = f"{PIPELINE_VERSION}+{CLASS_MODEL_VERSION}+{EMBEDDING_VERSION}"
"""Features of another version are ignored and the track is analysed again."""
