"""View → Appearance: dark and light palettes reach the window, its delegates and charts, and stay."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette

from player.app import build_services, build_window
from player.profile import Profile
from player.ui.features.insights.charts import BarChart, Series, series_color
from player.ui.style import DARK, LIGHT, apply_style, theme
from tests.ui.library import make_library
from tests.ui.test_window import close_window


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


def open_window(qtbot, qapp, profile, library):
    apply_style(qapp)
    window = build_window(build_services(Profile(profile).create(), [library], no_audio=True))
    qtbot.addWidget(window)
    window.show()
    return window


def pixel(widget, x, y) -> str:
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    return QColor(image.pixel(int(x * ratio), int(y * ratio))).name()


def test_dark_reaches_every_part_and_is_remembered(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "profile", library)
    try:
        looks = window.features.appearance
        assert looks.scheme == "system" and theme() == LIGHT  # offscreen has no dark desktop
        looks.choose("dark")
        assert theme() == DARK
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == DARK.paper
        view = window.library.tree
        assert pixel(
            view.viewport(), view.viewport().width() - 3, view.viewport().height() - 3
        ) == (DARK.paper)
        transport = window.transport
        assert pixel(transport, 3, 3) == DARK.panel
        chart = BarChart(y_label="hours", value_format=str)
        qtbot.addWidget(chart)
        chart.resize(300, 200)
        chart.set_data(["a"], [Series("x", np.array([1.0]), series_color(2))])
        rect = chart.plot_rect()
        assert pixel(chart, rect.center().x(), rect.bottom() - 4) == DARK.series[2]
        assert [a.text() for a in looks.actions.values() if a.isChecked()] == ["Dark"]
    finally:
        close_window(window)
    again = open_window(qtbot, qapp, tmp_path / "profile", library)
    try:
        assert again.features.appearance.scheme == "dark" and theme() == DARK
        again.features.appearance.choose("light")
        assert theme() == LIGHT
        assert pixel(again.transport, 3, 3) == LIGHT.panel
        with pytest.raises(ValueError, match="unknown appearance"):
            again.features.appearance.choose("purple")
    finally:
        close_window(again)
        apply_style(qapp)
