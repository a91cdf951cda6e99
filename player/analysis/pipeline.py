"""The whole analysis of one recording, streamed in chunks so any length fits in bounded memory.

decode → half rate (11,025 Hz, once per chunk; see ``_work_decimation``) → pitch (10 ms) →
tuning (once, from the first chunk) → note spectrum (40 ms) →
fixed-window segments → class probabilities and texture statistics → the track's class
histogram (and, in ``embedding.py``, its content vector). Each chunk is
analysed with half a second of audio on either side, and only frames centred inside the chunk
are kept, so a chunked analysis equals a whole-file one up to the pitch tracker's path
decisions near chunk edges. Only per-frame f0/voicing (a few MB for three hours) and the
segment results are accumulated.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from player.analysis.decode import ANALYSIS_SR, stream_mono
from player.analysis.note_spectrum import (
    N_NOTES,
    amplitude,
    emphasise_f0,
    estimate_tuning,
    hz_to_midi,
    key_chroma,
    note_spectrum,
)
from player.analysis.notes import notes_from_pitch
from player.analysis.pitch import PitchTrack, half_rate, track_pitch
from player.analysis.segments import SegmentClassModel, SegmentCutter
from player.analysis.texture import TEXTURE_DIM
from player.errors import AudioError

FRAME_LENGTH = 2048
NOTE_FFT = 4096  # note-spectrum FFT size at ``sr`` (half of it at the half rate)
NOTE_HOP_S = 0.04
_LOUD_FRAME = 0.05  # mean log-compressed level above which a frame counts as sounding
_ENDING_FRAMES = 50
"""2 s of sounding frames at the end: the final chord. Chosen on the key benchmark's tuning
chorales and 40 further tuning choir renders (exact keys: 4 s 0.97 / 0.88, 2 s 1.00 / 0.93 with
each frame scaled to its loudest class, 1 s 0.97 / 0.93); 4 s reached back into the penultimate
chord, whose dominant outweighed the tonic in choir renders."""
_HALF_RATE_MIN_NYQUIST = 4_500  # Hz: above C8's upper neighbour (4,435 Hz), the note grid's top
SILENCE_PEAK = 1e-4  # -80 dBFS: a file whose loudest sample stays below this is silent


@dataclass
class Analysis:
    """What the analysis of one recording produced; arrays are per frame or per segment."""

    sample_rate: int
    hop_s: float  # pitch frames
    note_hop_s: float  # note-spectrum frames
    duration_s: float
    tuning: float  # semitones from A440, to 5 cents: the note grid (chunked = whole)
    f0_hz: np.ndarray  # (n_frames,) 0 where unvoiced
    voiced_prob: np.ndarray  # (n_frames,)
    n_note_frames: int
    segment_bounds_s: np.ndarray  # (n_segments, 2) start, end
    descriptors: np.ndarray  # (n_segments, D)
    class_probabilities: np.ndarray  # (n_segments, K); K = 0 without a model
    seconds: float = 0.0
    notes: list[tuple[float, float, int]] = field(default_factory=list)
    chroma: np.ndarray = field(default_factory=lambda: np.zeros(12, np.float32))
    """(12,) mean timbre-free chroma (``note_spectrum.key_chroma``), C first, on the tuned grid
    (the key)."""
    concert_tuning: float = 0.0
    """Semitones from A440 to 0.1 cent (the grid's ``tuning`` is rounded to 5): the A4 reported."""
    ending_chroma: np.ndarray = field(default_factory=lambda: np.zeros(12, np.float32))
    """(12,) the last 2 s of sound, each frame scaled to its loudest class: the final chord
    names the tonic, and as it decays its shape still counts as much as its attack."""
    textures: np.ndarray = field(default_factory=lambda: np.zeros((0, TEXTURE_DIM), np.float32))
    """(n_segments, TEXTURE_DIM) rhythm, texture and interval statistics per segment."""

    @property
    def note_spectrum_shape(self) -> tuple[int, int]:
        return (N_NOTES, self.n_note_frames)

    @property
    def histogram(self) -> np.ndarray:
        """Summed class probabilities: the track's term frequencies (seed paper §3.2)."""
        return self.class_probabilities.sum(axis=0, dtype=np.float64).astype(np.float32)

    @property
    def voiced_share(self) -> float:
        return float((self.f0_hz > 0).mean()) if len(self.f0_hz) else 0.0

    @property
    def median_f0_hz(self) -> float:
        voiced = self.f0_hz[self.f0_hz > 0]
        return float(np.median(voiced)) if len(voiced) else 0.0


def _work_decimation(sr: int, hop_length: int) -> int:
    """2 when pitch and note spectrum can both run at half the decoding rate, else 1.

    The tracker decimates to half rate anyway (f0 up to 2 kHz needs 8 kHz), and the note
    spectrum's bins stop at C8's upper neighbour (4.4 kHz): at half rate its 2,048-point FFT
    has the same bins, frames and window length as the 4,096-point one at the full rate, for
    half the cost. Each chunk is decimated once (``pitch.half_rate``) and both use it; the
    filter's edges fall in the chunk's context, so a chunked analysis still equals a whole one.
    """
    ok = sr % 2 == 0 and hop_length % 2 == 0 and sr // 2 >= 2 * _HALF_RATE_MIN_NYQUIST
    return 2 if ok else 1


def analyse_file(
    path: Path | str,
    *,
    model: SegmentClassModel | None,
    hop_length: int = 220,
    chunk_s: float = 60.0,
) -> Analysis:
    """Analyse one audio file (see :func:`analyse_stream`); raises :class:`AudioError`."""
    return analyse_stream(stream_mono(path), model=model, hop_length=hop_length, chunk_s=chunk_s)


def analyse_stream(
    blocks: Iterable[np.ndarray],
    *,
    model: SegmentClassModel | None,
    sr: int = ANALYSIS_SR,
    hop_length: int = 220,
    chunk_s: float = 60.0,
) -> Analysis:
    """Analyse consecutive mono blocks at ``sr``, ``chunk_s`` seconds at a time.

    Parameters
    ----------
    blocks : mono float32 arrays, consecutive pieces of one recording
    model : segment class model, or None to stop at segment descriptors (the trainer)
    hop_length : samples between pitch frames; note-spectrum frames use the nearest multiple
        of it to 40 ms
    chunk_s : seconds of audio analysed at once (memory grows with it, results do not change)

    Raises
    ------
    AudioError
        silent, shorter than one frame, or not decodable.
    """
    if hop_length <= 0:
        raise ValueError(f"hop_length must be positive, got {hop_length}")
    if chunk_s <= 0:
        raise ValueError(f"chunk_s must be positive, got {chunk_s}")
    started = time.perf_counter()
    ratio = max(1, round(NOTE_HOP_S * sr / hop_length))
    note_hop = hop_length * ratio
    context = note_hop * -(-sr // (2 * note_hop))  # about 0.5 s, a multiple of both hops
    core = note_hop * max(1, round(chunk_s * sr / note_hop))
    q = _work_decimation(sr, hop_length)
    # pitch and note spectrum run at work_sr; these are the hops and lengths in its samples
    work_sr, hop, n_hop, ctx = sr // q, hop_length // q, note_hop // q, context // q

    cutter = SegmentCutter()
    f0_parts: list[np.ndarray] = []
    prob_parts: list[np.ndarray] = []
    descriptors: list[np.ndarray] = []
    tuning: float | None = None
    concert_tuning = 0.0  # the same to 0.1 cent: the A4 reported
    n_note_frames = 0
    chroma = np.zeros(12)
    ending = np.zeros((12, 0))
    peak = 0.0
    total = 0
    buffer = [np.zeros(context, np.float32)]
    buffered = context

    def analyse_chunk(y_full: np.ndarray, n_core_full: int) -> None:
        """``y_full``: ``context`` samples, the core (``n_core_full``), ``context`` samples."""
        nonlocal tuning, concert_tuning, n_note_frames, chroma, ending
        y = half_rate(y_full) if q == 2 else y_full  # edges only touch the context
        n_core = -(-n_core_full // q)
        track = track_pitch(y, sr=work_sr, hop_length=hop, frame_length=FRAME_LENGTH // q)
        first = ctx // hop
        n_frames = -(-n_core // hop)
        f0 = track.f0_hz[first : first + n_frames]
        prob = track.voiced_prob[first : first + n_frames]
        f0_parts.append(f0)
        prob_parts.append(prob)
        if tuning is None:
            tuning = estimate_tuning(f0)
            concert_tuning = estimate_tuning(f0, step=0.001)
        n_all = -(-len(y) // n_hop)  # note frames of the padded chunk
        first_note = ctx // n_hop
        S = note_spectrum(y=y, sr=work_sr, n_fft=NOTE_FFT // q, hop_length=n_hop, tuning=tuning)
        frame_chroma = key_chroma(amplitude(S[:, first_note : first_note + -(-n_core // n_hop)]))
        chroma += frame_chroma.sum(axis=1)
        loud = S[:, first_note : first_note + frame_chroma.shape[1]].mean(axis=0) > _LOUD_FRAME
        sounding = frame_chroma[:, loud]
        sounding = sounding / np.maximum(sounding.max(axis=0), 1e-12)
        ending = np.concatenate([ending, sounding], axis=1)[:, -_ENDING_FRAMES:]
        emphasise_f0(
            S,
            track.f0_hz[::ratio][:n_all],
            track.voiced_prob[::ratio][:n_all],
            tuning=tuning,
        )
        S = S[:, first_note : first_note + -(-n_core // n_hop)]
        n_note_frames += S.shape[1]
        note_f0 = f0[::ratio][: S.shape[1]]
        midi = hz_to_midi(np.where(note_f0 > 0, note_f0, 1.0))
        descriptors.extend(cutter.push(S, midi, note_f0 > 0))

    for block in blocks:
        peak = max(peak, float(np.abs(block).max(initial=0.0)))
        total += len(block)
        buffer.append(block)
        buffered += len(block)
        if buffered >= 2 * context + core:
            y = np.concatenate(buffer)
            while len(y) >= 2 * context + core:
                analyse_chunk(y[: 2 * context + core], core)
                y = y[core:]
            buffer, buffered = [y], len(y)
    if total < FRAME_LENGTH:
        raise AudioError(
            "shorter than one frame",
            f"{total} samples at {sr} Hz; the analysis needs at least {FRAME_LENGTH}.",
        )
    if peak < SILENCE_PEAK:
        raise AudioError("silent", f"the loudest sample is {peak:.2g} (below -80 dBFS).")
    y = np.concatenate([*buffer, np.zeros(context, np.float32)])
    remaining = len(y) - 2 * context
    if remaining > 0:
        analyse_chunk(y, remaining)
    descriptors.extend(cutter.finish())

    f0_hz = np.concatenate(f0_parts)
    voiced_prob = np.concatenate(prob_parts)
    desc = np.stack(descriptors)
    note_hop_s = note_hop / sr
    analysis = Analysis(
        sample_rate=sr,
        hop_s=hop_length / sr,
        note_hop_s=note_hop_s,
        duration_s=total / sr,
        tuning=float(tuning or 0.0),
        f0_hz=f0_hz,
        voiced_prob=voiced_prob,
        n_note_frames=n_note_frames,
        segment_bounds_s=np.array(cutter.bounds, dtype=np.float64) * note_hop_s,
        descriptors=desc,
        class_probabilities=(
            np.zeros((len(desc), 0), np.float32) if model is None else model.probabilities(desc)
        ),
    )
    track = PitchTrack(f0_hz=f0_hz, voiced_prob=voiced_prob, hop_s=hop_length / sr, sample_rate=sr)
    analysis.notes = notes_from_pitch(track)
    analysis.chroma = (chroma / max(n_note_frames, 1)).astype(np.float32)
    analysis.concert_tuning = concert_tuning
    analysis.textures = np.stack(cutter.textures)
    analysis.ending_chroma = (
        ending.mean(axis=1).astype(np.float32) if ending.size else analysis.chroma
    )
    analysis.seconds = time.perf_counter() - started
    return analysis
