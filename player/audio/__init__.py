"""Sound output: a decoder thread fills a ring buffer that the PortAudio callback copies from.

``open_backend`` is what the app calls: the sound card when there is one, otherwise a
:class:`~player.audio.null.NullBackend` whose ``unavailable_reason`` says why.
"""

from __future__ import annotations

from player.audio.backend import AudioBackend, BackendListener


def open_backend(
    device: int | None = None, *, listener: BackendListener | None = None
) -> AudioBackend:
    """PortAudio on ``device`` (None: the system default), or NullBackend with the reason."""
    from player.audio.null import NullBackend

    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio is not installed
        reason = f"PortAudio is not available ({exc}); install libportaudio2 for sound."
        return NullBackend(listener, unavailable_reason=reason)
    from player.audio.engine import PortAudioBackend

    try:
        return PortAudioBackend(listener, device=device)
    except (sd.PortAudioError, ValueError) as exc:  # no output device, or it refused us
        reason = f"No sound output could be opened ({exc}); playback keeps time silently."
        return NullBackend(listener, unavailable_reason=reason)
