"""Test-wide setup: offscreen Qt and a private sound server started before PortAudio loads."""

import os

from tests.audio_env import start_private_audio, stop_private_audio

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ORT_LOGGING_LEVEL", "3")
# Windows under test must not appear in the desktop's media controls: MPRIS tests start a bus.
os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
_AUDIO_HOME, AUDIO_KIND = start_private_audio()


def pytest_report_header(config):
    return f"audio output: {AUDIO_KIND} ({_AUDIO_HOME})"


def pytest_unconfigure(config):
    stop_private_audio(_AUDIO_HOME)
