"""Up next's row painter (``SuggestionDelegate``) on a real queue model and view, offscreen.

A run of suggestions whose files are gone fails one by one (issue 13: at 100,000 tracks each
failure redrew Up next, stacking with the library's paints): each change of the list has the
view ask every row's size and draw it again, so a suggestion's extra lines are made once per
track and reason, and only the first column's size carries them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTreeView

from player.store.tracks import Track
from player.ui.features.up_next.panel import SuggestionDelegate
from player.ui.shell.queue_model import UP_NEXT, USER, QueueModel


def movement(n: int) -> Track:
    return Track(path=f"/m/{n}.flac", size=1, mtime_ns=1, title=f"Movement {n}", composer="Bach",
                 work="Suite", work_title="Suite No. 1", movement=f"Movement {n}",
                 recording_performers="Casals", year=1938, duration_s=60.0, id=n)  # fmt: skip


def test_a_suggestions_lines_are_made_once_and_follow_its_reason(qtbot):
    model = QueueModel()
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = SuggestionDelegate(view, model.cell, model.suggestion)
    view.setItemDelegate(delegate)
    tracks = [movement(n) for n in range(1, 5)]
    model.set_user([movement(9)])
    model.set_up_next(tracks, source="model", notes={1: "because you played Bach", 3: "new"})
    up_next = model.index(UP_NEXT, 0)
    first = model.index(0, 0, up_next)
    lines = delegate._extra(first)
    assert lines == ["Suite No. 1 · Casals, 1938", "Because you played Bach"]
    assert model.suggestion(model.index(1, 0, up_next)) is None  # no reason: no extra lines
    assert model.suggestion(model.index(0, 0, model.index(USER, 0))) is None  # the queue's
    assert model.suggestion(up_next) is None  # a section's heading
    # the row is as tall as its tallest cell: only the first column's size holds the lines
    tall = delegate.sizeHint(_option(view), first)
    short = delegate.sizeHint(_option(view), model.index(0, 1, up_next))
    assert tall.height() > short.height()
    model.pop()  # the queue's head plays: Up next's rows stay
    model.pop()  # Up next's head plays: its rows move up one
    third = model.index(1, 0, up_next)
    assert delegate._extra(third) == ["Suite No. 1 · Casals, 1938", "New"]
    assert delegate._extra(third) is delegate._extra(third)  # made once, not per call
    model.set_up_next(tracks[2:], source="model", notes={3: "similar in sound"})
    assert delegate._extra(model.index(0, 0, up_next))[-1] == "Similar in sound"


def _option(view: QTreeView):
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.initFrom(view)
    return option
