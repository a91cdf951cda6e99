"""The generated classical library (tests/library/classical_library.py) through the headless
commands: ``continuo scan`` then ``continuo library --json``, exactly as scripts use them."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from player.cli import main
from player.store.db import open_database
from player.store.plays import end_play, start_play
from player.store.tracks import all_tracks
from tests.library.classical_library import make_classical_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(profile, the JSON document ``continuo library --json`` printed, scan's stderr)."""
    root = make_classical_library(tmp_path_factory.mktemp("music"))
    profile = tmp_path_factory.mktemp("profile")
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["scan", "--profile", str(profile), "--no-analysis", str(root)]) == 0
    with contextlib.redirect_stdout(out):
        assert main(["library", "--profile", str(profile), "--json"]) == 0
    return profile, json.loads(out.getvalue()), err.getvalue()


def _composer(doc, name):
    (found,) = [c for c in doc["composers"] if c["name"] == name]
    return found


def _work(doc, composer, title_start):
    (found,) = [w for w in _composer(doc, composer)["works"] if w["title"].startswith(title_start)]
    return found


def test_the_document_has_exactly_the_contracts_shape(library):
    _, doc, _ = library
    assert set(doc) == {"composers"}
    for composer in doc["composers"]:
        assert set(composer) == {"name", "works"} and isinstance(composer["name"], str)
        for work in composer["works"]:
            assert set(work) == {"title", "catalogue", "recordings"}
            assert work["catalogue"] is None or isinstance(work["catalogue"], str)
            for recording in work["recordings"]:
                assert set(recording) == {"performers", "year", "album", "tracks"}
                assert recording["year"] is None or isinstance(recording["year"], int)
                for track in recording["tracks"]:
                    assert set(track) == {"path", "number", "title", "duration_s"}
                    assert isinstance(track["duration_s"], float) and track["duration_s"] > 0


def test_composers_in_family_name_order_each_once_whatever_the_spelling(library):
    _, doc, _ = library
    assert [c["name"] for c in doc["composers"]] == [
        "Johann Sebastian Bach",
        "Ludwig van Beethoven",  # "Beethoven, Ludwig van" on two albums
        "Johannes Brahms",  # from an untagged folder
        "Antonín Dvořák",  # "Antonin Dvorak" on the FLAC album
        "Joseph Haydn",
        "Wolfgang Amadeus Mozart",  # ARTIST=Mozart without COMPOSER, and a tagged opera
    ]


def test_two_recordings_of_one_symphony_stay_two_recordings_in_movement_order(library):
    _, doc, _ = library
    symphony = _work(doc, "Ludwig van Beethoven", "Symphony No. 5")
    assert symphony["catalogue"] == "Op. 67"
    furtwangler, karajan, kleiber = symphony["recordings"]  # none played yet: oldest first
    assert (furtwangler["performers"], furtwangler["year"]) == (
        "Furtwängler, Berliner Philharmoniker",
        1943,
    )
    assert [t["title"] for t in furtwangler["tracks"]] == ["Allegro con brio", "Andante con moto"]
    assert (karajan["performers"], karajan["year"]) == (
        "Berliner Philharmoniker · Herbert von Karajan",
        1963,
    )
    assert (kleiber["performers"], kleiber["year"]) == (
        "Wiener Philharmoniker · Carlos Kleiber",
        1975,
    )
    assert kleiber["album"] == "Beethoven 5"  # the disc set is one recording
    for recording in (karajan, kleiber):
        assert [t["title"] for t in recording["tracks"]] == [
            "Allegro con brio",
            "Andante con moto",
            "Scherzo. Allegro",
            "Allegro",
        ]
        assert [t["number"] for t in recording["tracks"]] == [1, 2, 3, 4]
    assert {t["path"].split("/")[-3] for t in kleiber["tracks"]} == {"Kleiber 1975"}


def test_opus_spellings_are_one_work(library):
    _, doc, _ = library
    quartet = _work(doc, "Ludwig van Beethoven", "String Quartet No. 1")
    assert quartet["catalogue"] == "Op. 18 No. 1"
    assert [r["performers"] for r in quartet["recordings"]] == [
        "Alban Berg Quartett",
        "Emerson String Quartet",
    ]
    assert len(_composer(doc, "Ludwig van Beethoven")["works"]) == 2


