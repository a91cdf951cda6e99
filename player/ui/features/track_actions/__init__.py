"""Right-click entries every player has: "Play next" and "Show in folder"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from player.store.tracks import Track
from player.ui.shell.context import FeatureContext


def folders_of(tracks: list[Track]) -> list[Path]:
    """The distinct folders holding ``tracks``, in order (a work usually lives in one)."""
    seen: dict[Path, None] = {}
    for track in tracks:
        seen.setdefault(Path(track.path).parent, None)
    return list(seen)


def install(ctx: FeatureContext) -> None:
    def play_next(tracks: list[Track]) -> None:
        ctx.queue.add_front(tracks)
        ctx.show_message(f"{len(tracks)} to play next" if len(tracks) > 1 else "Plays next")

    def show_in_folder(tracks: list[Track]) -> None:
        for folder in folders_of(tracks)[:3]:  # never a storm of file-manager windows
            if not folder.is_dir():
                ctx.show_message(f"The folder {folder} is not there any more")
                continue
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    ctx.add_track_action("Play next", play_next)
    ctx.add_track_action("Show in folder", show_in_folder)
