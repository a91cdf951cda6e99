"""Content vectors: do a track's 5 nearest neighbours share its composer or collection?

The trainer's held-out "eval" renders (music21 corpus pieces the class model never saw, 60 s
each, up to 5 per collection) are analysed with the shipped pipeline. For each track, the
share of its 5 cosine-nearest neighbours from the same collection is averaged, for the
TF-IDF content vectors (IDF over this set, and the shipped corpus IDF) and for mean-chroma
vectors (librosa chroma_stft averaged over the track, the usual cheap baseline).

Run: .venv/bin/python tests/benchmarks/bench_content_vectors.py
"""

from __future__ import annotations

import librosa
import numpy as np

from player.analysis.content import inverse_document_frequency, most_similar, tfidf
from player.analysis.decode import ANALYSIS_SR, stream_mono
from player.analysis.pipeline import analyse_file
from player.analysis.segments import SegmentClassModel
from trainer.segment_classes import render_set

K = 5


def neighbour_agreement(vectors: np.ndarray, labels: np.ndarray) -> float:
    hits = [
        np.mean(labels[most_similar(vectors, i, k=K)[0]] == labels[i]) for i in range(len(labels))
    ]
    return float(np.mean(hits))


def main() -> None:
    model = SegmentClassModel.load()
    renders = render_set(5, part="eval", max_seconds=60.0)
    labels = np.array([r.collection for r in renders])
    histograms, chroma = [], []
    for r in renders:
        histograms.append(analyse_file(r.wav, model=model).histogram)
        y = np.concatenate(list(stream_mono(r.wav)))
        c = librosa.feature.chroma_stft(y=y, sr=ANALYSIS_SR).mean(axis=1)
        chroma.append(c / np.linalg.norm(c))
    h = np.stack(histograms)
    chance = np.mean([(np.sum(labels == lab) - 1) / (len(labels) - 1) for lab in labels])
    print(f"{len(renders)} tracks, {len(set(labels))} collections, K={model.n_classes}")
    for name, vectors in (
        ("TF-IDF, IDF over these tracks", tfidf(h, inverse_document_frequency(h))),
        ("TF-IDF, shipped corpus IDF", tfidf(h, model.idf)),
        ("class histogram, no IDF", tfidf(h, np.ones(model.n_classes))),
        ("mean chroma", np.stack(chroma)),
    ):
        print(
            f"{name:32} same collection among {K} nearest: {neighbour_agreement(vectors, labels):.3f}"
        )
    print(f"{'chance':32} {chance:.3f}")


if __name__ == "__main__":
    main()
