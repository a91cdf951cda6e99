"""Up next in the real window: a tiny model trained by ``trainer/``, real onnxruntime, real audio.

One model is trained per module on a listening habit (work i is followed by work i + SHIFT) in
a profile whose library is real tagged OGG files; each test plays in its own copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from player.profile import Profile
from player.store import open_database
from player.store.feedback import all_feedback
from player.store.tracks import add_library_root, all_tracks
from player.ui.features.about.box import about_text
from player.ui.shell.library_models import TRACK_ROLE
from player.ui.shell.queue_model import NOTE_ROLE, UP_NEXT
from tests.library.audio_files import tag_vorbis, write_audio
from tests.recommend.conftest import Library, sessions_apart
from tests.recommend.tiny_model import train_tiny_model
from tests.ui.test_window import close_window, open_window

pytest.importorskip("torch")  # the `train` extra trains the model
pytestmark = pytest.mark.audio

COMPOSERS = ["Bach", "Mozart", "Haydn", "Brahms", "Schubert", "Dvořák", "Fauré", "Ravel"]
SHIFT = 3
PERSONAL = "From your listening model"
SECONDS = 15.0  # long enough that no track ends by itself during a test
HABIT = sorted((c, f"Quartet No. {w + 1}") for w, c in enumerate(COMPOSERS))  # history's order


def make_music(folder: Path, performer: str) -> Path:
    """Eight two-movement works (one per composer) and four single pieces."""
    for w, composer in enumerate(COMPOSERS):
        for number in (1, 2):
            path = write_audio(
                folder / f"w{w}" / f"{number}.ogg", seconds=SECONDS, freq=200.0 + 30 * w
            )
            tag_vorbis(
                path,
                composer=composer,
                work=f"Quartet No. {w + 1}",
                movementname=f"Part {number}",
                movement=str(number),
                movementtotal="2",
                title=f"Part {number}",
                performer=performer,
            )
    for p, composer in enumerate(COMPOSERS[:4]):
        path = write_audio(folder / f"piece{p}.ogg", seconds=SECONDS, freq=500.0 + 40 * p)
        tag_vorbis(path, composer=composer, title=f"Prelude {p + 1}", performer=performer)
    return folder


def scanned_profile(root: Path, music: Path) -> Library:
    from player.library.scanner import scan_library

    profile = Profile(root).create()
    db = open_database(profile.database)
    add_library_root(db, str(music))
    scan_library(db, [music])
    works: dict[tuple[str, str], list[int]] = {}
    for track in all_tracks(db):
        if track.work:
            works.setdefault((track.composer, track.work), []).append(int(track.id or 0))
    return Library(profile, db, works, {}, {})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A profile with a habit in its history and a model trained on it in models/current."""
    base = tmp_path_factory.mktemp("up_next")
    library = scanned_profile(base / "profile", make_music(base / "music", "Quartetto Uno"))
    keys = sorted(library.works)
    for i, start in enumerate(sessions_apart(48)):
        first, then = keys[i % len(keys)], keys[(i + SHIFT) % len(keys)]
        library.play_session(library.works[first] + library.works[then], start, ms=8000)
    library.db.close()
    train_tiny_model(library.profile.root, library.profile.models / "current" / "model.onnx")
    return base


@pytest.fixture
def profile_copy(trained, tmp_path) -> Path:
    shutil.copytree(trained / "profile", tmp_path / "profile")
    return tmp_path / "profile"


def shown(window) -> list:
    return window.queue.up_next


def units(tracks) -> list[tuple[str, str]]:
    return list(dict.fromkeys((t.composer, t.work or t.title) for t in tracks))


def play_work(window, qtbot, number: int):
    """Play the first movement of work ``number`` with the second queued, as a double-click does."""
    table = window.library.table_model
    qtbot.waitUntil(lambda: table.rowCount() == 20, timeout=10000)
    tracks = [table.index(r, 0).data(TRACK_ROLE) for r in range(20)]
    work = sorted(
        (t for t in tracks if t.work == f"Quartet No. {number + 1}"),
        key=lambda t: t.movement_number,
    )
    window.controller.play_track(work[0], then=work[1:])
    qtbot.waitUntil(lambda: window.controller.current == work[0], timeout=5000)
    return work


def wait_for_set(window, qtbot, source: str = PERSONAL, *, not_equal=None) -> list:
    def ready():
        up = shown(window)
        assert up and window.queue.up_next_source == source
        assert not_equal is None or [t.id for t in up] != not_equal

    qtbot.waitUntil(ready, timeout=15000)
    return shown(window)


@pytest.fixture
def window(qtbot, qapp, profile_copy, trained):
    window = open_window(qtbot, qapp, profile_copy, trained / "music")
    yield window
    close_window(window)


