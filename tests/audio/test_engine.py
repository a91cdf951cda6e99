"""The engine process (ProcessBackend) on the private PulseAudio null sink, with real files."""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import sounddevice as sd
import soundfile as sf

from player.audio.backend import EndReason, Playable, PlaybackState
from player.audio.engine import BLOCK_FRAMES
from tests.audio.conftest import wait_until, write_sine


@contextlib.contextmanager
def sink_monitor(tmp_path, rate: int) -> Iterator[Callable[[], np.ndarray]]:  # noqa: ANN001
    """Record the null sink's monitor with ``parec`` (outside this process) while the body
    plays; the body ends by waiting for the last track's ``ended``. Yields a function that
    returns the left channel heard — call it after the block, once 0.5 s more was recorded."""
    if shutil.which("parec") is None:
        pytest.skip("parec (PulseAudio's recorder) is not installed")
    capture = tmp_path / "monitor.raw"
    with capture.open("wb") as out:
        parec = subprocess.Popen(
            ["parec", "--raw", "--format=float32le", f"--rate={rate}", "--channels=2",
             "--device=null.monitor"],
            stdout=out,
        )  # fmt: skip
        try:
            wait_until(lambda: capture.stat().st_size > 0, what="parec recording")
            yield lambda: np.fromfile(capture, dtype="<f4").reshape(-1, 2)[:, 0]
            size = capture.stat().st_size
            wait_until(lambda: capture.stat().st_size > size + 8 * rate // 2, what="0.5 s more")
        finally:
            parec.terminate()
            parec.wait(timeout=5)


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


def test_gapless_chain_starts_each_track_when_it_is_heard(backend, recorder, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="player.audio.process")
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
    assert not [r for r in caplog.records if "ran dry" in r.getMessage()]  # nothing to log


def test_gapless_chain_is_sample_continuous_at_the_device(backend, recorder, tmp_path):
    """One sine cut into three files plays back as the same sine, sample for sample, on the
    null sink's monitor (read by ``parec``, outside this process): no gap, no click, no drop."""
    rate, seconds = 48000, 0.5
    n = int(rate * seconds)
    tone = 0.4 * np.sin(2 * np.pi * 441.0 * np.arange(3 * n) / rate)
    items = []
    for i in range(3):
        path = tmp_path / f"part{i}.wav"
        sf.write(path, np.repeat(tone[i * n : (i + 1) * n, None], 2, axis=1), rate, subtype="FLOAT")
        items.append(Playable(path))
    with sink_monitor(tmp_path, rate) as recorded:
        backend.play(items[0])
        backend.set_next(items[1])
        recorder.wait_for("started", 2)
        backend.set_next(items[2])
        recorder.wait_for("ended", 3)
    heard = recorded()
    # the sine starts at 0: the first silent sample followed by its first 10 ms (an earlier
    # test's 440 Hz tail may still be at the start of the recording)
    onset = next(
        (
            i
            for i in np.flatnonzero(np.abs(heard[: -len(tone)]) < 1e-4)
            if np.abs(heard[i + 1] - tone[1]) < 1e-3
            and np.abs(heard[i : i + 480] - tone[:480]).max() < 1e-3
        ),
        None,
    )
    assert onset is not None, "the tone's start was not heard"
    played = heard[onset : onset + len(tone)]
    assert len(played) == len(tone)
    np.testing.assert_allclose(played, tone, atol=1e-3)  # sample for sample, 16-bit sink
    assert np.all(np.abs(heard[onset + len(tone) :]) < 1e-3)  # then silence: nothing repeated
    assert all(e[2] is EndReason.FINISHED for e in recorder.events if e[0] == "ended")


def test_seeking_the_heard_track_while_its_successor_decodes(backend, recorder, tmp_path):
    """The first file (0.6 s, shorter than the 1 s ring) is all decoded and the decoder is on
    the second when the seek comes: the first is reopened for the seek, and the second still
    follows it whole."""
    first = write_sine(tmp_path / "first.flac", seconds=0.6, rate=48000)
    second = write_sine(tmp_path / "second.flac", seconds=1.0, rate=44100)
    backend.play(first)
    backend.set_next(second)
    recorder.wait_for("started")
    wait_until(lambda: backend.position_s >= 0.15, what="0.15 s of first.flac heard")
    before, read = backend.position_s, time.monotonic()
    assert backend.current is first
    backend.seek(0.05)
    assert backend.position_s == pytest.approx(0.05, abs=0.01)
    ended = recorder.wait_for("ended", 2)
    took = recorder.arrived(ended[0]) - read
    assert [e[:3] for e in recorder.events] == [
        ("started", "first.flac"), ("ended", "first.flac", EndReason.FINISHED),
        ("started", "second.flac"), ("ended", "second.flac", EndReason.FINISHED),
    ]  # fmt: skip
    low = before * 1000 + 550 - 10  # heard before the seek, then from 0.05 s to the end
    assert low <= ended[0][3] <= low + took * 1000 + 20
    assert ended[1][3] == pytest.approx(1000, abs=15)


def test_an_undecodable_successor_is_reported_and_the_current_track_finishes(
    backend, recorder, tmp_path
):
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"OggS" + bytes(range(200)) * 4)
    backend.play(write_sine(tmp_path / "now.flac", seconds=0.6, rate=48000))
    backend.set_next(Playable(broken))
    error = recorder.wait_for("error")[0]
    assert error[1] == "broken.ogg" and "Cannot play broken.ogg" in error[2]
    ended = recorder.wait_for("ended")
    assert ended[0][1:] == ("now.flac", EndReason.FINISHED, pytest.approx(600, abs=15))
    assert [e[1] for e in recorder.events if e[0] == "started"] == ["now.flac"]
    assert recorder.end_states == [PlaybackState.STOPPED]  # nothing follows
    backend.play(write_sine(tmp_path / "then.flac", seconds=0.3, rate=48000))
    assert recorder.wait_for("ended", 2)[1][1:3] == ("then.flac", EndReason.FINISHED)


