"""PortAudioBackend on the private PulseAudio null sink, with real files written by soundfile."""

from __future__ import annotations

import time

import pytest
import sounddevice as sd

from player.audio.backend import EndReason, Playable, PlaybackState
from tests.audio.conftest import write_sine


def test_output_goes_to_a_real_device(backend):
    assert sd.query_devices(kind="output")["max_output_channels"] >= 2
    assert backend.name.startswith("PortAudio: ")
    assert any(d.is_default for d in backend.output_devices())


@pytest.mark.parametrize(
    ("name", "rate", "channels"),
    [("a.flac", 48000, 2), ("b.ogg", 44100, 1), ("c.wav", 22050, 2)],
)
def test_plays_to_the_end_and_hears_the_whole_track(
    backend, recorder, tmp_path, name, rate, channels
):
    item = write_sine(tmp_path / name, seconds=0.8, rate=rate, channels=channels)
    dry = backend.ring_underruns
    backend.play(item)
    ended = recorder.wait_for("ended")
    assert recorder.events[0] == ("started", name)
    assert ended[0][2] is EndReason.FINISHED
    assert ended[0][3] == pytest.approx(800, abs=15)  # resampled length matches the file's
    assert recorder.end_states == [PlaybackState.STOPPED]  # already when the listener hears it
    assert backend.ring_underruns == dry


def test_callback_margin_reports_the_gaps_between_callbacks(backend, recorder, tmp_path):
    backend.callback_margin()
    backend.play(write_sine(tmp_path / "m.flac", seconds=0.5, rate=48000))
    recorder.wait_for("ended")
    margin = backend.callback_margin()
    assert margin["latency_ms"] > 0 and margin["block_ms"] > 0
    assert margin["max_gap_ms"] >= 0.5 * margin["block_ms"]  # callbacks came about once a block
    assert margin["margin_ms"] == pytest.approx(
        margin["latency_ms"] - max(margin["max_gap_ms"] - margin["block_ms"], 0), abs=0.2
    )


def test_gapless_chain_starts_each_track_when_it_is_heard(backend, recorder, tmp_path):
    items = [
        write_sine(tmp_path / f"{i}.flac", seconds=0.6, rate=rate)
        for i, rate in enumerate([48000, 44100, 48000])
    ]
    dry = backend.ring_underruns
    backend.play(items[0])
    backend.set_next(items[1])
    recorder.wait_for("started", 2)
    backend.set_next(items[2])  # the second is already all in the ring: the third follows it
    recorder.wait_for("ended", 3)
    kinds = [(e[0], e[1]) for e in recorder.events]
    assert kinds == [
        ("started", "0.flac"), ("ended", "0.flac"),
        ("started", "1.flac"), ("ended", "1.flac"),
        ("started", "2.flac"), ("ended", "2.flac"),
    ]  # fmt: skip
    heard = [e[3] for e in recorder.events if e[0] == "ended"]
    assert all(e[2] is EndReason.FINISHED for e in recorder.events if e[0] == "ended")
    assert heard == pytest.approx([600, 600, 600], abs=15)
    assert recorder.end_states == [PlaybackState.PLAYING] * 2 + [PlaybackState.STOPPED]
    assert backend.ring_underruns == dry  # no silence was put between them


def test_a_buffered_successor_can_still_be_replaced(backend, recorder, tmp_path):
    first = write_sine(tmp_path / "first.flac", seconds=2.0, rate=48000)
    backend.play(first)
    backend.set_next(write_sine(tmp_path / "old.flac", seconds=0.5, rate=48000))
    recorder.wait_for("started")
    while backend.position_s < 1.5:  # the ring (1 s) now holds the old successor's start
        time.sleep(0.02)
    backend.set_next(write_sine(tmp_path / "new.flac", seconds=0.5, rate=44100))
    recorder.wait_for("ended", 2)
    assert [e[:3] for e in recorder.events] == [
        ("started", "first.flac"), ("ended", "first.flac", EndReason.FINISHED),
        ("started", "new.flac"), ("ended", "new.flac", EndReason.FINISHED),
    ]  # fmt: skip
    assert [e[3] for e in recorder.events if e[0] == "ended"] == pytest.approx([2000, 500], abs=15)


def test_position_follows_what_is_heard_and_seek_moves_it(backend, recorder, tmp_path):
    item = write_sine(tmp_path / "long.flac", seconds=2.0, rate=44100)
    backend.play(item)
    recorder.wait_for("started")
    begun = time.monotonic()
    time.sleep(0.3)
    before_seek = backend.position_s
    assert 0.25 <= before_seek <= time.monotonic() - begun + 0.05
    assert backend.current is item
    assert backend.duration_s == pytest.approx(2.0)
    backend.seek(1.5)
    assert backend.position_s == pytest.approx(1.5, abs=0.01)  # at once, before it is heard
    sought = time.monotonic()
    time.sleep(0.2)
    assert 1.65 <= backend.position_s <= 1.5 + time.monotonic() - sought + 0.05
    ended = recorder.wait_for("ended")
    assert ended[0][2] is EndReason.FINISHED
    assert before_seek * 1000 + 490 <= ended[0][3] <= before_seek * 1000 + 650  # heard, not 2 s


