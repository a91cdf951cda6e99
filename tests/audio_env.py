"""A private PulseAudio server with a null sink, so PortAudio output is real and paced in real time.

Started once per test run, before anything imports sounddevice (PortAudio reads the ALSA
configuration when it initialises). ALSA's default PCM is pointed at it through a private
``~/.asoundrc``; when PulseAudio is not installed the default PCM is ALSA's ``null`` device,
which accepts frames but is not paced.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

AWAKE = (
    "--load=module-null-source source_name=silence rate=48000",
    "--load=module-loopback source=silence sink=null latency_msec=200",
)
"""A silent stream that keeps the null sink awake (a null source looped into it at 200 ms, the
latency the engine asks for; 0.3 % of a core). Left alone, an idle null sink renders 2 s ahead
and does not take it back when a stream starts: the stream's first blocks go at once, then it
waits up to 1.6 s for the sink's next wake-up, an underflow and a 1.6 s gap between callbacks
that a sound card never causes (a bare sounddevice stream, started 1 s after it was opened:
1.63 s without this stream, one block of 93 ms with it). The tests keep the plain sink: awake,
its monitor loses the start of each stream (the sample-continuity tests' recordings)."""


def start_private_audio(awake: bool = False) -> tuple[Path, str]:
    """Set HOME/XDG_RUNTIME_DIR to a temp dir with its own sound setup; returns (dir, kind).
    ``awake``: the sink is kept awake (:data:`AWAKE`), so that a benchmark's underflows and
    callback gaps are the player's, not the idle null sink's."""
    home = Path(tempfile.mkdtemp(prefix="continuo-audio-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    os.environ["HOME"] = str(home)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ.pop("PULSE_SERVER", None)
    if shutil.which("pulseaudio") and _start_pulseaudio(home, runtime, AWAKE if awake else ()):
        (home / ".asoundrc").write_text(
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n"
        )
        return home, "pulse"
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    return home, "null"


def _start_pulseaudio(home: Path, runtime: Path, modules: tuple[str, ...]) -> bool:
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
    subprocess.run(
        [
            "pulseaudio",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "-n",
            "--system=false",
            "--disallow-exit",
            "--log-target=stderr",
            "--load=module-null-sink sink_name=null rate=48000",
            "--load=module-native-protocol-unix",
            *modules,
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = runtime / "pulse" / "native"
    for _ in range(100):
        if socket.exists():
            return True
        time.sleep(0.05)
    return False


def stop_private_audio(home: Path) -> None:
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"))
    subprocess.run(["pulseaudio", "--kill"], env=env, check=False, stderr=subprocess.DEVNULL)
    shutil.rmtree(home, ignore_errors=True)
