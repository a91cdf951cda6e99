"""Composer identity: every spelling of one composer's name gives one key, and only theirs."""

from __future__ import annotations

import pytest

from player.domain.composers import (
    UNKNOWN_COMPOSER,
    composer_aliases,
    composer_id,
    family_name,
    is_known_composer,
    same_composer,
    split_name,
)
from player.domain.text import fold, fold_words

SPELLINGS = {
    "Johann Sebastian Bach": [
        "Johann Sebastian Bach",
        "Bach, Johann Sebastian",
        "J.S. Bach",
        "J. S. Bach",
        "JS Bach",
        "Bach, J.S.",
        "BACH",
        "bach",
        "Bach (1685-1750)",
    ],
    "Carl Philipp Emanuel Bach": ["C.P.E. Bach", "Carl Philipp Emanuel Bach", "Bach, C. P. E."],
    "Ludwig van Beethoven": [
        "Ludwig van Beethoven",
        "Beethoven, Ludwig van",
        "Beethoven",
        "L. van Beethoven",
        "Beethoven, L. van",
        "LUDWIG VAN BEETHOVEN",
    ],
    "Pyotr Ilyich Tchaikovsky": [
        "Tchaikovsky",
        "Pyotr Ilyich Tchaikovsky",
        "Tschaikowsky, Peter",
        "Peter Iljitsch Tschaikowsky",
        "Čajkovskij, Pëtr Il'ič",
        "Chaikovsky",
        "P. I. Tchaikovsky",
        "Piotr Ilitch Tchaïkovski",
        "Tchaikowsky",
        "Czajkowski",
    ],
    "Sergei Rachmaninoff": [
        "Rachmaninoff",
        "Sergei Rachmaninov",
        "Sergej Rachmaninow",
        "Rachmaninov, Sergei",
        "Serge Rachmaninoff",
    ],
    "Antonín Dvořák": [
        "Antonín Dvořák",
        "Antonin Dvorak",
        "Dvořák, Antonín",
        "DVORAK",
        "A. Dvořák",
    ],
    "George Frideric Handel": [
        "Georg Friedrich Händel",
        "George Frideric Handel",
        "Handel",
        "Händel, Georg Friedrich",
        "Haendel",
        "G. F. Handel",
    ],
    "Arnold Schoenberg": [
        "Arnold Schönberg",
        "Schoenberg",
        "Schönberg, Arnold",
        "Arnold Schonberg",
    ],
    "Sergei Prokofiev": ["Prokofiev", "Sergei Prokofieff", "Sergej Prokofjew", "Prokofiev, Sergey"],
    "Igor Stravinsky": ["Igor Stravinsky", "Igor Strawinsky", "Stravinskij", "Strawinski, Igor"],
    "Modest Mussorgsky": ["Mussorgsky", "Modest Musorgsky", "Moussorgski", "Mussorgskij, Modest"],
    "Dmitri Shostakovich": ["Dmitri Shostakovich", "Schostakowitsch", "Chostakovitch, Dmitri"],
    "Nikolai Rimsky-Korsakov": ["Rimsky-Korsakov", "Nikolai Rimski-Korsakow", "Rimskij-Korsakov"],
    "Joseph Haydn": ["Haydn", "Joseph Haydn", "Franz Joseph Haydn", "Haydn, Franz Joseph"],
    "Michael Haydn": ["Michael Haydn", "Haydn, Johann Michael"],
    "Wolfgang Amadeus Mozart": ["Mozart", "W. A. Mozart", "Mozart, Wolfgang Amadeus"],
    "Felix Mendelssohn": [
        "Felix Mendelssohn",
        "Mendelssohn Bartholdy, Felix",
        "Felix Mendelssohn-Bartholdy",
    ],
    "Ralph Vaughan Williams": [
        "Ralph Vaughan Williams",
        "Vaughan Williams, Ralph",
        "Vaughan Williams",
    ],
    "Camille Saint-Saëns": ["Camille Saint-Saëns", "Saint-Saens", "Saint Saëns, Camille"],
    "Arvo Pärt": ["Arvo Pärt", "Arvo Part", "Paert"],
    "Hildegard von Bingen": ["Hildegard von Bingen", "Bingen, Hildegard von"],
}


