"""Help → About: version, audio output and the model in use."""

from player.ui.features.about.box import install

__all__ = ["install"]
