"""Which analysis produced a set of features: stored with every result so stale ones are redone."""

PIPELINE_VERSION = "pipeline-1"
"""Decoding, pitch, note spectrum and segment descriptors; bump when any of them changes."""

CLASS_MODEL_VERSION = "segment-classes-v1"
"""The shipped segment class model (``assets/models/segment-classes-v1.npz``)."""

ANALYSIS_VERSION = f"{PIPELINE_VERSION}+{CLASS_MODEL_VERSION}"
"""Features of another version are ignored and the track is analysed again."""
