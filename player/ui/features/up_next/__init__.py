"""Up next: the recommender keeps suggestions ahead of the queue; feedback steers it."""

from player.ui.features.up_next.panel import install

__all__ = ["install"]
