"""The shipped demo profile: history over the scanned demo library, marked as demo, a usable model."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import groupby
from pathlib import Path

import pytest

from player.demo import (
    DEMO_LABEL,
    DEMO_LIBRARY,
    DEMO_PROFILE,
    HISTORY_FILE,
    create_demo_profile,
    is_demo,
    read_history,
)
from player.profile import Profile
from player.recommend.library import load_library
from player.recommend.model import SessionModel, read_model
from player.recommend.up_next import Recommender
from player.store import open_database
from player.store.plays import all_plays, listening_sessions
from player.store.tracks import all_tracks

pytestmark = pytest.mark.skipif(
    len(list(DEMO_LIBRARY.rglob("*.ogg"))) < 8 or not (DEMO_PROFILE / HISTORY_FILE).is_file(),
    reason="assets/demo or assets/demo-profile is not built",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Profile:
    profile = Profile(tmp_path_factory.mktemp("demo") / "profile")
    assert create_demo_profile(profile) == len(read_history(DEMO_PROFILE / HISTORY_FILE))
    return profile


def test_the_demo_profile_is_small():
    size = sum(p.stat().st_size for p in DEMO_PROFILE.rglob("*") if p.is_file())
    assert size < 2 * 1024 * 1024


def test_the_history_is_marked_demo_and_spread_over_weeks_of_whole_works(demo):
    db = open_database(demo.database)
    try:
        assert is_demo(db)
        sessions = listening_sessions(db)
        tracks = {t.id: t for t in all_tracks(db)}
        plays = all_plays(db)
    finally:
        db.close()
    assert len(sessions) >= 30  # enough for the trainer's minimum
    days = (sessions[-1][0].started_at - sessions[0][0].started_at).days
    assert days >= 7 * 8
    composers = [tracks[p.track_id].composer for p in plays]
    counts = sorted((composers.count(c) for c in set(composers)), reverse=True)
    assert len(counts) == 6 and counts[0] > 3 * counts[-1]  # favourites
    mozart = [
        t.id
        for t in sorted(tracks.values(), key=lambda t: t.movement_number or 0)
        if t.composer.endswith("Mozart")
    ]
    for session in sessions:  # a work is heard whole, in order
        ids = [p.track_id for p in session if p.ended_how != "skipped"]
        if mozart[0] in ids[:-2]:
            start = ids.index(mozart[0])
            assert ids[start : start + 3] == mozart


def test_a_second_demo_run_on_the_same_profile_adds_nothing(demo):
    db = open_database(demo.database)
    try:
        before = len(all_plays(db))
    finally:
        db.close()
    assert create_demo_profile(demo) == 0
    db = open_database(demo.database)
    try:
        assert len(all_plays(db)) == before
    finally:
        db.close()


def test_the_model_passes_the_contract_checks_against_the_scanned_library(demo):
    files = read_model(demo.models / "current", providers=["CPUExecutionProvider"])
    assert files.meta["item_key"] == "continuo_item_key"
    assert files.meta["data_summary"]["source"] == "continuo profile"
    db = open_database(demo.database)
    try:
        library = load_library(db)
    finally:
        db.close()
    model = SessionModel(files)
    model.fit_library(library)
    assert len(model.known_rows) == len(library) == 10  # every demo track is in the vocabulary


def test_up_next_is_filled_by_the_personal_model(demo):
    db = open_database(demo.database)
    try:
        tracks = all_tracks(db)
    finally:
        db.close()
    haydn = next(t for t in tracks if t.composer == "Joseph Haydn")
    recommender = Recommender(demo.database, demo.models / "current")
    result = recommender.suggest([haydn.id], n=4)
    units = [list(g) for _, g in groupby(result, key=lambda s: s.work_group)]
    assert len(units) == 4
    assert {s.source for s in result} == {"personal model"}
    assert haydn.id not in {s.track_id for s in result}
    paths = {t.id: Path(t.path) for t in tracks}
    assert all(paths[s.track_id].is_file() for s in result)
    # the habit in the history: after a Haydn quartet comes Mozart
    first = next(t for t in tracks if t.id == units[0][0].track_id)
    assert first.composer == "Wolfgang Amadeus Mozart"


def test_the_window_says_it_is_a_demo_profile(qtbot, qapp, demo):
    from tests.ui.test_window import close_window, open_window

    window = open_window(qtbot, qapp, demo.root)
    try:
        qtbot.waitUntil(window.features.demo_notice.isVisible, timeout=10000)
        assert window.features.demo_notice.text() == DEMO_LABEL
    finally:
        close_window(window)


def test_continuo_demo_ships_the_history_and_the_model(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "player", "--demo", "--quit-after", "2", "--no-audio"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    (root,) = tmp_path.glob("continuo-demo-*")
    assert (root / "models" / "current" / "model.onnx").is_file()
    db = open_database(root / "continuo.db")
    try:
        assert is_demo(db)
        assert len(all_plays(db)) == len(read_history(DEMO_PROFILE / HISTORY_FILE))
    finally:
        db.close()


def test_the_windows_start_scan_finds_the_demo_library_unchanged(demo):
    """The window's start scans its folders again by their real paths (``player.app``); in a
    checkout ``player/assets`` is a link, and the demo scanned by the link's path came back as
    ten tracks moved and ten missing."""
    from player.library.scanner import scan_library

    db = open_database(demo.database)
    try:
        progress = scan_library(db, [Path(os.path.realpath(DEMO_LIBRARY))])
    finally:
        db.close()
    assert (progress.added, progress.updated, progress.missing) == (0, 0, 0)
    assert progress.unchanged == len(list(DEMO_LIBRARY.rglob("*.ogg")))
