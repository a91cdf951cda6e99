"""Take ``similar.png``: the demo library analysed, one quartet movement playing, its Similar tab.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_similar_screenshot.py

The analysis runs in the app's own worker process, as it does for a listener.
"""

from __future__ import annotations

from shots import main_window, save, wait


def main() -> None:
    from player.demo import DEMO_LIBRARY

    with main_window(libraries=[DEMO_LIBRARY]) as (app, window):
        status = window.status.analysis
        wait(app, 600, lambda: status.text().startswith("Analysis done"))
        print(status.text())
        tracks = [window.library.table_model.index(r, 0) for r in range(6)]
        quartet = next(
            i for i in tracks if "Haydn" in i.siblingAtColumn(0).data() or i is tracks[-1]
        )
        window.library.tabs.setCurrentIndex(1)
        window.library.table.selectRow(quartet.row())
        window.library.table.activated.emit(quartet)
        wait(app, 3)
        window.features.similar.show_playing()
        panel = window.features.similar.panel
        wait(app, 10, lambda: panel.model.rowCount() > 0)
        wait(app, 1)
        save(window, "similar.png")


if __name__ == "__main__":
    main()
