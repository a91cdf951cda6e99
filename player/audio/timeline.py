"""What the decoder wrote where in the ring, and what of it was actually heard.

The command thread (the engine's producer) records each *play* of a track (first frame, last
frame, how it ended), each *segment* (a run of frames that starts at a known second of the file:
a play's start or a seek) and each *jump* of the consumer over dropped frames. The event thread
then walks the frames heard at the speaker, in ring order, minus the ones jumped over, and turns
them into events: a play *starts* when its first frame is heard (not when it was decoded, so a
gapless successor starts on time) and *ends* when the speaker passes its last frame, with the
milliseconds really heard.

All positions are absolute ring frames (see ``ring.FrameRing``). One lock guards the lists;
it is shared by the command and event threads, never by the PortAudio callback. The event
thread alone writes ``heard``/``started`` and the cursor; the command thread alone adds plays,
segments and jumps and sets where a play ends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from player.audio.backend import EndReason, Playable


@dataclass(eq=False)
class TrackPlay:
    """One play of one track, from its first frame in the ring to its last."""

    item: Playable
    duration_s: float
    start: int  # ring frame of its first frame
    end: int | None = None  # ring frame after its last, once known
    end_reason: EndReason | None = None  # why it ended if it is heard to its end
    heard: int = 0  # frames heard (event thread)
    started: bool = False  # track_started was sent (event thread)
    gapless: bool = False  # follows the previous play directly (not a play() or a seek)


@dataclass(frozen=True)
class Segment:
    play: TrackPlay
    start: int  # ring frame
    pos_s: float  # second of the file at that frame


@dataclass(frozen=True)
class Event:
    kind: str  # "started" or "ended"
    play: TrackPlay
    reason: EndReason | None = None
    ms_heard: int = 0


class Timeline:
    """Plays and segments in ring order, and the accounting of heard frames."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._plays: list[TrackPlay] = []
        self._segments: list[Segment] = []
        self._flush_reasons: dict[int, EndReason] = {}
        self._jumps: list[tuple[int, int]] = []  # (from, to), command thread → event thread
        self._cursor = 0  # every frame before it is accounted for (event thread)

    # decoder thread --------------------------------------------------------------------------

    def begin(
        self, play: TrackPlay, *, at: int, pos_s: float, flush: EndReason | None = None
    ) -> None:
        """Frames from ring frame ``at`` on are ``play``'s, starting at second ``pos_s``.

        With ``flush``, what was buffered before ``at`` is being dropped (see :meth:`flush`);
        both happen under one lock so no reader sees the play ended in between.
        """
        with self._lock:
            if flush is not None:
                self._flush(at, flush)
            if play not in self._plays:
                self._plays.append(play)
            play.end = None
            play.end_reason = None
            self._segments.append(Segment(play, at, pos_s))

    def end(self, play: TrackPlay, *, at: int, reason: EndReason) -> None:
        """``play`` has no frames from ``at`` on; ``reason`` holds if it is heard to the end."""
        with self._lock:
            play.end = at
            play.end_reason = reason

    def flush(self, *, at: int, reason: EndReason) -> None:
        """Frames before ``at`` are being dropped: open plays end there; a play cut short by
        the ring's jump ends with ``reason`` (skipped or stopped)."""
        with self._lock:
            self._flush(at, reason)

    def jump(self, src: int, dst: int) -> None:
        """The consumer went from ring frame ``src`` straight to ``dst``: frames between were
        dropped unheard (recorded before the stream runs again, so before any frame past
        ``dst`` can be heard)."""
        with self._lock:
            self._jumps.append((src, dst))

    def _flush(self, at: int, reason: EndReason) -> None:
        for play in self._plays:
            if play.end is None:
                play.end = at
                play.end_reason = reason
        self._flush_reasons.setdefault(at, reason)

    # any thread ------------------------------------------------------------------------------

    def find(self, play_id: object) -> TrackPlay | None:
        """The play (not yet retired) of the item whose token is ``play_id``."""
        with self._lock:
            return next((p for p in reversed(self._plays) if p.item.token == play_id), None)

    def snapshot(self) -> tuple[int, list[tuple[TrackPlay, Segment]]]:
        """The cursor and each play with its last segment, in ring order (for publishing)."""
        with self._lock:
            last = {id(s.play): s for s in self._segments}
            return self._cursor, [(p, last[id(p)]) for p in self._plays if id(p) in last]

    def next_boundary(self) -> int | None:
        """The first ring frame past the cursor whose hearing starts or ends a play, if known
        (a play starts once its first frame has been heard: at ``start + 1``)."""
        with self._lock:
            marks = [p.start + 1 for p in self._plays if not p.started]
            marks += [p.end for p in self._plays if p.end is not None]
            ahead = [m for m in marks if m > self._cursor]
            return min(ahead) if ahead else None

    def accounted(self) -> int:
        """The ring frame up to which frames were reported heard (events sent for them)."""
        with self._lock:
            return self._cursor

    def jumps_waiting(self) -> bool:
        with self._lock:
            return bool(self._jumps)

    def unheard_successor(self) -> TrackPlay | None:
        """The last play, if it follows another gaplessly and none of it was heard yet."""
        with self._lock:
            last = self._plays[-1] if self._plays else None
            return last if last is not None and last.gapless and not last.started else None

    def drop(self, play: TrackPlay) -> None:
        """Forget ``play``: its frames were taken back from the ring before any was heard."""
        with self._lock:
            self._plays.remove(play)
            self._segments = [s for s in self._segments if s.play is not play]

    def idle(self) -> bool:
        """No play is waiting to be heard or to end."""
        with self._lock:
            return not self._plays

    # event thread ----------------------------------------------------------------------------

    def advance(self, heard: int) -> list[Event]:
        """Account for the frames heard up to ring frame ``heard`` and the jumps recorded."""
        events: list[Event] = []
        with self._lock:
            jumps, self._jumps = self._jumps, []
            for src, dst in jumps:
                self._consume(src, events)
                self._jump(src, dst, events)
            self._consume(heard, events)
            for target in [t for t in self._flush_reasons if t <= self._cursor]:
                del self._flush_reasons[target]
        return events

    def _consume(self, upto: int, events: list[Event]) -> None:
        """Frames from the cursor up to ``upto`` were heard, in ring order."""
        for play in list(self._plays):
            stop = upto if play.end is None else min(upto, play.end)
            first = max(self._cursor, play.start)
            if stop > first:
                if not play.started:
                    play.started = True
                    events.append(Event("started", play))
                play.heard += stop - first
            if play.end is not None and play.end <= upto:
                self._retire(play, play.end_reason or EndReason.FINISHED, events)
        self._cursor = max(self._cursor, upto)

    def _jump(self, src: int, dst: int, events: list[Event]) -> None:
        """Frames from ``src`` to ``dst`` were dropped: plays they cut short end by the flush."""
        reason = self._flush_reasons.get(dst, EndReason.SKIPPED)
        for play in list(self._plays):
            if play.end is not None and play.end <= dst:
                self._retire(play, reason, events)
        self._cursor = max(self._cursor, dst)

    def _retire(self, play: TrackPlay, reason: EndReason, events: list[Event]) -> None:
        if play.started:
            ms = round(play.heard * 1000 / self.rate)
            events.append(Event("ended", play, reason, ms))
        self._plays.remove(play)
        self._segments = [s for s in self._segments if s.play is not play]
