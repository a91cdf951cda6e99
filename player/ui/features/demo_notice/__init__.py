"""The status bar says when the profile holds demo data."""

from player.ui.features.demo_notice.notice import install

__all__ = ["install"]
