"""What every reader shares: line-numbered problems, the skip report, and building SessionData."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import numpy as np

from player.errors import ContinuoError
from player.store.sessions import SESSION_GAP, split_sessions
from trainer.dataset import SessionData, Vocabulary

MAX_PROBLEMS_SHOWN = 5
FIRST_TIME = datetime(1, 1, 2, tzinfo=UTC).timestamp()
LAST_TIME = datetime(9999, 12, 30, tzinfo=UTC).timestamp()
"""Unix seconds a ``datetime`` can hold (a day's margin for time zones)."""
MAX_LINE_BYTES = 1 << 16
"""Longest line read; a longer one is skipped in pieces, so junk never fills memory."""
JUNK_LINES = 100
"""A file whose first lines are all unreadable is not a history file: refused at once."""
PAPER_MIN_LENGTH, PAPER_MAX_LENGTH = 5, 40  # seed paper §4.1: sessions of 5 to 40 plays


class ReadError(ContinuoError):
    """A history file cannot be used at all (missing, empty, not text, no usable line)."""


class NoSessionsError(ReadError):
    """The file was read but no session is left: an empty history, not a damaged one."""


@dataclass
class ReadReport:
    """What a reader did with a file: counts, and the first few problems as ``file:line: why``."""

    path: str
    lines: int = 0
    events: int = 0
    skipped: int = 0
    sessions: int = 0
    dropped_short: int = 0
    truncated_long: int = 0
    reordered: int = 0  # sessions (or listeners' logs) whose lines were not in time order
    problems: list[str] = field(default_factory=list)

    def problem(self, line: int | str, why: str) -> None:
        """Count a skipped line and remember the first few reasons."""
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(f"{self.path}:{line}: {why}")

    def summary(self) -> str:
        text = (
            f"{self.path}: {self.events} events in {self.sessions} sessions; "
            f"{self.skipped} of {self.lines} lines skipped"
        )
        if self.dropped_short or self.truncated_long:
            text += (
                f"; {self.dropped_short} sessions too short dropped, "
                f"{self.truncated_long} long ones truncated"
            )
        if self.reordered:
            text += f"; {self.reordered} sessions or logs were out of order and sorted by time"
        if self.problems:
            more = self.skipped - len(self.problems)
            text += (
                "\n  " + "\n  ".join(self.problems) + (f"\n  … and {more} more" if more > 0 else "")
            )
        return text


def text_lines(path: Path, report: ReadReport) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of a UTF-8 text file (``.gz`` too), skipping undecodable lines.

    Raises :class:`ReadError` when the file is missing, unreadable, or not text at all.
    """
    if not path.exists():
        raise ReadError(f"{path}: no such file", "Check the path given to --sessions.")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            unreadable = 0
            for number, (raw, whole) in enumerate(_bounded_lines(handle), start=1):
                report.lines += 1
                if number == 1 and b"\x00" in raw:
                    raise ReadError(
                        f"{path}:1: binary data, not a text file", "Give a UTF-8 text file."
                    )
                if unreadable == JUNK_LINES and number == JUNK_LINES + 1:
                    raise ReadError(
                        f"{path}: not a text file",
                        f"None of its first {JUNK_LINES} lines is readable text:\n"
                        + "\n".join(report.problems),
                    )
                if not whole:
                    unreadable += 1
                    report.problem(number, f"longer than {MAX_LINE_BYTES // 1024} KiB: skipped")
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    unreadable += 1
                    report.problem(number, f"not UTF-8 text ({error.reason} at byte {error.start})")
                    continue
                if number == 1:
                    text = text.lstrip("\ufeff")
                yield number, text.rstrip("\r\n")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ReadError(f"{path}: cannot be read", str(error)) from error


class _ReadsLines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def _bounded_lines(handle: _ReadsLines) -> Iterator[tuple[bytes, bool]]:
    """``(bytes, whole)`` of each line; a line longer than :data:`MAX_LINE_BYTES` gives its
    first piece with ``whole`` False, and the rest is skipped in bounded reads only when the
    next line is asked for (so a caller that refuses the file reads no further)."""
    while raw := handle.readline(MAX_LINE_BYTES):
        whole = len(raw) < MAX_LINE_BYTES or raw.endswith(b"\n")
        yield raw, whole
        if not whole:
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass


def parse_time(value: str) -> float:
    """Unix seconds from unix seconds or an ISO 8601 time (naive times are UTC).

    Raises ``ValueError`` for text that is neither, and for a number that is no time a
    calendar holds (``inf``, ``nan``, ``99999999999999``), so a reader reports the line.
    """
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    if not FIRST_TIME <= seconds <= LAST_TIME:  # False for nan too
        raise ValueError(f"{value!r} is not a time between years 1 and 9999")
    return seconds


@dataclass
class Event:
    """One listening event as the readers collect it."""

    item: str
    artist: str
    time: float


class SessionBuilder:
    """Collects sessions of events and builds a :class:`SessionData` over fresh vocabularies."""

    def __init__(self, report: ReadReport, *, min_length: int = 2, max_length: int | None = None):
        if min_length < 1 or (max_length is not None and max_length < min_length):
            raise ValueError(f"session lengths {min_length}..{max_length} make no sense")
        self.report, self.min_length, self.max_length = report, min_length, max_length
        self.items, self.artists = Vocabulary(), Vocabulary()
        self.artist_of: dict[int, int] = {}
        self.ids: list[str] = []
        self.sessions: list[np.ndarray] = []
        self.times: list[np.ndarray] = []

    def add(self, session_id: str, events: list[Event]) -> None:
        if len(events) < self.min_length:
            self.report.dropped_short += 1
            return
        if self.max_length is not None and len(events) > self.max_length:
            self.report.truncated_long += 1
            events = events[: self.max_length]
        indices = []
        for event in events:
            index = self.items.add(event.item)
            indices.append(index)
            if index not in self.artist_of:
                self.artist_of[index] = self.artists.add(event.artist) if event.artist else 1
        self.ids.append(session_id)
        self.sessions.append(np.array(indices, dtype=np.int64))
        self.times.append(np.array([e.time for e in events], dtype=np.float64))

    def build(self, *, with_times: bool) -> SessionData:
        if not self.sessions:
            raise NoSessionsError(
                f"{self.report.path}: no usable sessions",
                f"Nothing left after reading ({self.report.skipped} of {self.report.lines} lines "
                f"skipped, {self.report.dropped_short} sessions shorter than {self.min_length})."
                + ("\n" + "\n".join(self.report.problems) if self.report.problems else ""),
            )
        item_artist = np.ones(len(self.items), dtype=np.int64)
        item_artist[0] = 0
        for index, artist in self.artist_of.items():
            item_artist[index] = artist
        self.report.sessions = len(self.sessions)
        self.report.events = int(sum(len(s) for s in self.sessions))
        return SessionData(
            session_ids=self.ids,
            sessions=self.sessions,
            items=self.items,
            artists=self.artists,
            item_artist=item_artist,
            session_times=self.times if with_times else None,
        )


def add_log(
    builder: SessionBuilder, user: str, events: list[Event], gap: timedelta = SESSION_GAP
) -> None:
    """Sort one listener's events by time and cut them by the shared session rule.

    Scrobble logs are often stored newest first; the sort (stable, so equal times keep the file's
    order) makes them chronological before :func:`player.store.sessions.split_sessions` cuts them.
    """
    times = np.array([e.time for e in events])
    if not (np.all(np.diff(times) >= 0) or np.all(np.diff(times) <= 0)):
        builder.report.reordered += 1  # neither oldest nor newest first: sorted, and said so
    events = sorted(events, key=lambda e: e.time)
    cut = split_sessions(
        events,
        time_of=lambda e: datetime.fromtimestamp(e.time, UTC),
        item_of=lambda e: e.item,
        gap=gap,
    )
    for number, session in enumerate(cut):
        builder.add(f"{user}:{number}", session)
