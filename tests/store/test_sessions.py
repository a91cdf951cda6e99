from datetime import UTC, datetime, timedelta

import pytest

from player.store import sessions as sessions_module
from player.store.sessions import split_sessions

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def cut(events, **kwargs):
    """events: (minute offset, item) pairs -> sessions of items."""
    sessions = split_sessions(
        events, time_of=lambda e: T0 + timedelta(minutes=e[0]), item_of=lambda e: e[1], **kwargs
    )
    return [[item for _, item in session] for session in sessions]


def test_gap_of_exactly_forty_minutes_keeps_the_session():
    assert cut([(0, "a"), (40, "b")]) == [["a", "b"]]


def test_gap_just_over_forty_minutes_starts_a_new_session():
    assert cut([(0, "a"), (40.01, "b")]) == [["a"], ["b"]]


def test_consecutive_repeats_are_merged_but_returns_are_kept():
    assert cut([(0, "a"), (1, "a"), (2, "b"), (3, "a")]) == [["a", "b", "a"]]


def test_repeats_kept_when_merging_is_off():
    assert cut([(0, "a"), (1, "a")], merge_repeats=False) == [["a", "a"]]


def test_clock_going_backwards_starts_a_new_session():
    assert cut([(10, "a"), (5, "b"), (6, "c")]) == [["a"], ["b", "c"]]


def test_gap_is_measured_from_the_end_of_a_long_play():
    events = [(0, "symphony", 60), (95, "next", 1)]  # 60-minute play, 35 minutes pause
    sessions = split_sessions(
        events,
        time_of=lambda e: T0 + timedelta(minutes=e[0]),
        end_of=lambda e: T0 + timedelta(minutes=e[0] + e[2]),
        item_of=lambda e: e[1],
    )
    assert [[e[1] for e in s] for s in sessions] == [["symphony", "next"]]


@pytest.mark.parametrize("minutes", [5, 20, 60])
def test_gap_is_configurable(minutes):
    events = [(0, "a"), (minutes, "b")]
    assert cut(events, gap=timedelta(minutes=minutes)) == [["a", "b"]]
    assert cut(events, gap=timedelta(minutes=minutes - 1)) == [["a"], ["b"]]


def test_empty_input_gives_no_sessions():
    assert cut([]) == []


def test_streaming_in_chunks_cuts_as_one_pass(monkeypatch):
    """Events read a few at a time (sessions and repeats crossing chunk edges) cut the same."""
    rng = __import__("random").Random(7)
    events, minute = [], 0.0
    for _ in range(500):
        minute += rng.choice([0.5, 3, 39, 40, 41, -2])
        events.append((minute, rng.choice("aab")))
    whole = cut(events)
    monkeypatch.setattr(sessions_module, "_CHUNK", 3)
    assert cut(events) == whole
    assert sum(len(s) for s in whole) < len(events)  # repeats were merged
    assert len(whole) > 10
