"""Right-click entries every player has: "Play next" and "Show in folder".

"Play next" moves a track that is already waiting (in the queue or in Up next) instead of
adding a copy. It does not apply to the track playing now (unless the listener queued it again):
greyed out when that is all that was right-clicked, left out of a larger selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from player.fspath import shown
from player.store.tracks import Track
from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.track_actions.show_in_folder import Revealed


def install(ctx: FeatureContext) -> None:
    def not_playing(tracks: list[Track]) -> list[Track]:
        current = ctx.playback.current
        if current is None or any(t.id == current.id for t in ctx.queue.user + ctx.queue.up_next):
            return list(tracks)
        return [t for t in tracks if t.id != current.id]

    def play_next(tracks: list[Track]) -> None:
        moving = not_playing(tracks)
        if not moving:
            return
        ctx.queue.play_next(moving)
        ctx.show_message(f"{len(moving)} to play next" if len(moving) > 1 else "Plays next")

    def reveal(tracks: list[Track]) -> Revealed:
        # on the worker: the D-Bus client (jeepney) loads on first use, not with the window
        from player.ui.features.track_actions import show_in_folder as folders

        return folders.reveal(tracks)

    def revealed(done: Revealed) -> None:
        from player.ui.features.track_actions.show_in_folder import open_folders

        for folder in done.gone:
            ctx.show_message(f"The folder {shown(str(folder))} is not there any more")
        for folder in open_folders(done.to_open):
            ctx.show_message(f"No file manager could open {shown(str(folder))}")

    def show_in_folder(tracks: list[Track]) -> None:
        ctx.run_job(
            lambda: reveal(tracks),
            revealed,
            lambda exc: ctx.show_message(f"Could not show the folder: {exc}"),
        )

    ctx.add_track_action("Play next", play_next, enabled=lambda tracks: bool(not_playing(tracks)))
    ctx.add_track_action("Show in folder", show_in_folder)
