"""The History tab over a stored play log: refilled after every play, it changes only what
changed (a play added to the running session, a new session on top, an old one leaving at the
bottom) and shows exactly what a fresh fill would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from player.store.db import open_database
from player.store.plays import end_play, log_plays, recent_sessions, start_play, update_play
from player.store.tracks import Track, all_tracks, upsert_tracks
from player.ui.shell.history_model import HistoryModel
from player.ui.shell.panels import HistoryPanel

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return (DAY + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [
            Track(
                path=f"/music/{n}.flac",
                size=1,
                mtime_ns=1,
                title=f"Movement {n}",
                composer="Franz Schubert",
                work="Piano Sonata in B-flat major, D. 960",
                movement=("Molto moderato", "Andante sostenuto", "Scherzo", "Allegro")[n],
                performers="Alfred Brendel",
                duration_s=600.0,
            )
            for n in range(4)
        ],
    )
    yield db
    db.close()


def texts(model, parent: QModelIndex | None = None) -> list:
    """Every row's two texts, its plays' under it: what the view shows."""
    parent = parent or QModelIndex()
    rows = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        rows.append((index.data(), model.index(row, 1, parent).data(), texts(model, index)))
    return rows


class Changes:
    """What a model told its views since the last look."""

    def __init__(self, model: HistoryModel) -> None:
        self.seen: list[str] = []
        model.modelReset.connect(lambda: self.seen.append("reset"))
        model.rowsInserted.connect(
            lambda parent, first, last: self.seen.append(
                f"insert {'top' if not parent.isValid() else parent.row()} {first}-{last}"
            )
        )
        model.rowsRemoved.connect(
            lambda parent, first, last: self.seen.append(
                f"remove {'top' if not parent.isValid() else parent.row()} {first}-{last}"
            )
        )

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def refill(panel: HistoryPanel, db, max_plays: int = 100) -> None:
    panel.set_sessions(*recent_sessions(db, max_plays))
    fresh = HistoryModel()
    fresh.set_sessions(*recent_sessions(db, max_plays))
    assert texts(panel.model) == texts(fresh)  # changed in place, shown as a fresh fill


def test_a_play_joins_the_running_session_in_place(db, qtbot):
    ids = [int(t.id or 0) for t in all_tracks(db)]
    log_plays(db, [(ids[0], at(0), 600_000, "finished", "user")])
    log_plays(db, [(ids[1], at(11), 600_000, "finished", "user")])
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    changes = Changes(panel.model)
    refill(panel, db)
    assert changes.take() == ["reset"]
    assert panel.model.rowCount() == 1 and panel.view.isExpanded(panel.model.index(0, 0))
    session = QPersistentModelIndex(panel.model.index(0, 0))
    assert session.data().endswith("·  2 plays")

    play = start_play(db, ids[2], "suggestion", started_at=at(22))
    refill(panel, db)
    assert changes.take() == ["insert 0 2-2"]  # one row under the session, nothing rebuilt
    assert session.isValid() and session.data().endswith("·  3 plays")
    running = panel.model.index(2, 0, session)
    assert running.data().endswith("Scherzo  —  Franz Schubert  ·  Alfred Brendel")
    assert "playing, started by suggestion" in running.data(Qt.ItemDataRole.ToolTipRole)
    assert panel.model.index(2, 1, session).data() == "0:00"

    update_play(db, play, 95_000)  # saved while it plays: the row changes, none added
    refill(panel, db)
    assert changes.take() == []
    assert panel.model.index(2, 1, session).data() == "1:35"
    assert panel.model.index(0, 1).data() == "21:35"
    end_play(db, play, 120_000, "skipped")
    refill(panel, db)
    assert changes.take() == []
    assert "skipped, started by suggestion" in running.data(Qt.ItemDataRole.ToolTipRole)


def test_a_new_session_goes_on_top_and_old_ones_leave_at_the_bottom(db, qtbot):
    ids = [int(t.id or 0) for t in all_tracks(db)]
    for session in range(3):  # three mornings, two plays each
        start = session * 24 * 60
        log_plays(
            db,
            [
                (ids[0], at(start), 600_000, "finished", "user"),
                (ids[1], at(start + 11), 600_000, "finished", "user"),
            ],
        )
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    changes = Changes(panel.model)
    # the newest five plays: the oldest of them begins a session cut short, so it is left out
    refill(panel, db, max_plays=5)
    assert changes.take() == ["reset"]
    model = panel.model
    assert model.rowCount() == 3  # two whole sessions and the note
    assert model.index(2, 0).data().startswith("2 older plays")
    assert not model.flags(model.index(2, 0)) & Qt.ItemFlag.ItemIsEnabled  # greyed out
    newest = QPersistentModelIndex(model.index(0, 0))
    assert panel.view.isExpanded(newest) and not panel.view.isExpanded(model.index(1, 0))
    panel.view.collapse(model.index(0, 0))  # the listener closed it

    log_plays(db, [(ids[2], at(4 * 24 * 60), 300_000, "finished", "user")])
    refill(panel, db, max_plays=5)
    # the window of five plays moved: the oldest session left, the new one came on top
    assert changes.take() == ["remove top 1-1", "insert top 0-0"]
    assert model.rowCount() == 3 and model.index(2, 0).data().startswith("4 older plays")
    assert newest.isValid() and newest.row() == 1 and not panel.view.isExpanded(newest)
    assert panel.view.isExpanded(model.index(0, 0))  # the new session opens
    assert model.index(0, 0).data().endswith("·  1 play")


def test_a_rewritten_log_is_shown_anew(db, qtbot):
    ids = [int(t.id or 0) for t in all_tracks(db)]
    log_plays(db, [(ids[0], at(60), 600_000, "finished", "user")])
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    refill(panel, db)
    changes = Changes(panel.model)
    # an imported history adds an earlier play to the same session: its first play changes
    log_plays(db, [(ids[3], at(50), 300_000, "finished", "user")])
    refill(panel, db)
    assert changes.take() == ["reset"]
    assert panel.model.index(0, 0).data().endswith("·  2 plays")
    with db.transaction() as conn:
        conn.execute("DELETE FROM plays")
    refill(panel, db)
    assert panel.model.rowCount() == 0
    assert panel.view.isHidden() and not panel.empty.isHidden()
