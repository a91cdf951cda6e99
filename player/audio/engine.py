"""The sound engine that runs in its own process: PortAudio stream, decoders, ring, timeline.

It lives in a child process (``child.py``, started by ``process.ProcessBackend``) so that no work
of the app — a library view built in C++ while holding the GIL, a search, the recommender — can
delay the PortAudio callback, which is Python. Three threads, each owning its fields:

* **Command thread** (the process's main thread, :meth:`Engine.run`) sleeps on the pipe until a
  command comes or the ring has room, and owns everything slow: opening files (the gapless
  successor as soon as ``SetNext`` names it), decoding in blocks, resampling, ReplayGain,
  writing the ring, and starting/stopping/reopening the stream. It alone writes ``mode``,
  ``eos``, ``volume``, ``expect_frames``, ``handled_seq``, ``pending_seq``/``pending_at`` and
  the timeline's plays, segments and jumps.
* **PortAudio callback** copies frames out of the ring, applies the volume in place, and
  publishes where the block it handed over will be heard (``status.Clock``) and its counters.
  No locks, no buffers allocated, no I/O. It alone writes ``read_pos`` (while the stream
  runs), ``calls`` and the clock.
* **Event thread** (``events.EventPump``) turns frames heard into Started/Ended events and
  publishes the status table; it sleeps until the next play boundary is due at the speaker.

The stream runs only while something plays. Pause, seek, a new track and stop *abort* it (the
device's queue is dropped at once, so they are heard at once despite ~0.17 s of buffering);
the command thread then moves the ring's read position back to the frame being heard (pause:
nothing is skipped on resume) or over the dropped frames (recorded as a timeline jump), and
starts the stream again if it should play. The next track's first half second is decoded
before the old one is cut, so the switch waits for no decoding (restarting the stream takes a
millisecond or two).

``SetNext`` opens the successor at once; its frames follow the current track's in the ring. If
the successor's first frames are already buffered but not yet heard, a new ``SetNext`` takes
them back (the ring's write position moves back once two callbacks confirm the consumer is
before them) and the new successor follows instead. ``Play`` forgets the successor.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from multiprocessing.connection import Connection, wait

import numpy as np
import sounddevice as sd

from player.audio import messages as m
from player.audio.backend import EndReason, Playable, PlaybackState
from player.audio.decoder import TrackDecoder
from player.audio.devices import describe, output_devices
from player.audio.events import EventPump
from player.audio.gain import OutputGain
from player.audio.ring import FrameRing
from player.audio.status import (
    BLOCK_MAX,
    EPOCH,
    EPOCH_SEEN,
    FILL_MIN,
    GAP_MAX,
    LATENCY,
    N_DRY,
    N_UNDERFLOW,
    RATE,
    Clock,
)
from player.audio.timeline import Timeline, TrackPlay
from player.errors import AudioError

log = logging.getLogger(__name__)

LATENCY_S = 0.2
"""PortAudio's output latency asked for (PulseAudio gives ~0.17 s with the block below). Music
needs no low latency: pause, seek and stop abort the stream, so only a volume change waits for
the device's queue."""
BLOCK_FRAMES = 4096
"""Frames per callback (85 ms at 48 kHz, ~12 wake-ups a second): the stream's wake-ups are most
of what playback costs the CPU (measured on the null sink: 2,048 frames 0.81 % of a core for
the bare stream, 4,096 frames 0.39 %)."""
BUFFER_S = 1.0
"""Decoded music kept ahead in the ring; the command thread tops it up twice a second."""


