"""Movement order and numbers from titles and file names."""

from __future__ import annotations

import pytest

from player.domain.movements import (
    act_of,
    file_position,
    movement_order,
    parse_movement,
    split_act,
    strip_file_number,
)

MOVEMENTS = [
    ("I. Allegro con brio", 1, "Allegro con brio"),
    ("IV. Finale: Presto", 4, "Finale: Presto"),
    ("IV - Finale", 4, "Finale"),
    ("iii. Menuetto", 3, "Menuetto"),
    ("3. Presto", 3, "Presto"),
    ("2) Andante", 2, "Andante"),
    ("Mvt. 1 – Adagio", 1, "Adagio"),
    ("Mvt 2: Scherzo", 2, "Scherzo"),
    ("Mvmt. 3 - Rondo", 3, "Rondo"),
    ("Movement 3 - Rondo", 3, "Rondo"),
    ("No. 4: Aria", 4, "Aria"),
    ("No. 12 Chorus", 12, "Chorus"),
    ("Nr. 5 Chor", 5, "Chor"),
    ("2. Satz: Andante", 2, "Andante"),
    ("Part II: Allegro", 2, "Allegro"),
]


@pytest.mark.parametrize(("title", "number", "name"), MOVEMENTS)
def test_numbered_movements(title, number, name):
    assert parse_movement(title) == (number, name)


@pytest.mark.parametrize(
    "title", ["Allegro", "Act I: Scene 1", "Akt II: Vorspiel", "3 Presto", "1812", "Largo in G"]
)
def test_unnumbered_titles_stay_whole(title):
    assert parse_movement(title) == (None, title)


def test_opera_acts_are_a_level_of_display():
    assert act_of("Act II: No. 10 Aria") == "Act II" and act_of("Overture") == ""
    assert split_act("Act II: No. 10 Aria") == ("Act II", "No. 10 Aria")
    assert split_act("2. Akt - Vorspiel") == ("", "2. Akt - Vorspiel")
    assert split_act("Akt III – Vorspiel") == ("Akt III", "Vorspiel")
    assert split_act("Act I") == ("Act I", "Act I")


@pytest.mark.parametrize(
    ("stem", "position", "rest"),
    [
        ("01 - Allegro", (None, 1), "Allegro"),
        ("1-03 Presto", (1, 3), "Presto"),
        ("2.05 Largo", (2, 5), "Largo"),
        ("07. Largo", (None, 7), "Largo"),
        ("03_title", (None, 3), "title"),
        ("12 Gigue", (None, 12), "Gigue"),
        ("Largo", (None, None), "Largo"),
        ("1812 Overture", (None, None), "1812 Overture"),
    ],
)
def test_file_names_give_disc_and_track(stem, position, rest):
    assert file_position(stem) == position
    assert strip_file_number(stem) == rest


def _order(**kw):
    base = {"disc": None, "movement": None, "track": None, "stem": "", "title": ""}
    return movement_order(**{**base, **kw})


def test_movement_order_disc_then_movement_then_track_then_file_name():
    rows = {
        "d2": _order(disc=2, movement=1),
        "m2": _order(movement=2, track=9),
        "m1": _order(movement=1, track=10),
        "t3": _order(track=3),
        "f4": _order(stem="04 - Finale"),
        "f1": _order(stem="01 - Allegro"),
        "none": _order(title="Zzz"),
    }
    assert sorted(rows, key=rows.get) == ["m1", "m2", "f1", "t3", "f4", "none", "d2"]
