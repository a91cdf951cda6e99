"""PortAudioBackend: the sound-card implementation of :class:`AudioBackend`.

Threading model (four kinds of thread, each with one job):

* **Caller** (the UI or a script) calls ``play``/``seek``/… . These only set a flag or put a
  command on a queue and return at once: they never touch the disk, decode or wait on the device.
* **Decoder thread** (``continuo-decoder``, one per backend) owns everything slow: opening files
  (the gapless successor as soon as ``set_next`` names it), decoding in blocks, resampling,
  ReplayGain and the volume ramp, writing the ring, and opening/starting/stopping the PortAudio
  stream. It records in the :class:`~player.audio.timeline.Timeline` where each play and seek
  begins in the ring.
* **PortAudio callback** copies frames out of the ring (zeros when paused or the ring is dry) and
  counts ``output_underflow``. No locks, no allocation of buffers, no I/O, no listener calls.
* **Event thread** (``continuo-audio-events``) polls the ring's read counter every 25 ms while
  something plays, turns consumed frames into ``track_started``/``track_ended`` (with the
  milliseconds really heard) and delivers errors. Listener callbacks run only here, so a slow
  listener delays events, never sound; a GUI must hop to its main thread from them.

* **Event thread** also notices a stream that stopped by itself (device unplugged): the play
  ends with ``EndReason.ERROR``, ``error`` says so, and the next ``play`` reopens the output.

The stream is opened in the constructor and runs until ``close``: PulseAudio takes ~2 s to
start consuming a new stream, too long to pay on every play or resume. Pause makes the callback
write zeros (instant, and the position holds); the device stays open meanwhile.

``position_s`` is computed from the frames PortAudio has consumed, so it follows what is heard
(give or take the device latency), not what was decoded. ``play``/``seek`` show their target
position at once, before the first new frame is heard.

``set_next`` opens the successor at once; its frames follow the current track's in the ring.
If the successor's first frames are already buffered but not yet heard, a new ``set_next``
takes them back (the ring's write position moves back once two callbacks confirm the consumer
is before them) and the new successor follows instead. ``play`` forgets the successor, so call
``set_next`` after it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np
import sounddevice as sd

from player.audio.backend import (
    BackendListener,
    EndReason,
    OutputDevice,
    Playable,
    PlaybackState,
)
from player.audio.decoder import TrackDecoder
from player.audio.gain import GainRamp
from player.audio.ring import JUMP_LOG, FrameRing
from player.audio.timeline import Event, Timeline, TrackPlay
from player.errors import AudioError

log = logging.getLogger(__name__)

EVENT_POLL_S = 0.05  # while playing, how soon track changes reach listeners (20 wake-ups a second)
VOLUME_RAMP_S = 0.05
LATENCY_S = 0.1
"""PortAudio's output latency: ~0.1 s survives a busy UI thread holding the GIL (the callback is
Python: how long it was delayed, and what was left, ``PortAudioBackend.callback_margin``)."""
BLOCK_FRAMES = 2048
"""Frames per callback: the callback's wake-ups are most of what playback costs the CPU, and
the position (read from the ring) moves in steps of this many frames."""


@dataclass
class _Pending:
    """What the caller asked for and the ring does not play yet (``at``: its first ring frame)."""

    item: Playable
    pos_s: float
    duration_s: float = 0.0
    at: int | None = None


def output_devices() -> list[OutputDevice]:
    """PortAudio's devices that can play sound, the system default marked."""
    try:
        default = sd.query_devices(kind="output")["index"]
        devices = sd.query_devices()
    except sd.PortAudioError:
        return []
    return [
        OutputDevice(i, d["name"], float(d["default_samplerate"]), i == default)
        for i, d in enumerate(devices)
        if d["max_output_channels"] > 0
    ]


