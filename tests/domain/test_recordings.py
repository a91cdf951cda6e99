"""Recording identity: one performance of one work, however its album and performers are spelled."""

from __future__ import annotations

import pytest

from player.domain.recordings import (
    album_set,
    performer_line,
    recording_id,
    split_folder_recording,
    year_of,
)

WORK = "ludwig van beethoven / cat:op67"


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("Symphony No. 5 (Kleiber, VPO, 1975)", ("Symphony No. 5", "Kleiber, VPO", 1975)),
        (
            "Symphony No. 5 (Karajan; Berliner Philharmoniker; 1963)",
            ("Symphony No. 5", "Karajan; Berliner Philharmoniker", 1963),
        ),
        ("Goldberg Variations (Gould, 1981)", ("Goldberg Variations", "Gould", 1981)),
        ("Goldberg Variations [Gould 1955]", ("Goldberg Variations", "Gould", 1955)),
        ("Goldberg Variations (1955)", ("Goldberg Variations", "", 1955)),
        ("Symphony No. 3 (Eroica)", ("Symphony No. 3 (Eroica)", "", None)),
        ("Pictures (arr. Ravel)", ("Pictures (arr. Ravel)", "", None)),
        ("Symphony No. 5", ("Symphony No. 5", "", None)),
    ],
)
def test_untagged_folders_give_performers_and_year(folder, expected):
    assert split_folder_recording(folder) == expected


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("1975", 1975),
        ("1975-03-02", 1975),
        ("p1975", 1975),
        ("2003/2004", 2003),
        ("", None),
        ("12", None),
    ],
)
def test_year_of(date, year):
    assert year_of(date) == year


@pytest.mark.parametrize(
    ("album", "base"),
    [
        ("Mahler 9 (CD 2)", "Mahler 9"),
        ("Mahler 9 [Disc 1]", "Mahler 9"),
        ("Mahler 9 - CD1", "Mahler 9"),
        ("Mahler 9, Disc 2 of 2", "Mahler 9"),
        ("Mahler 9 disk 2", "Mahler 9"),
        ("Mahler 9", "Mahler 9"),
        ("CD 1", "CD 1"),
    ],
)
def test_disc_sets_are_one_album(album, base):
    assert album_set(album) == base


def test_one_recording_however_its_performers_are_ordered_or_its_discs_named():
    a = recording_id(
        WORK, performers="Kleiber · Wiener Philharmoniker", album="Fifth (CD 1)", year=1975
    )
    b = recording_id(
        WORK, performers="Wiener Philharmoniker; KLEIBER", album="Fifth (CD 2)", year=1975
    )
    assert a.key == b.key and a.label == "Kleiber · Wiener Philharmoniker, 1975"


def test_two_recordings_of_one_work_differ():
    kleiber = recording_id(WORK, performers="Kleiber", album="Fifth", year=1975)
    karajan = recording_id(WORK, performers="Karajan", album="Fifth", year=1963)
    other_album = recording_id(WORK, performers="Kleiber", album="Live", year=1975)
    assert len({kleiber.key, karajan.key, other_album.key}) == 3


def test_release_id_and_folder_stand_for_the_release():
    by_id = recording_id(WORK, performers="", album="A", year=None, release_mbid="ABC")
    same = recording_id(WORK, performers="", album="B", year=None, release_mbid="abc")
    assert by_id.key == same.key
    here = recording_id(WORK, performers="", album="", year=None, folder="/m/x")
    there = recording_id(WORK, performers="", album="", year=None, folder="/m/y")
    assert here.key != there.key


def test_performer_line_drops_the_composer_and_repeats():
    line = performer_line(
        ["Beethoven", "Wiener Philharmoniker", "wiener philharmoniker", "Carlos Kleiber"],
        drop=lambda name: name == "Beethoven",
    )
    assert line == "Wiener Philharmoniker · Carlos Kleiber"
