"""Test signals with known answers: harmonic tones, chords, melodies, silence, broken files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SR = 22_050


def midi_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def tone(midi: float, seconds: float, *, sr: int = SR, harmonics: int = 4, amp: float = 0.2):
    """A harmonic tone (partials falling as 1/k) with 10 ms fades."""
    t = np.arange(int(seconds * sr)) / sr
    f = midi_hz(midi)
    y = sum(amp / k * np.sin(2 * np.pi * k * f * t) for k in range(1, harmonics + 1))
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return (y * fade).astype(np.float32)


def melody(n_notes: int, *, seed: int = 0, note_s: float = 0.5, sr: int = SR) -> np.ndarray:
    """Random notes between E2 and E5, alternating with two-note chords every fourth note."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n_notes):
        m = int(rng.integers(40, 76))
        y = tone(m, note_s, sr=sr)
        if i % 4 == 3:
            y = y + tone(m - 7, note_s, sr=sr)
        parts.append(y)
    return np.concatenate(parts)


def write(path: Path, y: np.ndarray, sr: int = SR) -> Path:
    sf.write(path, y, sr)
    return path


def write_corrupt(path: Path) -> Path:
    """A file with a WAV name and a broken header."""
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8)
    return path
