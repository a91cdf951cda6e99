"""Content vectors against timbre summaries on seven corpus collections (issue 10, point 3).

The content corpus (``trainer/content_corpus.py``): seven music21 collections — Bach chorales
on organ, Palestrina masses on choir, Monteverdi madrigals on voices, Trecento pieces on a
recorder consort, Haydn/Mozart/Beethoven quartets on strings, Essen folk songs on accordion,
Ryan's Mammoth fiddle tunes on fiddle — 17 pieces each held out, 17 for training, each render
the piece's first 30 s. Held-out pieces are rendered three ways: on the collection's own
ensemble (``typical``), everything on the piano (``piano``; the trainer also sees its own
pieces on the piano), and everything on a nylon guitar (``guitar``: an instrument no training
render uses — the control that timbre cannot solve).

For every held-out track, the other held-out tracks of the same condition are ranked by
cosine similarity; p@5 is the share of the 5 nearest from the same collection, mAP the mean
average precision over the whole ranking. Methods, all in one run:

* ``tfidf`` — the paper's TF-IDF of segment classes (IDF over the evaluated tracks);
* ``mfcc_mean`` — mean of 20 librosa MFCCs (the issue's baseline), raw cosine;
* ``mfcc_mean_std`` — mean and std of the MFCCs, standardised on the training tracks;
* ``features`` — our pooled segment features (mean and std of class probabilities,
  descriptors, texture), standardised on the training tracks: unlearned;
* ``lda`` — linear discriminant analysis of those features on the training tracks;
* ``learned`` — the embedding (``trainer/content_embedding.py``) trained here on the training
  tracks with the shipped configuration;
* ``shipped`` — the shipped ONNX model run by the player's onnxruntime path.

``--tune`` instead runs a 4-fold cross-validation over training pieces (never held-out ones)
for a few embedding configurations and prints their mAP (a fold holds about four pieces per
collection, too few for p@5 to mean much). ``--json PATH`` writes the figures, ``--plot PATH`` a chart.

Run: PYTHONPATH=. .venv/bin/python tests/benchmarks/bench_content_vectors.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from player.analysis.content import inverse_document_frequency, tfidf
from player.analysis.embedding import load_embedding
from player.analysis.segments import SegmentClassModel
from trainer.content_corpus import HELD_OUT_CONDITIONS, TRAIN_CONDITIONS, renders
from trainer.content_data import N_MFCC, TrackData, pooled, track_data
from trainer.content_embedding import EmbeddingConfig, embed, train

K = 5


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def retrieval(vectors: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Leave-one-out p@K and mAP of cosine rankings within one set."""
    v = unit(np.asarray(vectors, np.float64))
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    p_at_k, average_precisions = [], []
    for i in range(len(v)):
        order = np.argsort(-sims[i], kind="stable")[: len(v) - 1]
        relevant = labels[order] == labels[i]
        p_at_k.append(relevant[:K].mean())
        hits = np.cumsum(relevant)
        ranks = np.flatnonzero(relevant) + 1
        average_precisions.append(float(np.mean(hits[relevant] / ranks)) if len(ranks) else 0.0)
    return float(np.mean(p_at_k)), float(np.mean(average_precisions))


def load(held_out: bool, condition: str, model: SegmentClassModel) -> list[TrackData]:
    return [track_data(r, model) for r in renders(held_out=held_out, condition=condition)]


class Methods:
    """Every method's vectors for a set of tracks, fitted on the training tracks only."""

    def __init__(self, training: list[TrackData], config: EmbeddingConfig, shipped) -> None:
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        x = np.stack([pooled(t.segments) for t in training])
        self.mean, self.scale = x.mean(axis=0), x.std(axis=0) + 1e-3
        m = np.stack([t.mfcc for t in training])
        self.mfcc_mean, self.mfcc_scale = m.mean(axis=0), m.std(axis=0) + 1e-3
        labels = [t.collection for t in training]
        self.lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto")
        self.lda.fit((x - self.mean) / self.scale, labels)
        self.embedder, self.summary = train([t.segments for t in training], labels, config)
        self.shipped = shipped

    def vectors(self, tracks: list[TrackData]) -> dict[str, np.ndarray]:
        h = np.stack([t.histogram for t in tracks])
        m = np.stack([t.mfcc for t in tracks])
        z = (np.stack([pooled(t.segments) for t in tracks]) - self.mean) / self.scale
        out = {
            "tfidf": tfidf(h, inverse_document_frequency(h)),
            "mfcc_mean": m[:, :N_MFCC],
            "mfcc_mean_std": (m - self.mfcc_mean) / self.mfcc_scale,
            "features": z,
            "lda": self.lda.transform(z),
            "learned": np.stack([embed(self.embedder, t.segments) for t in tracks]),
        }
        if self.shipped is not None:
            out["shipped"] = np.stack([self.shipped.embed(t.segments) for t in tracks])
        return out


