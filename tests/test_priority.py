"""A job the listener waits for goes first: background loops pause at their pause points while
it runs, and go on once it ends (or after a bounded wait)."""

from __future__ import annotations

import threading

from player.library.search_index import build_search
from player.priority import SLICE, Priority


def background(priority: Priority, done: list[str]) -> threading.Thread:
    """A background loop's pause point on its own thread; says when it got past it."""

    def run() -> None:
        priority.pause_point()
        done.append("background")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_background_work_waits_at_its_pause_point_until_the_foreground_job_ends():
    priority, done = Priority(max_wait_s=60), []
    with priority.foreground():
        assert priority.busy
        thread = background(priority, done)
        thread.join(0.3)  # it is waiting: it would have got past at once
        assert done == [] and thread.is_alive()
        done.append("foreground")
    thread.join(10)
    assert done == ["foreground", "background"] and not priority.busy


def test_without_a_foreground_job_a_pause_point_returns_at_once():
    priority, done = Priority(max_wait_s=60), []
    background(priority, done).join(10)
    assert done == ["background"]


def test_a_pause_point_waits_no_longer_than_its_bound():
    priority, done = Priority(max_wait_s=0.05), []
    with priority.foreground():
        background(priority, done).join(10)
        assert done == ["background"]  # went on while the foreground job still ran


def test_nested_and_failing_foreground_jobs_release_the_background():
    priority = Priority()
    try:
        with priority.foreground(), priority.foreground():
            raise ValueError("the job failed")
    except ValueError:
        pass
    assert not priority.busy


def test_the_search_build_pauses_every_slice_and_builds_the_same_texts():
    rows = [
        (i, f"c{i % 7}", f"Composer {i % 7}", "", f"w{i % 50}", f"Work {i % 50}", "", "",
         f"r{i % 300}", "Performers", 1990, "Album", "", f"Movement {i % 4}")
        for i in range(2 * SLICE + 1)
    ]  # fmt: skip
    calls: list[int] = []
    paused = build_search(iter(rows), lambda: calls.append(1))
    plain = build_search(iter(rows))
    assert len(calls) == 3  # rows 0, SLICE and 2 * SLICE
    assert paused.ids.tolist() == plain.ids.tolist()
    for query in ("composer 3 work 12", "movement 2", "zzz"):
        assert paused.find(query).ids.tolist() == plain.find(query).ids.tolist()