def test_up_next_fills_from_the_personal_model_with_reasons(window, qtbot):
    work = play_work(window, qtbot, 0)
    up = wait_for_set(window, qtbot)
    assert len(units(up)) == 5  # N = 5 work units by default, movements in order
    assert all(Path(t.path).is_file() and not t.missing for t in up)
    playing_or_queued = {t.id for t in work}
    assert not playing_or_queued & {t.id for t in up}
    for composer, name in units(up):  # works stay together, in movement order
        movements = [
            t.movement_number for t in up if (t.composer, t.work or t.title) == (composer, name)
        ]
        assert movements == sorted(movements) and len(movements) in (1, 2)
    header = window.queue.index(UP_NEXT, 0).data()
    assert header == "UP NEXT · FROM YOUR LISTENING MODEL"
    parent = window.queue.index(UP_NEXT, 0)
    firsts = [window.queue.index(r, 0, parent).data(NOTE_ROLE) for r in range(len(up))]
    assert sum(bool(n) for n in firsts) == 5  # one "Why this?" per unit
    view = window.queue_panel.view  # a row with its reason is taller by its extra lines
    heights = [
        view.sizeHintForIndex(window.queue.index(r, 0, parent)).height() for r in range(len(up))
    ]
    plain = {h for h, n in zip(heights, firsts, strict=True) if not n}
    assert len(plain) <= 1 and all(
        h > max(plain, default=0) for h, n in zip(heights, firsts, strict=True) if n
    )
    assert window.status.model.text() in (
        "Up next: personal model (CPU)",
        "Up next: personal model (CUDA)",
    )
    about = about_text(window.services)
    assert "Model: loaded" in about and "Hidden size 16" in about
    assert "trained on 48 sessions" in about
    # the learned habit: after the first work (Bach's) comes the one SHIFT places on
    assert units(up)[0] == HABIT[SHIFT]
    # the next track start: a new set on screen soon after (the first set loaded the model)
    timings = window.features.up_next.ready_after_start_s
    seen = len(timings)
    window.controller.next()
    qtbot.waitUntil(lambda: len(timings) > seen, timeout=5000)
    assert timings[-1] > 0  # measured from the start; its speed is bench_up_next_window.py's


def test_skip_never_and_remove_steer_up_next(window, qtbot):
    up_next = window.features.up_next
    up_next.bar.keep_works.setChecked(False)  # one track per unit: each suggestion is a track
    play_work(window, qtbot, 0)
    before = [t.id for t in wait_for_set(window, qtbot)]
    assert len(before) == 5

    # a skip within 30 s: the suggestion played, then Next after a second
    window.queue.set_user([])
    first = shown(window)[0]
    window.controller.next()
    qtbot.waitUntil(lambda: window.controller.current == first, timeout=5000)
    qtbot.wait(800)
    window.controller.next()
    qtbot.waitUntil(lambda: window.controller.current not in (first, None), timeout=5000)
    qtbot.waitUntil(lambda: len(shown(window)) == 5 and first not in shown(window))
    db = window.services.open_db()
    try:
        qtbot.waitUntil(
            lambda: any(f.track_id == first.id and f.kind == "skip" for f in all_feedback(db))
        )
    finally:
        db.close()
    assert [t.id for t in shown(window)] != before

    # Delete on a suggestion: Up next refills, without it
    view = window.queue_panel.view
    row = 2
    removed = shown(window)[row]
    index = window.queue.index(row, 0, window.queue.index(UP_NEXT, 0))
    view.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.keyClick(window.queue_panel, Qt.Key.Key_Delete)
    assert removed not in shown(window)
    qtbot.waitUntil(lambda: len(shown(window)) == 5, timeout=5000)  # refilled
    assert removed.id not in [t.id for t in shown(window)]

    # "Never suggest" (the library's right-click entry): gone now, and when all is asked for
    never = shown(window)[0]
    action = next(e.run for e in window.library.extra_actions if e.label == "Never suggest")
    action([never])
    qtbot.waitUntil(lambda: never.id not in [t.id for t in shown(window)], timeout=5000)
    up_next.bar.count.setValue(15)
    qtbot.waitUntil(lambda: len(shown(window)) >= 6, timeout=5000)  # all that is left
    assert {never.id, removed.id}.isdisjoint(t.id for t in shown(window))


