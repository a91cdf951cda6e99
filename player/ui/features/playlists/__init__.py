"""Playlists: a tab of saved queues and "Add to playlist…" on every track's right-click menu."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from player.store.tracks import Track
from player.ui.features.playlists.panel import PlaylistsPanel
from player.ui.shell.context import FeatureContext


def install(ctx: FeatureContext) -> PlaylistsPanel:
    panel = PlaylistsPanel(ctx)
    ctx.add_panel(panel, "Playlists")

    def add_to_playlist(tracks: list[Track]) -> None:
        names = [p.name for p in panel.playlists]
        name, ok = QInputDialog.getItem(
            ctx.dialog_parent, "Add to playlist", "Playlist (or a new name):", names, 0, True
        )
        if ok:
            panel.add_tracks(name, tracks)

    ctx.add_track_action("Add to playlist…", add_to_playlist)
    ctx.library_changed.connect(panel.reload)  # a rescan may have marked files missing
    ctx.after_library_shown(panel.reload)  # read after the library, not before it
    return panel
