"""Album art: found for the playing track off the GUI thread, shown beside now-playing, and
announced on the context (``art_found``) for MPRIS's ``mpris:artUrl``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage, QPixmap

from player.library.art_cache import ArtCache
from player.playlog import token_of
from player.ui.features.art.thumbnails import thumbnail
from player.ui.shell.context import FeatureContext

NOW_PLAYING_PX = 160
"""Thumbnail size for the now-playing picture (64 px at up to 2.5× scaling)."""


class NowPlayingArt(QObject):
    """Looks up the started track's art and shows it; stale answers (a newer track) are dropped."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.cache = ArtCache(ctx.services.profile.art)
        self._wanted = 0
        ctx.track_started.connect(self._started)

    def _started(self, item) -> None:
        token = token_of(item)
        track = self.ctx.playback.track(token.track_id) if token else None
        if track is None:
            self.ctx.set_now_playing_art(None)
            return
        self._wanted = int(track.id or 0)
        open_db, cache = self.ctx.services.open_db, self.cache

        def find() -> tuple[Path | None, QImage | None]:
            db = open_db()
            try:
                path = cache.art_for(db, track)
            finally:
                db.close()
            return path, (thumbnail(path, NOW_PLAYING_PX) if path else None)

        wanted = self._wanted
        self.ctx.run_job(find, lambda found: self._found(wanted, found))

    def _found(self, track_id: int, found: tuple[Path | None, QImage | None]) -> None:
        path, image = found
        self.ctx.art_found.emit(track_id, path)
        if track_id == self._wanted:
            self.ctx.set_now_playing_art(QPixmap.fromImage(image) if image is not None else None)


def install(ctx: FeatureContext) -> NowPlayingArt:
    return NowPlayingArt(ctx)
