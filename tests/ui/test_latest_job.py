"""LatestJob: the newest request wins; answers overtaken by a newer request never arrive."""

from __future__ import annotations

import threading

from player.ui.jobs import LatestJob


def test_only_the_newest_requests_answer_arrives(qtbot, qapp):
    job = LatestJob()
    gate = threading.Event()
    ran: list[str] = []
    answers: list[str] = []

    def request(name: str, wait: bool = False):
        def fn() -> str:
            if wait:
                gate.wait(5)
            ran.append(name)
            return name

        job.submit(fn, answers.append)

    request("first", wait=True)  # runs, and is overtaken while it runs
    request("second")  # replaced before it could start
    request("third")
    gate.set()
    qtbot.waitUntil(lambda: answers == ["third"], timeout=5000)
    assert ran == ["first", "third"]
    job.wait()


def test_an_error_reaches_on_error_when_it_is_the_newest(qtbot, qapp):
    job = LatestJob()
    errors: list[Exception] = []

    def fail() -> None:
        raise ValueError("bad query")

    job.submit(fail, lambda _: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=5000)
    assert str(errors[0]) == "bad query"
