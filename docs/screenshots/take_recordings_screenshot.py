"""Take ``recordings.png``: the generated classical library (tests/library/classical_library.py)
with a symphony's three recordings open, one of them playing, in a 1366 × 768 window.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_recordings_screenshot.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from shots import main_window, save, wait


def main() -> None:
    from tests.library.classical_library import make_classical_library

    music = make_classical_library(Path(tempfile.mkdtemp(prefix="continuo-classical-")))
    with main_window(libraries=[music]) as (app, window):
        proxy, tree = window.library.tree_proxy, window.library.tree
        wait(app, 60, lambda: proxy.rowCount() == 6 and not window._scan_cancel)
        wait(app, 3)  # the reload after the scan
        tree.collapseAll()
        beethoven = next(
            proxy.index(r, 0) for r in range(6) if "Beethoven" in proxy.index(r, 0).data()
        )
        symphony = next(
            proxy.index(r, 0, beethoven)
            for r in range(proxy.rowCount(beethoven))
            if proxy.index(r, 0, beethoven).data().startswith("Symphony No. 5")
        )
        tree.expand(beethoven)
        tree.expand(symphony)
        kleiber = proxy.index(2, 0, symphony)
        tree.expand(kleiber)
        target = proxy.index(1, 0, kleiber)
        tree.setCurrentIndex(target)
        tree.activated.emit(target)  # as a double-click: play it, queue the rest of its recording
        wait(app, 0.1)
        window.controller.toggle()  # pause: the generated movements last a quarter second
        wait(app, 1)
        save(window, "recordings.png")


if __name__ == "__main__":
    main()
