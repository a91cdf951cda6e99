import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor

from player.priority import Priority
from player.store import open_database
from player.store.insights import compute_insights
from player.store.plays import end_play, start_play
from player.store.tracks import Track, all_tracks, upsert_tracks
from player.ui.features.insights.charts import (
    BarChart,
    Series,
    axis_labels,
    nice_step,
    series_color,
)
from player.ui.features.insights.dialog import READING_TEXT, InsightsDialog, InsightsView
from player.ui.jobs import JobRunner
from player.ui.style import apply_style, theme
from tests.store.insights_profile import KNOWN, known_profile


@pytest.fixture
def profile_db(tmp_path):
    path = tmp_path / "continuo.db"
    db = open_database(path)
    known_profile(db)
    db.close()
    return path


@pytest.fixture
def view(qtbot, qapp):
    apply_style(qapp)
    view = InsightsView()
    qtbot.addWidget(view)
    view.resize(1040, 1000)
    view.show()
    return view


def texts(table):
    model = table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_view_shows_the_known_profile(view, profile_db):
    db = open_database(profile_db)
    view.set_insights(compute_insights(db, period="week"))
    db.close()
    assert view.pages.currentIndex() == 1
    cards = {key: card.value.text() for key, card in view.cards.items()}
    assert cards == {
        "hours": "19 min",
        "plays": "11",
        "share": "55%",
        "accepted": "60%",
        "found": "3 of 4",
    }
    assert "3 accepted, 2 skipped" in view.cards["accepted"].label.text()
    assert view.thin_note.isVisibleTo(view) and "only 11 plays" in view.thin_note.text()

    chart = view.composer_chart
    assert chart.labels == ["5 Jan", "12 Jan", "19 Jan", "26 Jan"]
    assert [s.name for s in chart.series] == list(KNOWN["ms_by_composer"])
    assert chart.y_label == "minutes"  # a small profile reads in minutes, not 0.0 hours
    tip = chart.tooltip(2)
    assert tip.startswith("<b>Week of 19 Jan 2026</b>")
    assert "Wolfgang Amadeus Mozart: 3.3" in tip and "Franz Schubert: 0.2" in tip
    assert "Total: 4.7" in tip
    assert view.share_chart.series[0].values.tolist() == pytest.approx([0.5, 0, 0.8, 0])
    accepted, skipped = view.outcome_chart.series
    assert (accepted.values.tolist(), skipped.values.tolist()) == (
        KNOWN["accepted"],
        KNOWN["skipped"],
    )

    expansion = view.expansion.text()
    assert "3 of the 4 composers (75%) and 4 of the 5 works (80%)" in expansion
    assert "1 of 7 suggestions shown were removed" in expansion
    assert texts(view.composer_table) == [
        ["Hildegard von Bingen", "20 Jan 2026", "0", "45 s"],
        ["Franz Schubert", "19 Jan 2026", "2", "6 min"],
        ["Wolfgang Amadeus Mozart", "7 Jan 2026", "1", "8 min"],
    ]
    assert texts(view.work_table)[0] == ["Mystery — Unknown composer", "21 Jan 2026", "0", "5 s"]


def test_an_empty_profile_says_to_listen_first(view, tmp_path):
    db = open_database(tmp_path / "empty.db")
    view.set_insights(compute_insights(db))
    db.close()
    assert view.pages.currentIndex() == 0
    assert view.empty_label.isVisibleTo(view)
    assert "Listen for a while" in view.empty_label.text()


def test_without_suggestion_plays_their_charts_say_so_instead_of_empty_axes(view, tmp_path):
    db = open_database(tmp_path / "p.db")
    upsert_tracks(db, [Track(path="/a.flac", size=1, mtime_ns=1, title="a", composer="Bach")])
    track = all_tracks(db)[0].id
    end_play(db, start_play(db, track, "user", "2026-02-02T10:00:00.000+00:00"), 90_000, "finished")
    view.set_insights(compute_insights(db))
    db.close()
    assert view.pages.currentIndex() == 1
    assert view.share_chart.empty and view.outcome_chart.empty
    assert not view.composer_chart.empty
    assert view.cards["accepted"].value.text() == "–"


def test_the_dialog_reads_off_the_ui_thread_and_rebins_on_request(qtbot, qapp, profile_db):
    jobs = JobRunner()
    flushed = []
    dialog = InsightsDialog(
        lambda: open_database(profile_db), jobs, flush=lambda: flushed.append(1)
    )
    qtbot.addWidget(dialog)
    dialog.refresh_and_show()
    qtbot.waitUntil(lambda: dialog.view.insights.total_plays == 11, timeout=10_000)
    assert dialog.view.insights.period == "week" and flushed == [1]
    dialog.view.period.setCurrentIndex(2)
    dialog.view.period.activated.emit(2)
    qtbot.waitUntil(lambda: dialog.view.insights.period == "month", timeout=10_000)
    assert dialog.view.composer_chart.labels == ["Jan 2026"]
    dialog.view.period.setCurrentIndex(3)
    dialog.view.period.activated.emit(3)
    qtbot.waitUntil(lambda: dialog.view.insights.period == "year", timeout=10_000)
    assert dialog.view.composer_chart.labels == ["2026"]
    assert dialog.view.composer_title.text().endswith("per year")
    dialog.close()
    assert jobs.wait(10_000)


