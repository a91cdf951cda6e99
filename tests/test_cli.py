"""The command line: `continuo history` without a window, and the app's options end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from player.cli import app_parser, main, split_qt_options
from player.demo import DEMO_LIBRARY
from player.store.db import open_database
from player.store.plays import end_play, start_play
from player.store.tracks import Track, upsert_tracks
from tests.player_process import start_player
from tests.ui.library import make_library


def run_player(*args, timeout=60, **env):
    return subprocess.run(
        [sys.executable, "-m", "player", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
    )


@pytest.fixture
def logged_profile(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    upsert_tracks(
        db,
        [
            Track(
                path="/m/a.ogg",
                size=1,
                mtime_ns=1,
                title="Kyrie",
                composer="Palestrina",
                work="Missa Papae Marcelli",
                movement="Kyrie",
            ),
            Track(
                path="/m/b.ogg",
                size=1,
                mtime_ns=1,
                title="Aria",
                composer="Bach",
                work="Goldberg Variations",
            ),
        ],
    )
    times = [
        "2026-01-01T10:00:00.000+00:00",
        "2026-01-01T10:05:00.000+00:00",
        "2026-01-01T12:00:00.000+00:00",
    ]
    for track_id, started_at, how, by in zip(
        (1, 2, 1),
        times,
        ("finished", "skipped", "stopped"),
        ("user", "queue", "suggestion"),
        strict=True,
    ):
        end_play(db, start_play(db, track_id, by, started_at), 240_000, how)
    db.close()
    return tmp_path


def test_history_json_lists_sessions_with_their_plays(logged_profile, capsys):
    assert main(["history", "--profile", str(logged_profile), "--json"]) == 0
    sessions = json.loads(capsys.readouterr().out)
    assert [len(s["plays"]) for s in sessions] == [2, 1]  # 10:09 → 12:00 is more than 40 min
    first = sessions[0]["plays"][0]
    assert first == {
        "track_id": 1,
        "track": "/m/a.ogg",
        "composer": "Palestrina",
        "work": "Missa Papae Marcelli",
        "title": "Kyrie",
        "started_at": "2026-01-01T10:00:00.000+00:00",
        "ms_heard": 240000,
        "ended_how": "finished",
        "started_by": "user",
    }
    assert sessions[0]["plays"][1]["title"] == "Aria"  # no movement: the title
    assert sessions[1]["plays"][0]["started_by"] == "suggestion"
    assert sessions[0]["ms_heard"] == 480000


def test_history_json_streams_the_text_one_dump_would_write(logged_profile, tmp_path, capsys):
    """Written a session at a time, yet byte for byte ``json.dump(list, indent=2)``."""
    assert main(["history", "--profile", str(logged_profile), "--json"]) == 0
    out = capsys.readouterr().out
    assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    empty = tmp_path / "empty"
    open_database(empty / "continuo.db").close()
    assert main(["history", "--profile", str(empty), "--json"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_history_text_and_a_missing_profile(logged_profile, tmp_path, capsys):
    assert main(["history", "--profile", str(logged_profile)]) == 0
    out = capsys.readouterr().out
    assert out.count("Session ") == 2
    assert "Palestrina · Missa Papae Marcelli · Kyrie" in out
    assert main(["history", "--profile", str(tmp_path / "nowhere")]) == 1
    assert "no listening log" in capsys.readouterr().err


def test_qt_options_pass_through_to_qt():
    ours, qt = split_qt_options(
        ["--library", "/a", "-platform", "offscreen", "x.flac", "--library", "/b", "--play"]
    )
    args, rest = app_parser().parse_known_args(ours)
    assert [str(p) for p in args.library] == ["/a", "/b"]
    assert [str(p) for p in args.paths] == ["x.flac"]  # "offscreen" is Qt's, not a file
    assert args.play and qt + rest == ["-platform", "offscreen"]


def test_files_given_with_play_play_exactly_in_the_order_given(tmp_path):
    library = make_library(
        tmp_path / "music",
        works=[("Bach", "Partita", [("Preludio", 1.0), ("Loure", 1.0), ("Gavotte", 1.0)])],
    )
    gavotte, _, preludio = sorted(library.rglob("*.ogg"))  # files are numbered against the order
    profile = tmp_path / "profile"
    started = run_player(
        "--profile", str(profile), "--play", "--quit-after", "4", "--no-audio",
        "-platform", "offscreen", str(gavotte), str(preludio),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    result = run_player("history", "--json", "--profile", str(profile))
    plays = json.loads(result.stdout)[0]["plays"]
    assert [(p["track"], p["started_by"]) for p in plays[:2]] == [
        (str(gavotte), "user"),
        (str(preludio), "queue"),  # not Loure, which comes between them in the work
    ]
    assert plays[0]["ms_heard"] >= 900  # the first was heard through, not skipped


def test_play_folder_plays_files_whose_names_are_not_utf8(tmp_path):
    """``continuo --play FOLDER`` plays every file inside it, also one whose name's bytes are
    not UTF-8 (kept as a BLOB in the store): the folder look-up covers both forms."""
    library = make_library(
        tmp_path / "music", works=[("Bach", "Partita", [("Preludio", 1.0), ("Loure", 1.0)])]
    )
    loure, _ = sorted(library.rglob("*.ogg"))  # files are numbered against the order
    odd = os.fsencode(loure.parent) + b"/Loure caf\xe9.ogg"  # Latin-1, not UTF-8
    os.rename(os.fsencode(loure), odd)
    profile = tmp_path / "profile"
    started = run_player(
        "--profile", str(profile), "--play", "--quit-after", "4", "--no-audio",
        "-platform", "offscreen", str(library),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    result = run_player("history", "--json", "--profile", str(profile))
    plays = json.loads(result.stdout)[0]["plays"]
    assert [(p["title"], p["ended_how"], p["started_by"]) for p in plays] == [
        ("Preludio", "finished", "user"),
        ("Loure", "finished", "queue"),  # given (not the suggestion that follows the queue)
    ]
    assert plays[1]["ms_heard"] >= 900
    assert plays[1]["track"] == str(loure.parent / "Loure caf\ufffd.ogg")  # shown, not lost


def test_app_plays_and_quits_on_its_own(tmp_path):
    library = make_library(
        tmp_path / "music", works=[("Bach", "Partita", [("Preludio", 1.5), ("Loure", 6.0)])]
    )
    profile = tmp_path / "profile"
    clock = time.monotonic()
    started = run_player(
        "--profile",
        str(profile),
        "--library",
        str(library),
        "--play",
        "--quit-after",
        "4",
        "--no-audio",
        "-platform",
        "offscreen",
    )
    assert started.returncode == 0, started.stderr
    result = run_player("history", "--json", "--profile", str(profile))
    plays = json.loads(result.stdout)[0]["plays"]
    assert [(p["title"], p["ended_how"], p["started_by"]) for p in plays] == [
        ("Preludio", "finished", "user"),
        ("Loure", "stopped", "queue"),  # the window closed: the running play ends as stopped
    ]
    assert plays[0]["ms_heard"] == pytest.approx(1500, abs=50)  # heard whole
    # the rest of the time the app ran went to the Loure (start-up took some of it; on a busy
    # machine the 4 s timer fires late, so the bound is the run's measured length)
    ran_ms = (time.monotonic() - clock) * 1000
    assert 0 < plays[1]["ms_heard"] <= ran_ms - plays[0]["ms_heard"]
    assert (profile / "logs" / "continuo.log").exists()


def test_sigterm_closes_the_window_and_ends_the_play_as_stopped(tmp_path):
    library = make_library(tmp_path / "music", works=[("Bach", "Partita", [("Ciaccona", 30.0)])])
    profile = tmp_path / "profile"
    launched = time.monotonic()
    app = start_player(profile, library, "--no-audio")
    deadline = time.monotonic() + 60
    while not history(profile) and time.monotonic() < deadline:
        time.sleep(0.2)
    seen = time.monotonic()  # the play had begun by now
    time.sleep(1.5)
    signalled = time.monotonic()
    app.send_signal(signal.SIGTERM)
    assert app.wait(20) == 0
    (play,) = history(profile)[0]["plays"]
    assert play["ended_how"] == "stopped"
    # heard from before it was seen until after the signal, within the app's lifetime
    assert (
        (signalled - seen) * 1000 - 50 <= play["ms_heard"] <= (time.monotonic() - launched) * 1000
    )


@pytest.mark.audio
@pytest.mark.parametrize(
    "sent",
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
    ids=["ctrl-c", "logout", "terminal-closed"],
)
def test_a_signal_to_the_whole_group_closes_the_app_and_ends_the_play_as_stopped(tmp_path, sent):
    """Ctrl+C reaches every process of the terminal's foreground group, a logout's SIGTERM every
    process of the session, a closed terminal's SIGHUP its processes: the sound engine too. The
    app closes and the play ends as "stopped": the engine leaves Ctrl+C to the app (it died of
    it, with a traceback), and an engine dead of SIGTERM before the app's close reached it
    still has its play ended (it was left open in the log)."""
    library = make_library(tmp_path / "music", works=[("Bach", "Partita", [("Ciaccona", 30.0)])])
    profile = tmp_path / "profile"
    app = start_player(profile, library, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not history(profile) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    os.killpg(app.pid, sent)
    try:
        assert app.wait(20) == 0
    finally:
        app.kill()
    errors = app.stderr.read().decode()
    assert "KeyboardInterrupt" not in errors and "stopped unexpectedly" not in errors
    (play,) = history(profile)[0]["plays"]
    assert play["ended_how"] == "stopped"


WINDOW_THEN_DIALOG = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
import player.app
from player.cli import main

made = player.app.build_window


def build_window(*args, **kwargs):
    window = made(*args, **kwargs)
    # a feature's message arriving as the window closes: a window of its own, left open
    late = QMessageBox(QMessageBox.Icon.Information, "Continuo", "Late news", parent=window)
    window.context.closing.connect(lambda: QTimer.singleShot(0, late.show))
    return window


player.app.build_window = build_window
sys.exit(main(sys.argv[1:]))
"""


