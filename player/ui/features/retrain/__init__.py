"""Tools → Retrain on my history: trains a new model in a child process and installs it."""

from player.ui.features.retrain.dialog import install

__all__ = ["install"]
