"""MPRIS2 on the session bus: desktop media controls, media keys and lock screens drive Continuo.

Without a session bus (a bare container, a headless test) the feature stays off and says so in
the log; the window works as before. The name is taken once the library is on screen
(``library_shown``): the D-Bus client's import and the bus's round trips are no part of the
first paint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from player.ui.shell.context import FeatureContext

if TYPE_CHECKING:
    from player.ui.features.mpris.service import MprisService

log = logging.getLogger(__name__)

TRACK_PROPERTIES = ("Metadata", "PlaybackStatus", "CanGoNext", "CanGoPrevious", "CanSeek")


def install(ctx: FeatureContext) -> Callable[[], MprisService | None]:
    """Own an MPRIS name and answer for the window's playback, once the library is shown;
    returns the function that gives the service (None before, or when there is no bus)."""
    registered: list[MprisService] = []

    def register() -> None:
        service = _register(ctx)
        if service is not None:
            registered.append(service)

    ctx.after_library_shown(register)
    return lambda: registered[0] if registered else None


def _register(ctx: FeatureContext) -> MprisService | None:
    from player.ui.features.mpris.adapter import PlaybackPort
    from player.ui.features.mpris.bus import BusUnavailable, SessionBus
    from player.ui.features.mpris.service import MprisService

    port = PlaybackPort(ctx)
    holder: list[MprisService] = []
    try:
        bus = SessionBus(lambda message: holder[0].handle(message) if holder else None, ctx)
        service = MprisService(bus, port)
        holder.append(service)
        name = service.register()
    except (BusUnavailable, OSError, RuntimeError, TimeoutError) as exc:
        log.info("MPRIS is off: %s", exc)
        return None
    log.info("MPRIS: %s", name)

    def art_found(track_id: int, path) -> None:
        port.art[track_id] = path
        current = ctx.playback.current
        if current is not None and current.id == track_id:
            service.changed("Metadata")

    ctx.playback.now_playing.connect(lambda _track: service.changed(*TRACK_PROPERTIES))
    ctx.playback.state_changed.connect(lambda _state: service.changed(*TRACK_PROPERTIES))
    ctx.playback.seeked.connect(lambda _seconds: service.seeked())
    ctx.queue.changed.connect(lambda: service.changed("CanGoNext"))
    ctx.volume_changed.connect(lambda _volume: service.changed("Volume"))
    ctx.art_found.connect(art_found)
    ctx.closing.connect(bus.close)
    return service
