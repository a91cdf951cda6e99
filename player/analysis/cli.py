"""``continuo-analyze FILE... [--json] [--hop-s S]``: analyse audio files without a profile.

With ``--json`` each file gives one line of JSON; otherwise one readable summary line. The key
is the one the file's tags name (work, title, album: "… in F major") when they name one, and
``tuning_hz`` the A4 the audio implies for it; otherwise both come from the audio alone.
Errors go to stderr with the file name; the exit code is 0 only if every file succeeded.
``content_vector`` is the shipped content embedding's vector (``embedding.py``); when that
model is refused (said once on stderr) it is the TF-IDF vector with the IDF of the class
model's training corpus.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from player.analysis.content import tfidf
from player.analysis.decode import ANALYSIS_SR
from player.analysis.embedding import ContentEmbedding, learned_vector, load_embedding
from player.analysis.key import estimate_key
from player.analysis.pipeline import Analysis, analyse_file
from player.analysis.segments import SegmentClassModel
from player.analysis.version import ANALYSIS_VERSION
from player.domain.keys import Key, notated_key
from player.errors import ContinuoError


def file_key(path: str) -> Key | None:
    """The key the file's tags name (work, title, album), or None (no tags, or none names one)."""
    from pathlib import Path

    from player.errors import ContinuoError
    from player.library.tags import read_track

    try:
        file = Path(path)
        track, _ = read_track(file, size=file.stat().st_size, mtime_ns=0)
    except (ContinuoError, OSError):
        return None
    return notated_key(track.work, track.title, track.album)


def content_vector(
    analysis: Analysis, model: SegmentClassModel, embedding: ContentEmbedding | None
) -> np.ndarray:
    """The learned vector, or the TF-IDF one (corpus IDF) without a usable embedding."""
    learned = learned_vector(embedding, analysis)
    return tfidf(analysis.histogram[np.newaxis], model.idf)[0] if learned is None else learned


def to_json(
    path: str,
    analysis: Analysis,
    model: SegmentClassModel,
    notated: Key | None = None,
    embedding: ContentEmbedding | None = None,
) -> dict:
    """The CLI's per-file record; floats rounded to what the analysis can resolve."""
    probabilities = analysis.class_probabilities
    key, tuning_hz = estimate_key(
        analysis.chroma, analysis.concert_tuning, notated, ending=analysis.ending_chroma
    )
    return {
        "file": path,
        "sample_rate": analysis.sample_rate,
        "hop_s": analysis.hop_s,
        "duration_s": round(analysis.duration_s, 3),
        "tuning_semitones": analysis.tuning,
        "key": key.name,
        "tuning_hz": round(tuning_hz, 1),
        "f0_hz": np.round(analysis.f0_hz, 2).tolist(),
        "voiced": np.round(analysis.voiced_prob, 3).tolist(),
        "notes": [[round(a, 3), round(b, 3), m] for a, b, m in analysis.notes],
        "note_spectrum_shape": list(analysis.note_spectrum_shape),
        "segments": [
            [round(float(a), 3), round(float(b), 3), np.round(p, 5).tolist()]
            for (a, b), p in zip(analysis.segment_bounds_s, probabilities, strict=True)
        ],
        "content_vector": np.round(content_vector(analysis, model, embedding), 6).tolist(),
        "analysis_version": ANALYSIS_VERSION,
        "seconds": round(analysis.seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="continuo-analyze", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per file and line")
    parser.add_argument(
        "--hop-s", type=float, default=0.01, help="seconds between pitch frames (default 0.01)"
    )
    args = parser.parse_args(argv)
    hop_length = round(args.hop_s * ANALYSIS_SR)
    if hop_length < 1:
        parser.error(f"--hop-s {args.hop_s} is below one sample at {ANALYSIS_SR} Hz")
    try:
        model = SegmentClassModel.load()
    except ContinuoError as exc:
        print(f"continuo-analyze: {exc}", file=sys.stderr)
        return 2
    embedding, refused = load_embedding(model) if args.json else (None, "")
    if refused:
        print(f"continuo-analyze: content vectors from segment classes: {refused}", file=sys.stderr)
    failed = 0
    for path in args.files:
        try:
            analysis = analyse_file(path, model=model, hop_length=hop_length)
        except ContinuoError as exc:
            print(f"{path}: {exc.short} ({exc.detail})", file=sys.stderr)
            failed += 1
            continue
        if args.json:
            record = to_json(path, analysis, model, file_key(path), embedding)
            print(json.dumps(record), flush=True)
        else:
            print(
                f"{path}: {analysis.duration_s:.1f} s, {len(analysis.notes)} notes, "
                f"{len(analysis.segment_bounds_s)} segments, voiced {analysis.voiced_share:.0%}, "
                f"median f0 {analysis.median_f0_hz:.1f} Hz, analysed in {analysis.seconds:.2f} s",
                flush=True,
            )
    return 1 if failed else 0
