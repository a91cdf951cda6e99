"""Feedback on any track: "More like this", "Less like this", "Never suggest".

Offered in the library's and the queue's right-click menus and, for the playing track, in the
Up next menu. Each is stored in the profile by the recommender (on its thread) and a new Up next
set follows at once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from player.store.tracks import Track
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.up_next.panel import UpNext

FEEDBACK = [
    ("More like this", "more_like"),
    ("Less like this", "less_like"),
    ("Never suggest", "never"),
]


def install(ctx: FeatureContext, up_next: UpNext) -> None:
    """Add the feedback entries to the context menus and an "Up next" menu to the menu bar."""

    def give(kind: str, tracks: list[Track]) -> None:
        up_next.give_feedback(tracks, kind)
        ctx.show_message(_confirmation(kind, tracks), 5000)

    def on_playing(kind: str) -> None:
        if ctx.playback.current is not None:
            give(kind, [ctx.playback.current])

    for label, kind in FEEDBACK:
        ctx.add_track_action(label, partial(give, kind))
    for label, kind in FEEDBACK:
        ctx.add_menu_action("&Up next", f"Playing track: {label}", partial(on_playing, kind))
    ctx.menu("&Up next").addSeparator()
    ctx.add_menu_action("&Up next", "Pin selected suggestion to my queue", up_next.pin_selected)
    ctx.add_menu_action("&Up next", "Clear Up next", up_next.clear)


def _confirmation(kind: str, tracks: list[Track]) -> str:
    what = tracks[0].display_title if len(tracks) == 1 else f"{len(tracks)} tracks"
    return {
        "more_like": f"Up next will lean towards {what}",
        "less_like": f"Up next will lean away from {what}",
        "never": f"{what} will not be suggested again",
    }[kind]
