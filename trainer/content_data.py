"""What the content embedding learns from and is measured on: per-track segment features.

Each render is analysed with the player's own pipeline and class model; the segment features
the embedding reads (``player.analysis.embedding.segment_features``), the TF-IDF histogram and,
for the baseline, a 20-coefficient MFCC summary (librosa, mean and std over the track) are
cached beside the render under the pipeline version, so a second run reads small files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from player.analysis.embedding import segment_features
from player.analysis.pipeline import analyse_file
from player.analysis.segments import SegmentClassModel
from player.analysis.version import CLASS_MODEL_VERSION, PIPELINE_VERSION
from trainer.renders import Render

N_MFCC = 20


@dataclass(frozen=True)
class TrackData:
    """One analysed render: labels, per-segment features, and the baselines' inputs."""

    name: str
    collection: str
    instrumentation: str
    segments: np.ndarray  # (n_segments, F) float32, the embedding's input
    histogram: np.ndarray  # (K,) summed class probabilities (the TF-IDF vector's input)
    mfcc: np.ndarray  # (2 * N_MFCC,) mean then std of librosa MFCCs over the track
    cpu_seconds: float  # process CPU time of the player's analysis of this render
    duration_s: float


def mfcc_summary(y: np.ndarray, sr: int) -> np.ndarray:
    """Mean and std of 20 MFCCs (librosa defaults): the usual timbre summary baseline."""
    import librosa

    m = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=N_MFCC)
    return np.concatenate([m.mean(axis=1), m.std(axis=1)]).astype(np.float32)


def track_data(render: Render, model: SegmentClassModel) -> TrackData:
    """Analyse one render (or read the cached result of this pipeline and class model)."""
    import time

    from player.analysis.decode import ANALYSIS_SR, stream_mono

    cache = render.wav.with_name(f"{render.wav.stem}.{PIPELINE_VERSION}+{CLASS_MODEL_VERSION}.npz")
    if not cache.exists():
        started = time.process_time()
        a = analyse_file(render.wav, model=model)
        cpu = time.process_time() - started
        y = np.concatenate(list(stream_mono(render.wav)))
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            segments=segment_features(a.class_probabilities, a.descriptors, a.textures),
            histogram=a.histogram,
            mfcc=mfcc_summary(y, ANALYSIS_SR),
            cpu_seconds=np.array(cpu),
            duration_s=np.array(a.duration_s),
        )
        tmp.replace(cache)
    with np.load(cache, allow_pickle=False) as f:
        return TrackData(
            name=render.name,
            collection=render.collection,
            instrumentation=render.instrumentation,
            segments=f["segments"],
            histogram=f["histogram"],
            mfcc=f["mfcc"],
            cpu_seconds=float(f["cpu_seconds"]),
            duration_s=float(f["duration_s"]),
        )


def pooled(segments: np.ndarray) -> np.ndarray:
    """Mean and std over segments, (n, F) → (2F,): what the embedding's graph computes first."""
    return np.concatenate([segments.mean(axis=0), segments.std(axis=0)]).astype(np.float32)