def test_pause_holds_position_and_resume_goes_on(backend, recorder, tmp_path):
    item = write_sine(tmp_path / "p.flac", seconds=1.0, rate=48000)
    backend.play(item)
    recorder.wait_for("started")
    time.sleep(0.2)
    backend.pause()
    assert backend.state is PlaybackState.PAUSED
    time.sleep(0.1)  # a callback that was copying when pause() came finishes
    held = backend.position_s
    time.sleep(0.4)
    assert backend.position_s == held
    backend.seek(0.5)  # while paused: shown at once, heard after resume
    time.sleep(0.2)
    assert backend.position_s == 0.5
    backend.resume()
    ended = recorder.wait_for("ended")
    assert ended[0][2] is EndReason.FINISHED
    assert held * 1000 + 495 <= ended[0][3] <= held * 1000 + 520


def test_stop_and_replace_say_how_the_track_ended(backend, recorder, tmp_path):
    first = write_sine(tmp_path / "1.flac", seconds=2.0, rate=48000)
    second = write_sine(tmp_path / "2.flac", seconds=2.0, rate=48000)
    backend.play(first)
    recorder.wait_for("started")
    time.sleep(0.3)
    heard = [backend.position_s]
    backend.play(second)
    recorder.wait_for("started", 2)
    time.sleep(0.3)
    heard.append(backend.position_s)
    backend.stop()
    ended = recorder.wait_for("ended", 2)
    assert [e[1:3] for e in ended] == [("1.flac", EndReason.SKIPPED), ("2.flac", EndReason.STOPPED)]
    for event, position in zip(ended, heard, strict=True):
        assert position * 1000 - 5 <= event[3] <= position * 1000 + 150
    assert backend.state is PlaybackState.STOPPED
    assert backend.current is None


def test_undecodable_file_reports_an_error_and_the_next_still_plays(backend, recorder, tmp_path):
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + bytes(range(256)) * 8)
    backend.play(Playable(broken))
    error = recorder.wait_for("error")[0]
    assert error[1] == "broken.flac" and "Cannot play broken.flac" in error[2]
    backend.play(write_sine(tmp_path / "ok.flac", seconds=0.5, rate=48000))
    assert recorder.wait_for("ended")[0][1:3] == ("ok.flac", EndReason.FINISHED)


def test_file_broken_midway_ends_with_error_and_the_successor_follows(backend, recorder, tmp_path):
    whole = write_sine(tmp_path / "whole.flac", seconds=1.0, rate=48000).path.read_bytes()
    truncated = tmp_path / "truncated.flac"
    truncated.write_bytes(whole[: len(whole) // 2])
    backend.play(Playable(truncated))
    backend.set_next(write_sine(tmp_path / "after.flac", seconds=0.5, rate=48000))
    recorder.wait_for("ended", 2)
    assert [e[:3] for e in recorder.events if e[0] != "error"] == [
        ("started", "truncated.flac"), ("ended", "truncated.flac", EndReason.ERROR),
        ("started", "after.flac"), ("ended", "after.flac", EndReason.FINISHED),
    ]  # fmt: skip
    assert "truncated.flac" in recorder.wait_for("error")[0][2]
    assert 0 < recorder.wait_for("ended")[0][3] < 1000


def test_output_device_can_change_while_playing(backend, recorder, tmp_path):
    backend.play(write_sine(tmp_path / "d.flac", seconds=1.5, rate=48000))
    recorder.wait_for("started")
    other = next(d for d in backend.output_devices() if not d.is_default)
    backend.set_output_device(other.index)
    backend.set_output_device(12345)  # no such device: an error, and playback goes on
    assert "Cannot use that sound output" in recorder.wait_for("error")[0][2]
    ended = recorder.wait_for("ended")
    assert ended[0][1:3] == ("d.flac", EndReason.FINISHED)
    assert other.name in backend.name
    backend.set_output_device(None)


def test_output_that_stops_by_itself_ends_the_play_with_error(backend, recorder, tmp_path):
    item = write_sine(tmp_path / "lost.flac", seconds=1.5, rate=48000)
    backend.play(item)
    recorder.wait_for("started")
    backend._stream.abort()  # what PortAudio does when the device goes away
    assert "The sound output stopped" in recorder.wait_for("error")[0][2]
    assert recorder.wait_for("ended")[0][2] is EndReason.ERROR
    assert backend.state is PlaybackState.STOPPED
    backend.play(item)  # the output is opened again
    assert recorder.wait_for("ended", 2)[1][1:3] == ("lost.flac", EndReason.FINISHED)


def test_volume_and_replaygain_scale_the_frames(backend, recorder, tmp_path):
    """What reaches the device is read back from the null sink's monitor."""
    import numpy as np

    item = write_sine(tmp_path / "v.flac", seconds=1.5, rate=48000, amplitude=0.5)
    quieter = Playable(item.path, replaygain_db=-6.0, replaygain_peak=0.5)
    captured = []
    with sd.InputStream(samplerate=48000, channels=2, dtype="float32",
                        callback=lambda d, *_: captured.append(d.copy())):  # fmt: skip
        backend.set_volume(0.5)
        backend.play(quieter)
        recorder.wait_for("ended")
        backend.set_volume(1.0)
    peaks = np.array([np.abs(block).max() for block in captured])
    level = np.median(peaks[peaks > 0.01])  # the monitor may start with an earlier test's tail
    assert level == pytest.approx(0.5 * 0.5 * 10 ** (-6 / 20), rel=0.05)


def test_underrun_counters_are_readable(backend):
    assert isinstance(backend.underruns, int) and backend.underruns >= 0
    assert isinstance(backend.ring_underruns, int) and backend.ring_underruns >= 0
