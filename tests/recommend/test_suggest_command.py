"""Scripted sessions over a library with several recordings per work, checked through
``continuo suggest --json`` (the window's code path, see tests/ui/test_up_next_modes.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from player.cli import main
from player.recommend.up_next import Recommender
from player.store.settings import set_setting
from tests.recommend.recordings_library import COMPOSERS, RECORDINGS, build_recordings

NOW = datetime.now(UTC)


@pytest.fixture
def lib(tmp_path):
    return build_recordings(tmp_path / "profile", analysed=True)


def suggest(lib, capsys, *args: str, after=()) -> dict:
    argv = ["suggest", "--profile", str(lib.profile.root), "--json", *args]
    for track_id in after:
        argv += ["--after", lib.path(track_id)]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def paths(unit: dict) -> list[str]:
    return [t["path"] for t in unit["tracks"]]


def recording_of(lib, unit: dict) -> tuple[str, str, str]:
    """The (composer, work, performers) key of a printed unit."""
    first = next(t for t in lib.tracks.values() if t.path == unit["tracks"][0]["path"])
    return (first.composer, first.work, first.performers)


def test_the_document_has_exactly_the_contract_shape(lib, capsys):
    document = suggest(lib, capsys, after=lib.unit(0, 0)[:1])
    assert set(document) == {"source", "units"} and isinstance(document["source"], str)
    assert len(document["units"]) == 5
    for unit in document["units"]:
        assert set(unit) == {"composer", "work", "recording", "reason", "tracks"}
        assert all(isinstance(unit[k], str) for k in ("composer", "work", "recording", "reason"))
        assert unit["tracks"] and all(
            set(t) == {"path", "duration_s"} and isinstance(t["duration_s"], float)
            for t in unit["tracks"]
        )


def test_the_recording_begun_continues_first_and_its_work_does_not_come_back(lib, capsys):
    begun = lib.unit(1, 0, 1)  # Haydn's first work, the period band's recording
    document = suggest(lib, capsys, after=begun[:2])
    first = document["units"][0]
    assert paths(first) == [lib.path(t) for t in begun[2:]]  # the rest, in order
    assert first["recording"] == "Period Band · Harnoncourt, 1990"
    assert first["reason"].startswith("continues")
    everything = [p for unit in document["units"] for p in paths(unit)]
    other_recordings = {lib.path(t) for r in (0, 2) for t in lib.unit(1, 0, r)}
    assert not other_recordings & set(everything)
    assert [recording_of(lib, u)[:2] for u in document["units"]].count(
        (COMPOSERS[1], "Symphony No. 1")
    ) == 1
    # each unit is one whole recording, in movement order
    for unit in document["units"][1:]:
        key = recording_of(lib, unit)
        if key[1]:
            assert paths(unit) == [lib.path(t) for t in lib.units[key]]


def test_a_work_in_the_session_in_any_recording_is_not_suggested_again(lib, capsys):
    heard = lib.unit(2, 1, 0)
    session = heard + lib.unit(0, 2, 2)[:1]
    document = suggest(lib, capsys, "-n", "12", after=session)
    works = [recording_of(lib, u)[:2] for u in document["units"]]
    assert (COMPOSERS[2], "String Quartet No. 2") not in works


def test_other_recordings_are_the_same_work_most_different_first_with_the_difference(lib, capsys):
    current = lib.unit(0, 0, 0)  # Karajan, modern pitch, middle tempo
    document = suggest(lib, capsys, "--mode", "other_recordings", after=current[:1])
    assert document["source"] == "other recordings"
    keys = [recording_of(lib, u) for u in document["units"]]
    assert keys == [
        (COMPOSERS[0], "Symphony No. 1", RECORDINGS[1][0]),  # other pitch, other sound, faster
        (COMPOSERS[0], "Symphony No. 1", RECORDINGS[2][0]),
    ]
    period, slow = (u["reason"] for u in document["units"])
    assert "faster by" in period and "period pitch A≈415" in period
    assert slow.startswith("slower by") and "minutes" in slow and "pitch" not in slow
    assert all(len(u["tracks"]) == 4 for u in document["units"])


def test_a_work_with_one_recording_has_no_other_recordings(lib, capsys):
    only = lib.unit(3, 2, 0)
    document = suggest(lib, capsys, "--mode", "other_recordings", after=only[:1])
    assert document == {"source": "", "units": []}


@pytest.mark.parametrize("minutes", ["30", "47.5", "90"])
def test_a_time_budget_is_filled_with_whole_units_close_to_it(lib, capsys, minutes):
    document = suggest(lib, capsys, "--minutes", minutes, after=[lib.pieces[COMPOSERS[0]]])
    total = sum(t["duration_s"] for u in document["units"] for t in u["tracks"])
    budget = float(minutes) * 60
    assert 0.8 * budget <= total <= budget
    works = [recording_of(lib, u)[:2] for u in document["units"]]
    assert len(set(works)) == len(works)  # one recording of a work, the one that fits best
    for unit in document["units"]:
        key = recording_of(lib, unit)
        if key[1]:
            assert paths(unit) == [lib.path(t) for t in lib.units[key]]  # whole recordings


def test_a_budget_counts_the_rest_of_the_recording_begun_first(lib, capsys):
    begun = lib.unit(0, 1, 0)
    document = suggest(lib, capsys, "--minutes", "40", after=begun[:1])
    assert paths(document["units"][0]) == [lib.path(t) for t in begun[1:]]
    total = sum(t["duration_s"] for u in document["units"] for t in u["tracks"])
    assert 32 * 60 <= total <= 40 * 60


def test_a_work_heard_in_full_lately_is_held_back_in_every_recording_and_said_so(lib, capsys):
    brahms = lib.unit(3, 0, 0)
    for days in (30, 20, 10):  # the listener's favourite: the most played work by far
        lib.play(brahms, NOW - timedelta(days=days))
    before = suggest(lib, capsys, "--mode", "popular", after=[lib.pieces[COMPOSERS[0]]])
    assert recording_of(lib, before["units"][0])[:2] == (COMPOSERS[3], "Symphony No. 1")
    lib.play(brahms, NOW - timedelta(days=2))  # heard in full two days ago
    after = suggest(lib, capsys, "--mode", "popular", "-n", "12", after=[lib.pieces[COMPOSERS[0]]])
    works = [recording_of(lib, u)[:2] for u in after["units"]]
    assert (COMPOSERS[3], "Symphony No. 1") not in works
    assert (
        "Brahms: Symphony No. 1 held back, heard in full 2 days ago" in after["units"][0]["reason"]
    )
    # only when little else is left does it come back, and says so
    full = suggest(lib, capsys, "--mode", "popular", "-n", "16", after=[lib.pieces[COMPOSERS[0]]])
    last = full["units"][-1]
    assert recording_of(lib, last)[:2] == (COMPOSERS[3], "Symphony No. 1")
    assert last["reason"].endswith("(heard in full 2 days ago, but little else is left)")
    # "Other recordings" still offers it
    other = suggest(lib, capsys, "--mode", "other_recordings", after=lib.unit(3, 0, 1)[:1])
    assert (COMPOSERS[3], "Symphony No. 1", RECORDINGS[0][0]) in [
        recording_of(lib, u) for u in other["units"]
    ]
    # with a one-day memory, two days ago is long enough
    set_setting(lib.db, "up_next.no_repeat_days", "1")
    again = suggest(lib, capsys, "--mode", "popular", after=[lib.pieces[COMPOSERS[0]]])
    assert recording_of(lib, again["units"][0])[:2] == (COMPOSERS[3], "Symphony No. 1")


def test_heard_in_part_is_not_held_back(lib, capsys):
    haydn = lib.unit(1, 2, 0)
    for days in (30, 20, 10):
        lib.play(haydn, NOW - timedelta(days=days))
    lib.play(haydn[:2], NOW - timedelta(days=1))
    document = suggest(lib, capsys, "--mode", "popular", after=[lib.pieces[COMPOSERS[0]]])
    assert recording_of(lib, document["units"][0])[:2] == (COMPOSERS[1], "Piano Sonata No. 3")


def test_at_most_two_units_of_a_composer_in_five_and_the_setting_changes_it(lib, capsys):
    bach = [t for w in range(3) for r in range(3) for t in lib.unit(0, w, r)]
    lib.play(bach, NOW - timedelta(days=30))  # Bach by far the most played
    document = suggest(
        lib, capsys, "--mode", "popular", "-n", "10", after=[lib.pieces[COMPOSERS[3]]]
    )
    composers = [u["composer"] for u in document["units"]]
    assert composers[0] == composers[1] == "Johann Sebastian Bach"
    assert all(composers[i : i + 5].count(c) <= 2 for i in range(6) for c in set(composers))
    set_setting(lib.db, "up_next.composer_max", "1")
    set_setting(lib.db, "up_next.composer_window", "3")
    document = suggest(
        lib, capsys, "--mode", "popular", "-n", "9", after=[lib.pieces[COMPOSERS[3]]]
    )
    composers = [u["composer"] for u in document["units"]]
    assert all(len(set(composers[i : i + 3])) == 3 for i in range(7))


def test_skips_reject_the_recording_skipped_early_never_its_work_or_composer(lib, capsys):
    haydn = [lib.unit(1, w, 0) for w in range(3)]
    for days in (9, 8, 7):  # Haydn's quartet then his sonata, again and again
        lib.play(haydn[0] + haydn[1] + haydn[2], NOW - timedelta(days=days * 3))
    rec = Recommender(lib.profile.database, lib.profile.models / "current")
    after = [lib.pieces[COMPOSERS[0]], *haydn[0]]

    def top() -> list[tuple[str, str, str]]:
        return [recording_of(lib, u) for u in suggest(lib, capsys, after=after)["units"]]

    start = top()
    quartet = (COMPOSERS[1], "String Quartet No. 2", RECORDINGS[0][0])
    assert start[0] == quartet
    # skipping one movement in the middle of the quartet rejects nothing
    rec.track_started(haydn[1][2], "suggestion")
    rec.track_ended(haydn[1][2], 3_000, "skipped")
    assert top() == start
    # skipping the suggested quartet early, twice, counts against that recording only
    for _ in range(2):
        rec.track_started(haydn[1][0], "suggestion")
        rec.track_ended(haydn[1][0], 4_000, "skipped")
    later = top()
    assert quartet not in later[:2]
    assert later[0][0] == COMPOSERS[1]  # the composer is still welcome


def test_negative_feedback_fades_with_its_half_life(lib):
    haydn = [lib.unit(1, w, 0) for w in range(2)]
    for days in (40, 35, 30):
        lib.play(haydn[0] + haydn[1], NOW - timedelta(days=days))
    rec = Recommender(lib.profile.database, lib.profile.models / "current")
    session = [lib.pieces[COMPOSERS[0]], *haydn[0]]
    first = rec.suggest(session, n=1)[0]
    for _ in range(3):  # the suggested recording skipped early, three times
        rec.track_started(first.track_id, "suggestion")
        rec.track_ended(first.track_id, 2_000, "skipped")
    assert rec.suggest(session, n=1)[0].work_group != first.work_group
    # half a year later the skips have faded (half-life 30 days) and the habit wins again
    later = NOW + timedelta(days=180)
    assert rec.suggest(session, n=1, now=later)[0].work_group == first.work_group
    set_setting(lib.db, "up_next.feedback_half_life_days", "365")  # a long memory
    rec.settings_changed()
    assert rec.suggest(session, n=1, now=later)[0].work_group != first.work_group


def test_bad_arguments_get_a_clear_message(lib, capsys):
    root = str(lib.profile.root)
    for bad in (["--minutes", "0"], ["--minutes", "soon"], ["-n", "0"], ["--mode", "shuffle"]):
        with pytest.raises(SystemExit) as exit_:
            main(["suggest", "--profile", root, "--json", *bad])
        assert exit_.value.code == 2
    assert "minutes must be a number above 0" in capsys.readouterr().err
    assert main(["suggest", "--profile", root, "--json", "--after", "/nowhere.flac"]) == 1
    assert "/nowhere.flac is not a track in the library" in capsys.readouterr().err


def test_a_sonic_path_steps_through_sound_to_the_destination(lib, capsys):
    from player.recommend.library import load_library
    from player.recommend.sonic_path import unit_vectors

    here, there = lib.unit(0, 0, 0), lib.unit(3, 1, 2)  # Bach (Karajan) to Brahms (Celibidache)
    document = suggest(lib, capsys, "--to", lib.path(there[0]), after=here[:2])
    units = document["units"]
    assert paths(units[0]) == [lib.path(t) for t in here[2:]]  # the recording begun, first
    assert paths(units[-1]) == [lib.path(t) for t in there]  # the destination, whole, last
    steps = units[1:-1]
    assert len(steps) == 4 and all(u["reason"].startswith("step ") for u in steps)
    assert units[-1]["reason"] == "the destination, after 4 steps through sound"
    keys = [recording_of(lib, u) for u in steps]
    works = [k[:2] for k in keys]
    assert len(set(works)) == len(works) and (COMPOSERS[0], "Symphony No. 1") not in works
    for key in keys:
        if key[1]:
            assert paths(next(u for u in steps if recording_of(lib, u) == key)) == [
                lib.path(t) for t in lib.units[key]
            ]
    # each step nearer in sound to the destination than the start is
    library = load_library(lib.db)
    vectors = unit_vectors(library)
    unit_of = {lib.path(t): int(library.unit_of[library.row_of[t]]) for t in lib.tracks}
    goal = vectors[unit_of[lib.path(there[0])]]
    closeness = [float(vectors[unit_of[u["tracks"][0]["path"]]] @ goal) for u in steps]
    start = float(vectors[unit_of[lib.path(here[0])]] @ goal)
    assert closeness[-1] > closeness[0] > start


def test_a_budget_takes_single_pieces_of_a_collection_never_single_movements_of_a_work(lib, capsys):
    from player.store.tracks import Track, upsert_tracks

    upsert_tracks(
        lib.db,
        [
            Track(
                path=f"/music/chopin/preludes/{n}.flac",
                size=1,
                mtime_ns=1,
                title=f"Prelude No. {n}",
                composer="Frédéric Chopin",
                work="24 Preludes, Op. 28",
                movement=f"No. {n}",
                movement_number=n,
                performers="Pollini",
                duration_s=70.0 + 10 * (n % 5),
            )
            for n in range(1, 25)
        ],
    )
    # 3.5 minutes: shorter than any piece or work, so only preludes can fill it
    document = suggest(lib, capsys, "--minutes", "3.5", after=[lib.pieces[COMPOSERS[0]]])
    total = sum(t["duration_s"] for u in document["units"] for t in u["tracks"])
    assert 0.8 * 210 <= total <= 210
    preludes = [u for u in document["units"] if u["work"] == "24 Preludes, Op. 28"]
    assert preludes and all(len(u["tracks"]) == 1 for u in preludes)
    for unit in document["units"]:  # no lone movement of a symphony, quartet or sonata
        key = recording_of(lib, unit) if unit not in preludes else None
        if key and key[1]:
            assert paths(unit) == [lib.path(t) for t in lib.units[key]]


def test_one_recording_of_a_work_per_set(lib, capsys):
    for mode in ("for_you", "popular", "discover"):
        document = suggest(
            lib, capsys, "--mode", mode, "-n", "12", after=[lib.pieces[COMPOSERS[0]]]
        )
        works = [recording_of(lib, u)[:2] for u in document["units"]]
        assert len(works) >= 8 and len(set(works)) == len(works)
