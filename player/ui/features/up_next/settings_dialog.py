"""Up next → Settings…: the listener's rules (no repeats, fading feedback, variety, smooth
transitions), stored in the profile so that `continuo suggest` follows them too."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from player.recommend.settings import UpNextSettings, load_settings, save_settings
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.up_next.panel import UpNext

FIELDS = {  # name: (label, suffix, lowest, highest, decimals)
    "no_repeat_days": ("Hold back a work heard in full for", " days", 0.5, 365.0, 1),
    "feedback_half_life_days": ("Negative feedback fades by half in", " days", 1.0, 3650.0, 0),
    "composer_max": ("At most this many works by one composer", "", 1, 20, 0),
    "composer_window": ("… in this many in a row", "", 1, 50, 0),
    "transition_closeness": ("Smooth keys among suggestions this close (0: off)", "", 0.0, 0.5, 2),
}


class UpNextSettingsDialog(QDialog):
    """One row per :class:`UpNextSettings` field; OK stores them and asks for a new set."""

    def __init__(self, settings: UpNextSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Up next settings")
        form = QFormLayout(self)
        self.inputs: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for f in fields(UpNextSettings):
            label, suffix, low, high, decimals = FIELDS[f.name]
            box: QSpinBox | QDoubleSpinBox
            if isinstance(getattr(settings, f.name), int):
                box = QSpinBox()
                box.setRange(int(low), int(high))
                box.setValue(int(getattr(settings, f.name)))
            else:
                box = QDoubleSpinBox()
                box.setDecimals(decimals)
                box.setRange(float(low), float(high))
                box.setSingleStep(0.01 if decimals == 2 else 1.0)
                box.setValue(float(getattr(settings, f.name)))
            box.setSuffix(suffix)
            form.addRow(label, box)
            self.inputs[f.name] = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> UpNextSettings:
        values: dict = {name: box.value() for name, box in self.inputs.items()}
        return UpNextSettings(**values)


def install(ctx: FeatureContext, up_next: UpNext) -> None:
    """Up next → Settings…; the profile is read and written off the GUI thread."""

    def show(settings: UpNextSettings) -> None:
        dialog = up_next.settings_dialog = UpNextSettingsDialog(settings, ctx.dialog_parent)
        dialog.accepted.connect(lambda: store(dialog.chosen()))
        dialog.open()

    def store(chosen: UpNextSettings) -> None:
        def write() -> None:
            db = ctx.services.open_db()
            try:
                save_settings(db, chosen)
            finally:
                db.close()

        ctx.run_job(write, lambda _: up_next.settings_changed())

    def read() -> UpNextSettings:
        db = ctx.services.open_db()
        try:
            return load_settings(db)
        finally:
            db.close()

    ctx.menu("&Up next").addSeparator()
    ctx.add_menu_action("&Up next", "Settings…", lambda: ctx.run_job(read, show))
