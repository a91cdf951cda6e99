import json

import numpy as np
import pytest

from player.analysis.cli import main
from tests.analysis.synth import melody, tone, write, write_corrupt

FIELDS = {
    "sample_rate", "hop_s", "f0_hz", "voiced", "notes", "note_spectrum_shape", "segments",
    "content_vector", "analysis_version", "seconds", "key", "tuning_hz",
}  # fmt: skip


def frames(seconds, hop_s):
    """Frames centred at 0, hop, 2 hop … before the end."""
    return -(-round(seconds * 22050) // round(hop_s * 22050))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    return {
        "tone": write(d / "a3.wav", tone(57, 6.0)),
        "melody": write(d / "melody.flac", melody(16, seed=7)),
        "corrupt": write_corrupt(d / "broken.wav"),
    }


def test_json_per_file_with_every_field(files, capsys):
    assert main([str(files["tone"]), str(files["melody"]), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) >= FIELDS and set(second) >= FIELDS
    assert first["sample_rate"] == 22050 and first["hop_s"] == pytest.approx(0.01, abs=1e-4)
    f0 = np.array(first["f0_hz"])
    assert len(f0) == len(first["voiced"]) == frames(6.0, first["hop_s"])
    assert np.median(f0[f0 > 0]) == pytest.approx(220.0, rel=0.01)
    assert [n[2] for n in first["notes"]] == [57]
    assert first["note_spectrum_shape"] == [88, 151]
    starts = [s[0] for s in first["segments"]]
    assert starts == pytest.approx([0.0, 1.9955, 3.991], abs=1e-3)
    for _, _, p in first["segments"] + second["segments"]:
        assert sum(p) == pytest.approx(1.0, abs=1e-3)
    assert np.linalg.norm(first["content_vector"]) == pytest.approx(1.0, abs=1e-4)
    assert len(second["notes"]) >= 12


def test_hop_option_changes_the_frame_rate(files, capsys):
    assert main([str(files["tone"]), "--json", "--hop-s", "0.02"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["hop_s"] == pytest.approx(0.02, abs=1e-4)
    assert len(record["f0_hz"]) == frames(6.0, record["hop_s"]) == 300


def test_a_corrupt_file_is_reported_and_fails_the_run(files, capsys):
    code = main([str(files["corrupt"]), str(files["tone"])])
    out, err = capsys.readouterr()
    assert code == 1
    assert "broken.wav: cannot be decoded" in err
    assert out.startswith(str(files["tone"])) and "1 notes" in out


def e_major_cadence(a4: float = 440.0) -> np.ndarray:
    """I–IV–V–I in E major, two seconds a chord, at concert pitch ``a4``."""
    shift = 12 * np.log2(a4 / 440.0)
    chords = [(52, 56, 59, 64), (57, 61, 64, 69), (59, 63, 66, 71), (52, 56, 59, 64)]
    return np.concatenate([sum(tone(m + shift, 2.0) for m in chord) for chord in chords])


def test_key_and_concert_pitch_from_audio_and_from_the_title(tmp_path, capsys):
    import mutagen.flac

    plain = write(tmp_path / "cadence.flac", e_major_cadence())
    # F major at A = 415 sounds like E major a hair (1.2 cents) below A = 440
    titled = write(tmp_path / "titled.flac", e_major_cadence(415.0 * 2 ** (1 / 12)))
    tags = mutagen.flac.FLAC(titled)
    tags["title"] = "Chorale in F major"
    tags.save()
    assert main([str(plain), str(titled), "--json"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["key"] == "E major" and first["tuning_hz"] == pytest.approx(440.0, abs=0.5)
    # at A = 415 the audio alone says E major; the title says F major: period pitch
    assert second["key"] == "F major" and second["tuning_hz"] == pytest.approx(415.0, abs=0.5)
