"""The rules of the play log every layer applies: how a play ends, who started it, when it
counts as heard, and the names of the sources that fill "Up next"."""

from __future__ import annotations

from enum import Enum


class EndReason(Enum):
    """Why the audio backend stopped playing a track."""

    FINISHED = "finished"  # played to the end (the next one, if set, follows gaplessly)
    SKIPPED = "skipped"  # replaced by another track before its end
    STOPPED = "stopped"  # stop() or the app closed
    ERROR = "error"  # could not be decoded or the device failed


ENDINGS = ("finished", "skipped", "stopped", "interrupted")
"""How a logged play ended (``plays.ended_how``); "interrupted" closes plays a crash left open."""

STARTERS = ("user", "queue", "suggestion")
"""Who started a play (``plays.started_by``)."""

HEARD_MS = 30_000
"""A play heard this long, or finished, counts as heard (popularity, discovery, accepted
suggestions); a skip sooner is a quick skip (negative feedback, a skipped suggestion)."""


def ended_how(reason: EndReason) -> str:
    """The play log's word for a backend's end reason (a decoding error ends it as stopped)."""
    return "stopped" if reason is EndReason.ERROR else reason.value


def is_heard(ms_heard: int, ended: str | None) -> bool:
    return ended == "finished" or ms_heard >= HEARD_MS


def is_quick_skip(ms_heard: int, ended: str | None) -> bool:
    return ended == "skipped" and ms_heard < HEARD_MS


MODEL, CONTENT, SESSIONS, POPULAR, CURRENT_WORK = (
    "personal model",
    "content similarity",
    "your sessions",
    "popularity",
    "current work",
)
"""The sources of "Up next", in fallback order, and the rest of the recording now playing."""
