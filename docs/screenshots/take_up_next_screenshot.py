"""Take ``up-next.png``: the demo profile playing, Up next filled by its model, with reasons.

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_up_next_screenshot.py

Sound goes to a private PulseAudio null sink (as in the tests), so nothing is heard.
"""

from __future__ import annotations

from shots import main_window, save, wait


def main() -> None:
    from player.demo import create_demo_profile

    with main_window(prepare=create_demo_profile) as (app, window):
        table = window.library.table_model
        wait(app, 60, lambda: table.rowCount() > 0 and not window._scan_cancel)
        tracks = [table.index(r, 0).data() for r in range(table.rowCount())]
        print(f"{len(tracks)} tracks")
        window.controller.play_library()
        wait(app, 20, lambda: window.queue.up_next_source == "From your listening model")
        wait(app, 2)
        print(window.status.model.text())
        for track in window.queue.up_next:
            print(" ", track.composer, "|", track.work, "|", track.display_title)
        save(window, "up-next.png")


if __name__ == "__main__":
    main()
