"""The look: Fusion with a calm light palette, one restrained stylesheet, readable type."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

INK = "#1f2328"
MUTED = "#6a737d"
ACCENT = "#7a4b2a"  # a warm walnut brown, used sparingly
PAPER = "#fbfaf7"
PANEL = "#f3f1ec"
LINE = "#e2ded5"
SELECTION = "#ead9c8"

STYLESHEET = f"""
QMainWindow, QWidget#central {{ background: {PAPER}; }}
QTreeView, QTableView {{
    background: {PAPER}; border: none; outline: 0;
    selection-background-color: {SELECTION}; selection-color: {INK};
}}
QTreeView::item, QTableView::item {{ padding: 3px 4px; }}
QTreeView::item:hover, QTableView::item:hover {{ background: {PANEL}; }}
QHeaderView::section {{
    background: {PAPER}; color: {MUTED}; border: none; border-bottom: 1px solid {LINE};
    padding: 4px 6px; font-size: 9pt;
}}
QLineEdit#search {{
    border: 1px solid {LINE}; border-radius: 6px; padding: 6px 10px; background: white;
    font-size: 10.5pt;
}}
QLineEdit#search:focus {{ border-color: {ACCENT}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{
    background: transparent; color: {MUTED}; padding: 6px 14px; border: none;
    border-bottom: 2px solid transparent; font-weight: 600;
}}
QTabBar::tab:selected {{ color: {INK}; border-bottom: 2px solid {ACCENT}; }}
QTabBar::tab:hover {{ color: {INK}; }}
QWidget#sidePanel, QWidget#libraryPane {{ background: {PAPER}; }}
QWidget#transport {{ background: {PANEL}; border-top: 1px solid {LINE}; }}
QLabel#npComposer {{ color: {ACCENT}; font-size: 8.5pt; font-weight: 700; letter-spacing: 1px; }}
QLabel#npWork {{ color: {INK}; font-size: 13pt; font-weight: 600; }}
QLabel#npMovement {{ color: {INK}; font-size: 10.5pt; }}
QLabel#npPerformers {{ color: {MUTED}; font-size: 9pt; }}
QLabel#timeLabel {{ color: {MUTED}; font-size: 9pt; min-width: 38px; }}
QLabel#emptyHint {{ color: {MUTED}; padding: 24px; font-size: 10.5pt; }}
QLabel#backendWarning {{ color: #8a3b12; font-weight: 600; }}
QToolButton#transportButton, QToolButton#playButton {{
    border: none; border-radius: 18px; padding: 6px;
}}
QToolButton#transportButton:hover {{ background: {LINE}; }}
QToolButton#playButton {{ background: {ACCENT}; min-width: 24px; min-height: 24px; }}
QToolButton#playButton:hover {{ background: #935c36; }}
QSlider::groove:horizontal {{ height: 4px; background: {LINE}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{
    background: white; border: 1px solid {MUTED}; width: 12px; height: 12px;
    margin: -5px 0; border-radius: 6px;
}}
QStatusBar {{ background: {PANEL}; color: {MUTED}; border-top: 1px solid {LINE}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 8px; }}
QSplitter::handle {{ background: {LINE}; }}
QProgressBar {{ border: none; background: {LINE}; border-radius: 3px; max-height: 6px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
"""


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Give ``widget`` the object name the stylesheet and the tests know it by."""
    widget.setObjectName(name)
    return widget


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(PAPER))
    palette.setColor(QPalette.ColorRole.Base, QColor(PAPER))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(PANEL))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Button, QColor(PANEL))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(SELECTION))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(INK))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(MUTED))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
