"""Background analysis: started after each scan, its progress in the status bar."""

from player.ui.features.analysis.status import install

__all__ = ["install"]
