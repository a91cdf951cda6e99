"""Album art: found off the GUI thread, shown beside now-playing and on the library's work rows,
and announced on the context (``art_found``) for MPRIS's ``mpris:artUrl``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon, QImage, QPixmap

from player.library.art_cache import ArtCache
from player.playlog import token_of
from player.store.tracks import Track
from player.ui.features.art.thumbnails import thumbnail
from player.ui.shell.context import FeatureContext

NOW_PLAYING_PX = 160
"""Thumbnail size for the now-playing picture (64 px at up to 2.5× scaling)."""
ROW_PX = 20
"""The picture on a work row, in logical pixels."""
ROW_BATCH = 64
"""Rows looked up per job: the rows on screen, a few jobs per scroll."""


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


class RowArt(QObject):
    """Pictures for the library's work rows: answered from memory, looked up in batches."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.cache = ArtCache(ctx.services.profile.art)
        self.icons: dict[int, QIcon | None] = {}
        self._wanted: dict[int, Track] = {}
        self._busy = False
        ctx.set_library_art(self.art_for, ROW_PX)
        ctx.scan_finished.connect(self.icons.clear)  # a rescan may have brought new art

    def art_for(self, track: Track) -> QIcon | None:
        """The row's picture if known; else None now, and a lookup is queued."""
        track_id = int(track.id or 0)
        if track_id in self.icons:
            return self.icons[track_id]
        self._wanted[track_id] = track
        if not self._busy:
            QTimer.singleShot(0, self._look_up)  # after this paint: one batch for all rows shown
            self._busy = True
        return None

    def _look_up(self) -> None:
        batch = dict(list(self._wanted.items())[:ROW_BATCH])
        for track_id in batch:
            del self._wanted[track_id]
        open_db, cache = self.ctx.services.open_db, self.cache
        px = round(ROW_PX * 2)  # sharp on 2x screens, cached once per picture

        def find() -> dict[int, QImage | None]:
            db = open_db()
            try:
                found = {}
                for track_id, track in batch.items():
                    path = cache.art_for(db, track)
                    found[track_id] = thumbnail(path, px) if path else None
                return found
            finally:
                db.close()

        failed = dict.fromkeys(batch)  # unreadable: shown without art, not asked again
        self.ctx.run_job(find, self._found, lambda _error: self._found(failed))

    def _found(self, images: dict[int, QImage | None]) -> None:
        for track_id, image in images.items():  # an icon keeps its proportions at the row's size
            self.icons[track_id] = QIcon(QPixmap.fromImage(image)) if image is not None else None
        self._busy = False
        if self._wanted:
            self._busy = True
            self._look_up()
        if any(image is not None for image in images.values()):  # else nothing new to draw
            self.ctx.repaint_library()


@dataclass(frozen=True)
class AlbumArt:
    now_playing: NowPlayingArt
    rows: RowArt


def install(ctx: FeatureContext) -> AlbumArt:
    return AlbumArt(NowPlayingArt(ctx), RowArt(ctx))
