""" "Up next" without a recommender: the recordings that follow the one playing, in library order.

Also the recommender's last resort when every suggested work is already in the session.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from player.audio.backend import Playable
from player.store.tracks import Track
from player.ui.shell.context import FeatureContext

UP_NEXT_LENGTH = 20


def library_order(current: Track, library: list[Track]) -> tuple[list[Track], str, str]:
    """The recordings after the current one, wrapping at the end: (tracks, source, started_by)."""
    key = current.recording_key
    at = next((i for i, t in enumerate(library) if t.id == current.id), None)
    if at is None:
        return [], "", "queue"
    begin = at
    while begin > 0 and library[begin - 1].recording_key == key:
        begin -= 1
    end = at + 1
    while end < len(library) and library[end].recording_key == key:
        end += 1
    following = library[end:] + library[:begin]
    return following[:UP_NEXT_LENGTH], "library order", "queue"


class LibraryOrder(QObject):
    """Fills an empty Up next from the library each time a track starts."""

    def __init__(self, ctx: FeatureContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        ctx.track_started.connect(self._started)

    def _started(self, item: Playable) -> None:
        playback, queue = self.ctx.playback, self.ctx.queue
        if playback.current is None or queue.up_next:
            return
        basis = (queue.user or [playback.current])[-1]
        suggested, source, started_by = library_order(basis, playback.library_tracks)
        queue.set_up_next(suggested, source=source, started_by=started_by)
