"""Similar: the tracks nearest to one track by content vector, in a side tab."""

from player.ui.features.similar.panel import install

__all__ = ["install"]
