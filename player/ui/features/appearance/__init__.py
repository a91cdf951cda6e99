"""View → Appearance: light, dark, or following the desktop's colour scheme (the default).

The choice is kept in the window's settings. While it is "system", a change of the desktop's
scheme (``QStyleHints.colorSchemeChanged``) restyles the running app.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication

from player.ui.shell.context import FeatureContext
from player.ui.style import SCHEMES, Theme, apply_style, resolve, theme

SETTING = "appearance"
LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class Appearance(QObject):
    """The appearance menu and setting; :attr:`scheme` is the current choice."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.app = cast(QApplication, QApplication.instance())
        stored = str(ctx.settings.value(SETTING, "system"))
        self.scheme = stored if stored in SCHEMES else "system"
        menu = ctx.menu("&View").addMenu("&Appearance")
        group = QActionGroup(menu)
        self.actions: dict[str, QAction] = {}
        for scheme in SCHEMES:
            action = QAction(LABELS[scheme], menu, checkable=True)
            action.setChecked(scheme == self.scheme)
            action.triggered.connect(lambda _=False, s=scheme: self.choose(s))
            group.addAction(action)
            menu.addAction(action)
            self.actions[scheme] = action
        self.app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self._apply()

    @property
    def theme(self) -> Theme:
        return theme()

    def choose(self, scheme: str) -> None:
        """Use ``scheme`` ("system", "light" or "dark") now and at the next start."""
        if scheme not in SCHEMES:
            raise ValueError(f"unknown appearance {scheme!r}; choose one of {', '.join(SCHEMES)}")
        self.scheme = scheme
        self.actions[scheme].setChecked(True)
        self.ctx.settings.setValue(SETTING, scheme)
        self._apply()

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.scheme == "system":
            self._apply()

    def _apply(self) -> None:
        if resolve(self.app, self.scheme) != theme() or not self.app.styleSheet():
            apply_style(self.app, self.scheme)


def install(ctx: FeatureContext) -> Appearance:
    return Appearance(ctx)
