"""The track menus' "Play next" and "Show in folder" on the real window (offscreen, silent), over a
generated library; "Show in folder" talks to a stand-in file manager on a private session bus."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.queue_model import USER
from tests.ui.library import make_library
from tests.ui.session_bus import fake_file_manager, private_session_bus
from tests.ui.test_window import close_window, open_window

Flag = QItemSelectionModel.SelectionFlag
SELECT, ADD = Flag.ClearAndSelect | Flag.Rows, Flag.Select | Flag.Rows


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return make_library(tmp_path_factory.mktemp("music"))


@pytest.fixture
def bus(monkeypatch):
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
def window(qtbot, qapp, tmp_path, library, bus):
    window = open_window(qtbot, qapp, tmp_path / "p", library, no_audio=True)
    qtbot.waitUntil(lambda: len(window.controller.library_tracks) == 6, timeout=10000)
    yield window
    close_window(window)


def ids(tracks):
    return [t.id for t in tracks]


def action(menu, label):
    return next(a for a in menu.actions() if a.text() == label)


def library_menu(window, tracks):
    """The library table's right-click menu with ``tracks`` selected."""
    table = window.library.table
    model, wanted = table.model(), {t.id for t in tracks}
    table.selectionModel().clear()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(TRACK_ROLE).id in wanted:
            table.selectionModel().select(model.index(row, 0), ADD)
    return window.library.track_menu(table)


def test_play_next_moves_a_waiting_track_and_skips_the_one_playing(qtbot, window):
    tracks, queue = window.controller.library_tracks, window.queue
    window.controller.play_track(tracks[0])
    qtbot.waitUntil(lambda: window.controller.current == tracks[0], timeout=5000)
    queue.set_user([tracks[1], tracks[2], tracks[3]])
    queue.set_up_next([tracks[4], tracks[5]], source="library order")

    # a queued row, right-clicked in the queue: moves to the head, no copy
    panel = window.queue_panel
    panel.view.selectionModel().select(queue.index(2, 0, queue.index(USER, 0)), SELECT)
    action(panel.track_menu(), "Play next").trigger()
    assert ids(queue.user) == ids([tracks[3], tracks[1], tracks[2]])

    # from the library: a suggestion is pinned ahead of the queue, an unqueued track joins it
    action(library_menu(window, [tracks[5], tracks[2]]), "Play next").trigger()
    assert ids(queue.user) == ids([tracks[2], tracks[5], tracks[3], tracks[1]])
    assert ids(queue.up_next) == ids([tracks[4]])

    # the playing track alone: nothing to do, greyed out; with another, only the other moves
    assert not action(library_menu(window, [tracks[0]]), "Play next").isEnabled()
    both = action(library_menu(window, [tracks[0], tracks[4]]), "Play next")
    assert both.isEnabled()
    both.trigger()
    assert ids(queue.user) == ids([tracks[4], tracks[2], tracks[5], tracks[3], tracks[1]])
    assert queue.up_next == []

    # queued again by the listener, the playing track's later entry can move up
    queue.add([tracks[0]])
    action(library_menu(window, [tracks[0]]), "Play next").trigger()
    assert ids(queue.user)[:2] == ids([tracks[0], tracks[4]]) and len(queue.user) == 6


class Opened(QObject):
    """Takes the ``file:`` URLs the window hands to the desktop (instead of a file manager)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url):
        self.urls.append(url)


@pytest.fixture
def opened():
    handler = Opened()
    QDesktopServices.setUrlHandler("file", handler, "open")
    yield handler
    QDesktopServices.unsetUrlHandler("file")


def test_show_in_folder_selects_the_files_or_opens_the_folder(
    qtbot, window, bus, opened, library, tmp_path
):
    tracks = window.controller.library_tracks
    show = next(e.run for e in window.library.extra_actions if e.label == "Show in folder")
    work0 = [t for t in tracks if Path(t.path).parent == library / "work0"]
    odd = dataclasses.replace(work0[0], path=str(tmp_path / "#1 folder" / "ü & b.ogg"))
    Path(odd.path).parent.mkdir()
    Path(odd.path).write_bytes(b"")
    with fake_file_manager(bus) as calls:
        show([work0[0], odd, work0[1]])
        qtbot.waitUntil(lambda: calls != [], timeout=10000)
    uris = [Path(t.path).as_uri() for t in (work0[0], odd, work0[1])]
    assert calls == [uris] and "%23" in uris[1] and "%C3%BC" in uris[1]
    assert QUrl(uris[1]).toLocalFile() == odd.path  # what a file manager reads back
    qtbot.wait(200)
    assert opened.urls == []  # the file manager opened the folder itself

    # no file manager on the bus now: the folders open the plain way
    show([work0[0], tracks[-1]])
    qtbot.waitUntil(lambda: len(opened.urls) == 2, timeout=10000)
    folders = {str(Path(work0[0].path).parent), str(Path(tracks[-1].path).parent)}
    assert {u.toLocalFile() for u in opened.urls} == folders

    gone = dataclasses.replace(tracks[0], path="/nowhere/at/all/01.ogg")
    show([gone])
    status = window.statusBar()
    qtbot.waitUntil(lambda: "not there any more" in status.currentMessage(), timeout=10000)
    assert status.currentMessage() == "The folder /nowhere/at/all is not there any more"
    assert len(opened.urls) == 2
