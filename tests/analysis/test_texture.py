"""Texture statistics of note-spectrum segments, on spectra with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from player.analysis.note_spectrum import MIDI_LOW, N_NOTES
from player.analysis.pipeline import analyse_stream
from player.analysis.texture import N_CEPSTRUM, TEXTURE_DIM, segment_texture
from tests.analysis.synth import melody

FRAMES = 100  # 4 s of 40 ms frames


def spectrum(notes_per_frame: list[list[int]]) -> np.ndarray:
    """A note spectrum with the given MIDI notes at full level in each frame, silence elsewhere."""
    S = np.zeros((N_NOTES, len(notes_per_frame)), np.float32)
    for frame, notes in enumerate(notes_per_frame):
        for midi in notes:
            S[midi - MIDI_LOW, frame] = 1.0
    return S


def fields(t: np.ndarray) -> dict[str, np.ndarray | float]:
    names = ["level", "level_std", "flux", "flux_std", "onsets", "pulse", "period", "voices",
             "voices_std"]  # fmt: skip
    out: dict[str, np.ndarray | float] = {n: float(v) for n, v in zip(names, t[:9], strict=True)}
    out["intervals"] = t[9 + N_CEPSTRUM : 9 + N_CEPSTRUM + 6]
    out["entropy"] = float(t[-1])
    return out


def test_a_held_chord_has_three_voices_no_onsets_and_its_intervals():
    t = fields(segment_texture(spectrum([[60, 64, 67]] * FRAMES)))  # C major triad, held
    assert t["voices"] == pytest.approx(0.3) and t["voices_std"] == pytest.approx(0.0)
    assert t["flux"] == pytest.approx(0.0) and t["pulse"] == 0.0
    intervals = np.asarray(t["intervals"])  # E-G a minor third, C-E a major third, C-G a fifth
    assert np.flatnonzero(intervals > 0.05).tolist() == [2, 3, 4]


def test_notes_every_ten_frames_give_a_pulse_of_400_ms():
    frames = [[72] if i % 10 < 3 else [] for i in range(FRAMES)]
    t = fields(segment_texture(spectrum(frames)))
    assert t["period"] == pytest.approx(0.4) and t["pulse"] > 0.8
    assert t["onsets"] == pytest.approx(0.1, abs=0.02)


def test_a_single_pitch_class_has_zero_entropy_and_a_spread_one_more():
    single = fields(segment_texture(spectrum([[60]] * FRAMES)))
    spread = fields(segment_texture(spectrum([[60, 62, 65, 69]] * FRAMES)))
    assert single["entropy"] < 0.05  # the -80 dB floor of the other notes counts a little
    assert spread["entropy"] > 0.5


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="88, n>0"):
        segment_texture(np.zeros((12, 10)))


def test_every_segment_of_an_analysis_has_its_texture():
    a = analyse_stream(iter([melody(30, seed=3)]), model=None)
    assert a.textures.shape == (len(a.descriptors), TEXTURE_DIM)
    assert np.isfinite(a.textures).all()