def test_pin_move_clear_and_modes(window, qtbot):
    up_next = window.features.up_next
    play_work(window, qtbot, 0)
    up = wait_for_set(window, qtbot)
    view, parent = window.queue_panel.view, window.queue.index(UP_NEXT, 0)

    def select(row: int) -> None:
        flags = QItemSelectionModel.SelectionFlag
        index = window.queue.index(row, 0, parent)
        view.selectionModel().select(index, flags.ClearAndSelect | flags.Rows)

    # move the second unit up: it comes first, whole
    second = units(up)[1]
    select(next(r for r, t in enumerate(up) if (t.composer, t.work or t.title) == second))
    up_next.move_selected(-1)
    assert units(shown(window))[0] == second and len(shown(window)) == len(up)

    # pin the first unit: its movements go to the end of the user queue; a new set follows
    pinned = [t for t in shown(window) if (t.composer, t.work or t.title) == second]
    select(0)
    up_next.pin_selected()
    assert window.queue.user[-len(pinned) :] == pinned
    qtbot.waitUntil(lambda: len(units(shown(window))) == 5, timeout=5000)
    assert not {t.id for t in pinned} & {t.id for t in shown(window)}

    # clear: all of them go and stay away; what comes instead is different
    cleared = {t.id for t in shown(window)}
    up_next.bar.clear.click()
    qtbot.waitUntil(lambda: bool(shown(window)), timeout=5000)
    assert not cleared & {t.id for t in shown(window)}

    # Popular: the header says so; Discover: only works never heard (this history heard all)
    up_next.bar.mode.setCurrentIndex(up_next.bar.mode.findData("popular"))
    qtbot.waitUntil(lambda: window.queue.up_next_source == "Popular in your history", timeout=5000)
    up_next.bar.mode.setCurrentIndex(up_next.bar.mode.findData("discover"))
    heard = {(c, w) for c, w in HABIT}
    qtbot.waitUntil(
        lambda: all((t.composer, t.work) not in heard for t in shown(window)), timeout=5000
    )
    assert window.settings.value("up_next/mode") == "discover"


def _corrupt(profile: Path, _trained: Path) -> str:
    onnx = profile / "models" / "current" / "model.onnx"
    onnx.write_bytes(onnx.read_bytes()[: onnx.stat().st_size // 3])
    return "The model file model.onnx is damaged or not an ONNX model"


def _newer(profile: Path, _trained: Path) -> str:
    import onnx

    path = profile / "models" / "current" / "model.onnx"
    model = onnx.load(str(path))
    for prop in model.metadata_props:
        if prop.key == "continuo":
            meta = json.loads(prop.value)
            meta["format_version"] = 2
            prop.value = json.dumps(meta)
    onnx.save(model, str(path))
    return "The personal model needs a newer Continuo"


def _other_library(profile: Path, trained: Path) -> str:
    """The same works recorded by other performers: none of the model's item keys is here."""
    shutil.rmtree(profile)
    other = scanned_profile(profile, make_music(profile.parent / "other", "Quartetto Due"))
    other.db.close()
    shutil.copytree(trained / "profile" / "models" / "current", profile / "models" / "current")
    return "The personal model was trained on another library"


@pytest.mark.parametrize(
    ("spoil", "fallback"),
    [
        (_corrupt, "From your own sessions"),  # the history knows what follows work 0
        (_newer, "From your own sessions"),
        (_other_library, "Popular in your history"),  # a new profile: no sessions yet
    ],
    ids=["corrupt", "newer", "other_library"],
)
def test_an_unusable_model_is_refused_with_its_reason_and_a_fallback_fills(
    spoil, fallback, qtbot, qapp, profile_copy, trained
):
    """Without analysis results (paused before any run ends, so no content vectors), the next
    fallback in order fills: the listener's sessions, or popularity when there are none."""
    reason = spoil(profile_copy, trained)
    music = trained / "music" if spoil is not _other_library else profile_copy.parent / "other"
    window = open_window(qtbot, qapp, profile_copy, music)
    window.features.analysis.pause()  # features reach the recommender only when a run ends
    try:
        play_work(window, qtbot, 0)
        qtbot.waitUntil(lambda: bool(shown(window)), timeout=15000)
        assert window.queue.up_next_source == fallback
        assert len(units(shown(window))) == 5
        status = window.status.model.text()
        assert status.startswith("Up next: ") and status.endswith(f"— model refused: {reason}")
        assert "personal model" not in status.split("—")[0]
        about = about_text(window.services)
        assert (
            f"Model: refused — {reason}" in about and "ONNX Runtime provider: none loaded" in about
        )
        window.controller.next()  # still plays on: the first suggestion
        qtbot.waitUntil(lambda: window.controller.current is not None, timeout=5000)
    finally:
        close_window(window)


def test_up_next_offers_only_tracks_whose_files_are_on_disk(window, qtbot):
    """Files gone since the scan (a drive not mounted, deleted) are not suggested: a list of
    them would fail one by one as each came up. With none left, Up next says why it is empty."""
    play_work(window, qtbot, 0)
    first = wait_for_set(window, qtbot)
    gone = [t for t in first if units([t])[0] == units(first)[0]]
    for track in gone:
        Path(track.path).unlink()
    panel = window.features.up_next
    panel.refresh()
    up = wait_for_set(window, qtbot, not_equal=[t.id for t in first])
    assert all(Path(t.path).is_file() for t in up)
    assert not {t.id for t in gone} & {t.id for t in up}

    playing = {t.id for t in window.controller.played} | {t.id for t in window.queue.user}
    db = window.services.open_db()
    try:
        stored = all_tracks(db)
    finally:
        db.close()
    for track in stored:
        if track.id not in playing:
            Path(track.path).unlink(missing_ok=True)
    panel.refresh()
    qtbot.waitUntil(lambda: not window.queue.up_next, timeout=15000)
    message = window.statusBar().currentMessage()
    assert message.startswith("Up next is empty: none of the tracks it would suggest is on disk")