def test_diacritics_and_formats_do_not_split_a_work(library):
    _, doc, _ = library
    (new_world,) = _composer(doc, "Antonín Dvořák")["works"]
    assert new_world["catalogue"] == "Op. 95"
    assert sorted(r["performers"] for r in new_world["recordings"]) == [
        "Ferenc Fricsay",
        "London Symphony Orchestra · István Kertész",
    ]
    for recording in new_world["recordings"]:
        assert [t["title"] for t in recording["tracks"]] == ["Adagio – Allegro molto", "Largo"]


def test_untagged_folders_give_performers_year_and_the_file_numbers_order(library):
    _, doc, _ = library
    (symphony,) = _composer(doc, "Johannes Brahms")["works"]
    assert symphony["title"] == "Symphony No. 4"
    (recording,) = symphony["recordings"]
    assert (recording["performers"], recording["year"]) == (
        "Carlos Kleiber, Wiener Philharmoniker",
        1980,
    )
    assert [(t["number"], t["title"]) for t in recording["tracks"]] == [
        (1, "Allegro non troppo"),
        (2, "Andante moderato"),
        (3, "Allegro giocoso"),
        (4, "Allegro energico e passionato"),
    ]


def test_mvt_titles_give_the_order(library):
    _, doc, _ = library
    (sonata,) = _composer(doc, "Joseph Haydn")["works"]
    assert sonata["catalogue"] == "Hob. XVI:52"
    (recording,) = sonata["recordings"]
    assert [(t["number"], t["title"]) for t in recording["tracks"]] == [
        (1, "Adagio"),
        (2, "Allegro"),
        (3, "Presto"),
    ]


def test_artist_as_composer_is_not_shown_as_performer(library):
    _, doc, _ = library
    requiem = _work(doc, "Wolfgang Amadeus Mozart", "Requiem")
    (recording,) = requiem["recordings"]
    assert recording["performers"] == ""
    assert [t["title"] for t in recording["tracks"]] == ["Introitus", "Kyrie"]


def test_two_works_on_one_album_and_an_opera_over_two_discs(library):
    _, doc, _ = library
    bach = _composer(doc, "Johann Sebastian Bach")["works"]
    assert [(w["catalogue"], len(w["recordings"][0]["tracks"])) for w in bach] == [
        ("BWV 1046", 2),
        ("BWV 1047", 1),
    ]
    figaro = _work(doc, "Wolfgang Amadeus Mozart", "Le nozze di Figaro")
    (recording,) = figaro["recordings"]
    assert [t["title"] for t in recording["tracks"]] == [
        "Act I: Overture",
        "Act I: No. 1 Duettino",
        "Act II: No. 10 Cavatina",
    ]


def test_scan_reports_on_stderr_and_a_bad_file_is_a_problem_not_a_failure(
    library, tmp_path, capsys
):
    _, _, err = library
    assert "Scanned 33 files: 33 new" in err
    broken = tmp_path / "music" / "broken.flac"
    broken.parent.mkdir()
    broken.write_bytes(b"not audio at all")
    assert (
        main(["scan", "--profile", str(tmp_path / "p"), "--no-analysis", str(broken.parent)]) == 0
    )
    err = capsys.readouterr().err
    assert f"problem: {broken}: Not an audio file" in err and "1 problems" in err


def test_the_most_played_recording_comes_first(library, capsys):
    profile, _, _ = library
    db = open_database(profile / "continuo.db")
    kleiber = [t for t in all_tracks(db) if "Kleiber 1975" in t.path]
    for track in kleiber[:2]:
        end_play(db, start_play(db, int(track.id or 0), "user"), 45_000, "skipped")  # heard
    short = start_play(db, int(kleiber[2].id or 0), "user")
    end_play(db, short, 3_000, "skipped")  # a quick skip is not a heard play
    db.close()
    assert main(["library", "--profile", str(profile), "--json"]) == 0
    symphony = _work(json.loads(capsys.readouterr().out), "Ludwig van Beethoven", "Symphony No. 5")
    assert [r["year"] for r in symphony["recordings"]] == [1975, 1943, 1963]
