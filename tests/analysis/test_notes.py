"""Notes from an f0 track (player.analysis.notes), on built tracks and a rendered melody."""

from __future__ import annotations

import numpy as np
import pytest

from player.analysis.notes import notes_from_pitch
from player.analysis.pitch import PitchTrack, track_pitch
from tests.benchmarks.pitch_clips import decode_mono, have_fluidsynth, render_notes

HOP_S = 0.01


def midi_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def track_of(*runs: tuple[float, int]) -> PitchTrack:
    """A track from (f0_hz, n_frames) runs; 0 Hz is unvoiced."""
    f0 = np.concatenate(
        [np.full(n, f, dtype=np.float32) for f, n in runs] or [np.zeros(0, np.float32)]
    )
    return PitchTrack(
        f0_hz=f0, voiced_prob=(f0 > 0).astype(np.float32), hop_s=HOP_S, sample_rate=22_050
    )


def test_runs_become_notes_with_their_times():
    notes = notes_from_pitch(
        track_of((0, 10), (midi_hz(60), 30), (midi_hz(64), 20), (0, 5), (midi_hz(64), 40))
    )
    assert [m for _, _, m in notes] == [60, 64, 64]
    assert notes[0][:2] == pytest.approx((0.10, 0.40))
    assert notes[1][:2] == pytest.approx((0.40, 0.60))
    assert notes[2][:2] == pytest.approx((0.65, 1.05))


def test_short_slips_join_the_held_note_and_short_notes_are_dropped():
    a4, slip = midi_hz(69), midi_hz(81)
    notes = notes_from_pitch(
        track_of((a4, 30), (slip, 2), (a4, 30), (0, 10), (midi_hz(72), 3), (0, 10))
    )
    assert len(notes) == 1
    assert notes[0][2] == 69
    assert notes[0][:2] == pytest.approx((0.0, 0.62))


def test_vibrato_within_a_semitone_stays_one_note():
    cents = 40 * np.sin(2 * np.pi * 5.5 * np.arange(100) * HOP_S)
    f0 = (midi_hz(67) * 2 ** (cents / 1200)).astype(np.float32)
    track = PitchTrack(
        f0_hz=f0, voiced_prob=np.ones(100, np.float32), hop_s=HOP_S, sample_rate=22_050
    )
    assert [m for _, _, m in notes_from_pitch(track)] == [67]


def test_min_duration_controls_what_counts_as_a_note():
    track = track_of((midi_hz(60), 5), (0, 20), (midi_hz(62), 12))
    assert [m for _, _, m in notes_from_pitch(track, min_duration_s=0.04)] == [60, 62]
    assert [m for _, _, m in notes_from_pitch(track, min_duration_s=0.1)] == [62]


def test_empty_and_silent_tracks_have_no_notes():
    assert notes_from_pitch(track_of()) == []
    assert notes_from_pitch(track_of((0, 50))) == []


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan")])
def test_bad_min_duration_names_the_value(bad):
    with pytest.raises(ValueError, match=f"min_duration_s.*{bad}"):
        notes_from_pitch(track_of((midi_hz(60), 10)), min_duration_s=bad)


@pytest.mark.skipif(
    not have_fluidsynth(), reason="fluidsynth or the FluidR3_GM sound font is missing"
)
def test_rendered_melody_gives_back_its_notes(tmp_path):
    score = [
        (0.0, 0.4, 67),
        (0.4, 0.8, 69),
        (0.8, 1.2, 71),
        (1.2, 2.0, 72),
        (2.3, 2.7, 64),
        (2.7, 3.5, 62),
    ]
    y, sr = decode_mono(render_notes(score, tmp_path / "melody.wav", program=68))  # oboe
    notes = notes_from_pitch(track_pitch(y, sr=sr))
    assert [m for _, _, m in notes] == [m for _, _, m in score]
    onsets = np.array([on for on, _, _ in notes])
    assert np.abs(onsets - [on for on, _, _ in score]).max() < 0.06