def evaluate(args: argparse.Namespace) -> dict:
    model = SegmentClassModel.load()
    shipped, reason = load_embedding(model)
    if shipped is None:
        print(f"shipped embedding not used: {reason}")
    training = [t for c in TRAIN_CONDITIONS for t in load(False, c, model)]
    started = time.perf_counter()
    methods = Methods(training, EmbeddingConfig(), shipped)
    results: dict = {
        "training_tracks": len(training),
        "training_seconds": round(time.perf_counter() - started, 1),
        "conditions": {},
    }
    for condition in HELD_OUT_CONDITIONS:
        tracks = load(True, condition, model)
        labels = np.array([t.collection for t in tracks])
        scores = {}
        for name, vectors in methods.vectors(tracks).items():
            p5, ap = retrieval(vectors, labels)
            scores[name] = {"p@5": round(p5, 3), "mAP": round(ap, 3)}
        counts = {c: int((labels == c).sum()) for c in sorted(set(labels))}
        chance = float(np.mean([(counts[c] - 1) / (len(labels) - 1) for c in labels]))
        results["conditions"][condition] = {
            "tracks": len(tracks),
            "per_collection": counts,
            "chance_p@5": round(chance, 3),
            "scores": scores,
            "analysis_x_realtime_per_cpu_s": round(
                sum(t.duration_s for t in tracks) / sum(t.cpu_seconds for t in tracks), 1
            ),
        }
        print(f"\n{condition}: {len(tracks)} held-out tracks {counts}, chance p@5 {chance:.3f}")
        for name, s in scores.items():
            print(f"  {name:14} p@5 {s['p@5']:.3f}  mAP {s['mAP']:.3f}")
    if args.plot:
        plot(results, args.plot, methods, model)
    return results


def tune(args: argparse.Namespace) -> dict:
    """4-fold cross-validation over training pieces (both training conditions of a piece stay
    in one fold) for a few embedding configurations: mean mAP over folds and conditions;
    held-out pieces are not read."""
    model = SegmentClassModel.load()
    training = [t for c in TRAIN_CONDITIONS for t in load(False, c, model)]
    piece = {t.name: t.name.rsplit("-", 2)[0] for t in training}  # without "-organ-30s"
    fold_of = {p: i % 4 for i, p in enumerate(sorted(set(piece.values())))}
    base = EmbeddingConfig()
    grid = {
        "shipped": base,
        "dim16": replace(base, dim=16),
        "hidden64": replace(base, hidden=64),
        "hidden256": replace(base, hidden=256),
        "epochs200": replace(base, epochs=200),
        "epochs800": replace(base, epochs=800),
        "temp0.2": replace(base, temperature=0.2),
        "dropout0.4": replace(base, dropout=0.4),
        "wd0.1": replace(base, weight_decay=0.1),
    }
    out = {}
    for name, config in grid.items():
        aps = []
        for fold in range(4):
            fit_on = [t for t in training if fold_of[piece[t.name]] != fold]
            test = [t for t in training if fold_of[piece[t.name]] == fold]
            embedder, _ = train(
                [t.segments for t in fit_on], [t.collection for t in fit_on], config
            )
            for condition in TRAIN_CONDITIONS:
                part = [t for t in test if (t.instrumentation == "piano") == (condition == "piano")]
                v = np.stack([embed(embedder, t.segments) for t in part])
                aps.append(retrieval(v, np.array([t.collection for t in part]))[1])
        out[name] = round(float(np.mean(aps)), 3)
        print(f"{name:12} cross-validated mAP {out[name]:.3f}", flush=True)
    return out


def plot(results: dict, path: Path, methods: Methods, model: SegmentClassModel) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conditions = list(results["conditions"])
    names = list(results["conditions"][conditions[0]]["scores"])
    fig, (bars, scatter) = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / len(names)
    for j, name in enumerate(names):
        values = [results["conditions"][c]["scores"][name]["p@5"] for c in conditions]
        bars.bar(np.arange(len(conditions)) + j * width, values, width, label=name)
    for i, c in enumerate(conditions):
        chance = results["conditions"][c]["chance_p@5"]
        bars.hlines(chance, i - 0.1, i + 0.8, colors="k", linestyles=":")
    bars.axhline(0.75, color="r", lw=0.8, ls="--", label="goal 0.75")
    bars.set_xticks(np.arange(len(conditions)) + 0.4 - width / 2, conditions)
    bars.set_ylabel("held-out p@5 (same collection)")
    bars.set_ylim(0, 1)
    bars.legend(fontsize=7, ncol=2)
    bars.set_title("Held-out p@5 by instrumentation (dotted: chance)")
    tracks = load(True, "guitar", model)
    v = methods.vectors(tracks)["learned"]
    xy = (v - v.mean(axis=0)) @ np.linalg.svd(v - v.mean(axis=0), full_matrices=False)[2][:2].T
    labels = [t.collection for t in tracks]
    for c in sorted(set(labels)):
        rows = [i for i, lab in enumerate(labels) if lab == c]
        scatter.scatter(xy[rows, 0], xy[rows, 1], s=18, label=c)
    scatter.set_title("Learned vectors of held-out guitar renders (PCA)")
    scatter.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    results = tune(args) if args.tune else evaluate(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
