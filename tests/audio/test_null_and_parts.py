"""NullBackend, open_backend, and the engine's pure parts (ring, gain, timeline, channel mix)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from player.audio import open_backend
from player.audio.backend import EndReason, Playable, PlaybackState
from player.audio.decoder import TrackDecoder, channel_matrix
from player.audio.gain import OutputGain, replaygain_factor
from player.audio.null import NullBackend
from player.audio.ring import FrameRing
from player.audio.timeline import Timeline, TrackPlay
from tests.audio.conftest import Recorder, wait_until, write_sine


def test_null_backend_keeps_time_and_chains_tracks(tmp_path):
    rec = Recorder()
    backend = NullBackend(rec, unavailable_reason="no device")
    rec.backend = backend
    assert backend.name == "No sound output"
    first = write_sine(tmp_path / "a.wav", seconds=0.4, rate=8000)
    asked = time.monotonic()
    backend.play(first)
    backend.set_next(write_sine(tmp_path / "b.flac", seconds=0.3, rate=8000, channels=1))
    rec.wait_for("started")
    wait_until(lambda: backend.position_s >= 0.2, what="0.2 s played")
    assert backend.position_s <= time.monotonic() - asked  # it keeps time, never runs ahead
    assert backend.duration_s == pytest.approx(0.4)
    ended = rec.wait_for("ended", 2)
    assert [(e[1], e[2]) for e in ended] == [
        ("a.wav", EndReason.FINISHED),
        ("b.flac", EndReason.FINISHED),
    ]
    assert [e[3] for e in ended] == pytest.approx([400, 300], abs=20)
    assert rec.end_states == [PlaybackState.PLAYING, PlaybackState.STOPPED]
    backend.play(Playable(tmp_path / "missing.flac"))
    missing = rec.wait_for("error")[0][2]
    assert "Cannot play missing.flac" in missing and "is not on disk" in missing
    (tmp_path / "damaged.flac").write_bytes(b"fLaC" + b"\x00" * 64)
    backend.play(Playable(tmp_path / "damaged.flac"))
    damaged = rec.wait_for("error", 2)[1][2]
    assert "Cannot play damaged.flac" in damaged and "could not be decoded" in damaged
    backend.close()


def test_open_backend_gives_the_sound_card_and_close_ends_the_play(tmp_path):
    rec = Recorder()
    backend = open_backend(listener=rec)
    try:
        assert backend.name.startswith("PortAudio")
        assert backend.unavailable_reason == ""
        backend.play(write_sine(tmp_path / "c.flac", seconds=5.0, rate=48000))
        rec.wait_for("started")
    finally:
        backend.close()
    assert rec.events[-1][:3] == ("ended", "c.flac", EndReason.STOPPED)


def test_open_backend_falls_back_with_a_reason_when_the_device_is_missing():
    backend = open_backend(device=9999)
    assert backend.name == "No sound output"
    assert "No sound output could be opened" in backend.unavailable_reason
    backend.close()


def test_ring_wraps_and_moves_its_read_position_over_and_back():
    ring = FrameRing(4, 1)
    ring.write(np.arange(3, dtype=np.float32)[:, None])
    out = np.empty((2, 1), dtype=np.float32)
    assert ring.read_into(out) == 2 and out[:, 0].tolist() == [0, 1]
    ring.write(np.array([[3], [4], [5]], dtype=np.float32))  # wraps around
    ring.move_read(4)  # over frames 2 and 3 (dropped)
    assert ring.read_into(out) == 2 and out[:, 0].tolist() == [4, 5]
    ring.move_read(3)  # back to a frame still held
    assert ring.read_into(out) == 2 and out[:, 0].tolist() == [3, 4]
    with pytest.raises(ValueError, match="not held"):
        ring.move_read(1)  # overwritten by frame 5
    assert ring.read_into(out) == 1 and out[:, 0].tolist() == [5, 0]


def test_replaygain_never_clips_and_the_volume_moves_across_one_block():
    assert replaygain_factor(gain_db=6.0, peak=0.8) == pytest.approx(1 / 0.8)
    assert replaygain_factor(gain_db=-6.0, peak=0.5) == pytest.approx(10 ** (-6 / 20))
    assert replaygain_factor(gain_db=None, peak=None) == 1.0
    gain = OutputGain(4)
    block = np.ones((4, 2), dtype=np.float32)
    gain.apply(block, 0.0)
    assert block[:, 0].tolist() == pytest.approx([0.75, 0.5, 0.25, 0.0])
    block = np.ones((4, 2), dtype=np.float32)
    gain.apply(block, 0.0)
    assert block.tolist() == [[0.0, 0.0]] * 4
    block = np.ones((2, 2), dtype=np.float32)  # a short block takes the ramp's last steps
    gain.apply(block, 1.0)
    assert block[:, 1].tolist() == pytest.approx([0.75, 1.0])


def test_channel_mix_handles_any_count():
    assert channel_matrix(2, 2) is None
    assert channel_matrix(1, 2).tolist() == [[1.0, 1.0]]
    six = channel_matrix(6, 2)
    assert six.sum(axis=0).tolist() == pytest.approx([1.0, 1.0])


def test_decoder_resamples_mono_to_stereo_with_the_right_length(tmp_path):
    item = write_sine(tmp_path / "m.flac", seconds=1.0, rate=44100, channels=1)
    decoder = TrackDecoder(item, out_rate=48000, out_channels=2)
    blocks = []
    while not decoder.finished:
        blocks.append(decoder.read())
    frames = np.concatenate(blocks)
    assert frames.shape[1] == 2 and abs(len(frames) - 48000) <= 2
    assert np.abs(frames[1000:-1000]).max() == pytest.approx(0.5, abs=0.01)


def test_timeline_counts_heard_frames_across_a_skip():
    timeline = Timeline(1000)
    a = TrackPlay(Playable(Path("a")), 1.0, start=0)
    timeline.begin(a, at=0, pos_s=0.0)
    b = TrackPlay(Playable(Path("b")), 1.0, start=800)
    timeline.begin(b, at=800, pos_s=0.0, flush=EndReason.SKIPPED)
    timeline.jump(300, 800)
    events = timeline.advance(1000)
    assert [(e.kind, e.play.item.path.name, e.reason, e.ms_heard) for e in events] == [
        ("started", "a", None, 0),
        ("ended", "a", EndReason.SKIPPED, 300),
        ("started", "b", None, 0),
    ]
    cursor, plays = timeline.snapshot()
    assert cursor == 1000 and [(p.item.path.name, p.heard, s.start) for p, s in plays] == [
        ("b", 200, 800)
    ]


def test_null_backend_pauses_seeks_and_stops(tmp_path):
    rec = Recorder()
    backend = NullBackend(rec)
    backend.play(write_sine(tmp_path / "p.wav", seconds=2.0, rate=8000))
    rec.wait_for("started")
    wait_until(lambda: backend.position_s >= 0.1, what="0.1 s played")  # heard before the pause
    backend.pause()
    held = backend.position_s
    time.sleep(0.2)
    assert backend.state is PlaybackState.PAUSED and backend.position_s == held
    backend.seek(1.0)
    assert backend.position_s == 1.0
    backend.resume()
    wait_until(lambda: backend.position_s >= 1.1, what="0.1 s played after the seek")
    after_seek, read = backend.position_s - 1.0, time.monotonic()
    backend.stop()
    ended = rec.wait_for("ended")[0]
    assert ended[2] is EndReason.STOPPED
    low = (held + after_seek) * 1000  # heard before the pause, then from the seek on
    assert low - 1 <= ended[3] <= low + (rec.arrived(ended) - read) * 1000 + 1
    backend.close()


def test_decoder_folds_six_channels_into_two(tmp_path):
    path = tmp_path / "six.wav"
    frames = np.zeros((4800, 6), dtype=np.float32)
    frames[:, 0] = 0.6  # front left only
    sf.write(path, frames, 48000)
    decoder = TrackDecoder(Playable(path), out_rate=48000, out_channels=2)
    block = decoder.read()
    assert block.shape == (4800, 2)
    assert block[:, 0] == pytest.approx(0.6 / 3, abs=1e-3)  # 16-bit WAV
    assert block[:, 1] == pytest.approx(0.0)


def test_timeline_names_the_next_boundary_to_wake_for():
    timeline = Timeline(1000)
    a = TrackPlay(Playable(Path("a")), 1.0, start=0)
    timeline.begin(a, at=0, pos_s=0.0)
    assert timeline.next_boundary() == 1  # its first frame heard: started
    assert [e.kind for e in timeline.advance(1)] == ["started"]
    assert timeline.next_boundary() is None  # its end is not known yet
    timeline.end(a, at=1000, reason=EndReason.FINISHED)
    assert timeline.next_boundary() == 1000


def _printed_by_fresh_python(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (what it imports is its own, not the suite's)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


def test_the_engine_process_loads_no_qt_and_no_profile_code():
    """What ``python -m player.audio.child`` imports: player.audio and its needs, nothing of the
    window, the store or the recommender."""
    code = (
        "import sys, player.audio.child, player.audio.engine; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith("
        "('PySide6', 'sqlite3', 'onnxruntime', 'player.ui', 'player.store', 'player.recommend', "
        "'player.library', 'player.app')))))"
    )
    assert _printed_by_fresh_python(code).strip() == ""


def test_the_apps_end_of_the_engine_loads_no_numpy():
    """The app starts the engine before it loads Qt, on the way to the first paint: its end
    reads the shared block as a memoryview (numpy cost ~50-85 ms there)."""
    code = (
        "import sys, player.audio, player.audio.process, player.audio.status; "
        "from player.audio.status import SharedBlock, Clock, read_table; "
        "b = SharedBlock(); Clock(b.array).hold(7); t = read_table(b.array); "
        "print(Clock(b.array).heard(), t.plays, 'numpy' in sys.modules)"
    )
    assert _printed_by_fresh_python(code).split() == ["7", "()", "False"]
