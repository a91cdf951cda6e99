"""A recording's key and concert pitch as the window shows them (issue 10: "shown per recording")."""

from __future__ import annotations

import pytest

from player.domain.keys import pitch_label, recording_pitch, shown_key


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("F# minor", "F♯ minor"),
        ("Bb major", "B♭ major"),
        ("C major", "C major"),
        ("Eb minor", "E♭ minor"),
    ],
)
def test_stored_key_names_read_with_sharp_and_flat_signs(stored, shown):
    assert shown_key(stored) == shown


@pytest.mark.parametrize(
    ("movements", "expected"),
    [
        ([("F# minor", 415.3), ("A major", 415.0), ("F# minor", 416.0)], ("F# minor", 415.3)),
        ([("", 0.0), ("G minor", 430.0), ("", 432.0)], ("G minor", 431.0)),  # first known key
        ([("", 0.0), ("", 0.0)], ("", 0.0)),
        ([("D major", 440.0), ("D major", 440.0), ("D major", 466.2)], ("D major", 440.0)),
    ],
)
def test_a_recordings_key_is_its_first_movements_and_its_pitch_the_median(movements, expected):
    assert recording_pitch(movements) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("key", "hz", "label"),
    [
        ("F# minor", 415.3, "F♯ minor · A = 415 Hz"),
        ("", 443.8, "A = 444 Hz"),
        ("Bb major", 0.0, "B♭ major"),
        ("", 0.0, ""),
    ],
)
def test_the_label(key, hz, label):
    assert pitch_label(key, hz) == label
