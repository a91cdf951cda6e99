"""The queue and the Problems list change only the rows that changed (a run of files that fail
to play pops the queue and adds a problem at each one)."""

from __future__ import annotations

from player.store.tracks import Track
from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.panels import ProblemsPanel
from player.ui.shell.queue_model import UP_NEXT, QueueModel


def _track(n: int) -> Track:
    return Track(
        path=f"/music/{n:02d}.flac",
        size=1,
        mtime_ns=1,
        title=f"Movement {n}",
        duration_s=60.0,
        id=n,
    )


def _spy(model) -> list[tuple[str, int, int]]:
    seen: list[tuple[str, int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: seen.append(("in", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: seen.append(("out", first, last)))
    return seen


def test_pop_takes_the_head_row_alone(qapp):
    queue = QueueModel()
    queue.set_up_next([_track(n) for n in range(1, 5)], source="From your library")
    seen = _spy(queue)
    heading = queue.index(UP_NEXT, 1)
    assert heading.data() == "4:00"
    assert queue.pop() is not None
    assert seen == [("out", 0, 0)]
    assert [t.id for t in queue.up_next] == [2, 3, 4]
    assert heading.data() == "3:00"  # the heading's total follows
    section = queue.index(UP_NEXT, 0)
    assert [queue.index(r, 0, section).data(TRACK_ROLE).id for r in range(3)] == [2, 3, 4]


def test_problems_change_only_the_rows_that_differ(qapp):
    panel = ProblemsPanel()
    counts = []
    panel.counted.connect(counts.append)
    panel.set_problems([("/m/a.flac", "not on disk"), ("/m/c.flac", "not on disk")])
    model = panel.model
    first, last = model.item(0, 0), model.item(1, 0)
    seen = _spy(model)
    panel.set_problems(
        [("/m/a.flac", "not on disk"), ("/m/b.flac", "damaged"), ("/m/c.flac", "not on disk")]
    )
    panel.set_analysis_failures([("/m/d.flac", "could not decode")])
    assert seen == [("in", 1, 1), ("in", 3, 3)]
    assert model.item(0, 0) is first and model.item(2, 0) is last  # kept, not made again
    rows = [[model.item(r, c).text() for c in range(3)] for r in range(model.rowCount())]
    assert rows == [
        ["a.flac", "not on disk", "scan"],
        ["b.flac", "damaged", "scan"],
        ["c.flac", "not on disk", "scan"],
        ["d.flac", "could not decode", "analysis"],
    ]
    assert model.item(1, 0).toolTip() == "/m/b.flac"
    seen.clear()
    panel.set_problems([("/m/c.flac", "not on disk")])  # two fixed
    assert seen == [("out", 0, 1)]
    assert [model.item(r, 0).text() for r in range(model.rowCount())] == ["c.flac", "d.flac"]
    assert counts == [2, 3, 4, 2]
    panel.deleteLater()
