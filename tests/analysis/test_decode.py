import tracemalloc

import numpy as np
import pytest
import soxr

from player.analysis.decode import stream_mono
from player.analysis.pipeline import analyse_file, analyse_stream
from player.analysis.segments import SegmentClassModel
from player.errors import AudioError
from tests.analysis.synth import SR, melody, tone, write, write_corrupt


def test_blocks_are_bounded_and_join_to_a_one_shot_resampling(tmp_path):
    stereo = np.stack([melody(12, seed=1, sr=44_100), melody(12, seed=2, sr=44_100)], axis=1)
    path = write(tmp_path / "s.flac", stereo, 44_100)
    blocks = list(stream_mono(path, block_s=0.7))
    assert max(len(b) for b in blocks) <= 0.75 * SR  # one block plus the resampler's delay
    joined = np.concatenate(blocks)
    whole = soxr.resample(stereo.mean(axis=1), 44_100, SR)
    assert len(joined) == len(whole)
    np.testing.assert_allclose(joined, whole, atol=2e-4)


def test_undecodable_file_is_an_audio_error_naming_it(tmp_path):
    path = write_corrupt(tmp_path / "broken.wav")
    with pytest.raises(AudioError) as info:
        list(stream_mono(path))
    assert info.value.short == "cannot be decoded" and "broken.wav" in info.value.detail
    with pytest.raises(AudioError, match="file not found"):
        next(stream_mono(tmp_path / "gone.flac"))


@pytest.mark.parametrize(
    ("signal", "reason"),
    [(np.zeros(SR * 3, np.float32), "silent"), (tone(69, 0.05), "shorter than one frame")],
)
def test_silent_and_too_short_files_get_a_reason(tmp_path, signal, reason):
    with pytest.raises(AudioError) as info:
        analyse_file(write(tmp_path / "x.wav", signal), model=None)
    assert info.value.short == reason


def test_chunked_analysis_gives_the_whole_file_histogram(tmp_path):
    model = SegmentClassModel.load()
    path = write(tmp_path / "m.wav", melody(70, seed=3))  # 35 s
    whole = analyse_file(path, model=model, chunk_s=1000.0)
    chunked = analyse_file(path, model=model, chunk_s=6.0)
    np.testing.assert_array_equal(whole.segment_bounds_s, chunked.segment_bounds_s)
    assert len(whole.segment_bounds_s) == 17
    assert np.mean(whole.f0_hz == chunked.f0_hz) > 0.99
    np.testing.assert_allclose(
        chunked.histogram, whole.histogram, atol=0.05 * whole.histogram.max()
    )
    assert whole.histogram.sum() == pytest.approx(17, rel=1e-4)


def test_memory_does_not_grow_with_the_length_of_the_stream():
    """30 s and 90 s streamed in 10 s chunks reach the same peak."""
    block = melody(20, seed=4)  # 10 s

    def peak_for(n_blocks):
        tracemalloc.start()
        analysis = analyse_stream((block for _ in range(n_blocks)), model=None, chunk_s=10.0)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert analysis.duration_s == pytest.approx(10.0 * n_blocks, abs=0.01)
        return peak

    short, long = peak_for(3), peak_for(9)
    assert long < 1.1 * short, f"peak {short / 1e6:.1f} MB for 30 s, {long / 1e6:.1f} MB for 90 s"