def test_a_buffered_successor_can_still_be_replaced(backend, recorder, tmp_path):
    first = write_sine(tmp_path / "first.flac", seconds=2.0, rate=48000)
    backend.play(first)
    backend.set_next(write_sine(tmp_path / "old.flac", seconds=0.5, rate=48000))
    recorder.wait_for("started")
    # the ring (1 s) now holds the old successor's start
    wait_until(lambda: backend.position_s >= 1.5, what="first.flac heard to 1.5 s")
    backend.set_next(write_sine(tmp_path / "new.flac", seconds=0.5, rate=44100))
    recorder.wait_for("ended", 2)
    assert [e[:3] for e in recorder.events] == [
        ("started", "first.flac"), ("ended", "first.flac", EndReason.FINISHED),
        ("started", "new.flac"), ("ended", "new.flac", EndReason.FINISHED),
    ]  # fmt: skip
    assert [e[3] for e in recorder.events if e[0] == "ended"] == pytest.approx([2000, 500], abs=15)


def test_position_follows_what_is_heard_and_seek_moves_it(backend, recorder, tmp_path):
    item = write_sine(tmp_path / "long.flac", seconds=2.0, rate=44100)
    begun = time.monotonic()  # before the start is heard: elapsed time bounds the position
    backend.play(item)
    recorder.wait_for("started")
    assert backend.position_s < 1.0  # told when its first frames are heard, not at a later wake
    wait_until(lambda: backend.position_s >= 0.3, what="0.3 s heard")
    before_seek, read = backend.position_s, time.monotonic()
    assert before_seek <= read - begun + 0.05  # never ahead of what can be heard
    assert backend.current is item
    assert backend.duration_s == pytest.approx(2.0)
    backend.seek(1.5)
    sought = time.monotonic()
    assert backend.position_s == pytest.approx(1.5, abs=0.01)  # at once, before it is heard
    wait_until(lambda: backend.position_s >= 1.65, what="the seek target heard")
    took_effect = time.monotonic()
    step = BLOCK_FRAMES / backend.rate  # the position moves a callback's block at a time
    assert backend.position_s <= 1.5 + took_effect - sought + 0.05 + step
    ended = recorder.wait_for("ended")
    assert ended[0][2] is EndReason.FINISHED
    # heard: the 0.5 s after the target, plus what was heard before the seek took effect
    # (at least the position read before it, at most that plus the time it took)
    low = before_seek * 1000 + 490
    assert low <= ended[0][3] <= low + (took_effect - read) * 1000 + 25


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


