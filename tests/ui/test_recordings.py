"""The library window with several recordings of one work (the generated classical library):
the recording level, search that folds accents and name order, and play order per recording."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt

from player.analysis.version import ANALYSIS_VERSION
from player.app import build_services, build_window
from player.profile import Profile
from player.store.features import TrackFeatures, save_features
from player.store.plays import end_play, start_play
from player.store.tracks import all_tracks
from player.ui.shell.library_models import ROOT, TRACK_ROLE, UNIT_ROLE
from player.ui.style import apply_style
from tests.library.classical_library import make_classical_library


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    return make_classical_library(tmp_path_factory.mktemp("music"))


@pytest.fixture
def window(qtbot, qapp, tmp_path, music):
    apply_style(qapp)
    services = build_services(Profile(tmp_path / "profile").create(), [music], no_audio=True)
    window = build_window(services)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=30000):
        window.start()
    qtbot.waitUntil(lambda: window.library.tree_model.rowCount() == 6, timeout=10000)
    yield window
    window.close()
    window.jobs.wait()
    services.close()


def rows(model, parent=ROOT):
    return [model.index(r, 0, parent) for r in range(model.rowCount(parent))]


def texts(model, parent=ROOT):
    return [i.data() for i in rows(model, parent)]


def child(model, parent, text_start):
    (found,) = [i for i in rows(model, parent) if i.data().startswith(text_start)]
    return found


def test_a_work_with_several_recordings_shows_them_and_a_single_one_stays_one_click(window):
    tree = window.library.tree_model
    beethoven = child(tree, QModelIndex(), "Ludwig van Beethoven")
    symphony = child(tree, beethoven, "Symphony No. 5")
    assert texts(tree, symphony) == [
        "Furtwängler, Berliner Philharmoniker, 1943",
        "Berliner Philharmoniker · Herbert von Karajan, 1963  ·  Beethoven: Symphonies 5 & 7",
        "Wiener Philharmoniker · Carlos Kleiber, 1975  ·  Beethoven 5",
    ]
    kleiber = rows(tree, symphony)[2]
    assert texts(tree, kleiber) == [
        "1. Allegro con brio",
        "2. Andante con moto",
        "3. Scherzo. Allegro",
        "4. Allegro",
    ]
    # a work's length is one recording's (the first listed), not all of them added up
    assert symphony.siblingAtColumn(1).data() == rows(tree, symphony)[0].siblingAtColumn(1).data()
    assert kleiber.siblingAtColumn(1).data() == "0:01"  # 4 × 0.25 s
    brahms = child(tree, child(tree, QModelIndex(), "Johannes Brahms"), "Symphony No. 4")
    assert texts(tree, brahms)[0] == "1. Allegro non troppo"  # one recording: no extra level
    assert (
        rows(tree, brahms)[0].data(UNIT_ROLE).performers == "Carlos Kleiber, Wiener Philharmoniker"
    )


def test_the_most_played_recording_comes_first(window, qtbot):
    db = window.services.open_db()
    kleiber = [t for t in all_tracks(db) if "Kleiber 1975" in t.path]
    end_play(db, start_play(db, int(kleiber[0].id or 0), "user"), 60_000, "finished")
    db.close()
    with qtbot.waitSignal(window.library_loaded, timeout=10000):
        window.reload_library()
    tree = window.library.tree_model
    symphony = child(tree, child(tree, QModelIndex(), "Ludwig van Beethoven"), "Symphony No. 5")
    assert texts(tree, symphony)[0].startswith("Wiener Philharmoniker · Carlos Kleiber, 1975")


SEARCHES = [
    ("dvorak", ["Antonín Dvořák"]),
    ("DVOŘÁK largo", ["Antonín Dvořák"]),
    ("op 18", ["Ludwig van Beethoven"]),
    ("op.18", ["Ludwig van Beethoven"]),
    ("beethoven, ludwig", ["Ludwig van Beethoven"]),
    ("ludwig beethoven quartet", ["Ludwig van Beethoven"]),
    ("bach johann sebastian", ["Johann Sebastian Bach"]),
    ("kertesz", ["Antonín Dvořák"]),
    ("hob xvi 52", ["Joseph Haydn"]),
]


def test_search_folds_accents_punctuation_and_name_order(window, qtbot):
    proxy, table = window.library.tree_proxy, window.library.table_model
    for query, composers in SEARCHES:
        window.library.search.setText(query)  # QTest cannot type "Ř"
        qtbot.waitUntil(lambda c=composers: texts(proxy) == c, timeout=3000)
        assert table.rowCount() > 0, query
    window.library.search.clear()
    qtbot.waitUntil(lambda: len(texts(proxy)) == 6, timeout=3000)


def test_a_conductors_surname_finds_their_recordings_only(window, qtbot):
    qtbot.keyClicks(window.library.search, "karajan")
    proxy = window.library.tree_proxy
    qtbot.waitUntil(lambda: texts(proxy) == ["Ludwig van Beethoven"], timeout=3000)
    symphony = child(proxy, rows(proxy)[0], "Symphony No. 5")
    assert [i.data(UNIT_ROLE).performers for i in rows(proxy, symphony)] == [
        "Berliner Philharmoniker · Herbert von Karajan"
    ]
    table = window.library.table_model
    assert {table.index(r, 4).data() for r in range(table.rowCount())} == {
        "Berliner Philharmoniker · Herbert von Karajan, 1963"
    }


def double_click(qtbot, tree, index):
    tree.scrollTo(index)
    where = tree.visualRect(index).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_playing_a_movement_plays_its_recording_on_in_movement_order(window, qtbot):
    library = window.library
    library.tree.expandAll()
    proxy = library.tree_proxy
    symphony = child(proxy, child(proxy, QModelIndex(), "Ludwig van Beethoven"), "Symphony No. 5")
    kleiber = rows(proxy, symphony)[2]
    second = rows(proxy, kleiber)[1]
    assert second.data(TRACK_ROLE).display_title == "Andante con moto"
    double_click(qtbot, library.tree, second)
    qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
    assert window.controller.current.path == second.data(TRACK_ROLE).path
    queued = window.queue.user
    assert [t.display_title for t in queued] == ["Scherzo. Allegro", "Allegro"]
    assert {t.recording_key for t in queued} == {second.data(TRACK_ROLE).recording_key}
    queue_row = window.queue.index(0, 0, window.queue.index(0, 0))
    assert queue_row.data() == (
        "Scherzo. Allegro  —  Ludwig van Beethoven (Wiener Philharmoniker · Carlos Kleiber, 1975)"
    )
    now = window.transport.now_playing
    assert now.performers.toolTip() == "Wiener Philharmoniker · Carlos Kleiber, 1975"
    assert now.work.toolTip() == "Symphony No. 5 in C minor, Op. 67"


def test_playing_a_work_plays_one_recording_whole(window, qtbot):
    library = window.library
    proxy = library.tree_proxy
    symphony = child(proxy, child(proxy, QModelIndex(), "Ludwig van Beethoven"), "Symphony No. 5")
    double_click(qtbot, library.tree, symphony)
    qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
    first = rows(proxy, symphony)[0].data(UNIT_ROLE)  # the first recording listed
    assert window.controller.current.path == first.movements[0].path
    assert [t.path for t in window.queue.user] == [t.path for t in first.movements[1:]]


def test_an_operas_acts_are_a_level_and_an_act_plays_from_its_start(window, qtbot):
    library = window.library
    tree = library.tree_model
    figaro = child(tree, child(tree, ROOT, "Wolfgang Amadeus Mozart"), "Le nozze di Figaro")
    assert texts(tree, figaro) == ["Act I", "Act II"]
    act_one, act_two = rows(tree, figaro)
    assert texts(tree, act_one) == ["1. Overture", "2. No. 1 Duettino"]
    assert texts(tree, act_two) == ["1. No. 10 Cavatina"]
    proxy = library.tree_proxy
    library.tree.expandAll()
    figaro = child(proxy, child(proxy, ROOT, "Wolfgang Amadeus Mozart"), "Le nozze di Figaro")
    double_click(qtbot, library.tree, rows(proxy, figaro)[1])
    qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
    assert window.controller.current.display_title == "Act II: No. 10 Cavatina"


def test_a_recordings_key_and_concert_pitch_show_on_its_row_and_under_now_playing(window, qtbot):
    assert window.features.analysis.stop()  # no analysis writes after this: ours are the figures
    db = window.services.open_db()
    kleiber = [t for t in all_tracks(db) if "Kleiber 1975" in t.path]
    for track, hz in zip(kleiber, (430.2, 429.6, 430.0, 431.0), strict=False):
        features = TrackFeatures(
            np.ones(4, np.float32), 1, 1.0, 0.5, 220.0, 0.0, key="C minor", tuning_hz=hz
        )
        save_features(db, int(track.id or 0), ANALYSIS_VERSION, features)
    db.close()
    with qtbot.waitSignal(window.library_loaded, timeout=10000):
        window.reload_library()
    tree = window.library.tree_model
    symphony = child(tree, child(tree, QModelIndex(), "Ludwig van Beethoven"), "Symphony No. 5")
    row = child(tree, symphony, "Wiener Philharmoniker · Carlos Kleiber, 1975")
    assert row.data().endswith("  ·  C minor · A = 430 Hz")
    assert "C minor · A = 430 Hz" in row.data(Qt.ItemDataRole.ToolTipRole)
    furtwangler = child(tree, symphony, "Furtwängler")
    assert "A = " not in furtwangler.data()  # not analysed: nothing claimed
    window.controller.play_track(kleiber[0])
    now = window.transport.now_playing
    qtbot.waitUntil(lambda: now.performers.toolTip().endswith("C minor · A = 430 Hz"), timeout=5000)
    assert now.performers.toolTip() == (
        "Wiener Philharmoniker · Carlos Kleiber, 1975  ·  C minor · A = 430 Hz"
    )
