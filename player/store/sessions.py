"""The session rule, shared by the player's play log and the trainer (DESIGN.md, contract 2).

A session is a run of listening events in which no gap exceeds ``gap`` (40 minutes by default,
as in the seed paper); consecutive repeats of one item are merged into the first of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

Event = TypeVar("Event")

SESSION_GAP = timedelta(minutes=40)


def split_sessions(
    events: Iterable[Event],
    *,
    time_of: Callable[[Event], datetime],
    item_of: Callable[[Event], Hashable],
    end_of: Callable[[Event], datetime] | None = None,
    gap: timedelta = SESSION_GAP,
    merge_repeats: bool = True,
) -> list[list[Event]]:
    """Cut time-ordered events into sessions.

    Parameters
    ----------
    events : iterable
        Listening events in the order they happened.
    time_of : callable
        When an event started.
    item_of : callable
        What was heard (a track id, an item key); equal values count as a repeat.
    end_of : callable, optional
        When an event ended. The gap is measured from the end of one event to the start of the
        next, so a long symphony is not a "gap". Without it, start times are compared
        (scrobble logs carry only those).
    gap : timedelta
        The longest pause that keeps a session going; a pause of exactly ``gap`` does.
    merge_repeats : bool
        Keep only the first of consecutive events with the same item.

    Returns
    -------
    list of sessions, each a non-empty list of events in their original order.

    Notes
    -----
    A clock that goes backwards (an event starting before the previous event started) starts a
    new session: the order of such events cannot be trusted. Readers of logs that are stored
    newest first sort them before calling this.
    """
    end_of = end_of or time_of
    sessions: list[list[Event]] = []
    current: list[Event] = []
    previous: tuple[datetime, datetime] | None = None  # (start, end) of the last event
    for event in events:
        start, end = time_of(event), end_of(event)
        if previous is not None and (start - previous[1] > gap or start < previous[0]):
            sessions.append(current)
            current = []
        if not (merge_repeats and current and item_of(current[-1]) == item_of(event)):
            current.append(event)
        previous = (start, max(start, end))
    if current:
        sessions.append(current)
    return sessions
