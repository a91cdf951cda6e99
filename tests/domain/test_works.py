"""Work identity: the spellings of one work are one work; nicknames are shown, not compared."""

from __future__ import annotations

import pytest

from player.domain.works import nickname, work_aliases, work_id, work_key

SAME_WORK = [
    ["Symphony No. 5 in C minor, Op. 67", "Symphony No.5, Op.67", "Sinfonie Nr. 5 c-moll op. 67"],
    ["String Quartet No. 1, Op.18 No.1", "String Quartet No. 1, Op. 18 No. 1", "Quartet op. 18/1"],
    ["Symphony No. 5", "Symphony no 5", "Sinfonie Nr. 5", "Symphonie n° 5", "SYMPHONY NO. 5"],
    ["Symphony No. 5 in C minor", "Sinfonie Nr. 5 c-moll", "Symphony No. 5"],
    [
        'Symphony No. 3 "Eroica"',
        "Symphony No. 3 “Eroica”",
        "Symphony No. 3 'Eroica'",
        "Symphony No. 3",
    ],
    ["Mass in B minor", "Messe in h-Moll", "Missa in B minor"],
    ["Cello Suite No. 1, BWV 1007", "Suite for Cello No. 1 in G major, BWV1007"],
    ["Piano Sonata No. 14 'Moonlight'", "Piano Sonata No. 14", "Klaviersonate Nr. 14"],
    ["Concerto for Orchestra, Sz. 116", "Concerto for Orchestra (Sz 116)"],
]


@pytest.mark.parametrize("titles", SAME_WORK)
def test_spellings_of_one_work_share_a_key(titles):
    assert len({work_id(t).key for t in titles}) == 1, [work_id(t).key for t in titles]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Symphony No. 5", "Symphony No. 6"),
        ("String Quartet Op. 18 No. 1", "String Quartet Op. 18 No. 2"),
        ("Mass in B minor", "Mass in C minor"),
        ("Piano Sonata No. 14", "Violin Sonata No. 14"),
    ],
)
def test_different_works_differ(a, b):
    assert work_id(a).key != work_id(b).key


def test_nicknames_are_kept_for_display():
    work = work_id("Symphony No. 3 in E-flat major, Op. 55 “Eroica”")
    assert (work.nickname, work.catalogue) == ("Eroica", "Op. 55")
    assert work.title == "Symphony No. 3 in E-flat major, Op. 55 “Eroica”"
    assert nickname("Schubert's Quartets") == "" and nickname("Quartet «Rosamunde»") == "Rosamunde"


def test_musicbrainz_work_id_wins_and_the_composer_scopes_the_key():
    tagged = work_id("Sinfonie 5", mbid="6A3C0F31-0C55-4E5B-9C6B-0A9F7C1C7E6B")
    assert tagged.key == "mb:6a3c0f31-0c55-4e5b-9c6b-0a9f7c1c7e6b"
    op18 = work_id("Op. 18")
    assert work_key("ludwig van beethoven", op18) != work_key("frederic chopin", op18)


def test_a_title_without_its_catalogue_number_is_the_catalogued_work():
    works = [
        ("b", "b / cat:op67", "Symphony No. 5 in C minor, Op. 67"),
        ("b", "b / title:symphony 5", "Symphony No. 5 in C minor"),
        ("b", "b / cat:op55", "Symphony No. 3 “Eroica”, Op. 55"),
        ("b", "b / title:symphony 3", "Sinfonie Nr. 3"),
        ("b", "b / cat:op2.1", "Sonata Op. 2 No. 1"),
        ("b", "b / cat:op2.2", "Sonata Op. 2 No. 2"),
        ("b", "b / title:sonata", "Sonata"),  # names too little
        ("b", "b / cat:op18.1", "String Quartet No. 1, Op. 18 No. 1"),
        ("b", "b / cat:op59.1", "String Quartet No. 1, Op. 59 No. 1"),  # two candidates
        ("b", "b / title:string quartet 1", "String Quartet No. 1"),
        ("m", "m / title:symphony 5", "Symphony No. 5"),  # another composer
    ]
    assert work_aliases(works) == {
        "b / title:symphony 5": "b / cat:op67",
        "b / title:symphony 3": "b / cat:op55",
    }