@pytest.mark.parametrize(
    ("name", "spelling"), [(n, s) for n, spellings in SPELLINGS.items() for s in spellings]
)
def test_every_spelling_names_the_composer(name, spelling):
    found = composer_id(spelling)
    assert found.name == name
    assert found.key == composer_id(name).key


def test_composers_of_one_family_stay_apart():
    keys = {composer_id(n).key for n in ("J.S. Bach", "C.P.E. Bach", "J.C. Bach", "W.F. Bach")}
    assert len(keys) == 4
    assert not same_composer("Joseph Haydn", "Michael Haydn")
    assert not same_composer("Richard Strauss", "Johann Strauss")
    assert not same_composer("Leopold Mozart", "Mozart")
    assert not same_composer("Fanny Mendelssohn", "Felix Mendelssohn")
    assert same_composer("Fanny Hensel", "Mendelssohn, Fanny")
    assert not same_composer("Clara Schumann", "Schumann")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jan Dismas Zelenka", "Zelenka, Jan Dismas"),
        ("Gösta Nystroem", "Nystroem, Gösta"),
        ("Gösta Nystroem", "Gosta Nystroem"),
        ("Fanny Hensel", "HENSEL, FANNY"),
    ],
)
def test_names_outside_the_table_agree_in_either_order_case_and_accents(a, b):
    assert same_composer(a, b)


def test_unknown_composer_sorts_last_and_family_names_order_the_rest():
    names = ["Zelenka", "", "Johann Sebastian Bach", "Ludwig van Beethoven", "Vaughan Williams"]
    ordered = sorted((composer_id(n) for n in names), key=lambda c: c.sort_key)
    assert [c.name for c in ordered] == [
        "Johann Sebastian Bach",
        "Ludwig van Beethoven",
        "Ralph Vaughan Williams",
        "Jan Dismas Zelenka",
        UNKNOWN_COMPOSER,
    ]
    assert not composer_id("  ").known


@pytest.mark.parametrize(
    ("name", "given", "family"),
    [
        ("Bach, Johann Sebastian", "Johann Sebastian", "Bach"),
        ("Johann Sebastian Bach", "Johann Sebastian", "Bach"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Ralph Vaughan Williams", "Ralph", "Vaughan Williams"),
        ("Josquin des Prez", "Josquin", "des Prez"),
        ("Bach", "", "Bach"),
    ],
)
def test_split_name(name, given, family):
    assert split_name(name) == (given, family)


def test_family_name_and_known_composers():
    assert family_name("Ludwig van Beethoven") == "Beethoven"
    assert family_name("Bach, J.S.") == "Bach"
    assert is_known_composer("Tschaikowsky") and not is_known_composer("Glenn Gould")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dvořák", "dvorak"),
        ("  Händel ", "handel"),
        ("Ørsted", "orsted"),
        ("Łukaszewski", "lukaszewski"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_words_drops_punctuation():
    assert fold_words("Saint-Saëns") == "saint saens" and fold_words("Op. 18") == "op 18"


def test_a_musicbrainz_id_joins_spellings_preferring_a_name_the_table_knows():
    mbid = "9ddd7abc-9e1b-471d-8031-583bc6bc8be9"
    tagged = [
        (mbid, "петр ильич чаиковскии", "Пётр Ильич Чайковский", 5),
        (mbid.upper(), "pyotr ilyich tchaikovsky", "Tchaikovsky", 1),
        ("other-id", "anna magdalena", "Anna Magdalena", 2),
        ("other-id", "a magdalena", "A. Magdalena", 3),
        ("", "nobody", "Nobody", 9),
    ]
    assert composer_aliases(tagged) == {
        "петр ильич чаиковскии": "pyotr ilyich tchaikovsky",
        "anna magdalena": "a magdalena",
    }
