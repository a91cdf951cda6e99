"""The item key: a recording's identity independent of where its file lives (docs/architecture.md)."""

from __future__ import annotations

from player.domain.text import key_part
from player.store.tracks import Track


def make_item_key(composer: str, work: str, movement_or_title: str, performers: str) -> str:
    """``composer | work | movement-or-title | performers``, each part normalised."""
    parts = (composer, work, movement_or_title, performers)
    return " | ".join(key_part(p) for p in parts)


def item_key(track: Track) -> str:
    """The item key of a track: its movement name when it has one, else its title."""
    return make_item_key(track.composer, track.work, track.display_title, track.performers)
