"""Segments of the note spectrum and their segment-class probabilities (seed paper §2.3.3, §3.2).

Segmentation: fixed windows of 100 note-spectrum frames (about 4 s) every 50 frames (2 s).
Onset- or beat-aligned cuts were rejected: classical recordings have soft onsets and free
tempo, where beat trackers wander and onset detectors fire on vibrato, so the cuts would
depend on the recording more than on the music. Fixed windows are deterministic, cost
nothing, give every second of music the same weight in the histogram, and let a chunked
analysis produce exactly the segments of a whole-file one. Four seconds hold a few chords
or a short phrase: enough for a pooled descriptor to say what kind of texture it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from player.analysis.note_spectrum import N_NOTES, fold_chroma
from player.analysis.texture import segment_texture
from player.analysis.version import CLASS_MODEL_PATH
from player.errors import ModelError

SEGMENT_FRAMES = 100
SEGMENT_HOP_FRAMES = 50
DESCRIPTOR_DIM = 2 * N_NOTES + 12 + 4


def segment_descriptor(S: np.ndarray, midi: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Pool one segment's frames into a fixed-length descriptor.

    Parameters
    ----------
    S : np.ndarray [shape=(88, n)] note spectrum of the segment's frames
    midi : np.ndarray [shape=(n,)] fractional MIDI number of the f0 per frame (any where unvoiced)
    voiced : np.ndarray [shape=(n,), dtype=bool]

    Returns
    -------
    d : np.ndarray [shape=(DESCRIPTOR_DIM,), dtype=float32]
        mean and std of each note, the chroma profile (mean folded onto 12 pitch classes,
        summing to 1), voiced share, median and spread of the voiced f0 in octaves, and the
        share of voiced frames whose rounded note differs from the previous one.
    """
    if S.ndim != 2 or S.shape[0] != N_NOTES or S.shape[1] == 0:
        raise ValueError(f"S must have shape (88, n>0), got {S.shape}")
    mean = S.mean(axis=1)
    std = S.std(axis=1)
    chroma = fold_chroma(mean)
    chroma /= max(chroma.sum(), 1e-9)
    pitched = midi[voiced]
    if len(pitched):
        q25, q50, q75 = np.percentile(pitched, [25, 50, 75])
        notes = np.round(pitched)
        changes = float(np.mean(notes[1:] != notes[:-1])) if len(notes) > 1 else 0.0
        stats = [voiced.mean(), (q50 - 69.0) / 12.0, (q75 - q25) / 12.0, changes]
    else:
        stats = [0.0, 0.0, 0.0, 0.0]
    return np.concatenate([mean, std, chroma, stats]).astype(np.float32)


class SegmentCutter:
    """Cuts a stream of note-spectrum frames into fixed windows, keeping only the frames that an
    unfinished window still needs (bounded memory for any length)."""

    def __init__(self, *, frames: int = SEGMENT_FRAMES, hop: int = SEGMENT_HOP_FRAMES) -> None:
        if not 0 < hop <= frames:
            raise ValueError(f"need 0 < hop <= frames, got hop={hop}, frames={frames}")
        self.frames, self.hop = frames, hop
        self._S = np.zeros((N_NOTES, 0), np.float32)
        self._midi = np.zeros(0)
        self._voiced = np.zeros(0, bool)
        self._offset = 0  # index of the first buffered frame
        self._next_start = 0
        self._covered = 0  # frames covered by emitted segments
        self.bounds: list[tuple[int, int]] = []  # [start, end) frame of each emitted segment
        self.textures: list[np.ndarray] = []  # texture.segment_texture of each emitted segment

    def push(self, S: np.ndarray, midi: np.ndarray, voiced: np.ndarray) -> list[np.ndarray]:
        """Add consecutive frames; return the descriptors of the segments now complete."""
        self._S = np.concatenate([self._S, S], axis=1)
        self._midi = np.concatenate([self._midi, midi])
        self._voiced = np.concatenate([self._voiced, voiced])
        out = []
        end = self._offset + self._S.shape[1]
        while self._next_start + self.frames <= end:
            out.append(self._emit(self._next_start, self._next_start + self.frames))
            self._next_start += self.hop
        drop = self._next_start - self._offset
        self._S, self._midi, self._voiced = (
            self._S[:, drop:],
            self._midi[drop:],
            self._voiced[drop:],
        )
        self._offset = self._next_start
        return out

    def finish(self) -> list[np.ndarray]:
        """The last, shorter segment covering frames no full window reached (if any)."""
        end = self._offset + self._S.shape[1]
        if end > self._covered and end > self._next_start:
            return [self._emit(self._next_start, end)]
        return []

    def _emit(self, start: int, end: int) -> np.ndarray:
        a, b = start - self._offset, end - self._offset
        self.bounds.append((start, end))
        self._covered = end
        self.textures.append(segment_texture(self._S[:, a:b]))
        return segment_descriptor(self._S[:, a:b], self._midi[a:b], self._voiced[a:b])


@dataclass(frozen=True)
class SegmentClassModel:
    """Soft assignment of segment descriptors to K learned classes.

    Descriptors are standardised, projected on the principal axes of the training corpus, and
    each class gets ``softmax(-||x - c_k||² / temperature)``: the posterior of an isotropic
    Gaussian mixture with equal weights, whose fitted variance gives the temperature
    (``trainer/segment_classes.py``).
    """

    version: str
    mean: np.ndarray  # (D,)
    scale: np.ndarray  # (D,)
    components: np.ndarray  # (P, D)
    centroids: np.ndarray  # (K, P)
    temperature: float
    idf: np.ndarray  # (K,) inverse document frequency over the training corpus

    @property
    def n_classes(self) -> int:
        return len(self.centroids)

    def probabilities(self, descriptors: np.ndarray) -> np.ndarray:
        """(n, D) descriptors → (n, K) class probabilities, each row summing to 1."""
        x = np.atleast_2d(np.asarray(descriptors, dtype=np.float64))
        if x.shape[1] != len(self.mean):
            raise ValueError(f"descriptors must have {len(self.mean)} columns, got {x.shape[1]}")
        z = ((x - self.mean) / self.scale) @ self.components.T
        d2 = (
            (z**2).sum(axis=1, keepdims=True)
            - 2.0 * z @ self.centroids.T
            + (self.centroids**2).sum(axis=1)
        )
        logits = -np.maximum(d2, 0.0) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            version=np.array(self.version),
            mean=self.mean,
            scale=self.scale,
            components=self.components,
            centroids=self.centroids,
            temperature=np.array(self.temperature),
            idf=self.idf,
        )

    @classmethod
    def load(cls, path: Path | str = CLASS_MODEL_PATH) -> SegmentClassModel:
        """Read a class model; plain arrays only (``allow_pickle=False``)."""
        try:
            with np.load(path, allow_pickle=False) as f:
                model = cls(
                    version=str(f["version"]),
                    mean=f["mean"],
                    scale=f["scale"],
                    components=f["components"],
                    centroids=f["centroids"],
                    temperature=float(f["temperature"]),
                    idf=f["idf"],
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(
                "The segment class model cannot be read",
                f"{path}: {exc}. Reinstall Continuo or rebuild it with "
                "`python -m trainer.segment_classes`.",
            ) from exc
        if model.mean.shape != (DESCRIPTOR_DIM,):
            raise ModelError(
                "The segment class model does not fit this analysis",
                f"{path}: descriptors of {model.mean.shape} instead of ({DESCRIPTOR_DIM},).",
            )
        return model
