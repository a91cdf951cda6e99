"""Background analysis in the real window: status bar, Problems, pause/resume, quit, Similar.

The library holds three pairs of clearly different tracks (low melodies, high melodies, noise
bursts), a silent track (the analysis refuses it) and a corrupt file, so each track's nearest
neighbour is known: its pair.
"""

from __future__ import annotations

import os

import numpy as np
import psutil
import pytest
import soundfile as sf
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from player.analysis.version import ANALYSIS_VERSION
from player.audio.backend import PlaybackState
from player.store.features import load_histograms
from player.ui.shell.library_models import TRACK_ROLE
from tests.analysis.synth import SR, tone
from tests.library.audio_files import tag_vorbis
from tests.ui.test_window import close_window, open_window

pytestmark = pytest.mark.audio

DONE = "Analysis done (7 tracks, 1 failed)"


def _melody(low: int, high: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([tone(int(rng.integers(low, high)), 0.5) for _ in range(12)])


def _bursts(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    beat = np.zeros((12, SR // 2), np.float32)
    beat[:, : SR // 4] = 0.2 * rng.standard_normal((12, SR // 4))
    return beat.ravel()


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("music")
    signals = {
        ("Low", "Low melodies"): [_melody(33, 45, 0), _melody(33, 45, 1)],
        ("High", "High melodies"): [_melody(81, 93, 2), _melody(81, 93, 3)],
        ("Noise", "Noise bursts"): [_bursts(4), _bursts(5)],
        ("Quiet", "Silence"): [np.zeros(4 * SR, np.float32)],
    }
    for (composer, work), takes in signals.items():
        for number, y in enumerate(takes, 1):
            path = folder / composer / f"{number}.ogg"
            path.parent.mkdir(exist_ok=True)
            sf.write(path, y, SR)
            tag_vorbis(
                path, composer=composer, work=work, movementname=f"Take {number}",
                movement=str(number), title=f"Take {number}", tracknumber=str(number),
            )  # fmt: skip
    (folder / "broken.ogg").write_bytes(b"OggS" + bytes(range(256)) * 4)
    return folder


def table_tracks(window):
    model = window.library.table_model
    return [model.index(r, 0).data(TRACK_ROLE) for r in range(model.rowCount())]


def track_named(window, composer: str, number: int):
    return next(
        t for t in table_tracks(window) if t.composer == composer and t.movement == f"Take {number}"
    )


def choose_from_context_menu(qtbot, view, index, label: str) -> None:
    """Right-click ``index`` in ``view`` and pick ``label`` from the menu that opens."""
    chosen = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        action = next(a for a in menu.actions() if a.text() == label)
        chosen.append(label)
        menu.close()
        action.trigger()

    view.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    QTimer.singleShot(20, pick)
    view.customContextMenuRequested.emit(view.visualRect(index).center())
    assert chosen == [label]


def similar_rows(window):
    model = window.features.similar.panel.model
    return [
        (model.index(r, 0).data(TRACK_ROLE), model.index(r, 0).data())
        for r in range(model.rowCount())
    ]


def test_analysis_after_scan_fills_status_problems_and_similar(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "profile", library)
    try:
        qtbot.waitUntil(lambda: window.status.analysis.text() == DONE, timeout=60000)
        problems = window.problems.model
        found = {
            problems.index(r, 0).data(): (problems.index(r, 1).data(), problems.index(r, 2).data())
            for r in range(problems.rowCount())
        }
        assert found["1.ogg"] == ("silent", "analysis")
        assert found["broken.ogg"][0] and found["broken.ogg"][1] == "scan"
        tab = window.side.indexOf(window.problems)  # the count follows at most twice a second
        qtbot.waitUntil(lambda: window.side.tabText(tab) == "Problems (2)", timeout=2000)
        db = window.services.open_db()
        ids, histograms = load_histograms(db, ANALYSIS_VERSION)
        db.close()
        assert len(ids) == 6 and (histograms.sum(axis=1) > 1).all()

        # right-click → Similar in the tracks table
        table = window.library.table
        low = track_named(window, "Low", 1)
        row = [t.id for t in table_tracks(window)].index(low.id)
        choose_from_context_menu(qtbot, table, table.model().index(row, 0), "Similar")
        assert window.side.currentWidget() is window.features.similar.panel
        qtbot.waitUntil(lambda: len(similar_rows(window)) == 5, timeout=10000)
        rows = similar_rows(window)
        assert rows[0][0].id == track_named(window, "Low", 2).id
        shares = [int(text.rstrip("%")) for _, text in rows]
        assert shares == sorted(shares, reverse=True) and shares[0] >= 80 > shares[1]
        panel = window.features.similar.panel
        assert [panel.model.index(0, c).data() for c in (1, 2, 3)] == [
            "Low",
            "Low melodies",
            "Take 2",
        ]

        # double-click plays the nearest one
        view = panel.view
        where = view.visualRect(panel.model.index(0, 1)).center()
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
        assert window.controller.current.id == rows[0][0].id
        assert window.services.backend.state == PlaybackState.PLAYING

        # the playing track's neighbours through the menu's shortcut: its pair first
        window.windowHandle().requestActivate()  # offscreen Qt leaves the closed menu active
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
        qtbot.keyClick(
            window,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        qtbot.waitUntil(lambda: len(similar_rows(window)) == 5, timeout=10000)
        qtbot.waitUntil(lambda: similar_rows(window)[0][0].id == low.id, timeout=10000)
        assert "Take 2" in panel.heading.text()

        # right-click → Similar in the queue, on a noise burst: the other burst first
        noise = track_named(window, "Noise", 1)
        window.queue.add([noise])
        queue_view = window.queue_panel.view
        choose_from_context_menu(
            qtbot, queue_view, window.queue.index(0, 0, window.queue.index(0, 0)), "Similar"
        )
        want = track_named(window, "Noise", 2).id
        qtbot.waitUntil(lambda: similar_rows(window)[0][0].id == want, timeout=10000)
    finally:
        close_window(window)


def test_pause_resume_quit_and_restart_without_redoing(qtbot, qapp, tmp_path, library):
    window = open_window(qtbot, qapp, tmp_path / "profile", library, no_audio=True)
    runner, status = window.features.analysis, window.status.analysis
    actions = {a.text(): a for a in window.library_menu.actions()}
    pause, resume = actions["&Pause analysis"], actions["&Resume analysis"]
    seen = []
    runner.progressed.connect(lambda p: p is not None and seen.append(p))
    try:
        qtbot.waitUntil(lambda: bool(seen) and seen[-1].done >= 1, timeout=30000)
        done_before = seen[-1].done
        pause.trigger()
        qtbot.waitUntil(lambda: status.text().startswith("Analysis paused ("), timeout=10000)
        assert resume.isVisible() and not pause.isVisible()
        # the file in hand is finished, then nothing more is analysed while paused
        qtbot.waitUntil(lambda: seen[-1].paused and seen[-1].current is None, timeout=30000)
        held = status.text()
        qtbot.wait(1500)
        assert status.text() == held
        done = int(held.split("(")[1].split()[0])
        # only the file in hand when Pause came was finished (a progress report may be on
        # its way to the GUI thread, so the one in hand may already have been the next)
        assert done_before <= done <= done_before + 2

        # a track not analysed yet says how far the analysis is
        analysed = set(_analysed_ids(window).tolist())
        pending = next(t for t in table_tracks(window) if t.id not in analysed)
        window.features.similar.show_for([pending])
        note = window.features.similar.panel.note
        qtbot.waitUntil(lambda: note.text().startswith("Not analysed yet"), timeout=10000)
        assert note.text() == f"Not analysed yet ({done} of 7 done)."
        child = psutil.Process(runner.child_pid)
        assert os.sched_getscheduler(child.pid) == os.SCHED_IDLE  # playback comes first
    finally:
        close_window(window)
    assert not child.is_running()  # quitting ended the child

    again = open_window(qtbot, qapp, tmp_path / "profile", library, no_audio=True)
    runs = []
    again.features.analysis.progressed.connect(lambda p: p is not None and runs.append(p))
    actions = {a.text(): a for a in again.library_menu.actions()}
    pause, resume = actions["&Pause analysis"], actions["&Resume analysis"]
    try:
        pause.trigger()  # before the run's first file: it starts held
        qtbot.waitUntil(lambda: again.status.analysis.text().startswith("Analysis paused ("))
        assert again.status.analysis.text().endswith(f"of {7 - done} done)")
        resume.trigger()
        assert pause.isVisible() and not resume.isVisible()
        qtbot.waitUntil(lambda: again.status.analysis.text() == DONE, timeout=60000)
        assert runs[-1].done == runs[-1].total == 7 - done  # only the tracks left at quit
    finally:
        close_window(again)


def _analysed_ids(window):
    db = window.services.open_db()
    try:
        return load_histograms(db, ANALYSIS_VERSION)[0]
    finally:
        db.close()
