"""Tags and file names holding HTML are shown as the text they are, everywhere.

Every tag field of a real library holds markup (``<h1>``, ``<img src=file:///…>``, a table…),
and so does a folder and a broken file's name. After a scan, a play, Up next, the history, the
Problems list, Similar and Insights, every label, tooltip, model tooltip and chart tooltip in
the window is rendered the way Qt renders it, and must show the markup as text: a title is never
drawn large and no image is loaded.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QTableWidget, QToolTip, QWidget

from player.profile import Profile
from player.ui.features.insights.charts import BarChart
from tests.faults.conftest import close_window, open_window
from tests.library.audio_files import tag_vorbis, write_audio

MARKUP = {  # tag -> (value, a word of it that rendering would keep without the markup)
    "title": ("<h1>Grand Title</h1>", "Grand Title"),
    "composer": ("<img src=file:///etc/hostname>Komponist", "Komponist"),
    "work": ("<b>Opus</b> <i>Magnum</i>", "Magnum"),
    "movementname": ("<h2>Satz Eins</h2>", "Satz Eins"),
    "performer": ("<font color=red>Quartett</font>", "Quartett"),
    "conductor": ("<u>Dirigent</u>", "Dirigent"),
    "album": ("<a href='https://example.org'>Albumtitel</a>", "Albumtitel"),
    "genre": ("<table><tr><td>Kammer</td></tr></table>", "Kammer"),
}
FOLDER = ("<b>Ordner", "Ordner")  # no "/" in a name
BROKEN = ("<h3>kaputt<br>.ogg", "kaputt")


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt draws for ``text`` in a label or tooltip of format ``fmt``."""
    if fmt == Qt.TextFormat.PlainText or (
        fmt == Qt.TextFormat.AutoText and not QtGui.mightBeRichText(text)
    ):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def assert_shown_as_text(where: str, text: str, fmt=Qt.TextFormat.AutoText) -> None:
    shown = rendered(text, fmt)
    assert "\ufffc" not in shown, f"{where}: an image is drawn: {text!r}"
    for value, word in [*MARKUP.values(), FOLDER, BROKEN]:
        if word in shown:
            assert value in shown, f"{where}: {value!r} is drawn as markup in {text!r}"


def model_tooltips(model, parent: QModelIndex | None = None):
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
            if tip:
                yield str(tip)
        yield from model_tooltips(model, model.index(row, 0, parent))


@pytest.fixture
def music(tmp_path):
    folder = tmp_path / "music" / FOLDER[0]
    for number in (1, 2):
        path = write_audio(folder / f"{number}.ogg", seconds=0.6, freq=300.0 * number)
        tags = {name: value for name, (value, _) in MARKUP.items()}
        tag_vorbis(path, **tags, movement=str(number), movementtotal="2", tracknumber=str(number))
    (folder / BROKEN[0]).write_bytes(b"")
    return tmp_path / "music"


def test_markup_in_every_tag_is_shown_as_text_in_every_view(qtbot, tmp_path, music):
    window = open_window(qtbot, Profile(tmp_path / "p").create(), [music], tracks=2)
    try:
        qtbot.waitUntil(lambda: window.problems.model.rowCount() == 1, timeout=10000)
        first = window.controller.library_tracks[0]
        assert first.title == MARKUP["title"][0] and first.composer == MARKUP["composer"][0]

        started = []
        window.controller.now_playing.connect(lambda t: t is not None and started.append(t))
        window.controller.play_library()
        qtbot.waitUntil(lambda: len(started) >= 2, timeout=10000)
        qtbot.waitUntil(lambda: window.history.model.rowCount() >= 1, timeout=10000)
        features = window.features
        features.similar.show_for([first])
        qtbot.waitUntil(lambda: features.similar.panel.heading.isVisible(), timeout=10000)
        features.insights.refresh_and_show()
        qtbot.waitUntil(lambda: features.insights.view.insights is not None, timeout=10000)
        if features.up_next is not None:
            features.up_next.explain_selected()
            assert_shown_as_text("Why this?", QToolTip.text())

        checked = 0
        for widget in [window, features.insights]:
            for label in widget.findChildren(QLabel):
                assert_shown_as_text(label.objectName(), label.text(), label.textFormat())
                checked += 1
            for child in widget.findChildren(QWidget):
                if child.toolTip():
                    assert_shown_as_text(f"{child.objectName()} tooltip", child.toolTip())
                    checked += 1
            for table in widget.findChildren(QTableWidget):
                for row in range(table.rowCount()):
                    for column in range(table.columnCount()):
                        item = table.item(row, column)
                        if item is not None and item.toolTip():
                            assert_shown_as_text("insights table tooltip", item.toolTip())
                            checked += 1
            for chart in widget.findChildren(BarChart):
                for bar in range(len(chart.labels)):
                    assert_shown_as_text("chart tooltip", chart.tooltip(bar))
                    checked += 1
        models = {
            "library tree": window.library.tree_model,
            "library table": window.library.table_model,
            "queue": window.queue,
            "history": window.history.model,
            "problems": window.problems.model,
            "similar": features.similar.panel.model,
        }
        for name, model in models.items():
            for tip in model_tooltips(model):
                assert_shown_as_text(f"{name} tooltip", tip)
                checked += 1
        assert checked > 40  # the walk reached the views (not an empty pass)
        heading = features.similar.panel.heading
        assert MARKUP["composer"][0] in rendered(heading.text(), heading.textFormat())
    finally:
        close_window(window)
