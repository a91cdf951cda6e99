import numpy as np
import pytest

from player.analysis.note_spectrum import (
    MIDI_LOW,
    estimate_tuning,
    note_spectrum,
    strongest_notes,
)
from tests.analysis.synth import SR, midi_hz, tone


@pytest.mark.parametrize("chord", [(60, 64, 67), (45, 52, 61), (72, 76, 79)])
def test_a_chord_lights_its_three_notes(chord):
    y = sum(tone(m, 2.0) for m in chord)
    S = note_spectrum(y=y, sr=SR)
    assert S.shape == (88, -(-len(y) // 880))
    middle = S[:, 10:40].mean(axis=1)
    assert set(np.argsort(-middle)[:3] + MIDI_LOW) == set(chord)
    assert [set(n) for n in strongest_notes(S[:, 10:40], max_notes=3)] == [set(chord)] * 30


def test_a_sine_is_on_its_note_and_silence_is_zero():
    y = np.concatenate([np.zeros(SR, np.float32), tone(69, 1.0, harmonics=1, amp=1.0)])
    S = note_spectrum(y=y, sr=SR)
    assert np.all(S[:, 2:20] == 0.0)
    assert np.argmax(S[:, 35]) + MIDI_LOW == 69
    assert S[69 - MIDI_LOW, 35] == pytest.approx(1.0, abs=0.02)  # full scale → top of the range


def test_f0_emphasis_adds_to_the_detected_note_only():
    y = tone(57, 1.0)
    plain = note_spectrum(y=y, sr=SR)
    f0 = np.full(plain.shape[1], midi_hz(57))
    f0[:5] = 0.0
    marked = note_spectrum(y=y, sr=SR, f0_hz=f0, emphasis=0.5)
    diff = marked - plain
    np.testing.assert_allclose(diff[57 - MIDI_LOW, 5:], 0.5, atol=1e-6)
    assert np.abs(np.delete(diff, 57 - MIDI_LOW, axis=0)).max() == 0
    assert np.abs(diff[:, :5]).max() == 0


def test_tuning_is_estimated_and_moves_the_grid():
    detuned = midi_hz(69.3)
    assert estimate_tuning(np.full(200, detuned)) == pytest.approx(0.3, abs=1e-9)
    assert estimate_tuning(np.full(200, midi_hz(69.7))) == pytest.approx(-0.3, abs=1e-9)
    assert estimate_tuning(np.full(10, detuned)) == 0.0  # too little evidence
    y = tone(69.5, 1.0, harmonics=1)  # a quarter tone: equally near A4 and A#4 …
    S0 = note_spectrum(y=y, sr=SR)[:, 12]
    S1 = note_spectrum(y=y, sr=SR, tuning=0.45)[:, 12]  # … until the grid follows the tuning
    assert abs(S0[69 - MIDI_LOW] - S0[70 - MIDI_LOW]) < 0.02
    assert S1[69 - MIDI_LOW] - S1[70 - MIDI_LOW] > 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_fft": 1000}, "n_fft"),
        ({"hop_length": 0}, "hop_length"),
        ({"tuning": 0.7}, "tuning"),
        ({"f0_hz": np.zeros(3)}, "f0_hz"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        note_spectrum(y=np.zeros(SR, np.float32), sr=SR, **kwargs)


def test_harmonic_suppression_lowers_overtones_not_the_note():
    y = tone(45, 1.0, harmonics=6)
    plain = note_spectrum(y=y, sr=SR, harmonic_suppression=0.0)[:, 12]
    sieved = note_spectrum(y=y, sr=SR, harmonic_suppression=0.6)[:, 12]
    assert sieved[45 - MIDI_LOW] == plain[45 - MIDI_LOW]
    for overtone in (57, 64, 69):
        assert sieved[overtone - MIDI_LOW] < plain[overtone - MIDI_LOW] - 0.005
    with pytest.raises(ValueError, match="harmonic_suppression"):
        note_spectrum(y=y, sr=SR, harmonic_suppression=1.5)
