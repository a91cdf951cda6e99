"""Train / validation / test splits of the session-based literature (session-rec, §3.1).

Playlists have no time, so they are ordered by id (the playlists' ids grow with creation); logs
with timestamps are ordered by each session's first event. The last fraction is held out, so
the test sessions come after everything the model trained on — no leakage from the future.
"""

from __future__ import annotations

from trainer.dataset import SessionData


def _id_key(session_id: str) -> tuple[int, int | str]:
    """Numeric ids sort as numbers (``"9" < "10"``), others as text after them."""
    return (0, int(session_id)) if session_id.lstrip("-").isdigit() else (1, session_id)


def order_by_id(data: SessionData) -> list[int]:
    """Session positions sorted by session id."""
    return sorted(range(len(data.sessions)), key=lambda i: _id_key(data.session_ids[i]))


def order_by_time(data: SessionData) -> list[int]:
    """Session positions sorted by the time of their first event (ties by id)."""
    if data.session_times is None:
        raise ValueError("split by time needs timestamps; this data has none (split by id)")
    starts = [float(t[0]) if len(t) else 0.0 for t in data.session_times]
    return sorted(
        range(len(data.sessions)), key=lambda i: (starts[i], _id_key(data.session_ids[i]))
    )


def _split(
    data: SessionData, order: list[int], test_fraction: float
) -> tuple[SessionData, SessionData]:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, not {test_fraction}")
    n_test = int(round(len(order) * test_fraction))
    if len(order) >= 2:
        n_test = min(max(n_test, 1), len(order) - 1)
    cut = len(order) - n_test
    return data.subset(order[:cut]), data.subset(order[cut:])


def split_by_id(data: SessionData, test_fraction: float = 0.2) -> tuple[SessionData, SessionData]:
    """``(train, test)``: the last ``test_fraction`` of sessions by id are the test set.

    Both keep the id order, so "recent" sessions (for SKNN's sampling) are the last ones.
    """
    return _split(data, order_by_id(data), test_fraction)


def split_by_time(data: SessionData, test_fraction: float = 0.2) -> tuple[SessionData, SessionData]:
    """``(train, test)``: the sessions that started last are the test set (time order kept)."""
    return _split(data, order_by_time(data), test_fraction)


def split(
    data: SessionData, test_fraction: float = 0.2, by: str = "auto"
) -> tuple[SessionData, SessionData]:
    """Split by ``"id"``, ``"time"``, or ``"auto"`` (time when the data has timestamps)."""
    if by == "auto":
        by = "time" if data.session_times is not None else "id"
    if by == "id":
        return split_by_id(data, test_fraction)
    if by == "time":
        return split_by_time(data, test_fraction)
    raise ValueError(f"split by 'id', 'time' or 'auto', not {by!r}")


def train_valid_test(
    data: SessionData,
    *,
    test_fraction: float = 0.2,
    valid_fraction: float = 0.1,
    by: str = "auto",
) -> tuple[SessionData, SessionData, SessionData]:
    """``(train, valid, test)``: test as :func:`split`, validation carved from the end of train.

    Tune on ``(train, valid)``; report on ``(train + valid, test)`` — use :func:`concat` to
    re-join them for the final fit.
    """
    rest, test = split(data, test_fraction, by)
    train, valid = split(rest, valid_fraction, by)
    return train, valid, test


def concat(first: SessionData, second: SessionData) -> SessionData:
    """The sessions of both (same vocabulary), ``first`` before ``second``."""
    if first.items is not second.items:
        raise ValueError("concat needs two SessionData over the same item vocabulary")
    times = None
    if first.session_times is not None and second.session_times is not None:
        times = first.session_times + second.session_times
    return SessionData(
        session_ids=first.session_ids + second.session_ids,
        sessions=first.sessions + second.sessions,
        items=first.items,
        artists=first.artists,
        item_artist=first.item_artist,
        item_content=first.item_content,
        session_times=times,
    )
