"""Take the screenshots of Up next's modes at 1366 × 768: Other recordings, a time budget, a
sonic path ("From here to …") and File → Import history….

Run under a virtual X server so the real xcb platform draws the window:

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_up_next_modes_screenshots.py

The library is generated once into a temporary folder (tagged FLAC tones, 8 kHz, lengths of
real movements): three composers, two works each, each work in three recordings.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from shots import OUT, main_window, save, wait

COMPOSERS = {
    "Joseph Haydn": ["String Quartet in C major, Op. 76 No. 3", "Symphony No. 104 in D major"],
    "Franz Schubert": ["Piano Trio No. 2 in E-flat major", "String Quintet in C major"],
    "Johannes Brahms": ["Clarinet Quintet in B minor", "Symphony No. 4 in E minor"],
}
RECORDINGS = [  # performers, year, tempo, pitch of A
    ("Alban Berg Quartett", 1992, 1.0, 440.0),
    # period instruments at A = 430 (A = 415 is a whole semitone down: the analysis's tuning,
    # a fraction of a semitone, cannot tell it from A = 440 without knowing the notes)
    ("Quatuor Mosaïques", 1989, 0.85, 430.0),
    ("Amadeus Quartet", 1963, 1.25, 440.0),
]
MOVEMENTS = ["I. Allegro", "II. Adagio", "III. Menuetto", "IV. Finale"]


def make_music(folder: Path) -> Path:
    from tests.library.audio_files import tag_vorbis, write_audio

    if (folder / "done-v3").exists():
        return folder
    for c, (composer, works) in enumerate(COMPOSERS.items()):
        for w, work in enumerate(works):
            for performers, year, tempo, a4 in RECORDINGS:
                for m, movement in enumerate(MOVEMENTS, 1):
                    seconds = (150 + 60 * ((c + w + m) % 4)) * tempo
                    path = write_audio(
                        folder / composer / work / performers / f"{m}.flac",
                        seconds=seconds,
                        # a note of the equal-tempered scale at this recording's pitch
                        freq=a4 * 2 ** ((48 + 7 * c + 3 * w + 2 * m - 69) / 12),
                        rate=8000,
                    )
                    tag_vorbis(
                        path,
                        composer=composer,
                        work=work,
                        movementname=movement.split(". ", 1)[1],
                        movement=str(m),
                        movementtotal=str(len(MOVEMENTS)),
                        title=f"{work}: {movement}",
                        performer=performers,
                        date=str(year),
                        album=f"{work} ({performers})",
                    )
    (folder / "done-v3").write_text("")
    return folder


def main() -> None:
    music = make_music(Path(tempfile.gettempdir()) / "continuo-shots-recordings")
    with main_window(libraries=[music]) as (app, window):
        wait(
            app, 60, lambda: len(window.controller.library_tracks) == 72 and not window._scan_cancel
        )
        status = window.status.analysis
        wait(app, 900, lambda: status.text().startswith("Analysis done"))
        print(status.text())
        up_next = window.features.up_next
        tracks = window.controller.library_tracks
        haydn = [
            t
            for t in tracks
            if t.work.startswith("String Quartet") and t.recording_performers.startswith("Alban")
        ]
        window.controller.play_track(haydn[0])
        wait(app, 10, lambda: bool(window.queue.up_next))
        up_next.set_mode("other_recordings")
        wait(app, 10, lambda: window.queue.up_next_source == "Other recordings of this work")
        window.queue_panel.view.expandAll()
        wait(app, 1)
        save(window, "up-next-other-recordings.png")

        up_next.set_mode("for_you")
        up_next.bar.budget.setCurrentIndex(up_next.bar.budget.findData(40.0))
        wait(app, 3)
        window.queue_panel.view.expandAll()
        total = sum(t.duration_s for t in window.queue.up_next) / 60
        print(f"40 min left: {total:.1f} min queued")
        save(window, "up-next-time-budget.png")

        up_next.bar.budget.setCurrentIndex(0)
        goal = next(t for t in tracks if t.work.startswith("Symphony No. 4"))
        up_next.path_to([goal])
        wait(app, 10, lambda: window.queue.up_next_source.startswith("From here to"))
        window.queue_panel.view.expandAll()
        wait(app, 1)
        save(window, "up-next-sonic-path.png")

        scrobbles = music.parent / "continuo-shots-scrobbles.csv"
        scrobbles.write_text(
            "\n".join(
                [
                    f'Joseph Haydn,,"Symphony No. 104 in D major: {m}",0{d} Nov 2026 20:1{d}'
                    for d, m in enumerate(MOVEMENTS, 1)
                ]
                + ["Taylor Swift,1989,Shake It Off,05 Nov 2026 10:00", "a broken line"]
            )
            + "\n",
            encoding="utf-8",
        )
        importer = window.features.import_history
        importer.import_file(scrobbles)
        wait(app, 10, lambda: importer.box is not None and importer.box.isVisible())
        window.side.setCurrentIndex(1)
        wait(app, 1)
        screen = app.primaryScreen().grabWindow(0).toImage()  # the box is a window of its own
        screen.save(str(OUT / "import-history.png"), "PNG", 80)
        print(f"{OUT / 'import-history.png'}: the screen with the import's box")


if __name__ == "__main__":
    main()