def write_noise(path, *, seconds: float, seed: int, rate: int = 48000) -> np.ndarray:  # noqa: ANN001
    """A stereo file of white noise that is never near silence (so a run of sound on the
    monitor is one run of the file), whose every stretch of 50 ms is unique: where a stretch
    heard comes from in the file is found sample-exactly by correlation. Returns the samples."""
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, int(seconds * rate)).astype(np.float32)
    noise[np.abs(noise) < 0.02] = 0.02
    sf.write(path, np.repeat(noise[:, None], 2, axis=1), rate, subtype="FLOAT")
    return noise


def heard_runs(heard: np.ndarray, source: np.ndarray) -> list[tuple[int, int]]:
    """Each run of sound on the monitor as (first, last + 1) frames of ``source``."""
    loud = np.flatnonzero(np.abs(heard) > 0.01)
    cuts = np.flatnonzero(np.diff(loud) > 200)  # more than 4 ms of silence
    runs = []
    for first, last in zip(loud[np.r_[0, cuts + 1]], loud[np.r_[cuts, -1]] + 1, strict=True):
        probe = min(2400, last - first)  # 50 ms
        start = int(np.argmax(np.correlate(source, heard[first : first + probe], mode="valid")))
        runs.append((start, start + last - first))
    return runs


def test_resume_after_pause_skips_nothing(backend, recorder, tmp_path):
    """What reaches the sink (read by ``parec``): pause drops the device's queue and resume
    goes back to the frame the speaker had reached, read before the abort (the device stops
    during the call: a few ms heard twice, never a skip).

    Heard twice besides: what the sound server had rendered past that frame. The null sink
    renders its input in chunks of its latency (85 ms: the stream's 3-block buffer less two
    blocks), and its monitor records each chunk when rendered, ahead of the speaker's frame;
    a real PulseAudio sink rewinds what the pause flushed, so only the monitor hears it. The
    repeat is what is left of the chunk the pause falls in (measured at pause points from 0.45
    to 0.6 s: 3.5-86.6 ms; every recorded stop on a chunk's end), so the bound is one chunk and
    15 ms."""
    rate = 48000
    noise = write_noise(tmp_path / "pr.wav", seconds=1.5, seed=1)
    with sink_monitor(tmp_path, rate) as recorded:
        backend.play(Playable(tmp_path / "pr.wav"))
        recorder.wait_for("started")
        wait_until(lambda: backend.position_s >= 0.5, what="0.5 s heard")
        backend.pause()
        time.sleep(0.6)
        backend.resume()
        recorder.wait_for("ended")
    (_, paused), (resumed, end) = heard_runs(recorded(), noise)  # one silence: the pause
    assert end == len(noise)
    repeat_ms = (paused - resumed) / rate * 1000
    assert 0 <= repeat_ms <= BLOCK_FRAMES / rate * 1000 + 15  # nothing skipped
    assert recorder.wait_for("ended")[0][3] == pytest.approx(1500, abs=20)


def test_pause_at_a_gapless_boundary_resumes_the_track_heard(backend, recorder, tmp_path):
    """Resumed shortly before the boundary, the stream refills the device's buffer, whose DAC
    times leave out the output's latency: the next track must not be announced (nor the
    previous one replayed after it) before it is heard. Paused as soon as the next track is
    announced: it is the track shown while paused and the one resume plays; every frame of
    both files is heard, and nothing of the first after the second began."""
    rate = 48000
    first = write_noise(tmp_path / "a.wav", seconds=0.6, seed=2)
    second = write_noise(tmp_path / "b.wav", seconds=1.0, seed=3)
    both, boundary = np.concatenate([first, second]), len(first)
    a, b = Playable(tmp_path / "a.wav"), Playable(tmp_path / "b.wav")
    with sink_monitor(tmp_path, rate) as recorded:
        backend.play(a)
        backend.set_next(b)
        recorder.wait_for("started")
        wait_until(lambda: backend.position_s >= 0.45, what="0.45 s of a.wav heard")
        backend.pause()
        time.sleep(0.3)
        backend.resume()
        shown = []

        def count(kind: str) -> int:
            return sum(e[0] == kind for e in recorder.events)

        def sample() -> None:
            heard = backend.snapshot()  # the track and its position from one reading
            shown.append((heard.item, heard.position_s))

        while count("started") < 2:
            sample()
            time.sleep(0.005)
        backend.pause()
        time.sleep(0.15)
        assert backend.current is b
        paused_at = backend.position_s
        backend.resume()
        while count("ended") < 2:
            sample()
            time.sleep(0.005)
    runs = heard_runs(recorded(), both)
    assert [e[:3] for e in recorder.events] == [
        ("started", "a.wav"), ("ended", "a.wav", EndReason.FINISHED),
        ("started", "b.wav"), ("ended", "b.wav", EndReason.FINISHED),
    ]  # fmt: skip
    assert [e[3] for e in recorder.events if e[0] == "ended"] == pytest.approx([600, 1000], abs=15)
    # the position only goes forward, and from a.wav to b.wav once
    order = [(item is b, position) for item, position in shown if item is not None]
    assert order == sorted(order)
    assert len(runs) == 3 and runs[0][0] == 0 and runs[-1][1] == len(both)
    for (_, stop), (start, _) in itertools.pairwise(runs):
        assert start <= stop  # nothing skipped at either pause
    assert runs[2][0] >= boundary  # b.wav was resumed: nothing of a.wav after it
    assert (runs[2][0] - boundary) / rate == pytest.approx(paused_at, abs=0.002)  # as shown


