"""The benchmarks' awake null sink (``audio_env.AWAKE``) takes a started stream's blocks at
their pace from the first one: what the benchmarks count as underflows and gaps is then ours."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import AUDIO_KIND

# In a process of its own: its own sound server, PortAudio loaded after it started.
_PROBE = textwrap.dedent(
    """
    import time
    from tests.audio_env import start_private_audio, stop_private_audio

    home, kind = start_private_audio(awake=True)
    try:
        import sounddevice as sd

        time.sleep(3.0)  # the sink settles, as a listener's sits idle before a play
        calls = []
        stream = sd.OutputStream(
            samplerate=48000, channels=2, dtype="float32", latency=0.2, blocksize=4096,
            callback=lambda out, frames, at, status: (out.fill(0), calls.append(time.monotonic())),
        )
        time.sleep(1.0)  # opened a while before it starts, as the engine's stream is
        started = time.monotonic()
        stream.start()
        while len(calls) < 8 and time.monotonic() - started < 10:
            time.sleep(0.005)
        stream.abort()
        stream.close()
        times = [started, *calls]
        print(len(calls), max(b - a for a, b in zip(times, times[1:])))
    finally:
        stop_private_audio(home)
    """
)


@pytest.mark.skipif(AUDIO_KIND != "pulse", reason="needs PulseAudio")
def test_a_stream_started_on_the_awake_sink_is_paced_from_its_first_block():
    root = Path(__file__).resolve().parents[2]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr
    calls, longest_gap = probe.stdout.split()
    assert int(calls) == 8
    # blocks of 85 ms: on the idle plain sink the gap after the first blocks is ~1.6 s
    assert float(longest_gap) < 0.8
