"""Catalogue numbers and keys: many spellings, one normalised form each."""

from __future__ import annotations

import pytest

from player.domain.catalogue import catalogue_numbers, musical_key

CATALOGUES = [
    ("String Quartet No. 1 in F major, Op.18 No.1", "Op. 18 No. 1", "op18.1"),
    ("String Quartet No. 1, Op. 18 No. 1", "Op. 18 No. 1", "op18.1"),
    ("Quartet op 18, no 1", "Op. 18 No. 1", "op18.1"),
    ("Quartett Op. 18 Nr. 1", "Op. 18 No. 1", "op18.1"),
    ("Quartet Op. 18/1", "Op. 18 No. 1", "op18.1"),
    ("Symphony No. 5, Op.67", "Op. 67", "op67"),
    ("Symphony No. 5, Opus 67", "Op. 67", "op67"),
    ("Mazurka Op. posth. 68", "Op. 68", "op68"),
    ("Symphony No. 40 in G minor, K. 550", "K. 550", "k550"),
    ("Symphony No. 40, KV 550", "K. 550", "k550"),
    ("Symphonie Nr. 40 g-moll KV550", "K. 550", "k550"),
    ("Sonata K.331", "K. 331", "k331"),
    ("Piano Sonata K. 331/300i", "K. 331", "k331"),
    ("Sonata in E major, Kk. 380", "K. 380", "k380"),
    ("Cello Suite No. 1 in G major, BWV 1007", "BWV 1007", "bwv1007"),
    ("Suite BWV1007", "BWV 1007", "bwv1007"),
    ("Mass in B minor, BWV 232", "BWV 232", "bwv232"),
    ("Piano Sonata Hob. XVI:52", "Hob. XVI:52", "hobxvi:52"),
    ("Sonata Hob.XVI/52", "Hob. XVI:52", "hobxvi:52"),
    ("Symphony No. 94, Hob. I:94", "Hob. I:94", "hobi:94"),
    ("Piano Sonata in B-flat, D. 960", "D 960", "d960"),
    ("Sonata D960", "D 960", "d960"),
    ("Winterreise, D.911", "D 911", "d911"),
    ("The Four Seasons: Spring, RV 269", "RV 269", "rv269"),
    ("Messiah, HWV 56", "HWV 56", "hwv56"),
    ("Piano Sonata in B minor, S. 178", "S. 178", "s178"),
    ("Sonata S178", "S. 178", "s178"),
    ("Sonata in B minor, LW A179", "LW A179", "lwa179"),
    ("Für Elise, WoO 59", "WoO 59", "woo59"),
    ("Für Elise WoO59", "WoO 59", "woo59"),
    ("Praeludium in C, BuxWV 137", "BuxWV 137", "buxwv137"),
    ("Concerto for Orchestra, Sz. 116", "Sz. 116", "sz116"),
    ("Concerto for Orchestra, Sz 116", "Sz. 116", "sz116"),
    ("Overture-Suite, TWV 55:e1", "TWV 55:e1", "twv55:e1"),
]


@pytest.mark.parametrize(("title", "display", "key"), CATALOGUES)
def test_catalogue_numbers(title, display, key):
    (first, *_) = catalogue_numbers(title)
    assert (first.display, first.key) == (display, key)


@pytest.mark.parametrize(
    "title", ["Symphony No. 5", "Bach's 2 suites", "Symphony in D", "1812 Overture", "Kinderszenen"]
)
def test_titles_without_a_catalogue_number(title):
    assert catalogue_numbers(title) == []


KEYS = [
    ("Symphony No. 5 in C minor", "C minor"),
    ("Sinfonie Nr. 5 c-moll", "C minor"),
    ("Sinfonie Nr. 5 C-Moll", "C minor"),
    ("Symphonie n° 5 en ut mineur", "C minor"),
    ("Sinfonia n. 5 in do minore", "C minor"),
    ("Symphony in C", "C major"),
    ("Symphony No. 3 in E flat, Op. 55", "E-flat major"),
    ("Symphony No. 3 in E-flat major", "E-flat major"),
    ("Sinfonie Nr. 3 Es-Dur", "E-flat major"),
    ("Symphonie n° 3 en mi bémol majeur", "E-flat major"),
    ("Concerto in Eb major", "E-flat major"),
    ("Messe h-moll", "B minor"),
    ("Mass in B minor", "B minor"),
    ("Sonate B-Dur", "B-flat major"),
    ("Sonata in B-flat major", "B-flat major"),
    ("Prelude in C-sharp minor", "C-sharp minor"),
    ("Prélude cis-moll", "C-sharp minor"),
    ("Prelude in C# minor", "C-sharp minor"),
    ("Étude en ut dièse mineur", "C-sharp minor"),
    ("Sonata fis-moll", "F-sharp minor"),
    ("Quartet As-Dur", "A-flat major"),
    ("Cuarteto en re menor", "D minor"),
]


@pytest.mark.parametrize(("title", "key"), KEYS)
def test_musical_keys(title, key):
    found = musical_key(title)
    assert found is not None and found.display == key


def test_no_key_without_one():
    assert musical_key("Symphony No. 5") is None and musical_key("Goldberg Variations") is None