def test_every_snapshot_across_gapless_boundaries_is_one_track_s(backend, recorder, tmp_path):
    """Snapshots taken back to back while a chain plays gaplessly through its boundaries: each
    names one track and gives that track's duration, a position within it and the time heard
    of it; tracks only go forward, and positions within a track. (Read as separate properties, a reading that
    straddles a boundary pairs one track with the next one's figures.)"""
    seconds = {"0.flac": 0.5, "1.flac": 0.4, "2.flac": 0.7, "3.flac": 0.5}
    items = [
        write_sine(tmp_path / name, seconds=s, rate=44100 if i == 2 else 48000)
        for i, (name, s) in enumerate(seconds.items())
    ]
    backend.play(items[0])
    backend.set_next(items[1])
    recorder.wait_for("started")
    readings, armed = [], 1
    deadline = time.monotonic() + 30
    while sum(e[0] == "ended" for e in recorder.events) < len(items):
        assert time.monotonic() < deadline, f"the chain did not play through: {recorder.events}"
        readings.append(backend.snapshot())
        if sum(e[0] == "started" for e in recorder.events) > armed < len(items) - 1:
            armed += 1
            backend.set_next(items[armed])  # each armed once its forerunner is heard
    order = []
    for heard in readings:
        if heard.item is None:  # the last one ended
            assert heard.state is PlaybackState.STOPPED
            continue
        assert heard.state is PlaybackState.PLAYING
        assert heard.duration_s == pytest.approx(seconds[heard.item.path.name], abs=1e-3)
        assert 0 <= heard.position_s <= heard.duration_s
        assert heard.ms_heard == pytest.approx(heard.position_s * 1000, abs=1)
        order.append((items.index(heard.item), heard.position_s))
    for (track, position), (then, later) in itertools.pairwise(order):
        # each callback anchors the clock anew to the device's time: a frame or so back is
        # the clock's grain, a track's start under the one before would be a whole track back
        assert then > track or (then == track and later >= position - 0.005)
    assert {i for i, _ in order} == set(range(len(items)))  # each boundary was read across
    assert [e[2] for e in recorder.events if e[0] == "ended"] == [EndReason.FINISHED] * 4


def test_stop_and_replace_say_how_the_track_ended(backend, recorder, tmp_path):
    first = write_sine(tmp_path / "1.flac", seconds=2.0, rate=48000)
    second = write_sine(tmp_path / "2.flac", seconds=2.0, rate=48000)
    backend.play(first)
    recorder.wait_for("started")
    wait_until(lambda: backend.position_s >= 0.3, what="0.3 s of 1.flac heard")
    heard = [backend.position_s]
    asked = [time.monotonic()]
    backend.play(second)
    recorder.wait_for("started", 2)
    wait_until(lambda: backend.position_s >= 0.3, what="0.3 s of 2.flac heard")
    heard.append(backend.position_s)
    asked.append(time.monotonic())
    backend.stop()
    ended = recorder.wait_for("ended", 2)
    told = [recorder.arrived(e) for e in ended]
    assert [e[1:3] for e in ended] == [("1.flac", EndReason.SKIPPED), ("2.flac", EndReason.STOPPED)]
    for event, position, start, end in zip(ended, heard, asked, told, strict=True):
        # at least what was heard when the change was asked for, at most that plus the time
        # until the listener was told (the device's latency is heard after the change)
        assert position * 1000 - 5 <= event[3] <= (position + end - start) * 1000 + 5
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


