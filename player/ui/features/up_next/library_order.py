""" "Up next" without a recommender: the recordings that follow the one playing, in library order.

Also the recommender's last resort when every suggested work is already in the session.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject

from player.audio.backend import Playable
from player.library.grouping import play_order
from player.library.presence import on_disk
from player.library.track_rows import LibraryTracks
from player.store.tracks import Track
from player.ui.shell.context import FeatureContext

UP_NEXT_LENGTH = 20


def library_order(current: Track, library: Sequence[Track]) -> tuple[list[Track], str, str]:
    """The recordings after the current one, wrapping at the end: (tracks, source, started_by).

    Reads only the tracks it returns and the current recording's (the library is read on
    demand: :class:`~player.library.track_rows.LibraryTracks`); each recording in playing
    order."""
    total = len(library)
    if isinstance(library, LibraryTracks):
        at = library.index_of(int(current.id or 0))
    else:
        at = next((i for i, t in enumerate(library) if t.id == current.id), None)
    if at is None:
        return [], "", "queue"
    key = current.recording_key
    begin = at
    while begin > 0 and library[begin - 1].recording_key == key:
        begin -= 1
    end = at + 1
    while end < total and library[end].recording_key == key:
        end += 1
    following: list[Track] = []
    for step in range(min(UP_NEXT_LENGTH, total - (end - begin))):
        following.append(library[(end + step) % total])
    return _in_playing_order(following), "library order", "queue"


def _in_playing_order(tracks: list[Track]) -> list[Track]:
    """Each run of one recording's tracks put in playing order (the library's stored order
    is by disc and movement number; titles and file names may say more)."""
    runs: list[list[Track]] = []
    for track in tracks:
        if runs and runs[-1][0].recording_key == track.recording_key and track.recording_key:
            runs[-1].append(track)
        else:
            runs.append([track])
    return [t for run in runs for t in sorted(run, key=play_order)]


class LibraryOrder(QObject):
    """Fills an empty Up next from the library each time a track starts, with the tracks whose
    files are on disk (checked off the GUI thread: :func:`~player.library.presence.on_disk`)."""

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
        playing, open_db = playback.current, self.ctx.services.open_db
        ids = [int(t.id or 0) for t in suggested]

        def fill(there: set[int]) -> None:
            if playback.current != playing or queue.up_next:
                return  # a later start fills it, or the listener did
            kept = [t for t in suggested if int(t.id or 0) in there]
            queue.set_up_next(kept, source=source if kept else "", started_by=started_by)

        self.ctx.run_job(lambda: on_disk(open_db, ids), fill, lambda _: fill(set(ids)))