class Engine:
    """Gapless playback through PortAudio, driven by commands on ``conn``; see the module doc.

    Raises ``sd.PortAudioError`` or ``ValueError`` when there is no output to open.
    """

    def __init__(
        self,
        conn: Connection,
        shared: np.ndarray,
        *,
        device: int | None = None,
        samplerate: int | None = None,
        latency_s: float = LATENCY_S,
        blocksize: int = BLOCK_FRAMES,
        buffer_s: float = BUFFER_S,
    ) -> None:
        self.name, self.rate, self.channels = describe(device, samplerate)
        self._conn = conn
        self._shared = shared
        self._device = device
        shared[RATE] = self.rate
        self._latency_s = latency_s
        self._blocksize = blocksize
        self._fill_frames = int(self.rate * buffer_s)
        self._ring = FrameRing(2 * self._fill_frames, self.channels)
        self.timeline = Timeline(self.rate)
        self.clock = Clock(shared)
        shared[FILL_MIN] = self._ring.capacity

        # command thread's (read by the others)
        self.mode = PlaybackState.STOPPED
        self.eos = True  # nothing more will be written until the next play
        self.volume = 1.0
        self.expect_frames = False  # the callback finding the ring dry is an underrun
        self.handled_seq = 0  # the last command acted on (written after its effects)
        self.pending_seq = 0  # the last play/seek acted on and its first ring frame
        self.pending_at = 0
        self.running = False  # the stream is started
        self._failed = False  # it stopped by itself: reopen before starting again
        self._halts = 0  # stream stops asked for (each ends in one finished callback)
        self._decoder: TrackDecoder | None = None
        self._play: TrackPlay | None = None
        self._next: TrackDecoder | None = None
        self._carry: np.ndarray | None = None

        # the callback's (or the command thread's while the stream is stopped)
        self.calls = 0
        self._gain = OutputGain(blocksize)
        self._last_call = 0.0
        self._next_frame = -1
        self._run_start = 0
        self._priming = 0  # blocks still filling the device's buffer after a start
        self._scheduled = False  # a block of the current run has been published
        self._prime_blocks = 1
        # PortAudio's finished callback's
        self._finishes = 0

        self._wake_r, self._wake_w = os.pipe()
        self._stream = self._open_stream(device)
        self._pump = EventPump(self, conn)

    # --- the command thread -------------------------------------------------------------------

    def run(self) -> None:
        """Serve commands until ``Close`` (or the app's end of the pipe closes)."""
        self._pump.start()
        try:
            while True:
                ready = wait([self._conn, self._wake_r], self._idle_timeout())
                if self._wake_r in ready:
                    os.read(self._wake_r, 64)
                    self._check_stream()
                    self._check_finished()
                while self._conn in ready and self._conn.poll():
                    try:
                        command = self._conn.recv()
                    except (EOFError, OSError):
                        command = m.Close()
                    if isinstance(command, m.Close):
                        return
                    self._handle(command)
                self._fill()
        finally:
            self._shut_down()

    def wake(self) -> None:
        """Another thread has news for the command thread (stream finished, all heard)."""
        os.write(self._wake_w, b"!")

    def _idle_timeout(self) -> float | None:
        """How long the command thread may sleep: until the ring is half empty, while playing."""
        if self._decoder is None or not self.running:
            return None
        return max((self._ring.buffered() - self._fill_frames // 2) / self.rate, 0.0)

    def _handle(self, command: m.Command) -> None:
        handler = getattr(self, f"_do_{type(command).__name__.lower()}")
        try:
            handler(command)
        except AudioError as exc:
            self._report(None, exc)
        seq = getattr(command, "seq", None)
        if seq is not None:
            self.handled_seq = seq
        self._pump.wake()

    def _report(self, play_id: int | None, exc: AudioError) -> None:
        log.warning("%s", exc)
        self._pump.post(m.Error(play_id, str(exc)))

    def _open(self, track: m.Track) -> TrackDecoder:
        item = Playable(
            path=track.path,
            replaygain_db=track.replaygain_db,
            replaygain_peak=track.replaygain_peak,
            token=track.play_id,
        )
        return TrackDecoder(item, out_rate=self.rate, out_channels=self.channels)

    def _do_play(self, command: m.Play) -> None:
        self._close_decoders()
        self.mode = PlaybackState.PLAYING
        try:
            decoder = self._open(command.track)
        except AudioError as exc:
            self.mode = PlaybackState.STOPPED
            self._drop_buffered(EndReason.SKIPPED)
            self.pending_seq, self.pending_at = command.seq, 0
            self._report(command.track.play_id, exc)
            return
        self._start(decoder, pos_s=0.0, play=None, seq=command.seq)

    def _do_seek(self, command: m.Seek) -> None:
        self.pending_seq, self.pending_at = command.seq, 0
        play = self.timeline.find(command.play_id)
        if play is None:
            return
        if play is self._play and self._decoder is not None:
            decoder = self._decoder
        else:  # the heard track was fully decoded (its successor may be decoding): reopen it
            if self._decoder is not None:
                self._close_next()
                self._next, self._decoder = self._decoder, None
                self._next.seek(0.0)
            decoder = TrackDecoder(play.item, out_rate=self.rate, out_channels=self.channels)
        self._start(decoder, pos_s=decoder.seek(command.seconds), play=play, seq=command.seq)

    def _start(
        self, decoder: TrackDecoder, *, pos_s: float, play: TrackPlay | None, seq: int
    ) -> None:
        """Drop what is buffered and continue with ``decoder`` from ``pos_s``."""
        if self._decoder is not None and self._decoder is not decoder:
            self._decoder.close()
        at = self._ring.write_pos
        if play is None:
            play = TrackPlay(decoder.item, decoder.duration_s, start=at)
        self.timeline.begin(play, at=at, pos_s=pos_s, flush=EndReason.SKIPPED)
        self._decoder, self._play, self._carry = decoder, play, None
        self.eos = False
        # The new frames go in while the old ones still sound, so the switch has no gap.
        while (
            self._decoder is decoder
            and self._ring.write_pos - at < self._fill_frames // 2
            and self._ring.space() > 0
        ):
            self._step(decoder, play)
        self._skip_to(at)
        self.expect_frames = True
        self.pending_seq, self.pending_at = seq, at
        if self.mode is PlaybackState.PLAYING:
            self._run()

    def _do_setnext(self, command: m.SetNext) -> None:
        self._close_next()
        if command.track is not None:
            try:
                self._next = self._open(command.track)
            except AudioError as exc:
                self._report(command.track.play_id, exc)
        replaced = self.timeline.unheard_successor()
        if replaced is not None and self._take_back(replaced.start):
            self.timeline.drop(replaced)  # its frames are gone before anyone heard them
            if self._decoder is not None:
                self._decoder.close()
            self._decoder = self._play = self._carry = None
            self.eos, self.expect_frames = True, False
            at = replaced.start
        elif self._decoder is None and not self.timeline.idle():
            at = self._ring.write_pos  # the current track is all in the ring already
        else:
            return
        if self.mode is not PlaybackState.STOPPED:
            self._follow(at)

    def _take_back(self, start: int) -> bool:
        """Un-write the ring's frames from ``start`` on, unless the consumer has reached them.

        A callback that read the old ``write_pos`` may still be copying; after two more
        callbacks have completed none can be, and ``read_pos`` tells whether it was in time.
        """
        ring = self._ring
        written = ring.write_pos
        ring.write_pos = start
        if not self.running:  # no callback runs: the consumer stands still
            if ring.read_pos <= start:
                return True
            ring.write_pos = written
            return False
        seen = self.calls
        deadline = time.monotonic() + 1.0
        while self.calls < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        if self.calls >= seen + 2 and ring.read_pos <= start:
            return True
        ring.write_pos = written  # too late (or no callback ran): nothing was overwritten
        return False

    def _do_pause(self, command: m.Pause) -> None:
        if self.mode is PlaybackState.PLAYING:
            self.mode = PlaybackState.PAUSED
            self._halt()

    def _do_resume(self, command: m.Resume) -> None:
        if self.mode is PlaybackState.PAUSED:
            self.mode = PlaybackState.PLAYING
            self._run()

    def _do_stop(self, command: m.Stop | None = None) -> None:
        self._close_decoders()
        self.mode = PlaybackState.STOPPED
        self._drop_buffered(EndReason.STOPPED)

    def _do_volume(self, command: m.Volume) -> None:
        self.volume = min(max(float(command.volume), 0.0), 1.0)

    def _do_device(self, command: m.Device) -> None:
        self._halt()
        self._stream.close()
        try:
            name = describe(command.index, self.rate)[0]
            self._stream = self._open_stream(command.index)
        except (sd.PortAudioError, ValueError) as exc:
            self._stream = self._open_stream(self._device)
            self._resume_output()
            raise AudioError(
                "Cannot use that sound output",
                f"{exc}. Continuo keeps playing through the previous output.",
            ) from exc
        self._device = command.index
        self.name = name
        self._pump.post(m.DeviceChanged(command.index, self.name, tuple(output_devices())))
        self._resume_output()

    def _resume_output(self) -> None:
        if self.mode is PlaybackState.PLAYING and not self.timeline.idle():
            self._run()

    def _drop_buffered(self, reason: EndReason) -> None:
        """End everything in the ring with ``reason`` and skip past it."""
        self.expect_frames = False
        at = self._ring.write_pos
        self.timeline.flush(at=at, reason=reason)
        self._skip_to(at)
        self._decoder = self._play = self._carry = None
        self.eos = True

    # --- the stream (command thread) ----------------------------------------------------------

    def _open_stream(self, device: int | None) -> sd.OutputStream:
        stream = sd.OutputStream(
            samplerate=self.rate,
            channels=self.channels,
            dtype="float32",
            device=device,
            latency=self._latency_s,
            blocksize=self._blocksize,
            callback=self._callback,
            finished_callback=self._finished,
        )
        self._shared[LATENCY] = float(stream.latency)
        # PortAudio's ALSA stream holds its latency plus one block; filling it takes that many
        # callbacks at the start (see ``_callback``).
        self._prime_blocks = round(stream.latency * self.rate / self._blocksize) + 1
        return stream

    def _run(self) -> None:
        """Start the stream (reopening it if it failed earlier)."""
        if self.running:
            return
        self._priming = self._prime_blocks
        try:
            if self._failed:
                raise sd.PortAudioError("the stream failed earlier")
            self._stream.start()
        except sd.PortAudioError:
            try:
                self._stream.close()
                self._stream = self._open_stream(self._device)
                self._failed = False
                self._stream.start()
            except sd.PortAudioError as exc:
                self.mode = PlaybackState.STOPPED
                raise AudioError(
                    "The sound output failed",
                    f"PortAudio could not open {self.name} ({exc}). Choose another output device.",
                ) from exc
        self.running = True

    def _halt(self) -> int:
        """Stop the stream now, dropping what the device had queued, and go back to the ring
        frame being heard (those frames are still in the ring); returns that frame."""
        ring = self._ring
        if self.running:
            self._halts += 1
            # Read before the abort: the device stops somewhere during the call, so the frame
            # being heard then is at or after this one (after: a few ms heard twice, never a
            # skip). Not before what the event thread has already told the app was heard, so
            # that the track and position shown while paused are those that resume plays.
            heard = max(self.clock.heard(), self.timeline.accounted())
            with contextlib.suppress(sd.PortAudioError):  # gone meanwhile: stopped all the same
                self._stream.abort()  # waits for a running callback to finish
            self.running = False
            heard = min(max(heard, ring.write_pos - ring.capacity), ring.read_pos)
            ring.move_read(heard)
            self._hold(heard)
        return ring.read_pos

    def _skip_to(self, at: int) -> None:
        """Stop the stream and drop the frames before ``at`` unheard (a jump in the timeline)."""
        heard = self._halt()
        if heard != at:
            self.timeline.jump(heard, at)
            self._ring.move_read(at)
            self._hold(at)

    def _hold(self, frame: int) -> None:
        """The stream is stopped and ``frame`` is heard next (the consumer side's fields)."""
        self._last_call = 0.0
        self._next_frame = -1
        self._scheduled = False
        self.clock.hold(frame)

    def _check_stream(self) -> None:
        """The stream stopped without being asked to: the device failed or went away."""
        if self._finishes <= self._halts or not self.running:
            return
        self._halts = self._finishes
        self.running = False
        self._failed = True  # reopened at the next play
        self._hold(self._ring.read_pos)
        self._close_decoders()
        self.mode = PlaybackState.STOPPED
        self._drop_buffered(EndReason.ERROR)
        self._pump.post(
            m.DeviceLost(
                f"The sound output stopped: {self.name} stopped taking sound (was it "
                "unplugged?). Choose an output device or press play again."
            )
        )
        self._pump.wake()

    def _check_finished(self) -> None:
        """The last frames were heard: stop the stream (no callbacks while nothing plays)."""
        if self.eos and self.mode is PlaybackState.PLAYING and self.timeline.idle():
            self.mode = PlaybackState.STOPPED
            self.expect_frames = False
            self._halt()
            self._pump.wake()

    def _shut_down(self) -> None:
        self._do_stop()
        self._pump.close()
        self._stream.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    # --- decoding (command thread) ------------------------------------------------------------

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
                self._carry = decoder.read()
            except AudioError as exc:
                self._report(_play_id(decoder), exc)
                self._next_track(decoder, play, EndReason.ERROR)
                return
        n = min(len(self._carry), self._ring.space())
        self._ring.write(self._carry[:n])
        self._carry = self._carry[n:]

    def _next_track(self, decoder: TrackDecoder, play: TrackPlay, reason: EndReason) -> None:
        """The current file is fully written (or broke): the successor follows in the ring."""
        at = self._ring.write_pos
        self.timeline.end(play, at=at, reason=reason)
        decoder.close()
        self._decoder = self._play = self._carry = None
        self.eos = True
        self.expect_frames = False
        if self._next is not None:
            self._follow(at)
        self._pump.wake()  # a new boundary is known

    def _follow(self, at: int) -> None:
        """The opened successor's frames start at ring frame ``at``, right after the last ones."""
        decoder, self._next = self._next, None
        if decoder is None:
            return
        self._decoder = decoder
        self._play = TrackPlay(decoder.item, decoder.duration_s, start=at, gapless=True)
        self.timeline.begin(self._play, at=at, pos_s=0.0)
        self.eos = False
        self.expect_frames = True

    def _close_next(self) -> None:
        if self._next is not None:
            self._next.close()
            self._next = None

    def _close_decoders(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._close_next()

    # --- PortAudio's threads ------------------------------------------------------------------

    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:  # noqa: ANN001
        shared = self._shared
        now = time_info.currentTime
        if shared[EPOCH] != shared[EPOCH_SEEN]:  # the app asks for fresh figures
            shared[GAP_MAX] = shared[BLOCK_MAX] = 0.0
            shared[FILL_MIN] = self._ring.capacity
            shared[EPOCH_SEEN] = shared[EPOCH]
        if self._last_call and now - self._last_call > shared[GAP_MAX]:
            shared[GAP_MAX] = now - self._last_call
        self._last_call = now
        if frames > shared[BLOCK_MAX]:
            shared[BLOCK_MAX] = frames
        if status.output_underflow:
            shared[N_UNDERFLOW] += 1
        ring = self._ring
        frame = ring.read_pos
        n = ring.read_into(outdata)
        if self.expect_frames:
            if n < frames:
                shared[N_DRY] += 1
            if ring.write_pos - ring.read_pos < shared[FILL_MIN]:
                shared[FILL_MIN] = ring.write_pos - ring.read_pos
        self._gain.apply(outdata, self.volume)
        if frame != self._next_frame:
            self._run_start = frame
            self._scheduled = False
        self._next_frame = frame + n
        if self._priming:
            # The blocks that fill the device's buffer after a start come back to back before
            # the output runs, and their DAC times count only the frames queued, not the
            # output's own latency (PulseAudio: its sink's, ~85 ms; an idle null sink's, up to
            # 2 s): published, they would put the clock ahead of the speaker, and the clock
            # would jump back at the first block handed over while the output runs. The clock
            # holds the run's first frame until then: late by a block at most, never ahead.
            self._priming -= 1
        elif n or not self._scheduled:  # (silence after the music: the last schedule holds)
            # When the block reaches the speaker, on time.monotonic's clock: measured from the
            # stream's clock now, not from ``now`` (this call may have waited for the GIL).
            dac = time_info.outputBufferDacTime
            delay = dac - self._stream.time if dac > 0 else self._shared[LATENCY]
            self.clock.publish(frame, n, time.monotonic() + delay, self._run_start)
            self._scheduled = True
        self.calls += 1

    def _finished(self) -> None:
        """The stream became inactive (we stopped it, or the device did)."""
        self._finishes += 1
        self.wake()


def _play_id(decoder: TrackDecoder) -> int | None:
    token = decoder.item.token
    return token if isinstance(token, int) else None
