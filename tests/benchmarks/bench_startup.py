"""Window benchmarks (issue 2): cold start with 10,000 tracks, memory, playback with a busy UI.

Run: ``.venv/bin/python tests/benchmarks/bench_startup.py [--runs 3] [--play-seconds 60]
[--root-tracks 400]``

1. Cold start: a fresh ``python -m player`` process on a profile whose database holds 10,000
   tracks (plausible classical tags, written with ``upsert_tracks``), offscreen, ``--no-audio``.
   Times, from just before the process is spawned: first paint of the main window, and the
   moment the whole library is in the views. Resident memory once the library is shown. Goal:
   paint ≤ 1.0 s, memory ≤ 250 MB.
2. Cold start as a listener has it: real sound output (PortAudio on a private PulseAudio null
   sink, opened before the window as the app does) and a library root of ``--root-tracks`` real
   tagged FLAC files, scanned once before, so the start-up rescan finds nothing changed; with
   ``--play``. Times from the spawn: first paint, library shown, rescan finished, and the first
   sound, read from the null sink's monitor by ``parec`` (a separate process).
3. Playback with the UI busy: the same profile plus one real 70 s OGG file, played through
   PortAudio on a private PulseAudio null sink (paced in real time) while the library is filtered
   and scrolled every 30 ms; PortAudio underruns counted (goal 0). Then CPU use of the whole
   process while it plays with the UI idle (goal ≤ 3 % of one core).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

N_TRACKS = 10_000
COMPOSERS = [
    "Johann Sebastian Bach",
    "George Frideric Handel",
    "Antonio Vivaldi",
    "Joseph Haydn",
    "Wolfgang Amadeus Mozart",
    "Ludwig van Beethoven",
    "Franz Schubert",
    "Robert Schumann",
    "Johannes Brahms",
    "Felix Mendelssohn",
    "Frédéric Chopin",
    "Franz Liszt",
    "Antonín Dvořák",
    "Pyotr Ilyich Tchaikovsky",
    "Gustav Mahler",
    "Claude Debussy",
    "Maurice Ravel",
    "Giovanni Pierluigi da Palestrina",
    "Claudio Monteverdi",
    "Henry Purcell",
]
FORMS = ["Symphony", "String Quartet", "Piano Sonata", "Violin Sonata", "Piano Trio", "Suite"]
MOVEMENTS = ["Allegro", "Adagio", "Menuetto. Allegretto", "Presto", "Andante con moto"]
QUERIES = ["bach", "quartet", "sonata no. 1", "adagio", "mozart symphony", "zzz", "", "presto"]

CHILD = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
found = {}
class Watch(QObject):
    def eventFilter(self, obj, event):
        if ("paint" not in found and event.type() == QEvent.Type.Paint
                and type(obj).__name__ == "MainWindow"):
            found["paint"] = time.time() - t0
            found["paint_cpu"] = time.process_time()  # CPU seconds: less sensitive to load
        return False
watch = Watch()
app.installEventFilter(watch)
def poll():
    window = next((w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    if window is not None and window.library.table_model.rowCount() == int(os.environ["BENCH_N"]):
        import psutil
        found["library"] = time.time() - t0
        found["rss_mb"] = psutil.Process().memory_info().rss / 2**20
        print("BENCH", __import__("json").dumps(found), flush=True)
        window.close()
    else:
        QTimer.singleShot(5, poll)
QTimer.singleShot(0, poll)
from player.cli import main
sys.exit(main(["--profile", os.environ["BENCH_PROFILE"], "--no-audio"]))
"""

# Real output and a library root: reports once the library is shown, the start-up rescan has
# finished and the played track has been consumed for 0.5 s (the parent hears the first sound).
CHILD_ROOT = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
found = {}
class Watch(QObject):
    def eventFilter(self, obj, event):
        if ("paint" not in found and event.type() == QEvent.Type.Paint
                and type(obj).__name__ == "MainWindow"):
            found["paint"] = time.time() - t0
        return False
