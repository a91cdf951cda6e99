"""The library panel over a stored library of a few thousand tracks: composers first from one
summary, a composer's works read when it is opened, table rows read by page, search and sort
answered off the GUI thread (the lazy models of issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt

from player.analysis.version import ANALYSIS_VERSION
from player.library.browse import load_overview
from player.store.db import open_database
from player.store.features import TrackFeatures, save_features
from player.store.tracks import Track, all_tracks, upsert_tracks
from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.library_panel import LibraryPanel
from player.ui.shell.library_tree import make_roots
from player.ui.shell.panels import TrackMenuEntry

WORKS = 700  # Haydn 650 (a box set), Mozart 50, three movements each: 2,100 tracks


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "continuo.db"
    db = open_database(path)
    upsert_tracks(
        db,
        [
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
                duration_s=60.0 + m,
            )
            for w in range(WORKS)
            for m in range(3)
        ],
    )
    by_path = {t.path: int(t.id or 0) for t in all_tracks(db)}
    for m, hz in enumerate((415.3, 415.0, 416.0)):  # Divertimento No. 680, at baroque pitch
        features = TrackFeatures(
            np.ones(4, np.float32), 1, 60.0, 0.5, 220.0, 0.0, key="F# minor", tuning_hz=hz
        )
        save_features(db, by_path[f"/box/0680/{m}.flac"], ANALYSIS_VERSION, features)
    db.close()
    return path


@pytest.fixture
def panel(qtbot, qapp, database):
    def open_db():
        return open_database(database)

    panel = LibraryPanel(open_db)
    qtbot.addWidget(panel)
    db = open_db()
    overview = load_overview(db, ANALYSIS_VERSION, eager_tracks=0)  # lazy as at 100,000
    db.close()
    panel.set_library(overview, make_roots(overview))
    yield panel
    panel._jobs.wait()
    panel._searching.wait()
    panel._sorting.wait()
    panel.close_reader()


def test_composers_come_from_the_summary_and_their_works_when_opened(panel, qtbot):
    tree, proxy = panel.tree_model, panel.tree_proxy
    assert [proxy.index(r, 0).data() for r in range(2)] == [
        "Joseph Haydn",
        "Wolfgang Amadeus Mozart",
    ]
    assert proxy.index(0, 1).data() == "650 works"
    assert all(node.children is None for node in tree.roots)  # nothing read yet
    haydn = proxy.index(0, 0)
    assert not panel.tree.isExpanded(haydn) and proxy.hasChildren(haydn)
    with qtbot.waitSignal(tree.children_arrived, timeout=10000):
        panel.tree.expand(haydn)  # the view asks for the works (fetchMore)
    assert proxy.rowCount(haydn) == 650  # inserted in slices, all in
    assert tree.roots[1].children is None  # Mozart still unread
    first = proxy.index(0, 0, haydn)
    assert first.data() == "Divertimento No. 0"  # in the order a listener counts
    assert proxy.index(10, 0, haydn).data() == "Divertimento No. 10"
    assert [proxy.index(r, 0, first).data() for r in range(3)] == [
        "1. Allegro",
        "2. Menuetto",
        "3. Presto",
    ]


def test_play_and_queue_on_a_composer_not_opened_read_its_works_first(panel, qtbot):
    tree, proxy = panel.tree_model, panel.tree_proxy
    mozart = proxy.index(1, 0)
    assert tree.roots[1].children is None  # never opened
    panel.tree.selectionModel().select(
        mozart,
        panel.tree.selectionModel().SelectionFlag.Select
        | panel.tree.selectionModel().SelectionFlag.Rows,
    )
    got: list[list[Track]] = []
    panel.extra_actions = [TrackMenuEntry("Play next", got.append, lambda tracks: bool(tracks))]
    menu = panel.track_menu(panel.tree)
    assert menu is not None  # offered before a track of it is known
    actions = {a.text(): a for a in menu.actions()}
    assert actions["Play next"].isEnabled()  # not judged on the no tracks known yet
    with qtbot.waitSignal(panel.play_requested, timeout=10000) as played:
        actions["Play"].trigger()
    first, rest = played.args
    order = [first, *rest]
    assert len(order) == 150  # 50 works, three movements each, once
    assert [(t.work, t.movement_number) for t in order[:4]] == [
        ("Divertimento No. 650", 1),
        ("Divertimento No. 650", 2),
        ("Divertimento No. 650", 3),
        ("Divertimento No. 651", 1),
    ]
    works = [t.work for t in order[::3]]
    assert works == [f"Divertimento No. {w}" for w in range(650, 700)]  # the tree's order
    assert [t.movement_number for t in order] == [1, 2, 3] * 50
    assert tree.roots[0].children is None  # Haydn's 650 works were not read for it
    with qtbot.waitSignal(panel.queue_requested, timeout=10000) as queued:
        actions["Add to queue"].trigger()  # now read: at once, the same tracks
    assert [t.id for t in queued.args[0]] == [t.id for t in order]
    actions["Play next"].trigger()
    assert [[t.id for t in tracks] for tracks in got] == [[t.id for t in order]]


def test_a_recording_row_shows_its_key_and_concert_pitch(panel, qtbot):
    tree = panel.tree_model
    with qtbot.waitSignal(tree.children_arrived, timeout=10000):
        tree.fetch(1)
    mozart = tree.index(1, 0)
    rows = {tree.index(r, 0, mozart).data(): r for r in range(tree.rowCount(mozart))}
    assert "Divertimento No. 680  ·  F♯ minor · A = 415 Hz" in rows  # the median, 415.3
    assert "Divertimento No. 679" in rows  # not analysed: nothing added


def test_the_table_reads_only_the_pages_it_shows(panel):
    table = panel.table_model
    assert table.rowCount() == 2100
    assert panel.cache is not None and len(panel.cache._tracks) == 0
    assert table.index(1999, 1).data() == "Divertimento No. 666"  # library order, Haydn first
    assert table.index(1999, 3).data() == "Menuetto"
    assert 0 < len(table._shown) <= 64 and not panel.cache._tracks  # one page's texts
    track = table.index(1999, 0).data(TRACK_ROLE)  # what the actions on a row act on
    assert track.work_title == "Divertimento No. 666" and track.display_title == "Menuetto"
    assert 0 < len(panel.cache._tracks) <= 64  # one page read


def test_a_search_shows_its_tracks_and_opens_a_small_result(panel, qtbot):
    shown: list[tuple[str, int]] = []
    panel.results_shown.connect(lambda text, count: shown.append((text, count)))
    panel.search.setText("divertimento 680 presto")
    qtbot.waitUntil(
        lambda: bool(shown) and shown[-1][0] == "divertimento 680 presto", timeout=10000
    )
    assert shown[-1][1] == 1
    assert panel.table_model.index(0, 3).data() == "Presto"
    proxy = panel.tree_proxy
    mozart = proxy.index(0, 0)
    assert mozart.data() == "Wolfgang Amadeus Mozart" and proxy.rowCount() == 1
    # one match: the composer is read and opened down to it
    qtbot.waitUntil(lambda: proxy.rowCount(mozart) == 1, timeout=10000)
    work = proxy.index(0, 0, mozart)
    qtbot.waitUntil(lambda: panel.tree.isExpanded(work), timeout=5000)
    assert panel.tree.isExpanded(mozart)
    assert proxy.index(0, 0, work).data() == "3. Presto"
    panel.search.setText("")
    qtbot.waitUntil(lambda: shown[-1] == ("", 2100), timeout=5000)
    assert proxy.rowCount() == 2 and proxy.rowCount(proxy.index(1, 0)) == 50


def test_sorting_a_column_happens_off_the_gui_thread_and_keeps_the_search(panel, qtbot):
    panel.search.setText("presto")
    qtbot.waitUntil(lambda: panel.table_model.rowCount() == 700, timeout=10000)
    panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(
        lambda: panel.table_model.index(0, 1).data() == "Divertimento No. 699", timeout=10000
    )
    assert panel.table_model.index(1, 1).data() == "Divertimento No. 698"  # not "No. 7"
    assert panel.table_model.rowCount() == 700
    assert {panel.table_model.index(r, 3).data() for r in range(700)} == {"Presto"}
    panel.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)  # length: the Allegros first
    panel.search.setText("")
    qtbot.waitUntil(lambda: panel.table_model.rowCount() == 2100, timeout=10000)
    qtbot.waitUntil(lambda: panel.table_model.index(0, 3).data() == "Allegro", timeout=10000)
    assert panel.table_model.index(2099, 3).data() == "Presto"


def test_a_new_library_drops_answers_for_the_old_one(panel, qtbot):
    tree = panel.tree_model
    tree.fetch(0)  # Haydn's works on their way …
    panel.set_library(load_overview_of(panel), [])  # … when the library is replaced
    panel._jobs.wait()
    qtbot.wait(50)
    assert tree.rowCount(QModelIndex()) == 0


def load_overview_of(panel):
    from player.library.browse import Overview

    return Overview(np.zeros(0, dtype=np.int64), [])


def test_the_playing_mark_shows_on_a_composer_not_opened_and_on_its_rows_once_read(
    panel, database, qtbot
):
    tree, proxy = panel.tree_model, panel.tree_proxy
    db = open_database(database)
    (playing,) = [t for t in all_tracks(db) if t.path == "/box/0660/1.flac"]  # Mozart's
    db.close()
    accent = tree._fonts.accent.color()

    def marked(index: QModelIndex) -> bool:
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        return brush is not None and brush.color() == accent

    haydn, mozart = proxy.index(0, 0), proxy.index(1, 0)
    assert tree.roots[1].children is None  # not read
    panel.set_playing(playing)
    assert marked(mozart) and not marked(haydn)
    assert tree.roots[1].children is None  # marking it read nothing
    with qtbot.waitSignal(tree.children_arrived, timeout=10000):
        panel.tree.expand(mozart)  # opened later: the work and the movement are marked
    work = proxy.index(10, 0, mozart)
    assert work.data() == "Divertimento No. 660" and marked(work)
    assert [marked(proxy.index(r, 0, mozart)) for r in (9, 11)] == [False, False]
    movement = proxy.index(1, 0, work)
    assert movement.data() == "2. Menuetto" and marked(movement)
    assert movement.data(Qt.ItemDataRole.FontRole).bold()
    assert not marked(proxy.index(0, 0, work))
    panel.set_playing(None)  # stopped: no mark anywhere
    assert not any(marked(i) for i in (mozart, work, movement))


def test_a_composer_whose_works_cannot_be_read_says_so_and_drops_the_waiting_action(
    database, tmp_path, qtbot, qapp
):
    copy = tmp_path / "continuo.db"
    source = open_database(database)
    source.conn.execute("VACUUM INTO ?", (str(copy),))
    source.close()

    def open_db():
        return open_database(copy)

    panel = LibraryPanel(open_db)
    qtbot.addWidget(panel)
    db = open_db()
    overview = load_overview(db, ANALYSIS_VERSION, eager_tracks=0)
    db.conn.execute("DROP INDEX tracks_by_composer")  # a composer's works can no longer be read
    db.close()
    panel.set_library(overview, make_roots(overview))
    messages: list[str] = []
    panel.message.connect(messages.append)
    played: list[object] = []
    panel.play_requested.connect(lambda *args: played.append(args))
    mozart = panel.tree_proxy.index(1, 0)
    selection = panel.tree.selectionModel()
    selection.select(mozart, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    menu = panel.track_menu(panel.tree)
    assert menu is not None
    {a.text(): a for a in menu.actions()}["Play"].trigger()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages == [
        "Could not read the works of Wolfgang Amadeus Mozart (no such index: "
        "tracks_by_composer); what you asked for was not done"
    ]
    assert played == [] and panel.tree_model._waiting == []  # dropped, not left pending
    assert panel.tree_model.canFetchMore(panel.tree_proxy.mapToSource(mozart))  # may retry
    panel._jobs.wait()
    panel.close_reader()


def test_the_length_column_is_as_wide_as_its_texts_without_measuring_rows(panel, qtbot):
    tree = panel.tree
    header = tree.header()
    # measured by rows (ResizeToContents), Qt asked Python for a thousand rows on each layout
    assert header.sectionResizeMode(1) == header.ResizeMode.Fixed
    with qtbot.waitSignal(panel.tree_model.children_arrived, timeout=10000):
        tree.expand(panel.tree_proxy.index(0, 0))  # Haydn's 650 works and their lengths
    qtbot.waitUntil(lambda: panel.tree_proxy.rowCount(panel.tree_proxy.index(0, 0)) == 650)
    assert tree.columnWidth(1) >= tree.sizeHintForColumn(1)  # what measuring would give


def test_the_table_draws_its_cells_from_cached_layouts(panel, database, qtbot):
    """The table's own cell painter (issue 13: no style sheet matching and text layout per cell
    and repaint): the selection's background, the playing row in the accent, a text cut to
    its column with "…", tag text as plain text, each text laid out once per width."""
    from PySide6.QtGui import QColor

    from player.ui.shell.text_cells import TextCells
    from player.ui.style import theme

    table, model = panel.table, panel.table_model
    panel.tabs.setCurrentIndex(1)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    cells = table.itemDelegate()
    assert isinstance(cells, TextCells)
    model.set_playing(model.track(1))
    table.selectRow(0)
    table.setColumnWidth(1, 60)  # "Divertimento No. 0" does not fit
    image = table.viewport().grab().toImage()
    ratio = image.devicePixelRatio()

    def colours(row: int) -> set[str]:
        rect = table.visualRect(model.index(row, 3))
        return {
            QColor(image.pixel(int(x * ratio), int(rect.center().y() * ratio))).name()
            for x in range(rect.left(), rect.right())
        }

    assert theme().selection in colours(0)
    assert theme().accent in colours(1) and theme().accent not in colours(2)
    laid = {
        made[0].text() for (source, _, _), made in cells._laid.items() if source.startswith("Div")
    }
    assert laid and all(text.endswith("…") for text in laid)
    assert all(made[0].textFormat() == Qt.TextFormat.PlainText for made in cells._laid.values())
    count = len(cells._laid)
    table.viewport().grab()  # drawn again: nothing laid out again
    assert len(cells._laid) == count
