"""Pitch tracking on synthesised signals with known f0 (player.analysis.pitch, octave)."""

from __future__ import annotations

import numpy as np
import pytest

from player.analysis import octave
from player.analysis.pitch import PitchTrack, track_pitch

SR = 22_050
HOP = 220


def harmonic(f0, seconds: float, amps, *, sr: int = SR) -> np.ndarray:
    """Partials ``k·f0`` with the given amplitudes; ``f0`` may be an array (one value a sample)."""
    n = int(seconds * sr)
    phase = 2 * np.pi * np.cumsum(np.broadcast_to(np.asarray(f0, dtype=float), (n,))) / sr
    return 0.3 * sum(a * np.sin((k + 1) * phase) for k, a in enumerate(amps))


def cents_off(track: PitchTrack, truth: np.ndarray) -> np.ndarray:
    """|cents| between the voiced frames' f0 and the truth at those frames."""
    v = track.voiced
    return np.abs(1200 * np.log2(track.f0_hz[v] / truth[v]))


@pytest.mark.parametrize("f0", [55.0, 110.0, 220.0, 440.0, 880.0, 1760.0])
def test_sine_is_found_across_the_range(f0):
    track = track_pitch(0.5 * np.sin(2 * np.pi * f0 * np.arange(SR) / SR), sr=SR)
    assert track.voiced.mean() >= 0.95
    off = cents_off(track, np.full(len(track.f0_hz), f0))
    assert np.mean(off < 50) >= 0.99
    assert np.median(off) < 5  # parabolic interpolation: well inside a semitone


def test_track_shape_times_and_types():
    y = 0.5 * np.sin(2 * np.pi * 330 * np.arange(int(6.3 * SR)) / SR)  # > one block of frames
    track = track_pitch(y, sr=SR, hop_length=HOP)
    n = 1 + len(y) // HOP
    assert track.f0_hz.shape == track.voiced_prob.shape == (n,)
    assert track.f0_hz.dtype == track.voiced_prob.dtype == np.float32
    assert track.hop_s == HOP / SR
    assert track.times()[-1] == pytest.approx((n - 1) * HOP / SR)
    assert track.voiced_prob.min() >= 0.0 and track.voiced_prob.max() <= 1.0
    inner = track.voiced[5:-5]  # across the block boundary every frame is the same note
    assert inner.all() and np.all(np.abs(track.f0_hz[5:-5] - 330) < 2)


# The octave trap: a weak fundamental and weak odd partials make the half period almost as
# periodic as the period itself, so YIN's "first dip below 0.1" reports the octave above.
TRAP = [0.2, 1.0, 0.1, 0.6, 0.1, 0.4]


@pytest.mark.parametrize("f0", [65.0, 98.0, 196.0, 392.0])
def test_octave_trap_is_corrected_and_correction_matters(f0):
    y = harmonic(f0, 1.0, TRAP)
    truth = np.full(1 + len(y) // HOP, f0)
    corrected = track_pitch(y, sr=SR)
    plain = track_pitch(y, sr=SR, octave_correction=False)
    assert corrected.voiced.mean() >= 0.9
    assert np.mean(cents_off(corrected, truth) < 50) >= 0.95
    assert np.mean(cents_off(plain, truth) < 50) <= 0.2
    assert np.median(plain.f0_hz[plain.voiced]) == pytest.approx(2 * f0, rel=0.01)


def test_each_correction_part_alone_beats_plain_yin_on_the_trap():
    y = harmonic(98.0, 1.0, TRAP)
    truth = np.full(1 + len(y) // HOP, 98.0)
    shift_only = track_pitch(y, sr=SR, viterbi=False, shift_check=True)
    both = track_pitch(y, sr=SR, shift_check=True)
    assert np.mean(cents_off(shift_only, truth) < 50) >= 0.9
    assert np.mean(cents_off(both, truth) < 50) >= 0.95


def test_vibrato_is_followed():
    t = np.arange(2 * SR) / SR
    f0 = 330.0 * 2 ** (0.6 / 12 * np.sin(2 * np.pi * 5.5 * t))  # ±60 cents at 5.5 Hz
    y = harmonic(f0, 2.0, [1.0, 0.5, 0.3, 0.2])
    track = track_pitch(y, sr=SR)
    truth = np.interp(track.times(), t, f0)
    assert track.voiced.mean() >= 0.95
    assert np.mean(cents_off(track, truth) < 50) >= 0.95


def test_silence_is_unvoiced():
    track = track_pitch(np.zeros(SR, dtype=np.float32), sr=SR)
    assert not track.voiced.any()
    assert np.all(track.voiced_prob == 0)


def test_white_noise_is_mostly_unvoiced():
    noise = 0.1 * np.random.default_rng(0).standard_normal(2 * SR)
    track = track_pitch(noise, sr=SR)
    assert track.voiced.mean() <= 0.1
    assert track.voiced_prob.mean() < 0.5


def test_tone_then_silence_voicing_boundary():
    y = np.concatenate([harmonic(220.0, 1.0, [1.0, 0.5]), np.zeros(SR)])
    track = track_pitch(y, sr=SR)
    t = track.times()
    assert track.voiced[(t > 0.1) & (t < 0.9)].all()
    assert not track.voiced[t > 1.15].any()


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"sr": 0}, "sr=0"),
        ({"sr": 22050.5}, "sr=22050.5"),
        ({"hop_length": 0}, "hop_length=0"),
        ({"frame_length": -1}, "frame_length=-1"),
        ({"fmin": -5.0}, "fmin=-5.0"),
        ({"fmax": 20000.0}, "fmax=20000.0"),
        ({"fmin": 500.0, "fmax": 400.0}, "fmax=400.0"),
        ({"frame_length": 1024}, "frame_length=1024"),  # too short for two periods of 30 Hz
    ],
)
def test_bad_parameters_name_the_value(kwargs, bad):
    args = {"sr": SR, **kwargs}
    with pytest.raises(ValueError, match=bad.replace(".", r"\.")):
        track_pitch(np.zeros(4096, dtype=np.float32), **args)


