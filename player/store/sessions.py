"""The session rule, shared by the player's play log and the trainer (DESIGN.md, contract 2).

A session is a run of listening events in which no gap exceeds ``gap`` (40 minutes by default,
as in the seed paper); consecutive repeats of one item are merged into the first of them.

The rule itself is :func:`session_cuts`, on arrays, so a decade of plays (a million rows) is cut
in numpy; :func:`split_sessions` and :func:`iter_sessions` apply it to Python events.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import count, islice
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np


Event = TypeVar("Event")

SESSION_GAP = timedelta(minutes=40)
_CHUNK = 4096
"""Events cut per numpy call while streaming."""


def session_cuts(
    starts: np.ndarray, ends: np.ndarray, items: np.ndarray, gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """The rule on arrays of events in the order they happened.

    Parameters
    ----------
    starts, ends : int64 arrays, shape (N,)
        When each event started and ended, in any one integer unit (ends may precede starts
        when unknown: the start then counts as the end).
    items : array, shape (N,)
        What was heard; equal values count as a repeat.
    gap : int
        The longest pause that keeps a session going, in the unit of ``starts``.

    Returns
    -------
    new_session : bool array, shape (N,)
        True where an event starts a session: the pause since the previous event's end is over
        ``gap``, or the clock went backwards (an event starting before the previous one started);
        the first event always does.
    repeat : bool array, shape (N,)
        True where an event repeats the previous event's item inside the same session.
    """
    import numpy as np

    n = len(starts)
    new_session = np.ones(n, dtype=bool)
    repeat = np.zeros(n, dtype=bool)
    if n > 1:
        previous_end = np.maximum(starts[:-1], ends[:-1])
        new_session[1:] = (starts[1:] - previous_end > gap) | (starts[1:] < starts[:-1])
        repeat[1:] = ~new_session[1:] & (items[1:] == items[:-1])
    return new_session, repeat


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
    return list(
        iter_sessions(
            events,
            time_of=time_of,
            item_of=item_of,
            end_of=end_of,
            gap=gap,
            merge_repeats=merge_repeats,
        )
    )


def iter_sessions(
    events: Iterable[Event],
    *,
    time_of: Callable[[Event], datetime],
    item_of: Callable[[Event], Hashable],
    end_of: Callable[[Event], datetime] | None = None,
    gap: timedelta = SESSION_GAP,
    merge_repeats: bool = True,
) -> Iterator[list[Event]]:
    """:func:`split_sessions` one session at a time, reading ``events`` a few thousand at a
    time, so a log of a million plays is cut in constant memory (``continuo history --json``)."""
    import numpy as np

    end_of = end_of or time_of
    micro = timedelta(microseconds=1)
    origin: datetime | None = None
    numbers = count()
    item_ids: dict[Hashable, int] = {}  # only the previous event's item is ever compared
    previous: tuple[int, int, int] | None = None  # (start, end, item) of the last event
    current: list[Event] = []
    source = iter(events)
    while chunk := list(islice(source, _CHUNK)):
        origin = origin or time_of(chunk[0])
        starts = [(time_of(e) - origin) // micro for e in chunk]
        ends = [(end_of(e) - origin) // micro for e in chunk]
        items = [item_ids.setdefault(item_of(e), next(numbers)) for e in chunk]
        if previous is not None:
            starts.insert(0, previous[0])
            ends.insert(0, previous[1])
            items.insert(0, previous[2])
        new_session, repeat = session_cuts(
            np.array(starts, np.int64), np.array(ends, np.int64), np.array(items), gap // micro
        )
        if previous is not None:
            new_session, repeat = new_session[1:], repeat[1:]
        for event, new, again in zip(chunk, new_session.tolist(), repeat.tolist(), strict=True):
            if new and current:
                yield current
                current = []
            if not (merge_repeats and again):
                current.append(event)
        previous = (starts[-1], ends[-1], items[-1])
        item_ids = {item_of(chunk[-1]): items[-1]}
    if current:
        yield current
