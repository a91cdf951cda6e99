"""View → Insights: listening time per composer and how the suggestions fared.

The window (its charts, tables and their module) is made when first opened, not with the
main window: :func:`install` only adds the menu entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.insights.dialog import InsightsDialog


def install(ctx: FeatureContext) -> Callable[[], InsightsDialog]:
    """View → Insights…; returns the function that gives the window (made on its first call)."""
    made: list[InsightsDialog] = []

    def dialog() -> InsightsDialog:
        if not made:
            from player.ui.features.insights.dialog import make_dialog

            made.append(make_dialog(ctx))
        return made[0]

    ctx.add_menu_action("&View", "&Insights…", lambda: dialog().refresh_and_show())
    return dialog