def _null_sink_module() -> str | None:
    """The private PulseAudio server's null-sink module, if the tests run on one."""
    if shutil.which("pactl") is None:
        return None
    modules = subprocess.run(
        ["pactl", "list", "short", "modules"], capture_output=True, text=True, check=False
    ).stdout
    return next((line.split()[0] for line in modules.splitlines() if "null-sink" in line), None)


def test_output_that_goes_away_ends_the_play_with_error(backend, recorder, tmp_path):
    """The sink is unloaded from the sound server while playing (a device unplugged): PortAudio
    stops the stream by itself; the play ends with ERROR, the app is told, and the next play
    opens the output again once the sink is back."""
    module = _null_sink_module()
    if module is None:
        pytest.skip("needs the private PulseAudio server (pactl)")
    item = write_sine(tmp_path / "lost.flac", seconds=1.5, rate=48000)
    backend.play(item)
    recorder.wait_for("started")
    try:
        subprocess.run(["pactl", "unload-module", module], check=True)
        assert "The sound output stopped" in recorder.wait_for("error")[0][2]
        ended = recorder.wait_for("ended")[0]
        assert ended[2] is EndReason.ERROR and 0 < ended[3] < 1500
        assert backend.state is PlaybackState.STOPPED
    finally:
        subprocess.run(
            ["pactl", "load-module", "module-null-sink", "sink_name=null", "rate=48000"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    backend.play(item)  # the output is opened again
    assert recorder.wait_for("ended", 2)[1][1:3] == ("lost.flac", EndReason.FINISHED)


def test_a_killed_engine_is_reported_the_play_kept_and_the_next_play_starts_a_new_one(
    recorder, tmp_path
):
    """SIGKILL to the engine process mid-track: the app hears an error that says so and
    track_ended(ERROR) with what was heard until then; play() starts a fresh engine."""
    from player.audio.process import ProcessBackend

    backend = ProcessBackend(recorder, samplerate=48000)
    recorder.backend = backend
    try:
        item = write_sine(tmp_path / "k.flac", seconds=3.0, rate=48000)
        begun = time.monotonic()
        backend.play(item)
        recorder.wait_for("started")
        wait_until(lambda: backend.position_s >= 0.5, what="0.5 s heard")
        heard, old_pid = backend.position_s, backend.pid
        os.kill(old_pid, signal.SIGKILL)
        killed = time.monotonic()
        error = recorder.wait_for("error")[0]
        assert error[1] == "k.flac" and "killed by SIGKILL" in error[2]
        ended = recorder.wait_for("ended")[0]
        assert ended[1:3] == ("k.flac", EndReason.ERROR)
        assert heard * 1000 - 5 <= ended[3] <= (killed - begun) * 1000  # nothing lost, no more
        assert backend.state is PlaybackState.STOPPED and backend.current is None
        backend.play(item)
        assert backend.state is PlaybackState.PLAYING
        recorder.wait_for("started", 2, timeout=60)
        assert backend.pid != old_pid
        wait_until(lambda: backend.position_s >= 0.2, what="the new engine playing")
        backend.stop()
        assert recorder.wait_for("ended", 2)[1][1:3] == ("k.flac", EndReason.STOPPED)
    finally:
        backend.close()


def test_sigterm_to_the_engine_leaves_it_to_the_app_for_a_moment_then_ends_it(recorder, tmp_path):
    """A logout's SIGTERM reaches the app and the engine alike: the engine plays on for the
    app to close it (the play then ends as stopped, not as an error); left alone, as when the
    app hangs, it ends by itself after ``CLOSE_GRACE_S``."""
    from player.audio.child import CLOSE_GRACE_S
    from player.audio.process import ProcessBackend

    backend = ProcessBackend(recorder, samplerate=48000)
    recorder.backend = backend
    try:
        item = write_sine(tmp_path / "g.flac", seconds=6.0, rate=48000)
        backend.play(item)
        recorder.wait_for("started")
        wait_until(lambda: backend.position_s >= 0.3, what="0.3 s heard")
        os.kill(backend.pid, signal.SIGTERM)
        signalled, heard = time.monotonic(), backend.position_s
        wait_until(lambda: backend.position_s >= heard + 0.5, what="playing on after SIGTERM")
        assert not [e for e in recorder.events if e[0] in ("error", "ended")]
        error = recorder.wait_for("error", timeout=CLOSE_GRACE_S + 8)[0]
        assert "killed by SIGALRM" in error[2]
        assert time.monotonic() - signalled >= CLOSE_GRACE_S - 0.1
        assert recorder.wait_for("ended")[0][1:3] == ("g.flac", EndReason.ERROR)
    finally:
        backend.close()


def test_an_engine_that_dies_as_the_app_closes_still_ends_the_play_as_stopped(recorder, tmp_path):
    """Logout sends SIGTERM to every process of the session: the engine may die before the
    app's close reaches it. The play still ends (as the close asked: STOPPED, with what was
    heard), and no "stopped unexpectedly" is said; before, it stayed open in the log."""
    from player.audio.process import ProcessBackend

    backend = ProcessBackend(recorder, samplerate=48000)
    recorder.backend = backend
    item = write_sine(tmp_path / "t.flac", seconds=3.0, rate=48000)
    backend.play(item)
    recorder.wait_for("started")
    wait_until(lambda: backend.position_s >= 0.5, what="0.5 s heard")
    pid = backend.pid
    os.kill(pid, signal.SIGSTOP)  # it cannot act on the close: it dies with the play open
    closing = threading.Thread(target=backend.close)
    closing.start()
    time.sleep(0.3)  # the close has been sent
    os.kill(pid, signal.SIGKILL)
    closing.join(30)
    assert not closing.is_alive()
    (ended,) = recorder.wait_for("ended")
    assert ended[1:3] == ("t.flac", EndReason.STOPPED) and ended[3] >= 450
    assert not [e for e in recorder.events if e[0] == "error"]


def test_volume_and_replaygain_scale_the_frames(backend, recorder, tmp_path):
    """What reaches the device is read back from the null sink's monitor."""
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


def test_a_decoder_starved_of_data_is_counted_as_an_underrun(backend, recorder, tmp_path, caplog):
    """A file that arrives slowly (a FIFO standing in for a stalled network share): the ring runs
    dry mid-track, the callback counts it, the silence is not counted as heard, and the app's
    log says which play ran dry and how often."""
    caplog.set_level(logging.WARNING, logger="player.audio.process")
    t = np.arange(96000) / 48000
    tone = np.repeat((0.3 * np.sin(2 * np.pi * 440.0 * t))[:, None], 2, axis=1)
    data = io.BytesIO()
    sf.write(data, tone, 48000, format="WAV", subtype="FLOAT")
    wav = data.getvalue()
    fifo = tmp_path / "slow.wav"
    os.mkfifo(fifo)
    dry, quiet = backend.ring_underruns, backend.underruns
    first_part = len(wav) - 4 * 2 * 48000 * 13 // 10  # all but the last 1.3 s

    def arrive_slowly() -> None:
        with open(fifo, "wb") as pipe:
            pipe.write(wav[:first_part])
            pipe.flush()
            # the rest only once the ring has run dry (or the test has failed meanwhile)
            deadline = time.monotonic() + 10
            while backend.ring_underruns == dry and time.monotonic() < deadline:
                time.sleep(0.01)
            pipe.write(wav[first_part:])

    writer = threading.Thread(target=arrive_slowly, daemon=True)
    writer.start()
    backend.play(Playable(fifo))
    ended = recorder.wait_for("ended", timeout=20)
    writer.join(timeout=5)
    assert backend.ring_underruns > dry  # counted, by the callback that found the ring empty
    assert backend.underruns >= quiet
    assert ended[0][1:3] == ("slow.wav", EndReason.FINISHED)
    assert ended[0][3] == pytest.approx(2000, abs=15)  # the silence was not heard as music
    (logged,) = [r.getMessage() for r in caplog.records if "ran dry" in r.getMessage()]
    assert logged.startswith(f"Playing {fifo}, the sound output ran dry")
    assert logged.endswith(f"in time {backend.ring_underruns - dry}")
