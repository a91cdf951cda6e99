"""Album art in the window: beside now-playing and on the library's work rows, from a folder
image and an embedded picture, with thumbnails cached in the profile."""

from __future__ import annotations

import pytest
from mutagen.oggvorbis import OggVorbis
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from player.app import build_services, build_window
from player.library.grouping import Work
from player.profile import Profile
from player.ui.style import apply_style
from tests.library.images import jpeg_bytes, png_bytes
from tests.ui.library import make_library
from tests.ui.test_window import close_window


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    import base64

    from mutagen.flac import Picture

    folder = make_library(tmp_path_factory.mktemp("music"))
    (folder / "work0" / "cover.png").write_bytes(png_bytes(48, 48, (200, 30, 30)))
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/jpeg", jpeg_bytes(40, 40, (20, 160, 40))
    for path in (folder / "work1").glob("*.ogg"):
        audio = OggVorbis(path)
        audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode()]
        audio.save()
    return folder


def test_now_playing_and_work_rows_show_the_art(qtbot, qapp, tmp_path, library):
    apply_style(qapp)
    profile = Profile(tmp_path / "p").create()
    window = build_window(build_services(profile, [library], no_audio=True))
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.scan_finished, timeout=30000):
            window.start()
        qtbot.waitUntil(lambda: window.library.tree_model.rowCount() == 3, timeout=10000)
        window.library.tree.expandAll()
        tracks = window.controller.library_tracks
        first = next(t for t in tracks if "work0" in t.path)
        window.controller.play_track(first)
        art = window.transport.now_playing.art
        qtbot.waitUntil(lambda: art.isVisible() and not art.pixmap().isNull(), timeout=10000)
        image = art.pixmap().toImage()
        centre = image.pixelColor(image.width() // 2, image.height() // 2)
        assert (centre.red(), centre.green(), centre.blue()) == (200, 30, 30)

        model = window.library.tree_model

        def decorations() -> dict[str, bool]:
            found = {}
            for row in range(model.rowCount()):
                composer = model.index(row, 0)
                for w in range(model.rowCount(composer)):
                    index = model.index(w, 0, composer)
                    node = model._node(index)
                    assert isinstance(node.obj, Work)
                    found[node.obj.title] = isinstance(
                        index.data(Qt.ItemDataRole.DecorationRole), QIcon
                    )
            return found

        decorations()  # the first ask queues the lookups
        qtbot.waitUntil(lambda: sum(decorations().values()) == 2, timeout=10000)
        assert decorations() == {
            "Brandenburg Concerto No. 3 in G major, BWV 1048": True,
            "String Quartet No. 19 in C major, K. 465": True,
            "Missa Papae Marcelli": False,
        }
        originals = sorted(p.suffix for p in profile.art.glob("*.*"))
        assert originals == [".jpg", ".png"]  # one file per distinct picture, not per track
        assert len(list((profile.art / "thumbs").glob("*.png"))) >= 2
    finally:
        close_window(window)