def test_the_dialog_shows_at_once_then_fills_in_and_rereads_only_a_changed_log(
    qtbot, qapp, profile_db
):
    dialog = InsightsDialog(lambda: open_database(profile_db))  # its own reading thread
    qtbot.addWidget(dialog)
    dialog.refresh_and_show()
    assert dialog.view.pages.currentIndex() == 0  # on screen before anything is read
    assert dialog.view.empty_label.text() == READING_TEXT
    qtbot.waitUntil(lambda: dialog.view.insights.total_plays == 11, timeout=10_000)
    read = dialog._plays
    dialog._choose_period("month")  # another binning: the kept read, only the sums again
    qtbot.waitUntil(lambda: dialog.view.insights.period == "month", timeout=10_000)
    assert dialog._plays is read and dialog.view.insights.total_plays == 11
    db = open_database(profile_db)
    track = all_tracks(db)[0]
    end_play(
        db, start_play(db, track.id, "user", "2026-01-30T10:00:00.000+00:00"), 5_000, "stopped"
    )
    db.close()
    dialog.refresh_and_show()  # the log changed: read again, the new play counted
    assert dialog.view.pages.currentIndex() == 1  # what was shown stays until then
    qtbot.waitUntil(lambda: dialog.view.insights.total_plays == 12, timeout=10_000)
    assert dialog._plays is not read
    dialog.close()
    assert dialog.jobs.wait(10_000)


def test_axis_labels_never_repeat_a_value():
    one_decimal = lambda v: f"{v:.1f}"  # noqa: E731 (the dialog's small-number format)
    ticks = [0.0, 0.05, 0.1, 0.15, 0.2]
    assert axis_labels(ticks, one_decimal) == ["0.00", "0.05", "0.10", "0.15", "0.20"]
    assert axis_labels([0.0, 0.5, 1.0], one_decimal) == ["0.0", "0.5", "1.0"]
    assert axis_labels([0.0, 2.5, 5.0], lambda v: f"{v:.0f}") == ["0.0", "2.5", "5.0"]
    assert axis_labels([0, 25, 50], lambda v: f"{v:.0f} h") == ["0 h", "25 h", "50 h"]


def test_nice_steps_are_round():
    assert [nice_step(s) for s in (10, 0.3, 7, 95, 1)] == [2.5, 0.1, 2, 25, 0.25]
    assert nice_step(0) == 1.0


def test_bars_are_painted_where_the_chart_says_and_hover_finds_them(qtbot, qapp):
    chart = BarChart(y_label="hours", value_format=str)
    qtbot.addWidget(chart)
    chart.resize(400, 300)
    chart.set_data(["a", "b"], [Series("x", np.array([1.0, 2.0]), series_color(1))])
    drawn = theme().chart(series_color(1))
    chart.show()
    rect = chart.plot_rect()
    slot = rect.width() / 2
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()

    def color(x, y):
        return QColor(image.pixel(int(x * ratio), int(y * ratio))).name()

    assert color(rect.left() + 1.5 * slot, rect.bottom() - 5) == drawn
    assert color(rect.left() + 0.5 * slot, rect.top() + 5) != drawn  # bar "a" is half as tall
    assert color(rect.left() + 1.5 * slot, rect.top() + 5) == drawn  # "b" reaches the top
    qtbot.mouseMove(chart, QPoint(int(rect.left() + 1.5 * slot), int(rect.center().y())))
    qtbot.waitUntil(lambda: chart._hover == 1, timeout=2_000)
    assert chart.bar_at(rect.left() - 3) is None
    with pytest.raises(ValueError, match="'x' has 1 values for 2 bars"):
        chart.set_data(["a", "b"], [Series("x", np.array([1.0]), series_color(0))])


def test_the_read_runs_as_a_foreground_job_and_background_work_waits_for_it(
    qtbot, qapp, profile_db
):
    priority = Priority(max_wait_s=60)
    seen: list[bool] = []
    waited: list[bool] = []

    def open_db():
        seen.append(priority.busy)  # the read is under way
        background = threading.Thread(target=lambda: (priority.pause_point(), waited.append(1)))
        background.start()
        background.join(0.2)
        waited.append(background.is_alive())  # held at its pause point meanwhile
        return open_database(profile_db)

    dialog = InsightsDialog(open_db, priority=priority)
    qtbot.addWidget(dialog)
    dialog.refresh_and_show()
    qtbot.waitUntil(lambda: dialog.view.insights.total_plays == 11, timeout=10_000)
    assert seen == [True] and waited[0] is True
    qtbot.waitUntil(lambda: len(waited) == 2, timeout=10_000)  # let go once the read ended
    assert not priority.busy
    dialog.close()
    assert dialog.jobs.wait(10_000)
