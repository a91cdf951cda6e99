"""Key and concert pitch: profiles, the A = 415 ambiguity, key names in titles."""

from __future__ import annotations

import numpy as np
import pytest

from player.analysis.key import (
    MAJOR_PROFILE,
    MINOR_PROFILE,
    estimate_key,
    heard_profile,
    key_scores,
)
from player.domain.keys import Key, notated_key


@pytest.mark.parametrize("tonic", range(12))
@pytest.mark.parametrize("mode", ["major", "minor"])
def test_a_profile_rotated_to_a_key_is_that_key(tonic, mode):
    profile = MAJOR_PROFILE if mode == "major" else MINOR_PROFILE
    key, tuning_hz = estimate_key(np.roll(profile, tonic), 0.0)
    assert key == Key(tonic, mode)
    assert tuning_hz == pytest.approx(440.0)


def test_scores_are_correlations_and_a_flat_chroma_scores_nothing():
    scores = key_scores(np.roll(heard_profile(MAJOR_PROFILE), 5))
    assert scores.shape == (2, 12) and scores[0, 5] == pytest.approx(1.0)
    assert np.argmax(key_scores(np.roll(MAJOR_PROFILE, 5))[0]) == 5  # bare note counts too
    assert np.all(scores <= 1.0 + 1e-9) and np.all(scores >= -1.0 - 1e-9)
    assert not key_scores(np.ones(12)).any()
    with pytest.raises(ValueError, match="shape"):
        key_scores(np.ones(11))


def test_tuning_in_semitones_becomes_a4_in_hertz():
    _, hz = estimate_key(np.roll(MAJOR_PROFILE, 2), 12 * np.log2(443.0 / 440.0))
    assert hz == pytest.approx(443.0)


def test_a_notated_key_heard_a_semitone_low_is_period_pitch():
    heard_e_major = np.roll(MAJOR_PROFILE, 4)  # what F major at A = 415 sounds like
    tuning = (
        12 * np.log2(415.0 / 440.0) + 1
    )  # -0.012: 415 Hz is a semitone below 440 less 1.2 cents
    assert estimate_key(heard_e_major, tuning)[0].name == "E major"  # audio alone
    key, hz = estimate_key(heard_e_major, tuning, notated=Key(5, "major"))
    assert key.name == "F major"
    assert hz == pytest.approx(415.0, abs=0.05)
    key, hz = estimate_key(heard_e_major, tuning, notated=Key(4, "major"))  # at modern pitch
    assert key.name == "E major" and hz == pytest.approx(439.7, abs=0.05)


def test_key_names_spell_like_scores():
    assert [Key(t, "major").name for t in (1, 3, 6, 8, 10)] == [
        "Db major", "Eb major", "F# major", "Ab major", "Bb major"
    ]  # fmt: skip
    assert [Key(t, "minor").name for t in (1, 6, 8)] == ["C# minor", "F# minor", "G# minor"]
    with pytest.raises(ValueError, match="not a key"):
        Key(12, "major")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Symphony No. 40 in G minor, K. 550", "G minor"),
        ("Concerto in D, RV 93", "D major"),
        ("Prelude in C-sharp minor, Op. 3 No. 2", "C# minor"),
        ("Sonata in Bb major", "Bb major"),
        ("Sonata in E flat major, Hob. XVI:52", "Eb major"),
        ("Partita in A minor BWV 1013", "A minor"),
        ("Fantasia in F♯ minor", "F# minor"),
        ("Messe in h-Moll", "B minor"),
        ("Sinfonie Es-Dur", "Eb major"),
        ("Klavierkonzert fis-moll", "F# minor"),
        ("Sonate B-Dur", "Bb major"),
        ("Sonate en ré majeur", "D major"),
        ("Sonata in si bemolle maggiore", "Bb major"),
        ("Live in Amsterdam", None),
        ("Goldberg Variations", None),
        ("", None),
    ],
)
def test_the_key_a_title_names(text, name):
    key = notated_key(text)
    assert (key.name if key else None) == name


def test_the_first_text_naming_a_key_wins():
    assert notated_key("", "Cello Suite No. 1", "Suite in G major", "in D minor").name == "G major"


def test_the_ending_chroma_is_the_final_chord_however_quietly_it_closes():
    """A dominant chord for 3 s, then the tonic chord 20 dB softer for 2 s: the ending the key
    weighs is the tonic chord alone (a 4 s window reached back into the dominant), each frame
    scaled to its loudest class so the soft close counts in full."""
    from player.analysis.pipeline import analyse_stream
    from tests.analysis.synth import tone

    def chord(notes: tuple[int, ...], seconds: float, amp: float) -> np.ndarray:
        return np.sum([tone(m, seconds, amp=amp) for m in notes], axis=0)

    dominant = chord((55, 59, 62, 67), 3.0, 0.1)  # G B D G
    tonic = chord((48, 52, 55, 60), 2.0, 0.01)  # C E G C
    analysis = analyse_stream([np.concatenate([dominant, tonic])], model=None)
    ending = analysis.ending_chroma
    assert ending.max() <= 1.0 + 1e-6
    assert np.argmax(ending) == 0  # C, the root (the 4 s window named G)
    assert ending[[4, 7]].min() > 0.3  # E and G
    assert ending[2] < 0.2 * ending.max()  # D: the dominant's fifth is gone
    assert analysis.chroma[2] > 0.2 * analysis.chroma.max()  # ... though the whole track has it


def _sung(midi: int, seconds: float, formant_hz: float) -> np.ndarray:
    """A harmonic tone (30 partials falling as 1/k) through one vowel formant: partials near
    ``formant_hz`` raised by up to 20 dB, a Gaussian over log frequency (σ = 0.1 octave, a
    bandwidth like a sung vowel's first or second formant)."""
    from tests.analysis.synth import SR, midi_hz

    t = np.arange(int(seconds * SR)) / SR
    f = midi_hz(midi)
    k = np.arange(1, 31)[:, np.newaxis]
    k = k[k[:, 0] * f < SR / 2 - 500]
    gain = (1 + 10 * np.exp(-0.5 * (np.log2(k * f / formant_hz) / 0.1) ** 2)) / k
    y = (0.05 * gain * np.sin(2 * np.pi * k * f * t)).sum(axis=0)
    return (y * np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)).astype(np.float32)


@pytest.mark.parametrize("formant_hz", [554.0, 740.0])
def test_a_vowel_formant_over_fixed_notes_does_not_move_the_key(formant_hz):
    """D – G – A7 – D sung on one vowel: the formant lifts whichever partials fall near it,
    chord after chord, so an amplitude chroma leans to the formant's pitch classes (pipeline-6
    read G minor with the formant on C♯5, B minor on F♯5). The key's chroma removes the
    spectrum's smooth envelope before folding (``note_spectrum.key_chroma``): D major."""
    from player.analysis.pipeline import analyse_stream

    chords = [(50, 57, 62, 66), (55, 59, 62, 67), (57, 61, 64, 67), (50, 57, 62, 66)]
    y = np.concatenate([np.sum([_sung(m, 2.0, formant_hz) for m in c], axis=0) for c in chords])
    analysis = analyse_stream([y], model=None)
    key, _ = estimate_key(analysis.chroma, analysis.concert_tuning, ending=analysis.ending_chroma)
    assert key.name == "D major"
