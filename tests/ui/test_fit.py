"""Small screens and scaling: every tab of the window at 1280×720, 1366×768 and 1.5× with no
control cut, Insights inside the screen, and saved geometry that does not suit is ignored."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt

from player.app import build_services, build_window
from player.profile import Profile
from player.ui.shell.screen_fit import available_area, restore_geometry
from player.ui.shell.table_columns import COLUMNS, widths
from player.ui.style import apply_style
from tests.ui.fit import SCREENS, badly_elided, cut_controls
from tests.ui.library import make_library
from tests.ui.test_window import close_window, open_window


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


@pytest.fixture
def window(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "p", library, no_audio=True)
    qtbot.waitUntil(lambda: window.library.tree_model.rowCount() == 3, timeout=10000)
    window.controller.play_track(window.controller.library_tracks[0])  # now-playing filled
    qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
    # the analysis starts once the library is shown: stopped, its reports cannot overwrite the
    # status bar's long texts the tests set
    runner = window.features.analysis
    assert runner.stop()
    qtbot.waitUntil(lambda: not runner.running, timeout=10000)  # its last report handled
    window.jobs.wait(10000)  # and the count that follows it
    qapp.processEvents()
    yield window
    close_window(window)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_tab_fits_without_cut_controls(window, qtbot, screen):
    width, height = SCREENS[screen]
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size() == QSize(width, height), timeout=2000)
    # the status bar's longest slots (the analysis and Up next were clipped at 1366 x 768)
    status = window.status
    status.show("analysis", "Analysis paused (1,234 of 10,000 done)", "Resumes at the next start")
    status.show("model", "Up next: popular in your history — no personal model yet", "")
    for library_tab in range(window.library.tabs.count()):
        window.library.tabs.setCurrentIndex(library_tab)
        for side_tab in range(window.side.count()):
            window.side.setCurrentIndex(side_tab)
            assert cut_controls(window) == [], (screen, window.side.tabText(side_tab))
    assert badly_elided(window) == [], screen  # rendered: "…", never clipped letters
    labels = (status.scan, status.analysis, status.model)
    if width < 1000:  # at 1.5x there is not room for all three: some end in "…"
        cut = [label for label in labels if label.shown_text() != label.text()]
        assert cut and all(label.shown_text().endswith("…") for label in cut)
        assert all(label.text() in label.toolTip() for label in cut)
    assert "Resumes at the next start" in status.analysis.toolTip()
    insights = window.features.insights
    assert insights.minimumSizeHint().width() <= width
    assert insights.minimumSizeHint().height() <= height


@pytest.mark.parametrize("screen", list(SCREENS))
def test_track_table_columns_give_way_without_cutting_to_letters(window, qtbot, screen):
    width, height = SCREENS[screen]
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size() == QSize(width, height), timeout=2000)
    table = window.library.table
    window.library.tabs.setCurrentWidget(table)
    qtbot.waitUntil(lambda: table.viewport().width() > 0, timeout=2000)
    digit = table.fontMetrics().horizontalAdvance("0")
    shown = [table.columnWidth(c) for c in range(len(COLUMNS))]
    assert all(w >= c.minimum * digit for w, c in zip(shown, COLUMNS, strict=True)), (screen, shown)
    assert shown == widths(table.viewport().width(), digit)
    if sum(shown) > table.viewport().width():  # below the minimums: it scrolls sideways
        assert table.horizontalScrollBar().maximum() > 0
    header = table.horizontalHeader()
    for column in (0, 1, 3, 4):  # the column names are readable
        label = header.model().headerData(column, Qt.Orientation.Horizontal)
        assert table.fontMetrics().horizontalAdvance(label) <= shown[column], (screen, label)


def test_column_widths_share_what_is_left_and_shrink_to_their_minimums():
    digit = 8
    wide = widths(2000, digit)
    assert wide[0] == 18 * digit and wide[4] == 20 * digit and wide[1] > 30 * digit
    assert wide[3] - wide[1] == (COLUMNS[3].minimum - COLUMNS[1].minimum) * digit  # equal shares
    assert sum(wide) <= 2000
    preferred = sum(c.preferred or c.minimum for c in COLUMNS) * digit
    narrower = widths(preferred - 40, digit)  # Composer and Performers give way first
    assert sum(narrower) == preferred - 40 and narrower[1] == 14 * digit
    narrowest = widths(100, digit)
    assert narrowest == [c.minimum * digit for c in COLUMNS]  # then the table scrolls


def test_insights_opens_inside_the_screen(window, qtbot):
    insights = window.features.insights
    insights.refresh_and_show()
    area = available_area(insights)
    assert insights.width() <= area.width() and insights.height() <= area.height()
    insights.close()


def test_saved_geometry_is_used_only_when_it_suits(window, qtbot):
    window.resize(700, 500)
    saved = window.saveGeometry()
    preferred = QSize(1280, 720)
    area = available_area(window).size()
    assert restore_geometry(window, saved, "offscreen", preferred)
    assert window.size() == QSize(700, 500)
    # from a headless run, on a real display: a fresh size that fits the screen instead
    assert not restore_geometry(window, saved, "offscreen", preferred, platform="xcb")
    assert window.width() <= area.width() and window.height() <= area.height()
    assert window.size() != QSize(700, 500)
    # larger than this screen (saved on a bigger monitor): the window still ends inside it
    window.resize(area.width() + 400, area.height() + 300)
    too_big = window.saveGeometry()
    restore_geometry(window, too_big, "xcb", preferred, platform="xcb")
    assert window.width() <= area.width() and window.height() <= area.height()


def test_a_minimised_window_keeps_the_last_good_geometry(qtbot, qapp, tmp_path, library):
    apply_style(qapp)
    profile = Profile(tmp_path / "p").create()
    window = build_window(build_services(profile, [library], no_audio=True))
    qtbot.addWidget(window)
    window.show()
    window.resize(720, 480)
    close_window(window)
    window = build_window(build_services(profile, [library], no_audio=True))
    qtbot.addWidget(window)
    window.show()
    assert window.size() == QSize(720, 480)
    window.resize(650, 420)
    window.showMinimized()
    close_window(window)  # minimised: its geometry is not saved
    again = build_window(build_services(profile, [library], no_audio=True))
    qtbot.addWidget(again)
    again.show()
    try:
        assert again.size() == QSize(720, 480)
    finally:
        close_window(again)
