"""Windows that fit the screen they open on: sizes capped by the available area, saved
geometry trusted only when it came from a real, visible window that still fits."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc"})
FRAME_ALLOWANCE = QSize(16, 40)
"""Room left for the window manager's frame and title bar, which Qt's sizes do not include."""


def available_area(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_size(widget: QWidget, preferred: QSize) -> QSize:
    """``preferred``, shrunk to the screen's available area less a frame allowance."""
    area = available_area(widget).size() - FRAME_ALLOWANCE
    return QSize(min(preferred.width(), area.width()), min(preferred.height(), area.height()))


def geometry_worth_saving(widget: QWidget) -> bool:
    """A minimised or hidden window's geometry says nothing about the size the listener wants."""
    return widget.isVisible() and not widget.isMinimized()


def restore_geometry(
    widget: QWidget,
    saved: QByteArray | None,
    saved_platform: str,
    preferred: QSize,
    *,
    platform: str | None = None,
) -> bool:
    """Restore ``saved`` when it suits this display; else size the window to fit. True if restored.

    Ignored: geometry saved by a headless run (``-platform offscreen``) when this one has a
    display, and geometry that does not fit the current screen or is below the window's minimum.
    """
    platform = platform or QGuiApplication.platformName()
    from_headless = saved_platform in HEADLESS_PLATFORMS and platform not in HEADLESS_PLATFORMS
    if saved is not None and not from_headless and widget.restoreGeometry(saved):
        area = available_area(widget)
        minimum = widget.minimumSizeHint()
        size = widget.size()
        fits = size.width() <= area.width() and size.height() <= area.height()
        big_enough = size.width() >= minimum.width() and size.height() >= minimum.height()
        if fits and big_enough and area.intersects(widget.geometry()):
            return True
    widget.resize(fitted_size(widget, preferred))
    return False