def test_closing_the_window_quits_even_with_another_window_open(tmp_path):
    """The main window is the app: once it closes, the process ends (the sound with it), even
    when a dialog is still, or newly, on screen; a dialog left open kept the event loop going
    with the music playing and no window to stop it."""
    library = make_library(tmp_path / "music", works=[("Bach", "Partita", [("Ciaccona", 30.0)])])
    args = ["--profile", str(tmp_path / "profile"), "--library", str(library), "--play"]
    app = subprocess.Popen(
        [sys.executable, "-c", WINDOW_THEN_DIALOG, *args, "--no-audio", "--quit-after", "2"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert app.wait(30) == 0
    finally:
        app.kill()
    (play,) = history(tmp_path / "profile")[0]["plays"]
    assert play["ended_how"] == "stopped"


def history(profile) -> list:
    if not (profile / "continuo.db").exists():
        return []
    result = run_player("history", "--json", "--profile", str(profile))
    return json.loads(result.stdout) if result.returncode == 0 else []


DEMO_FILES = len(list(DEMO_LIBRARY.rglob("*.ogg"))) if DEMO_LIBRARY.is_dir() else 0


@pytest.mark.skipif(
    DEMO_FILES < 8, reason="assets/demo is not built (run packaging/build_demo_library.py)"
)
def test_demo_opens_in_a_throwaway_profile(tmp_path):
    result = run_player(
        "--demo", "--quit-after", "3", "--no-audio", "-platform", "offscreen", TMPDIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    profiles = list(tmp_path.glob("continuo-demo-*"))
    assert len(profiles) == 1
    db = open_database(profiles[0] / "continuo.db")
    try:
        assert db.conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == DEMO_FILES
    finally:
        db.close()


def test_a_second_start_on_the_same_profile_hands_over_and_exits(tmp_path):
    from PySide6.QtCore import QDir

    from player.ui.instance import socket_name

    library = make_library(tmp_path / "music")
    profile = tmp_path / "profile"
    first = start_player(profile, library, "--no-audio", stderr=subprocess.DEVNULL)
    try:
        listening = os.path.join(QDir.tempPath(), socket_name(profile))
        deadline = time.monotonic() + 30
        while not os.path.exists(listening) and time.monotonic() < deadline:
            time.sleep(0.1)
        second = run_player("--profile", str(profile), "--no-audio", "-platform", "offscreen")
        assert second.returncode == 0, second.stderr
        assert "passed to the window already open" in second.stderr
        assert first.poll() is None  # the first window goes on
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(20) == 0
