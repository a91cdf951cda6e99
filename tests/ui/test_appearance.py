"""View → Appearance: dark and light palettes reach the window, its delegates and charts, and stay;
"follow the system" follows the desktop's switch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette

from player.app import build_services, build_window, qt_app
from player.profile import Profile
from player.ui.features.insights.charts import BarChart, Series, series_color
from player.ui.style import DARK, LIGHT, apply_style, stylesheet, theme
from tests.ui.library import make_library
from tests.ui.session_bus import private_session_bus
from tests.ui.test_window import close_window

ROOT = str(Path(__file__).resolve().parents[2])


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


@contextmanager
def x_display() -> Iterator[str]:
    """A private X server (Xvfb); yields its DISPLAY (skips when Xvfb is not installed)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (packaging/setup.sh installs xvfb)")
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield f":{server.stdout.readline().strip()}"
    finally:
        server.terminate()
        server.wait(10)


def desktop_says(bus: str, preference: int) -> None:
    """What the desktop portal sends when the listener switches dark (1) or light (2) on."""
    subprocess.run(
        ["gdbus", "emit", "--session", "--object-path", "/org/freedesktop/portal/desktop",
         "--signal", "org.freedesktop.portal.Settings.SettingChanged",
         "org.freedesktop.appearance", "color-scheme", f"<uint32 {preference}>"],
        env={"DBUS_SESSION_BUS_ADDRESS": bus, "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=30,
    )  # fmt: skip


def test_the_window_is_built_before_the_stylesheet_and_shown_with_it(qtbot, qapp, tmp_path):
    """``continuo``'s QApplication has the palette and no stylesheet; the appearance sets it
    once the window's widgets are made (each widget put into another under a stylesheet had
    its subtree restyled again), before the window is shown."""
    qapp.setStyleSheet("")
    assert qt_app([]) is qapp and qapp.styleSheet() == ""
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == theme().paper
    window = build_window(
        build_services(Profile(tmp_path / "p").create(), no_audio=True),
        features_after_library=True,
    )
    qtbot.addWidget(window)
    try:
        assert qapp.styleSheet() == stylesheet(theme())
    finally:
        close_window(window)


def test_following_the_system_repaints_when_the_desktop_switches(tmp_path, library):
    """A real X display and Qt's GNOME theme on a private bus: the desktop's colour-scheme
    signal reaches Qt, and the window (appearance "system") repaints dark, then light."""
    with x_display() as display, private_session_bus() as bus:
        env = dict(os.environ, DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=bus)
        env.update(QT_QPA_PLATFORM="xcb", QT_QPA_PLATFORMTHEME="gnome", PYTHONPATH=ROOT)
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.desktop_theme_window"]
            + [str(tmp_path / "profile"), str(library), "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        try:
            assert child.stdout is not None
            lines = [child.stdout.readline().split()]
            for preference in (1, 2):
                desktop_says(bus, preference)
                lines.append(child.stdout.readline().split())
            assert child.wait(30) == 0
        finally:
            if child.poll() is None:
                child.kill()
    assert lines == [
        ["ready", "Unknown", LIGHT.panel],  # no preference: light
        ["scheme", "Dark", DARK.panel],
        ["scheme", "Light", LIGHT.panel],
    ]