def test_bad_signals_are_refused():
    with pytest.raises(ValueError, match="mono"):
        track_pitch(np.zeros((2, 4096)), sr=SR)
    with pytest.raises(ValueError, match="NaN"):
        track_pitch(np.array([0.0, np.nan] * 2048), sr=SR)


@pytest.mark.parametrize("f0", [110.0, 220.0, 330.0])
@pytest.mark.parametrize("interval", [7, 5])  # the previous note a fifth or a fourth above
def test_previous_note_tail_does_not_pull_the_period_down(f0, interval):
    """A new note under the decaying tail of the previous one (a hall): the mixture is periodic
    at the common period 2T or 3T, whose dip is deepest; the note is f0 (the fundamental check)."""
    t = np.arange(SR) / SR
    amps = [1.0, 0.6, 0.4, 0.3, 0.2]
    tail = 0.9 * np.exp(-t / 0.5) * harmonic(f0 * 2 ** (interval / 12), 1.0, amps)
    track = track_pitch(harmonic(f0, 1.0, amps) + tail, sr=SR)
    truth = np.full(len(track.f0_hz), f0)
    assert track.voiced.mean() >= 0.95
    assert np.mean(cents_off(track, truth) < 50) >= 0.9


@pytest.mark.parametrize("f0", [65.0, 110.0, 220.0, 440.0])
def test_a_missing_fundamental_is_still_heard_at_its_period(f0):
    """Partials 2–6 only: periodic at 1/f0 and heard at f0, so the penalty for a weak fundamental
    must stay below what choosing another period would cost."""
    track = track_pitch(harmonic(f0, 1.0, [0.0, 1.0, 0.8, 0.6, 0.5, 0.4]), sr=SR)
    truth = np.full(len(track.f0_hz), f0)
    assert track.voiced.mean() >= 0.95
    assert np.mean(cents_off(track, truth) < 50) >= 0.95


def _textbook_viterbi(local: np.ndarray, log_tau: np.ndarray) -> np.ndarray:
    """The frame-by-frame recursion that ``octave._viterbi`` computes in runs side by side."""
    n, s = local.shape
    back = np.zeros((n, s), dtype=int)
    acc = local[0].copy()
    for t in range(1, n):
        trans = np.full((s, s), octave._VOICING_SWITCH)
        trans[:-1, :-1] = octave._JUMP_COST * np.abs(log_tau[t, None, :] - log_tau[t - 1, :, None])
        trans[-1, -1] = 0.0
        total = acc[:, None] + trans + local[t]
        back[t] = total.argmin(axis=0)
        acc = total.min(axis=0)
    states = [int(acc.argmin())]
    for t in range(n - 1, 0, -1):
        states.append(int(back[t, states[-1]]))
    return np.array(states[::-1])


@pytest.mark.parametrize("n", [2, 3, 33, 64, 65, 4097, 9000])
def test_viterbi_in_runs_finds_the_textbook_path(n):
    """Lengths around the run (32) and block (4,096) sizes, where the padding matters."""
    rng = np.random.default_rng(n)
    local = rng.random((n, 8))
    local[rng.random((n, 8)) < 0.1] = 1e6  # absent candidates
    log_tau = rng.random((n, 7)) * 5
    np.testing.assert_array_equal(
        octave._viterbi(local, log_tau), _textbook_viterbi(local, log_tau)
    )
