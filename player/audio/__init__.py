"""Sound output: an engine process (decoders → ring → PortAudio callback) the app drives.

``open_backend`` is what the app calls: the sound card through
:class:`~player.audio.process.ProcessBackend` when an output opens, otherwise a
:class:`~player.audio.null.NullBackend` whose ``unavailable_reason`` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from player.audio.backend import AudioBackend, BackendListener

if TYPE_CHECKING:
    from player.audio.null import NullBackend
    from player.audio.process import ProcessBackend


def start_backend(
    device: int | None = None, *, listener: BackendListener | None = None
) -> Callable[[], ProcessBackend | NullBackend]:
    """Start the engine process now; the function returned waits for it and gives PortAudio on
    ``device`` (None: the system default), or NullBackend with the reason. The app starts it
    first and waits last, so the engine opens its output while the app loads."""
    from player.audio.null import NullBackend
    from player.audio.process import ProcessBackend

    backend = ProcessBackend(listener, device=device, wait=False)

    def ready() -> ProcessBackend | NullBackend:
        failure = backend.wait_ready()
        if not failure:
            return backend
        reason = f"{failure}; playback keeps time silently."
        return NullBackend(listener, unavailable_reason=reason)

    return ready


def open_backend(
    device: int | None = None, *, listener: BackendListener | None = None
) -> AudioBackend:
    """PortAudio on ``device`` (None: the system default), or NullBackend with the reason."""
    return start_backend(device, listener=listener)()
