"""Up next's new modes in the real window over real tagged audio files with several recordings
per work: the recording begun first, "Other recordings", a time budget (the recommender under
them is checked rule by rule through ``continuo suggest`` in tests/recommend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.ui.shell.queue_model import NOTE_ROLE, UP_NEXT
from tests.library.audio_files import tag_vorbis, write_audio
from tests.ui.test_window import close_window, open_window

pytestmark = pytest.mark.audio

WORKS = [("Haydn", "Quartet No. 1"), ("Mozart", "Quartet No. 2"), ("Schubert", "Trio No. 3")]
RECORDINGS = [("Alban Berg Quartet", 1.0), ("Quatuor Mosaïques", 0.7), ("Slow Players", 1.6)]
SECONDS = 8.0  # per movement of the first recording; the others scale it (tempo)


def make_music(folder: Path) -> Path:
    """Three works of two movements, each in three recordings, and two single pieces."""
    for w, (composer, work) in enumerate(WORKS):
        for r, (performer, tempo) in enumerate(RECORDINGS):
            for number in (1, 2):
                path = write_audio(
                    folder / f"w{w}" / f"r{r}" / f"{number}.ogg",
                    seconds=SECONDS * tempo,
                    freq=220.0 + 40 * w + 10 * r,
                )
                tag_vorbis(
                    path,
                    composer=composer,
                    work=work,
                    movementname=f"Part {number}",
                    movement=str(number),
                    movementtotal="2",
                    title=f"Part {number}",
                    performer=performer,
                )
    for p, composer in enumerate(("Bach", "Fauré")):
        path = write_audio(folder / f"piece{p}.ogg", seconds=SECONDS, freq=600.0 + 50 * p)
        tag_vorbis(path, composer=composer, title=f"Prelude {p + 1}", performer="Solo")
    return folder


@pytest.fixture
def window(qtbot, qapp, tmp_path):
    window = open_window(qtbot, qapp, tmp_path / "profile", make_music(tmp_path / "music"))
    yield window
    close_window(window)


def library_tracks(window, qtbot) -> list:
    qtbot.waitUntil(
        lambda: len(window.controller.library_tracks) == 20, timeout=10000
    )  # all recordings
    return window.controller.library_tracks


def recording(window, qtbot, work: int, performer: str) -> list:
    composer, title = WORKS[work]
    return sorted(
        (
            t
            for t in library_tracks(window, qtbot)
            if t.work == title and t.recording_performers == performer
        ),
        key=lambda t: t.movement_number,
    )


def recordings_of(tracks) -> list[tuple[str, str]]:
    return list(dict.fromkeys((t.work or t.title, t.recording_performers) for t in tracks))


def test_the_recording_begun_comes_first_and_no_other_recording_of_it(window, qtbot):
    begun = recording(window, qtbot, 0, "Quatuor Mosaïques")
    window.controller.play_track(begun[0])
    qtbot.waitUntil(lambda: bool(window.queue.up_next), timeout=15000)
    up = window.queue.up_next
    assert up[0].id == begun[1].id  # the second movement of the same recording
    first = window.queue.index(0, 0, window.queue.index(UP_NEXT, 0))
    assert first.data(NOTE_ROLE).startswith("continues")
    later = recordings_of(up[1:])
    assert all(work != WORKS[0][1] for work, _ in later)


def test_other_recordings_mode_offers_the_work_in_its_other_recordings(window, qtbot):
    up_next = window.features.up_next
    begun = recording(window, qtbot, 1, "Alban Berg Quartet")
    window.controller.play_track(begun[0])
    qtbot.waitUntil(lambda: bool(window.queue.up_next), timeout=15000)
    up_next.set_mode("other_recordings")
    header = "Other recordings of this work"
    qtbot.waitUntil(lambda: window.queue.up_next_source == header, timeout=10000)
    shown = window.queue.up_next
    assert {p for _, p in recordings_of(shown)} == {"Quatuor Mosaïques", "Slow Players"}
    assert {t.work for t in shown} == {WORKS[1][1]}
    assert [t.movement_number for t in shown] == [1, 2, 1, 2]  # whole recordings, in order
    assert window.settings.value("up_next/mode") == "other_recordings"


def test_a_time_budget_fills_with_whole_recordings_that_end_in_time(window, qtbot):
    up_next = window.features.up_next
    # the bar's budgets are 20 minutes and more; these recordings last seconds, so the test
    # adds a choice of its own scale to the same combo box
    up_next.bar.budget.addItem("1 min left", 1.0)
    up_next.bar.budget.setCurrentIndex(up_next.bar.budget.count() - 1)
    begun = recording(window, qtbot, 2, "Slow Players")
    window.controller.play_track(begun[0])

    def filled() -> None:
        up = window.queue.up_next
        assert up and up[0].id == begun[1].id
        total = sum(t.duration_s for t in up)
        assert 48.0 <= total <= 60.0

    qtbot.waitUntil(filled, timeout=10000)
    assert not up_next.bar.count.isEnabled()
    for work, performer in recordings_of(window.queue.up_next[1:]):
        tracks = [
            t
            for t in window.queue.up_next
            if (t.work or t.title, t.recording_performers) == (work, performer)
        ]
        expected = 2 if work in {w for _, w in WORKS} else 1
        assert len(tracks) == expected  # whole recordings only


def test_file_import_history_adds_the_plays_shows_them_and_says_what_matched(
    window, qtbot, tmp_path
):
    library_tracks(window, qtbot)
    rows = [f"Haydn,,Quartet No. 1: {n}. Part {n},0{n} Nov 2026 10:0{n}" for n in (1, 2)] + [
        "Nobody,,Nothing at all,03 Nov 2026 10:03",
        "broken line",
    ]
    path = tmp_path / "scrobbles.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    importer = window.features.import_history
    assert "Import history…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    importer.import_file(path)
    qtbot.waitUntil(lambda: importer.last_report is not None, timeout=10000)
    report = importer.last_report
    assert (report.listens, report.matched, report.unmatched_count, report.added) == (3, 2, 1, 2)
    assert report.problems == [f"{path}:4: expected artist,album,track,date; found 1 fields"]
    assert importer.box is not None and importer.box.text() == report.summary()
    assert "Not in the library: Nobody – Nothing at all" in importer.box.detailedText()
    history = window.history.model
    qtbot.waitUntil(lambda: history.rowCount() == 2, timeout=10000)  # two days, two sessions
    importer.box.close()


def test_from_here_to_a_work_queues_the_way_and_ends_at_its_recording(window, qtbot):
    up_next = window.features.up_next
    begun = recording(window, qtbot, 0, "Alban Berg Quartet")
    destination = recording(window, qtbot, 2, "Quatuor Mosaïques")
    window.controller.play_track(begun[0])
    qtbot.waitUntil(lambda: bool(window.queue.up_next), timeout=15000)
    label = [e.label for e in window.library.extra_actions]
    assert "Up next: from here to this work" in label
    up_next.path_to(destination[:1])
    header = "From here to Schubert: Trio No. 3"
    qtbot.waitUntil(lambda: window.queue.up_next_source == header, timeout=10000)
    shown = window.queue.up_next
    assert shown[0].id == begun[1].id  # the recording begun ends first
    assert [t.id for t in shown[-2:]] == [t.id for t in destination]  # the destination, whole
    # a track starting on the way keeps the path; a mode change ends it
    up_next.refresh()
    assert window.queue.up_next_source == header
    up_next.set_mode("popular")
    qtbot.waitUntil(lambda: window.queue.up_next_source != header, timeout=10000)


def test_up_next_settings_are_stored_in_the_profile_and_followed(window, qtbot):
    from player.store.settings import get_setting

    up_next = window.features.up_next
    menu = next(a.menu() for a in window.menuBar().actions() if "Up next" in a.text())
    next(a for a in menu.actions() if a.text() == "Settings…").trigger()
    qtbot.waitUntil(lambda: up_next.settings_dialog is not None, timeout=5000)
    dialog = up_next.settings_dialog
    assert dialog.inputs["no_repeat_days"].value() == 7.0  # the defaults
    assert dialog.inputs["composer_max"].value() == 2
    dialog.inputs["no_repeat_days"].setValue(3.0)
    dialog.inputs["composer_max"].setValue(1)
    dialog.accept()
    db = window.services.open_db()
    try:
        qtbot.waitUntil(lambda: get_setting(db, "up_next.composer_max") == "1", timeout=5000)
        assert get_setting(db, "up_next.no_repeat_days") == "3.0"
    finally:
        db.close()
    # the recommender follows them from its next set on (told once the write has returned; it
    # loaded the old ones at start)
    qtbot.waitUntil(lambda: up_next.rec.settings().composer_max == 1, timeout=5000)
    assert up_next.rec.settings().no_repeat_days == 3.0
