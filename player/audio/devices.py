"""PortAudio's output devices, as the engine process reports them (sounddevice only, no numpy,
so the engine can say which output it found before it has loaded the rest)."""

from __future__ import annotations

import sounddevice as sd

from player.audio.backend import OutputDevice


def output_devices() -> list[OutputDevice]:
    """PortAudio's devices that can play sound, the system default marked."""
    try:
        default = sd.query_devices(kind="output")["index"]
        devices = sd.query_devices()
    except sd.PortAudioError:
        return []
    return [
        OutputDevice(i, d["name"], float(d["default_samplerate"]), i == default)
        for i, d in enumerate(devices)
        if d["max_output_channels"] > 0
    ]


def describe(device: int | None, samplerate: int | None) -> tuple[str, int, int]:
    """(name, rate, channels) the engine uses on ``device`` (None: the system default): its
    default rate unless ``samplerate`` is given, mono or stereo.

    Raises ``sd.PortAudioError`` or ``ValueError`` when there is no such output.
    """
    info = sd.query_devices(device, "output")
    channels = max(1, min(2, int(info["max_output_channels"])))
    return f"PortAudio: {info['name']}", int(samplerate or info["default_samplerate"]), channels
