"""The look: Fusion with a calm palette, light or dark, one restrained stylesheet, readable type.

The appearance setting picks light, dark or "system" (the desktop's colour scheme, followed while
the app runs). Colours are read through :func:`theme` when painting, never copied at import, so
a switch repaints everything, delegates and charts included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget


@dataclass(frozen=True)
class Theme:
    """One palette: the window's colours and the charts' series colours."""

    name: str
    ink: str  # text
    muted: str  # secondary text, axes
    accent: str  # a warm walnut brown (lighter on dark), used sparingly
    accent_hover: str
    paper: str  # window and list background
    panel: str  # transport, status bar, hover
    line: str  # rules and grooves
    selection: str
    field: str  # text fields and cards
    warning: str
    on_accent: str  # icons drawn on the accent (the play button)
    series: tuple[str, ...]  # calm, distinguishable chart colours on ``paper``
    other: str  # the chart's "other" layer
    good: str  # accepted
    bad: str  # skipped

    def chart(self, key: str) -> str:
        """A chart colour by role: ``"good"``, ``"bad"``, ``"other"`` or ``"series:N"``."""
        if key.startswith("series:"):
            return self.series[int(key[7:]) % len(self.series)]
        return str(getattr(self, key))


LIGHT = Theme(
    name="light",
    ink="#1f2328",
    muted="#6a737d",
    accent="#7a4b2a",
    accent_hover="#935c36",
    paper="#fbfaf7",
    panel="#f3f1ec",
    line="#e2ded5",
    selection="#ead9c8",
    field="#ffffff",
    warning="#8a3b12",
    on_accent="#ffffff",
    series=("#7a4b2a", "#4f7a8c", "#b08d57", "#6f8f62", "#8c6d8f", "#c0694e", "#5c6f99"),
    other="#cfc8bb",
    good="#6f8f62",
    bad="#c0694e",
)
DARK = Theme(
    name="dark",
    ink="#e9e5de",
    muted="#a59f95",
    accent="#d49b6a",
    accent_hover="#e2b083",
    paper="#1e1d1b",
    panel="#282623",
    line="#3d3a35",
    selection="#54412f",
    field="#2f2c29",
    warning="#f0a26c",
    on_accent="#1e1d1b",
    series=("#d49b6a", "#7fb2c6", "#d9b97c", "#9cc08d", "#bb9bbf", "#e38c71", "#93a7da"),
    other="#57524a",
    good="#9cc08d",
    bad="#e38c71",
)
SCHEMES = ("system", "light", "dark")
"""The appearance setting's choices; "system" follows the desktop's colour scheme."""

_current = LIGHT

ITEM_PADDING = (3, 4)
"""An item view's item's padding in pixels, top and bottom then left and right (the style
sheet's, and the table's own cell painter's: ``player.ui.shell.text_cells``)."""


def theme() -> Theme:
    """The palette in use (painters and models ask at paint time, so a switch shows at once)."""
    return _current


def stylesheet(t: Theme) -> str:
    return f"""
QMainWindow, QWidget#central {{ background: {t.paper}; }}
QTreeView, QTableView, QListView {{
    background: {t.paper}; border: none; outline: 0;
    selection-background-color: {t.selection}; selection-color: {t.ink};
}}
QTreeView::item, QTableView::item {{ padding: {ITEM_PADDING[0]}px {ITEM_PADDING[1]}px; }}
QTreeView::item:hover, QTableView::item:hover {{ background: {t.panel}; }}
QHeaderView::section {{
    background: {t.paper}; color: {t.muted}; border: none; border-bottom: 1px solid {t.line};
    padding: 4px 6px; font-size: 9pt;
}}
QLineEdit#search {{
    border: 1px solid {t.line}; border-radius: 6px; padding: 6px 10px; background: {t.field};
    font-size: 10.5pt;
}}
QLineEdit#search:focus {{ border-color: {t.accent}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{
    background: transparent; color: {t.muted}; padding: 6px 14px; border: none;
    border-bottom: 2px solid transparent; font-weight: 600;
}}
QTabBar::tab:selected {{ color: {t.ink}; border-bottom: 2px solid {t.accent}; }}
QTabBar::tab:hover {{ color: {t.ink}; }}
QWidget#sidePanel, QWidget#libraryPane {{ background: {t.paper}; }}
QWidget#transport {{ background: {t.panel}; border-top: 1px solid {t.line}; }}
QLabel#npArt {{ border: 1px solid {t.line}; border-radius: 3px; }}
QLabel#npComposer {{ color: {t.accent}; font-size: 8.5pt; font-weight: 700; letter-spacing: 1px; }}
QLabel#npWork {{ color: {t.ink}; font-size: 13pt; font-weight: 600; }}
QLabel#npMovement {{ color: {t.ink}; font-size: 10.5pt; }}
QLabel#npPerformers {{ color: {t.muted}; font-size: 9pt; }}
QLabel#timeLabel {{ color: {t.muted}; font-size: 9pt; min-width: 38px; }}
QLabel#emptyHint {{ color: {t.muted}; padding: 24px; font-size: 10.5pt; }}
QLabel#playlistHint {{ color: {t.muted}; padding: 4px 2px; }}
QLabel#backendWarning {{ color: {t.warning}; font-weight: 600; }}
QToolButton#transportButton, QToolButton#playButton {{
    border: none; border-radius: 18px; padding: 6px;
}}
QToolButton#transportButton:hover {{ background: {t.line}; }}
QToolButton#playButton {{ background: {t.accent}; min-width: 24px; min-height: 24px; }}
QToolButton#playButton:hover {{ background: {t.accent_hover}; }}
QSlider::groove:horizontal {{ height: 4px; background: {t.line}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {t.accent}; border-radius: 2px; }}
QSlider::handle:horizontal {{
    background: {t.field}; border: 1px solid {t.muted}; width: 12px; height: 12px;
    margin: -5px 0; border-radius: 6px;
}}
QStatusBar {{ background: {t.panel}; color: {t.muted}; border-top: 1px solid {t.line}; }}
QStatusBar QLabel {{ color: {t.muted}; padding: 0 8px; }}
QSplitter::handle {{ background: {t.line}; }}
QProgressBar {{ border: none; background: {t.line}; border-radius: 3px; max-height: 6px; }}
QProgressBar::chunk {{ background: {t.accent}; border-radius: 3px; }}
QWidget#insights {{ background: transparent; }}
QLabel#insightsTitle {{ color: {t.ink}; font-size: 15pt; font-weight: 600; }}
QLabel#insightsSubtitle, QLabel#insightsNote {{ color: {t.muted}; }}
QLabel#chartTitle {{ color: {t.ink}; font-weight: 600; font-size: 10.5pt; padding-top: 8px; }}
QFrame#statCard {{ border: 1px solid {t.line}; border-radius: 8px; background: {t.field}; }}
QLabel#statValue {{ color: {t.accent}; font-size: 15pt; font-weight: 600; }}
QLabel#statLabel {{ color: {t.muted}; font-size: 8.5pt; }}
QLabel#expansion {{ color: {t.ink}; font-size: 10.5pt; }}
QTableWidget {{ border: 1px solid {t.line}; border-radius: 6px; background: {t.field}; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
"""


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Give ``widget`` the object name the stylesheet and the tests know it by."""
    widget.setObjectName(name)
    return widget


def system_is_dark(app: QApplication) -> bool:
    """Whether the desktop asks for dark colours (Qt 6.5+: ``QStyleHints.colorScheme``)."""
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(app: QApplication, scheme: str) -> Theme:
    """The palette for an appearance setting (``"system"``, ``"light"`` or ``"dark"``)."""
    if scheme == "dark" or (scheme not in ("light", "dark") and system_is_dark(app)):
        return DARK
    return LIGHT


def apply_style(app: QApplication, scheme: str = "system") -> Theme:
    """Fusion, the palette for ``scheme``, the stylesheet and the type; returns the palette."""
    t = apply_palette(app, scheme)
    app.setStyleSheet(stylesheet(t))
    return t


def apply_palette(app: QApplication, scheme: str = "system") -> Theme:
    """:func:`apply_style` without the stylesheet: what ``continuo`` sets before the window's
    widgets are made, the appearance feature setting the rest once they are
    (:func:`player.app.qt_app`). While an application stylesheet is set, each widget put into
    another (``addWidget``, ``setCentralWidget``) has its whole subtree restyled again: the
    main window was built in ~85 ms that way, in ~37 ms without it, plus ~12 ms for setting
    it on the finished window."""
    global _current
    t = _current = resolve(app, scheme)
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.paper,
        QPalette.ColorRole.Base: t.field,  # fields, check boxes, menus: apart from the window
        QPalette.ColorRole.AlternateBase: t.panel,
        QPalette.ColorRole.Text: t.ink,
        QPalette.ColorRole.WindowText: t.ink,
        QPalette.ColorRole.ButtonText: t.ink,
        QPalette.ColorRole.Button: t.panel,
        QPalette.ColorRole.Highlight: t.selection,
        QPalette.ColorRole.HighlightedText: t.ink,
        QPalette.ColorRole.PlaceholderText: t.muted,
        QPalette.ColorRole.ToolTipBase: t.panel,
        QPalette.ColorRole.ToolTipText: t.ink,
        QPalette.ColorRole.Light: t.field,
        QPalette.ColorRole.Midlight: t.line,
        QPalette.ColorRole.Mid: t.line,
        QPalette.ColorRole.Dark: t.muted,
        QPalette.ColorRole.Link: t.accent,
        QPalette.ColorRole.BrightText: t.warning,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(t.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(t.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(t.muted))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(10)
    app.setFont(font)
    return t
