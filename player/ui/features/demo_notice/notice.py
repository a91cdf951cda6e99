"""Says in the status bar that the profile holds demo data (``continuo --demo``), never a real history.

The mark is a profile setting (:data:`player.demo.DEMO_SETTING`), read off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from player.demo import DEMO_LABEL, is_demo
from player.ui.shell.context import FeatureContext
from player.ui.style import named

TOOLTIP = (
    "This profile holds an example listening history made for the demo library, and a model "
    "trained on it. Your own listening is added to it while the window is open; the profile is "
    "thrown away afterwards unless you gave --profile."
)


def install(ctx: FeatureContext) -> QLabel:
    """A permanent status-bar label, shown once the profile turns out to be a demo profile."""
    label = named(QLabel(DEMO_LABEL), "demoStatus")
    label.setToolTip(TOOLTIP)
    label.hide()
    ctx.add_status_widget(label)

    def check() -> bool:
        db = ctx.services.open_db()
        try:
            return is_demo(db)
        finally:
            db.close()

    ctx.after_library_shown(lambda: ctx.run_job(check, label.setVisible))
    return label
