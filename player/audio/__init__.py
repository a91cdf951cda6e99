"""Sound output: an engine process (decoders → ring → PortAudio callback) the app drives.

``open_backend`` is what the app calls: the sound card through
:class:`~player.audio.process.ProcessBackend` when an output opens, otherwise a
:class:`~player.audio.null.NullBackend` whose ``unavailable_reason`` says why.
"""

from __future__ import annotations

from player.audio.backend import AudioBackend, BackendListener


def open_backend(
    device: int | None = None, *, listener: BackendListener | None = None
) -> AudioBackend:
    """PortAudio on ``device`` (None: the system default), or NullBackend with the reason."""
    from player.audio.null import NullBackend
    from player.audio.process import OutputUnavailable, ProcessBackend

    try:
        return ProcessBackend(listener, device=device)
    except OutputUnavailable as exc:  # no PortAudio, no output device, or it refused us
        reason = f"{exc}; playback keeps time silently."
        return NullBackend(listener, unavailable_reason=reason)
