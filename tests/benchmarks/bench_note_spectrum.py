"""Note spectrum vs a plain CQT threshold: frame-level multi-pitch precision/recall.

Polyphonic renders of music21 scores (four-part Bach chorales, string-quartet movements by
Haydn, Mozart and Beethoven; the trainer's held-out "eval" pieces, 60 s each) with the score's
notes as ground truth. Each frame's strongest notes (at most 4, within a threshold of the
loudest) are scored with ``mir_eval.multipitch`` at the note spectrum's 40 ms frames.
Both spectra go through the same selection rule, at thresholds swept on the same scale
(dB below the frame's loudest note).

Run: .venv/bin/python tests/benchmarks/bench_note_spectrum.py
"""

from __future__ import annotations

import numpy as np
from mir_eval import multipitch

from player.analysis.decode import ANALYSIS_SR, stream_mono
from player.analysis.note_spectrum import (
    FLOOR_DB,
    cqt_note_spectrum,
    estimate_tuning,
    note_spectrum,
    strongest_notes,
)
from player.analysis.pitch import track_pitch
from trainer.segment_classes import render, select_pieces

HOP = 880
WITHIN_DB = (6.0, 9.0, 12.0, 18.0)
SETS = {
    "chorales": [("bach", 4)],
    "quartets": [("haydn", 2), ("mozart", 2), ("beethoven", 2)],
}


def reference(notes, times):
    """Active MIDI pitches (as Hz) of the score at each time."""
    onsets = np.array([n[0] for n in notes])
    offsets = np.array([n[1] for n in notes])
    midi = np.array([n[2] for n in notes])
    return [
        440.0 * 2.0 ** ((np.unique(midi[(onsets <= t) & (t < offsets)]) - 69) / 12.0) for t in times
    ]


def to_hz(notes):
    return [440.0 * 2.0 ** ((np.asarray(n, float) - 69) / 12.0) for n in notes]


def scores(ref_times, ref, est_times, est):
    m = multipitch.evaluate(ref_times, ref, est_times, est)
    p, r = m["Precision"], m["Recall"]
    return p, r, 2 * p * r / max(p + r, 1e-9)


def main() -> None:
    print(f"{'set':9} {'method':22} {'within':>6} {'P':>6} {'R':>6} {'F':>6}")
    for name, spec in SETS.items():
        renders = [
            render(path, coll, max_seconds=60.0)
            for coll, count in spec
            for path in select_pieces(coll, count, part="eval")
        ]
        rows: dict[tuple[str, float], list[tuple[float, float, float]]] = {}
        for r in renders:
            y, sr = np.concatenate(list(stream_mono(r.wav))), ANALYSIS_SR
            track = track_pitch(y, sr=sr, hop_length=220)
            tuning = estimate_tuning(track.f0_hz)
            n = -(-len(y) // HOP)
            S = note_spectrum(
                y=y, sr=sr, hop_length=HOP, tuning=tuning,
                f0_hz=track.f0_hz[::4][:n], voiced_prob=track.voiced_prob[::4][:n],
            )  # fmt: skip
            S_plain = note_spectrum(y=y, sr=sr, hop_length=HOP, tuning=tuning)
            C = cqt_note_spectrum(y=y, sr=sr, hop_length=512)
            times = np.arange(S.shape[1]) * HOP / sr
            ctimes = np.arange(C.shape[1]) * 512 / sr
            ref = reference(r.notes, times)
            for within in WITHIN_DB:
                scale = within / -FLOOR_DB
                for method, spec_, t in (
                    ("note spectrum", S, times),
                    ("note spectrum, no f0", S_plain, times),
                    ("CQT threshold", C, ctimes),
                ):
                    w = within if method == "CQT threshold" else scale
                    est = to_hz(strongest_notes(spec_, max_notes=4, within=w))
                    rows.setdefault((method, within), []).append(scores(times, ref, t, est))
        for (method, within), values in rows.items():
            p, r, f = np.mean(values, axis=0)
            print(f"{name:9} {method:22} {within:6.0f} {p:6.3f} {r:6.3f} {f:6.3f}")
        print(f"({len(renders)} renders: {', '.join(r.name for r in renders)})")


if __name__ == "__main__":
    main()