watch = Watch()
app.installEventFilter(watch)
def poll():
    window = next((w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"), None)
    if window is not None and "hooked" not in found:
        found["hooked"] = True
        window.scan_finished.connect(lambda _: found.setdefault("rescan", time.time() - t0))
    if (window is not None and "library" not in found
            and window.library.table_model.rowCount() == int(os.environ["BENCH_N"])):
        found["library"] = time.time() - t0
    if window is not None and window.services.backend.position_s > 0.5 and "rescan" in found:
        found["output"] = window.services.backend.name
        print("BENCH", json.dumps(found), flush=True)
        window.close()
    else:
        QTimer.singleShot(5, poll)
QTimer.singleShot(0, poll)
from player.cli import main
sys.exit(main(["--profile", os.environ["BENCH_PROFILE"], "--library", os.environ["BENCH_ROOT"],
               "--play"]))
"""


def make_profile(root: Path) -> Path:
    from player.store.db import open_database
    from player.store.tracks import Track, upsert_tracks

    tracks = []
    for i in range(N_TRACKS):
        composer = COMPOSERS[i % len(COMPOSERS)]
        work_no, movement_no = divmod(i // len(COMPOSERS), len(MOVEMENTS))
        form = FORMS[work_no % len(FORMS)]
        work = f"{form} No. {work_no + 1} in {'CDEFGAB'[work_no % 7]} major, Op. {work_no + 10}"
        movement = MOVEMENTS[movement_no]
        tracks.append(
            Track(
                path=f"/bench-library/{composer}/{work}/{movement_no + 1:02d}.flac",
                size=30_000_000,
                mtime_ns=1,
                title=movement,
                item_key=f"{composer} | {work} | {movement} | bench ensemble".lower(),
                composer=composer,
                work=work,
                movement=movement,
                movement_number=movement_no + 1,
                movement_count=len(MOVEMENTS),
                performers="Bench Ensemble",
                conductor="A. Conductor",
                album=f"{composer}: {form}s",
                track_number=movement_no + 1,
                duration_s=300.0 + i % 400,
                sample_rate=44100,
                channels=2,
                format="FLAC",
            )
        )
    db = open_database(root / "continuo.db")
    upsert_tracks(db, tracks)
    db.close()
    return root


def cold_start(profile: Path) -> dict:
    env = dict(os.environ, BENCH_PROFILE=str(profile), BENCH_N=str(N_TRACKS))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["BENCH_T0"] = repr(time.time())
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"the app did not report:\n{out.stdout}\n{out.stderr}")


def make_root(folder: Path, n_tracks: int) -> Path:
    """``n_tracks`` real tagged FLAC files (2 s each), five movements to a work."""
    from tests.library.audio_files import tag_vorbis, write_audio

    for i in range(n_tracks):
        composer = COMPOSERS[i // 5 % len(COMPOSERS)]
        work, number = f"Suite No. {i // 5 + 1}", i % 5 + 1
        path = write_audio(folder / composer / work / f"{number:02d}.flac", seconds=2.0)
        tag_vorbis(path, composer=composer, work=work, movementname=MOVEMENTS[number - 1],
                   movement=str(number), title=MOVEMENTS[number - 1])  # fmt: skip
    return folder


class MonitorListener:
    """``parec`` on the null sink's monitor, in its own process: when did sound first arrive?"""

    def __init__(self) -> None:
        import threading

        self.first_sound: float | None = None
        self._parec = subprocess.Popen(
            ["parec", "--raw", "--format=float32le", "--rate=48000", "--channels=2",
             "--latency-msec=10", "--device=null.monitor"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import numpy as np

        assert self._parec.stdout is not None
        while (chunk := self._parec.stdout.read(1920)) and self.first_sound is None:
            if np.abs(np.frombuffer(chunk, dtype="<f4")).max(initial=0.0) > 1e-3:
                self.first_sound = time.time()

    def close(self) -> None:
        self._parec.terminate()
        self._parec.wait(5)


def cold_start_with_root(profile: Path, root: Path, n_tracks: int, runs: int) -> list[dict]:
    """Runs of :data:`CHILD_ROOT` with real output; the profile was scanned once before."""
    from tests.audio_env import start_private_audio, stop_private_audio

    home, kind = start_private_audio()  # the child inherits HOME / XDG_RUNTIME_DIR
    results = []
    try:
        if kind != "pulse":
            raise RuntimeError("first sound needs PulseAudio's null sink (pulseaudio, parec)")
        for _ in range(runs + 1):  # the first run scans the root and warms the file cache
            monitor = MonitorListener()
            env = dict(os.environ, BENCH_PROFILE=str(profile), BENCH_N=str(n_tracks))
            env.update(BENCH_ROOT=str(root), QT_QPA_PLATFORM="offscreen")
            env["BENCH_T0"] = repr(t0 := time.time())
            out = subprocess.run([sys.executable, "-c", CHILD_ROOT], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=180)  # fmt: skip
            monitor.close()
            line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
            if line is None or monitor.first_sound is None:
                raise RuntimeError(f"no report or no sound:\n{out.stdout}\n{out.stderr}")
            results.append({**json.loads(line[6:]), "sound": monitor.first_sound - t0})
    finally:
        stop_private_audio(home)
    return results[1:]


def busy_playback(profile: Path, seconds: float) -> dict:
    from tests.audio_env import start_private_audio, stop_private_audio

    home, kind = start_private_audio()  # before anything loads PortAudio
    try:
        return _busy_playback(profile, seconds, kind)
    finally:
        stop_private_audio(home)


def _busy_playback(profile: Path, seconds: float, kind: str) -> dict:
    import psutil
    from PySide6.QtWidgets import QApplication

    from player.app import build_services, build_window
    from player.profile import Profile
    from tests.library.audio_files import tag_vorbis, write_audio

    music = profile.parent / "music"
    song = write_audio(music / "long.ogg", seconds=70.0, freq=330.0)
    tag_vorbis(song, composer="Bench", work="Long Work", movementname="Only", movement="1")
    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    services = build_services(Profile(profile), [music])
    window = build_window(services)
    window.show()
    loaded = []
    window.library_loaded.connect(loaded.append)
    window.start()
    deadline = time.monotonic() + 60
    while (not loaded or loaded[-1] < N_TRACKS + 1) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    track = next(t for t in window.controller._library if t.composer == "Bench")
    window.controller.play_track(track)
    while services.backend.position_s < 0.5:
        app.processEvents()
        time.sleep(0.01)
    before = services.backend.underruns
    end = time.monotonic() + seconds
    step = 0
    table = window.library.table
    while time.monotonic() < end:
        step += 1
        if step % 3 == 0:
            window.library.search.setText(QUERIES[(step // 3) % len(QUERIES)])
            window.library.apply_search()
        bar = table.verticalScrollBar()
        bar.setValue((bar.value() + 400) % max(bar.maximum(), 1))
        if step % 50 == 0:
            window.library.tabs.setCurrentIndex((step // 50) % 2)
        window.repaint()
        app.processEvents()
        time.sleep(0.03)
    busy_underruns = services.backend.underruns - before
    window.library.search.setText("")
    window.library.apply_search()
    # Playback's own cost: the background analysis (its own goal and benchmark) is paused.
    window.features.analysis.pause()
    process = psutil.Process()
    cpu0, wall0 = sum(process.cpu_times()[:2]), time.monotonic()
    idle_end = wall0 + 10
    while time.monotonic() < idle_end:
        app.processEvents()
        time.sleep(0.05)
    cpu = (sum(process.cpu_times()[:2]) - cpu0) / (time.monotonic() - wall0) * 100
    result = {
        "output": kind,
        "busy_seconds": seconds,
        "busy_steps": step,
        "underruns_busy": busy_underruns,
        "ring_underruns": getattr(services.backend, "ring_underruns", None),
        "cpu_percent_idle_ui": round(cpu, 1),
    }
    window.close()
    window.jobs.wait()
    services.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--play-seconds", type=float, default=60.0)
    parser.add_argument("--root-tracks", type=int, default=400)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f}")
    with tempfile.TemporaryDirectory(prefix="continuo-bench-") as tmp:
        started = time.perf_counter()
        profile = make_profile(Path(tmp) / "profile")
        print(f"profile with {N_TRACKS:,} tracks written in {time.perf_counter() - started:.1f} s")
        cold_start(profile)  # warms the OS file cache: "cold" here means a new process
        runs = [cold_start(profile) for _ in range(args.runs)]
        paint = statistics.median(r["paint"] for r in runs)
        shown = statistics.median(r["library"] for r in runs)
        paint_cpu = statistics.median(r["paint_cpu"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        print(
            f"cold start to first paint:       {paint:.2f} s (median of {args.runs}; goal ≤ 1.0 s)"
        )
        print(
            f"  CPU time of the app to first paint: {paint_cpu:.2f} s (≈ the wall time on an idle machine)"
        )
        print(f"cold start to 10,000 tracks shown: {shown:.2f} s")
        print(f"resident memory, library shown:  {rss:.0f} MB (goal ≤ 250 MB)")
        print("  (conditions: offscreen, --no-audio, no library root: no start-up rescan)")
        if args.root_tracks > 0:
            started = time.perf_counter()
            root = make_root(Path(tmp) / "root", args.root_tracks)
            print(
                f"library root: {args.root_tracks} tagged 2 s FLAC files "
                f"({time.perf_counter() - started:.1f} s to write)"
            )
            real = cold_start_with_root(Path(tmp) / "root-profile", root, args.root_tracks,
                                        args.runs)  # fmt: skip
            print(
                f"cold start, real output ({real[0]['output']}), library root rescanned "
                f"(nothing changed), --play; median of {args.runs}:"
            )
            for key, label in (("paint", "first paint"), ("library", "library shown"),
                               ("rescan", "start-up rescan finished"),
                               ("sound", "first sound on the sink's monitor")):  # fmt: skip
                values = [r[key] for r in real]
                print(
                    f"  {label + ':':36s}{statistics.median(values):.2f} s "
                    f"(range {min(values):.2f}-{max(values):.2f})"
                )
        if args.play_seconds > 0:
            busy = busy_playback(profile, args.play_seconds)
            print(
                f"underruns during {busy['busy_seconds']:.0f} s of playback with the UI busy "
                f"({busy['busy_steps']} filter/scroll steps, output {busy['output']}): "
                f"{busy['underruns_busy']} (goal 0; decoder-side ring underruns: "
                f"{busy['ring_underruns']})"
            )
            print(
                f"CPU while playing, UI idle, analysis paused: {busy['cpu_percent_idle_ui']} % of one core"
            )


if __name__ == "__main__":
    main()
