"""The window's playback as an :class:`~player.ui.features.mpris.service.MprisPlayer`.

Reads and commands go to the shell's playback controller and the context; the album art of the
playing track arrives through the context's ``art_found`` signal (the art feature finds it off
the GUI thread).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer

from player.audio.backend import PlaybackState
from player.playlog import token_of
from player.store.tracks import Track
from player.ui.features.mpris.service import NowPlaying, Reading
from player.ui.shell.context import FeatureContext

STATUS = {
    PlaybackState.PLAYING: "Playing",
    PlaybackState.PAUSED: "Paused",
    PlaybackState.STOPPED: "Stopped",
}


def split_names(text: str) -> list[str]:
    """``"A; B"`` (how the library joins several values) as ``["A", "B"]``."""
    return [part.strip() for part in text.split(";") if part.strip()]


def now_playing(track: Track, art: Path | None) -> NowPlaying:
    """A classical track as MPRIS metadata: the work in the title, performers as artists."""
    movement = track.display_title
    title = f"{track.work}: {movement}" if track.work and movement != track.work else movement
    performers = split_names(track.performers) + split_names(track.orchestra)
    performers += split_names(track.conductor)
    return NowPlaying(
        track_id=int(track.id or 0),
        title=title or Path(track.path).stem,
        length_s=track.duration_s,
        path=Path(track.path),
        album=track.album,
        artists=performers or split_names(track.artist) or split_names(track.composer),
        composers=split_names(track.composer),
        art=art,
    )


class PlaybackPort:
    """MprisPlayer over a :class:`FeatureContext` (GUI thread)."""

    def __init__(self, ctx: FeatureContext) -> None:
        self.ctx = ctx
        self.art: dict[int, Path | None] = {}

    def reading(self) -> Reading:
        """From one snapshot of the backend: the track it names (one the window handed it),
        and the position in that track."""
        heard = self.ctx.playback.backend.snapshot()
        token = token_of(heard.item) if heard.item is not None else None
        track = self.ctx.playback.track(token.track_id) if token is not None else None
        if track is None:
            return Reading(STATUS[heard.state], None)
        now = now_playing(track, self.art.get(int(track.id or 0)))
        return Reading(STATUS[heard.state], now, heard.position_s)

    def volume(self) -> float:
        return self.ctx.volume()

    def set_volume(self, volume: float) -> None:
        self.ctx.set_volume(volume)

    def play(self) -> None:
        self.ctx.playback.play()

    def pause(self) -> None:
        self.ctx.playback.pause()

    def play_pause(self) -> None:
        self.ctx.playback.toggle()

    def stop(self) -> None:
        self.ctx.playback.stop()

    def next(self) -> None:
        self.ctx.playback.next()

    def previous(self) -> None:
        self.ctx.playback.previous()

    def seek_to(self, seconds: float) -> None:
        self.ctx.playback.seek(seconds)

    def can_go_next(self) -> bool:
        return self.ctx.queue.peek() is not None

    def raise_window(self) -> None:
        self.ctx.raise_window()

    def quit(self) -> None:
        QTimer.singleShot(0, self.ctx.close_window)  # after the reply has gone out