class PortAudioBackend:
    """Gapless playback through PortAudio; see the module docstring for the threads.

    Parameters
    ----------
    listener : BackendListener or None
        Receives track_started/track_ended/error on the event thread; may be set later
        through the ``listener`` attribute.
    device : int or None
        PortAudio output device index; None is the system default.
    samplerate : int or None
        Output rate; None takes the device's default. Files at other rates are resampled.
    latency_s : float
        PortAudio's output latency. Music needs no low latency (only pause, seek and volume are
        heard this much later), and a longer one survives a busy UI thread holding the GIL.
    blocksize : int
        Frames per PortAudio callback: larger blocks mean fewer wake-ups (about 23 a second at
        48 kHz), which is most of what playback costs the CPU.
    buffer_s : float
        Length of the decoded-ahead ring. Also the longest delay before a volume change is heard.
    """

    def __init__(
        self,
        listener: BackendListener | None = None,
        *,
        device: int | None = None,
        samplerate: int | None = None,
        latency_s: float = LATENCY_S,
        blocksize: int = BLOCK_FRAMES,
        buffer_s: float = 1.0,
    ) -> None:
        self.listener = listener
        self.unavailable_reason = ""  # as NullBackend's, which says why there is no sound
        info = sd.query_devices(device, "output")  # raises PortAudioError/ValueError: no device
        self._device = device
        self.rate = int(samplerate or info["default_samplerate"])
        self.channels = max(1, min(2, int(info["max_output_channels"])))
        self.name = f"PortAudio: {info['name']}"
        self._latency_s = latency_s
        self._blocksize = blocksize
        self._fill_frames = int(self.rate * buffer_s)
        self._ring = FrameRing(2 * self._fill_frames, self.channels)  # room to write past a flush
        self._timeline = Timeline(self.rate)
        self._ramp = GainRamp(value=1.0, ramp_frames=int(self.rate * VOLUME_RAMP_S))
        self._stream = self._open_stream(device)

        self._state = PlaybackState.STOPPED
        self._paused = False
        self._pending: _Pending | None = None
        self._underruns = 0
        self._ring_underruns = 0
        self._callbacks = 0  # callback calls completed, to know when one has seen a change
        self._last_call_s = 0.0  # the stream clock at the last callback
        self._max_gap_s = 0.0  # the longest time between two callbacks since last asked
        self._max_frames = 0  # the largest block asked for since last asked
        self._expect_frames = False  # the callback finding the ring dry is an underrun

        # decoder-thread state
        self._decoder: TrackDecoder | None = None
        self._play: TrackPlay | None = None
        self._next: TrackDecoder | None = None
        self._carry: np.ndarray | None = None
        self._eos = True  # nothing more will be written until the next play()

        self._commands: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._errors: queue.SimpleQueue[tuple[Playable | None, str]] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._closed = False
        self._jumps_seen = 0
        self._decoder_thread = threading.Thread(
            target=self._decode_loop, name="continuo-decoder", daemon=True
        )
        self._event_thread = threading.Thread(
            target=self._event_loop, name="continuo-audio-events", daemon=True
        )
        self._releasing = False  # the stream stops because we stop it, not because it failed
        self._lost_stream: sd.OutputStream | None = None
        self._stream.start()  # runs until close(): starting a stream costs PulseAudio ~2 s
        self._decoder_thread.start()
        self._event_thread.start()

    # --- the AudioBackend interface (caller thread) -----------------------------------------

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def underruns(self) -> int:
        """PortAudio ``output_underflow`` callbacks since the backend was made."""
        return self._underruns

    def callback_margin(self) -> dict[str, float]:
        """How close the callback came to an underrun since the last call (then starts over).

        ``latency_ms`` is the stream's output latency (what is queued ahead of the speaker),
        ``block_ms`` the largest block PortAudio asked for, ``max_gap_ms`` the longest time
        between two callbacks (the stream's clock). The callback is Python: a thread holding the
        GIL delays it, and the gap grows past the block. ``margin_ms`` = latency - (gap - block):
        what was left before the speaker would have run dry (below 0: an underrun).
        """
        latency_ms = float(self._stream.latency) * 1000
        block_ms = self._max_frames / self.rate * 1000
        gap_ms = self._max_gap_s * 1000
        self._max_gap_s, self._max_frames = 0.0, 0
        return {
            "latency_ms": round(latency_ms, 1),
            "block_ms": round(block_ms, 1),
            "max_gap_ms": round(gap_ms, 1),
            "margin_ms": round(latency_ms - max(gap_ms - block_ms, 0.0), 1),
        }

    @property
    def ring_underruns(self) -> int:
        """Callbacks that found the ring dry mid-track (the decoder fell behind)."""
        return self._ring_underruns

    @property
    def position_s(self) -> float:
        heard = self._heard()
        return heard[1] if heard else 0.0

    @property
    def duration_s(self) -> float:
        heard = self._heard()
        return heard[2] if heard else 0.0

    @property
    def current(self) -> Playable | None:
        heard = self._heard()
        return heard[0] if heard else None

    def play(self, item: Playable) -> None:
        self._pending = _Pending(item, 0.0)
        self._paused = False
        self._state = PlaybackState.PLAYING
        self._send("play", item)

    def set_next(self, item: Playable | None) -> None:
        self._send("next", item)

    def pause(self) -> None:
        if self._state is PlaybackState.PLAYING:
            self._paused = True
            self._state = PlaybackState.PAUSED

    def resume(self) -> None:
        if self._state is PlaybackState.PAUSED:
            self._paused = False
            self._state = PlaybackState.PLAYING

    def stop(self) -> None:
        self._pending = None
        self._state = PlaybackState.STOPPED
        self._send("stop")

    def seek(self, seconds: float) -> None:
        heard = self._heard()
        if heard is None or self._state is PlaybackState.STOPPED:
            return
        item, _, duration = heard
        target = min(max(float(seconds), 0.0), duration)
        self._pending = _Pending(item, target, duration)
        self._send("seek", item, target)

    def set_volume(self, volume: float) -> None:
        self._send("volume", min(max(float(volume), 0.0), 1.0))

    def output_devices(self) -> list[OutputDevice]:
        return output_devices()

    def set_output_device(self, index: int | None) -> None:
        self._send("device", index)

    def close(self) -> None:
        """Stop (listeners hear track_ended STOPPED), end both threads, release the device."""
        if self._closed:
            return
        self.stop()
        self._send("close")
        self._decoder_thread.join(timeout=5)
        self._closed = True
        self._wake.set()
        self._event_thread.join(timeout=5)

    # --- caller-side helpers ------------------------------------------------------------------

    def _send(self, *command: object) -> None:
        self._commands.put(command)
        self._wake.set()

    def _heard(self) -> tuple[Playable, float, float] | None:
        """(item, position, duration) of what is heard, or of what was just asked for."""
        if self._state is PlaybackState.STOPPED:
            return None
        read_pos = self._ring.read_pos
        pending = self._pending
        if pending is not None and (pending.at is None or read_pos < pending.at):
            return pending.item, pending.pos_s, pending.duration_s
        where = self._timeline.where(read_pos)
        if where is None:
            return None
        play, pos = where
        return play.item, min(pos, play.duration_s), play.duration_s

    # --- PortAudio callback -------------------------------------------------------------------

    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:  # noqa: ANN001
        now = time_info.currentTime
        if self._last_call_s and now - self._last_call_s > self._max_gap_s:
            self._max_gap_s = now - self._last_call_s
        self._last_call_s = now
        if frames > self._max_frames:
            self._max_frames = frames
        if status.output_underflow:
            self._underruns += 1
        if self._paused:
            outdata.fill(0.0)
        elif self._ring.read_into(outdata) < frames and self._expect_frames:
            self._ring_underruns += 1
        self._callbacks += 1

    def _open_stream(self, device: int | None) -> sd.OutputStream:
        self._last_call_s = 0.0  # a new stream has a clock of its own
        return sd.OutputStream(
            samplerate=self.rate,
            channels=self.channels,
            dtype="float32",
            device=device,
            latency=self._latency_s,
            blocksize=self._blocksize,
            callback=self._callback,
        )

    def _stream_failed(self) -> bool:
        """The stream stopped without us stopping it: the device failed or went away."""
        if self._releasing or self._state is PlaybackState.STOPPED:
            return False
        try:
            return not self._stream.active
        except sd.PortAudioError:  # closed under us
            return True

    def _release_stream(self) -> None:
        self._releasing = True
        self._stream.abort()
        self._stream.close()
        self._releasing = False

    def _ensure_stream(self) -> None:
        """Reopen the output after it failed, at the next play()."""
        if self._stream.active:
            return
        self._release_stream()
        try:
            self._stream = self._open_stream(self._device)
            self._stream.start()
        except sd.PortAudioError as exc:
            self._state = PlaybackState.STOPPED
            raise AudioError(
                "The sound output failed",
                f"PortAudio could not open {self.name} ({exc}). Choose another output device.",
            ) from exc

    # --- decoder thread -----------------------------------------------------------------------

    def _decode_loop(self) -> None:
        wait_s = self._fill_frames / self.rate / 4
        while True:
            busy = self._decoder is not None and self._room() > 0
            try:
                command = self._commands.get(
                    block=not busy, timeout=None if self._decoder is None else wait_s
                )
            except queue.Empty:
                command = None
            if command is not None:
                if command[0] == "close":
                    self._do_stop()
                    self._release_stream()
                    self._ring.apply_discard()
                    return
                self._handle(command)
                continue
            self._fill()

    def _handle(self, command: tuple) -> None:
        name, *args = command
        try:
            getattr(self, f"_do_{name}")(*args)
        except AudioError as exc:
            self._report(None, exc)

    def _report(self, item: Playable | None, exc: AudioError) -> None:
        log.warning("%s", exc)
        self._errors.put((item, str(exc)))
        self._wake.set()

    def _do_play(self, item: Playable) -> None:
        self._close_decoders()
        try:
            decoder = TrackDecoder(item, out_rate=self.rate, out_channels=self.channels)
        except AudioError as exc:
            self._pending = None
            self._state = PlaybackState.STOPPED
            self._drop_buffered(EndReason.SKIPPED)
            self._report(item, exc)
            return
        self._start(decoder, pos_s=0.0, play=None)

    def _do_seek(self, item: Playable, seconds: float) -> None:
        heard = self._timeline.where(self._ring.read_pos)
        play = heard[0] if heard and heard[0].item is item else self._play
        if play is None or play.item is not item:
            return
        if play is self._play and self._decoder is not None:
            decoder = self._decoder
        else:  # the heard track was fully decoded (its successor may be decoding): reopen it
            if self._decoder is not None and play is not self._play:
                self._close_next()
                self._next, self._decoder = self._decoder, None
                self._next.seek(0.0)
            decoder = TrackDecoder(item, out_rate=self.rate, out_channels=self.channels)
        self._start(decoder, pos_s=decoder.seek(seconds), play=play)

    def _start(self, decoder: TrackDecoder, *, pos_s: float, play: TrackPlay | None) -> None:
        """Drop what is buffered and continue with ``decoder`` from ``pos_s``."""
        try:
            self._ensure_stream()
        except AudioError:
            decoder.close()
            raise
        if self._decoder is not None and self._decoder is not decoder:
            self._decoder.close()
        at = self._ring.write_pos
        if play is None:
            play = TrackPlay(decoder.item, decoder.duration_s, start=at)
        self._timeline.begin(play, at=at, pos_s=pos_s, flush=EndReason.SKIPPED)
        self._decoder, self._play, self._carry = decoder, play, None
        self._eos = False
        pending = self._pending
        if pending is not None and pending.item is decoder.item:
            pending.duration_s = decoder.duration_s
            pending.at = at
        # Half a ring of new frames goes in before the consumer skips the old ones, so that a
        # decoder thread slow to be scheduled again (a loaded machine) does not leave it dry.
        while (
            self._decoder is decoder
            and self._ring.write_pos - at < self._fill_frames // 2
            and self._ring.space() > 0
        ):
            self._step(decoder, play)
        self._ring.discard(at)
        self._expect_frames = True  # only now can a dry ring mean the decoder fell behind

    def _do_next(self, item: Playable | None) -> None:
        self._close_next()
        if item is not None:
            try:
                self._next = TrackDecoder(item, out_rate=self.rate, out_channels=self.channels)
            except AudioError as exc:
                self._report(item, exc)
        replaced = self._timeline.unheard_successor()
        if replaced is not None and self._take_back(replaced.start):
            self._timeline.drop(replaced)  # its frames are gone before anyone heard them
            if self._decoder is not None:
                self._decoder.close()
            self._decoder = self._play = self._carry = None
            self._eos, self._expect_frames = True, False
            at = replaced.start
        elif self._decoder is None and not self._timeline.idle():
            at = self._ring.write_pos  # the current track is all in the ring already
        else:
            return
        if self._state is not PlaybackState.STOPPED:
            self._follow(at)

    def _take_back(self, start: int) -> bool:
        """Un-write the ring's frames from ``start`` on, unless the callback has reached them.

        A callback that read the old ``write_pos`` may still be copying; after two more
        callbacks have completed none can be, and ``read_pos`` tells whether it was in time.
        """
        ring = self._ring
        written = ring.write_pos
        ring.write_pos = start
        seen = self._callbacks
        deadline = time.monotonic() + 1.0
        while self._callbacks < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        if self._callbacks >= seen + 2 and ring.read_pos <= start:
            return True
        ring.write_pos = written  # too late (or no callback ran): nothing was overwritten
        return False

    def _do_stop(self) -> None:
        self._close_decoders()
        self._drop_buffered(EndReason.STOPPED)
        self._paused = False

    def _drop_buffered(self, reason: EndReason) -> None:
        """End everything in the ring with ``reason``; the callback skips it on its next call."""
        self._expect_frames = False  # first: the callback may find the ring empty at once
        at = self._ring.write_pos
        self._timeline.flush(at=at, reason=reason)
        self._ring.discard(at)
        self._decoder = self._play = self._carry = None
        self._eos = True
        self._wake.set()

    def _do_volume(self, volume: float) -> None:
        self._ramp.set_target(volume)

    def _do_device_lost(self) -> None:
        if self._stream.active or self._closed:
            return
        self._pending = None
        self._state = PlaybackState.STOPPED
        self._close_decoders()
        self._drop_buffered(EndReason.ERROR)
        self._ring.apply_discard()  # no callback runs to do it
        raise AudioError(
            "The sound output stopped",
            f"{self.name} stopped taking sound (was it unplugged?). Choose an output device "
            "or press play again.",
        )

    def _do_device(self, index: int | None) -> None:
        self._release_stream()
        try:
            info = sd.query_devices(index, "output")
            self._stream = self._open_stream(index)
        except (sd.PortAudioError, ValueError) as exc:
            self._stream = self._open_stream(self._device)
            self._stream.start()
            raise AudioError(
                "Cannot use that sound output",
                f"{exc}. Continuo keeps playing through the previous output.",
            ) from exc
        self._device = index
        self.name = f"PortAudio: {info['name']}"
        self._stream.start()

    def _room(self) -> int:
        return min(self._ring.space(), self._fill_frames - self._ring.buffered())

    def _fill(self) -> None:
        """Write decoded frames until the ring holds ``buffer_s`` or the last track is written."""
        while self._decoder is not None and self._play is not None and self._room() > 0:
            self._step(self._decoder, self._play)

    def _step(self, decoder: TrackDecoder, play: TrackPlay) -> None:
        """Decode one block of the current ``decoder`` (or move on to the successor), write it."""
        if self._carry is None or len(self._carry) == 0:
            if decoder.finished:
                self._next_track(decoder, play, EndReason.FINISHED)
                return
            try:
                self._carry = self._ramp.apply(decoder.read())
            except AudioError as exc:
                self._report(decoder.item, exc)
                self._next_track(decoder, play, EndReason.ERROR)
                return
        n = min(len(self._carry), self._ring.space())
        self._ring.write(self._carry[:n])
        self._carry = self._carry[n:]

    def _next_track(self, decoder: TrackDecoder, play: TrackPlay, reason: EndReason) -> None:
        """The current file is fully written (or broke): the successor follows in the ring."""
        at = self._ring.write_pos
        self._timeline.end(play, at=at, reason=reason)
        decoder.close()
        self._decoder = self._play = self._carry = None
        self._eos = True
        self._expect_frames = False
        if self._next is not None:
            self._follow(at)

    def _follow(self, at: int) -> None:
        """The opened successor's frames start at ring frame ``at``, right after the last ones."""
        decoder, self._next = self._next, None
        if decoder is None:
            return
        self._decoder = decoder
        self._play = TrackPlay(decoder.item, decoder.duration_s, start=at, gapless=True)
        self._timeline.begin(self._play, at=at, pos_s=0.0)
        self._eos = False
        self._expect_frames = True

    def _close_next(self) -> None:
        if self._next is not None:
            self._next.close()
            self._next = None

    def _close_decoders(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._close_next()

    # --- event thread -------------------------------------------------------------------------

    def _event_loop(self) -> None:
        while True:
            closing = self._closed
            self._deliver_errors()
            events = self._advance()
            if self._stream_failed() and self._lost_stream is not self._stream:
                self._lost_stream = self._stream  # one report per failed stream
                self._send("device_lost")
            if self._finished_all():  # before the last track_ended, so listeners see STOPPED
                self._state = PlaybackState.STOPPED
                self._pending = None
            for event in events:
                self._deliver(event)
            if closing:
                return
            if self._state is PlaybackState.STOPPED and self._timeline.idle():
                self._wake.wait()
            else:
                self._wake.wait(EVENT_POLL_S)
            self._wake.clear()

    def _finished_all(self) -> bool:
        """The last track was heard to its end (and no play() is on its way)."""
        pending = self._pending
        return (
            self._eos
            and self._state is not PlaybackState.STOPPED
            and (pending is None or pending.at is not None)
            and self._timeline.idle()
        )

    def _advance(self) -> list[Event]:
        ring = self._ring
        read_pos = ring.read_pos  # before the jump count: a jump seen late is never skipped
        count = ring.jump_count
        jumps = [
            (int(ring.jumps[i % JUMP_LOG, 0]), int(ring.jumps[i % JUMP_LOG, 1]))
            for i in range(self._jumps_seen, count)
        ]
        self._jumps_seen = count
        return self._timeline.advance(read_pos, jumps)

    def _deliver_errors(self) -> None:
        while True:
            try:
                item, message = self._errors.get_nowait()
            except queue.Empty:
                return
            if self.listener is not None:
                self._guard(self.listener.error, item, message)

    def _deliver(self, event: Event) -> None:
        if self.listener is None:
            return
        if event.kind == "started":
            self._guard(self.listener.track_started, event.play.item)
        else:
            self._guard(self.listener.track_ended, event.play.item, event.reason, event.ms_heard)

    @staticmethod
    def _guard(callback, *args: object) -> None:  # noqa: ANN001
        try:
            callback(*args)
        except Exception:  # a listener's bug must not stop the audio events
            log.exception("audio listener %r failed", callback)
