"""The library panel with a box-set-sized composer: nothing made or opened before it is asked for."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from player.store.tracks import Track, with_identity
from player.ui.shell.library_models import index_library
from player.ui.shell.panels import LibraryPanel


@pytest.fixture
def panel(qtbot, qapp):
    tracks = [
        with_identity(
            Track(
                path=f"/box/{w:04d}/{m}.flac",
                size=1,
                mtime_ns=1,
                title=f"Movement {m}",
                composer="Joseph Haydn" if w < 650 else "Wolfgang Amadeus Mozart",
                work=f"Divertimento No. {w}",
                movement=("Allegro", "Menuetto", "Presto")[m],
                movement_number=m + 1,
                performers="Box Ensemble",
                id=3 * w + m + 1,
            )
        )
        for w in range(700)
        for m in range(3)
    ]
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.set_library(index_library(tracks))
    return panel


def test_a_composer_of_650_works_stays_closed_and_unmade(panel):
    assert panel.table_model.rowCount() == 2100
    haydn = panel.tree_proxy.index(0, 0)
    assert haydn.data() == "Joseph Haydn"
    assert not panel.tree.isExpanded(haydn)
    assert all(node._children is None for node in panel.tree_model.roots)


def test_a_search_shows_its_tracks_and_opens_a_small_result(panel, qtbot):
    shown: list[tuple[str, int]] = []
    panel.results_shown.connect(lambda text, count: shown.append((text, count)))
    panel.search.setText("divertimento 680 presto")
    qtbot.waitUntil(lambda: bool(shown) and shown[-1][0] == "divertimento 680 presto", timeout=5000)
    assert shown[-1][1] == 1
    assert panel.table_model.index(0, 3).data() == "Presto"
    mozart = panel.tree_proxy.index(0, 0)
    assert mozart.data() == "Wolfgang Amadeus Mozart" and panel.tree_proxy.rowCount() == 1
    assert panel.tree.isExpanded(mozart)  # one match: opened down to it
    panel.search.setText("")
    qtbot.waitUntil(lambda: shown[-1] == ("", 2100), timeout=5000)
    assert panel.tree_proxy.rowCount() == 2


def test_sorting_a_column_happens_off_the_gui_thread_and_keeps_the_search(panel, qtbot):
    panel.search.setText("presto")
    qtbot.waitUntil(lambda: panel.table_model.rowCount() == 700, timeout=5000)
    panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(
        lambda: panel.table_model.index(0, 1).data() == "Divertimento No. 699", timeout=5000
    )
    assert panel.table_model.rowCount() == 700
    assert {panel.table_model.index(r, 3).data() for r in range(700)} == {"Presto"}
