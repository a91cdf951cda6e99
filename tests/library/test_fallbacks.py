"""Guessing work, movement, composer and title when tags are missing; sanitising tag values."""

from __future__ import annotations

import pytest

from player.library.fallbacks import composer_and_work_from_folders, title_from_filename
from player.library.tags import read_track
from player.library.textclean import (
    clean_text,
    parse_gain,
    parse_peak,
    parse_position,
    roman_to_int,
)
from tests.library.audio_files import tag_vorbis, write_audio


@pytest.mark.parametrize(
    ("stem", "title"),
    [
        ("03 - Allegro assai", "Allegro assai"),
        ("1-03 Presto", "Presto"),
        ("07. Sarabande", "Sarabande"),
        ("12_Gigue_in_G", "Gigue in G"),
        ("Air on the G String", "Air on the G String"),
        ("1812 Overture", "1812 Overture"),
        ("05", "05"),
    ],
)
def test_title_from_filename_strips_track_numbers(stem, title):
    assert title_from_filename(stem) == title


@pytest.mark.parametrize(
    ("folders", "expected"),
    [
        (["Bach - Cantatas"], ("Bach", "Cantatas")),
        (["Baroque", "Bach - Cantatas"], ("Bach", "Cantatas")),
        (["Bach", "Goldberg Variations"], ("Bach", "Goldberg Variations")),
        (["Bach", "Keyboard", "Goldberg Variations"], ("Bach", "Goldberg Variations")),
        (["Goldberg Variations"], ("", "Goldberg Variations")),
        ([], ("", "")),
    ],
)
def test_composer_and_work_from_folders(folders, expected):
    assert composer_and_work_from_folders(folders) == expected


def _read_untagged(tmp_path, relative, **tags):
    path = write_audio(tmp_path / relative)
    if tags:
        tag_vorbis(path, **tags)
    return read_track(path, size=path.stat().st_size, mtime_ns=1, root=tmp_path)[0]


def test_untagged_file_in_composer_work_disc_folders(tmp_path):
    track = _read_untagged(
        tmp_path, "Beethoven - Symphonies/CD2/03 Symphony No. 5: IV. Allegro.flac"
    )
    assert track.composer == "Beethoven"
    assert track.work == "Symphony No. 5"  # the title's "Work: Movement" beats the folder
    assert (track.movement, track.movement_number, track.disc_number) == ("Allegro", 4, 2)
    assert track.title == "Symphony No. 5: IV. Allegro"
    assert track.item_key == "beethoven | symphony no. 5 | allegro | "


def test_numbered_title_under_a_tagged_album(tmp_path):
    track = _read_untagged(
        tmp_path, "x/01.ogg", title="III. Menuetto", album="Quartet in G", composer="Haydn"
    )
    assert (track.work, track.movement, track.movement_number, track.composer) == (
        "Quartet in G",
        "Menuetto",
        3,
        "Haydn",
    )


def test_tags_always_win_over_fallbacks(tmp_path):
    track = _read_untagged(
        tmp_path,
        "Bach - Cantatas/02 II. Aria.ogg",
        title="II. Aria",
        composer="Telemann",
        work="Cantata",
        movement="5",
    )
    assert (track.composer, track.work, track.movement, track.movement_number) == (
        "Telemann",
        "Cantata",
        "Aria",
        5,
    )


def test_a_plain_title_without_work_is_not_a_movement(tmp_path):
    track = _read_untagged(tmp_path, "song.ogg", title="Greensleeves")
    assert (track.title, track.work, track.movement) == ("Greensleeves", "", "")


@pytest.mark.parametrize(
    ("raw", "gain"),
    [
        ("\u22123.2 dB", -3.2),
        ("-3.20 dB", -3.2),
        ("+1,5 dB", 1.5),
        ("2", 2.0),
        (" \u2013 0.5dB", -0.5),
        ("nan", None),
        ("dB", None),
        ("-99 dB", None),
        (b"-1.0 dB", -1.0),
    ],
)
def test_parse_gain(raw, gain):
    assert parse_gain(raw) == (pytest.approx(gain) if gain is not None else None)


def test_parse_peak_and_positions():
    assert parse_peak("0.5") == 0.5 and parse_peak("-0.1") is None and parse_peak("1e9") is None
    assert parse_position("3/12") == (3, 12)
    assert parse_position("IV") == (4, None)
    assert parse_position((5, 9)) == (5, 9)
    assert parse_position("0/0") == (None, None)
    assert parse_position("12345678901234567890") == (None, None)
    assert [roman_to_int(r) for r in ("I", "IV", "IX", "XIV", "MM", "")] == [
        1,
        4,
        9,
        14,
        None,
        None,
    ]


def test_clean_text():
    assert clean_text("  a\n\tb  ") == "a b"
    assert clean_text("\x00\x01\x02\x03\x04\x05abc") == ""  # mostly binary: dropped
    assert clean_text("x" * 1000, limit=10) == "x" * 9 + "…"
    assert clean_text(b"caf\xc3\xa9") == "café"
