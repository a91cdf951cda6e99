"""Take the README's screenshots: the demo library, playing, in a 1366 × 768 window.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_screenshots.py

Sound goes to a private PulseAudio null sink (as in the tests), so nothing is heard.
"""

from __future__ import annotations

from shots import main_window, save, wait


def main() -> None:
    from player.demo import DEMO_LIBRARY

    with main_window(libraries=[DEMO_LIBRARY]) as (app, window):
        wait(app, 60, lambda: window.library.table_model.rowCount() > 0 and not window._scan_cancel)
        wait(app, 1)
        tree, proxy = window.library.tree, window.library.tree_proxy
        target = None
        for c in range(proxy.rowCount()):
            composer = proxy.index(c, 0)
            for w in range(proxy.rowCount(composer)):
                work = proxy.index(w, 0, composer)
                if proxy.rowCount(work) >= 3 and "Mozart" in composer.data():
                    target = proxy.index(1, 0, work)
        target = target or proxy.index(0, 0, proxy.index(0, 0, proxy.index(0, 0)))
        tree.setCurrentIndex(target)
        tree.activated.emit(target)  # as a double-click does: play it, queue the rest of its work
        wait(app, 5)
        save(window, "main-window-playing.png")
        window.library.search.setText("quartet")
        window.library.apply_search()
        window.side.setCurrentIndex(1)
        window.reload_history()
        wait(app, 2)
        save(window, "search-and-history.png")


if __name__ == "__main__":
    main()
