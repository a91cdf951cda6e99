"""Learning the segment classes (seed paper §2.3.3, §3.2) from rendered music21 scores.

prepare: render a varied set of corpus pieces with fluidsynth (``trainer/renders.py``) →
descriptors: the player's own pipeline up to segment descriptors → fit: standardise, PCA,
k-means++ → save ``assets/models/segment-classes-v1.npz`` with the corpus IDF.

Numpy only: k-means with a Gaussian-posterior soft assignment needs no torch, and the
player reads the result with numpy alone. Run ``python -m trainer.segment_classes``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from player.analysis.content import inverse_document_frequency, most_similar, tfidf
from player.analysis.pipeline import analyse_file
from player.analysis.segments import SegmentClassModel
from player.analysis.version import CLASS_MODEL_PATH, CLASS_MODEL_VERSION
from trainer.renders import Render, render

COLLECTIONS: dict[str, str] = {
    # collection → music21 corpus composer/folder; its files are taken in sorted order
    "bach": "bach",
    "mozart": "mozart",
    "haydn": "haydn",
    "beethoven": "beethoven",
    "palestrina": "palestrina",
    "monteverdi": "monteverdi",
    "trecento": "trecento",
    "ryansMammoth": "ryansMammoth",
    "essenFolksong": "essenFolksong",
    "josquin": "josquin",
}


@dataclass
class ClassConfig:
    """How the segment classes are learned."""

    n_classes: int = 64  # K: segment classes (the content vector's length)
    n_components: int = 32  # PCA dimensions the distances are measured in
    pieces_per_collection: int = 6  # training pieces rendered per collection
    max_seconds: float = 60.0  # each render is cut to this length
    n_init: int = 4  # k-means restarts; the lowest inertia wins
    iterations: int = 100  # k-means iterations per restart
    seed: int = 0


def corpus_files(collection: str) -> list[str]:
    """Score files of one collection, one format per piece (mxl/krn/abc/xml), sorted."""
    from music21 import corpus

    paths = sorted(str(p) for p in corpus.getComposer(COLLECTIONS[collection]))
    if collection == "bach":  # the chorales; the few instrumental works are left out
        paths = [p for p in paths if "/bwv" in p and p.endswith(".mxl")]
    seen, out = set(), []
    for p in paths:
        stem = p.rsplit(".", 1)[0]
        if stem not in seen and p.rsplit(".", 1)[1] in ("mxl", "krn", "abc", "xml"):
            seen.add(stem)
            out.append(p)
    return out


def select_pieces(collection: str, count: int, *, part: str) -> list[str]:
    """Every other file, spread over the collection: ``part`` "train" takes even positions,
    "eval" odd ones, so the benchmarks never measure on the training pieces."""
    files = corpus_files(collection)
    offset = {"train": 0, "eval": 1}[part]
    stride = max(2, 2 * (len(files) // (2 * count)))
    return files[offset::stride][:count]


def render_set(count: int, *, part: str, max_seconds: float) -> list[Render]:
    """``count`` renders per collection (fewer where a collection is small); a score music21 or
    fluidsynth cannot handle is skipped with a message."""
    renders = []
    for collection in COLLECTIONS:
        for path in select_pieces(collection, count, part=part):
            try:
                renders.append(render(path, collection, max_seconds=max_seconds))
            except Exception as exc:  # one odd score must not stop the corpus
                print(f"skipped {path}: {type(exc).__name__}: {exc}")
    return renders


def kmeans(x: np.ndarray, k: int, *, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """Lloyd's k-means from a k-means++ start. ``x`` (n, P) → centroids (k, P)."""
    centroids = [x[rng.integers(len(x))]]
    d2 = ((x - centroids[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        centroids.append(x[rng.choice(len(x), p=d2 / d2.sum())])
        d2 = np.minimum(d2, ((x - centroids[-1]) ** 2).sum(axis=1))
    c = np.stack(centroids)
    for _ in range(iterations):
        labels = _squared_distances(x, c).argmin(axis=1)
        moved = np.stack(
            [x[labels == j].mean(axis=0) if (labels == j).any() else c[j] for j in range(k)]
        )
        if np.allclose(moved, c):
            break
        c = moved
    return c


def _squared_distances(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.maximum((x**2).sum(1)[:, None] - 2 * x @ c.T + (c**2).sum(1), 0.0)


def fit(descriptors: np.ndarray, config: ClassConfig) -> SegmentClassModel:
    """Standardise, project on the principal axes, cluster; the temperature is ``2σ²`` of the
    isotropic Gaussian mixture the clusters define (σ² = within-cluster variance per dimension).
    The IDF is left at ones: :func:`main` fills it from the corpus's histograms, after
    :func:`calibrate_temperature`."""
    rng = np.random.default_rng(config.seed)
    mean = descriptors.mean(axis=0)
    scale = descriptors.std(axis=0) + 1e-3
    z = (descriptors - mean) / scale
    _, _, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    components = vt[: config.n_components]
    x = z @ components.T
    runs = [
        kmeans(x, config.n_classes, iterations=config.iterations, rng=rng)
        for _ in range(config.n_init)
    ]
    inertias = [_squared_distances(x, c).min(axis=1).sum() for c in runs]
    best, best_inertia = runs[int(np.argmin(inertias))], min(inertias)
    sigma2 = best_inertia / (len(x) * config.n_components)
    return SegmentClassModel(
        version=CLASS_MODEL_VERSION,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        components=components.astype(np.float32),
        centroids=best.astype(np.float32),
        temperature=float(2.0 * sigma2),
        idf=np.ones(config.n_classes, np.float32),
    )


def calibrate_temperature(
    model: SegmentClassModel, per_track: list[np.ndarray]
) -> SegmentClassModel:
    """Rescale the temperature so each track's two halves find each other best.

    The mixture's own temperature gives near-hard assignments in many dimensions; content
    vectors want the softness at which a recording's first half, as a TF-IDF vector, ranks its
    own second half highest among all halves (mean reciprocal rank over factors 1/4 … 128).
    """
    halves = [(d[: len(d) // 2], d[len(d) // 2 :]) for d in per_track if len(d) >= 2]

    def mrr(factor: float) -> float:
        candidate = replace(model, temperature=model.temperature * factor)
        h = np.stack(
            [candidate.probabilities(part).sum(axis=0) for pair in halves for part in pair]
        )
        vectors = tfidf(h, inverse_document_frequency(h))
        ranks = [
            1 + int(np.flatnonzero(most_similar(vectors, i, k=len(h) - 1)[0] == (i ^ 1))[0])
            for i in range(len(h))
        ]
        return float(np.mean(1.0 / np.array(ranks)))

    factors = 2.0 ** np.arange(-2, 8)
    best = factors[int(np.argmax([mrr(f) for f in factors]))]
    return replace(model, temperature=model.temperature * float(best))


def main(argv: list[str] | None = None) -> int:
    """Render, describe, cluster and save the class model (``--out`` defaults to the shipped one)."""
    parser = argparse.ArgumentParser(prog="python -m trainer.segment_classes", description=__doc__)
    parser.add_argument("--out", type=Path, default=CLASS_MODEL_PATH)
    parser.add_argument("--classes", type=int, default=ClassConfig.n_classes)
    parser.add_argument("--pieces", type=int, default=ClassConfig.pieces_per_collection)
    args = parser.parse_args(argv)
    config = ClassConfig(n_classes=args.classes, pieces_per_collection=args.pieces)
    renders = render_set(config.pieces_per_collection, part="train", max_seconds=config.max_seconds)
    per_track = [analyse_file(r.wav, model=None).descriptors for r in renders]
    model = calibrate_temperature(fit(np.concatenate(per_track), config), per_track)
    histograms = np.stack([model.probabilities(d).sum(axis=0) for d in per_track])
    model = replace(model, idf=inverse_document_frequency(histograms))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    n_segments = sum(len(d) for d in per_track)
    print(f"{len(renders)} renders, {n_segments} segments, K={model.n_classes}, "
          f"temperature {model.temperature:.3g} → {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
