"""Related keys: same, relative, a fifth apart; everything else is not related."""

from __future__ import annotations

import pytest

from player.domain.tonality import UNKNOWN, key_code, key_name, parse_key, relation


def code(text: str) -> int:
    return key_code(parse_key(text))


@pytest.mark.parametrize(
    ("before", "after", "related"),
    [
        ("C major", "C major", "same key"),
        ("C major", "A minor", "relative key"),
        ("A minor", "C major", "relative key"),
        ("E-flat major", "C minor", "relative key"),
        ("C major", "G major", "dominant"),
        ("C major", "F major", "subdominant"),
        ("E major", "A minor", "subdominant"),  # the dominant resolving to its minor tonic
        ("D minor", "A minor", "dominant"),
        ("C major", "F-sharp major", None),
        ("C major", "C minor", None),
        ("C major", "E minor", None),
    ],
)
def test_relations(before, after, related):
    assert relation(code(before), code(after)) == related


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("A minor", "A minor"),
        ("Es-Dur", "E-flat major"),
        ("F# minor", "F-sharp minor"),
        ("si bémol majeur", "B-flat major"),
        ("C", "C major"),
    ],
)
def test_keys_are_read_as_titles_and_the_analysis_write_them(text, name):
    assert key_name(code(text)) == name


def test_no_key_is_unknown_and_related_to_nothing():
    assert code("Allegro") == UNKNOWN and parse_key(None) is None
    assert relation(UNKNOWN, code("C major")) is None
