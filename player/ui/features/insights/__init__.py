"""View → Insights: listening time per composer and how the suggestions fared."""

from player.ui.features.insights.dialog import install

__all__ = ["install"]
