"""Feedback on any track: "More like this", "Less like this", "Never suggest".

Offered in the library's and the queue's right-click menus and, for the playing track, in the
Up next menu. Each is stored in the profile by the recommender (on its thread) and a new Up next
set follows at once.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from player.store.tracks import Track

if TYPE_CHECKING:
    from player.ui.features.up_next.panel import UpNext
    from player.ui.shell.main_window import MainWindow

FEEDBACK = [
    ("More like this", "more_like"),
    ("Less like this", "less_like"),
    ("Never suggest", "never"),
]


def install(window: MainWindow, up_next: UpNext | None) -> None:
    """Add the feedback entries to the context menus and an "Up next" menu to the menu bar."""
    if up_next is None:
        return

    def give(kind: str, tracks: list[Track]) -> None:
        up_next.give_feedback(tracks, kind)
        window.statusBar().showMessage(_confirmation(kind, tracks), 5000)

    def on_playing(kind: str) -> None:
        if window.controller.current is not None:
            give(kind, [window.controller.current])

    for label, kind in FEEDBACK:
        window.library.extra_actions.append((label, partial(give, kind)))
        window.queue_panel.extra_actions.append((label, partial(give, kind)))
    menu = window.menuBar().addMenu("&Up next")
    for label, kind in FEEDBACK:
        menu.addAction(f"Playing track: {label}", partial(on_playing, kind))
    menu.addSeparator()
    menu.addAction("Pin selected suggestion to my queue", up_next.pin_selected)
    menu.addAction("Clear Up next", up_next.clear)


def _confirmation(kind: str, tracks: list[Track]) -> str:
    what = tracks[0].display_title if len(tracks) == 1 else f"{len(tracks)} tracks"
    return {
        "more_like": f"Up next will lean towards {what}",
        "less_like": f"Up next will lean away from {what}",
        "never": f"{what} will not be suggested again",
    }[kind]
