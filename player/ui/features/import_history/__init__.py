"""File → Import history…: another player's listening history into the profile."""

from player.ui.features.import_history.action import install

__all__ = ["install"]
