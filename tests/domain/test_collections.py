"""Which work titles name collections of separate pieces."""

from __future__ import annotations

import pytest

from player.domain.collections import is_collection


@pytest.mark.parametrize(
    "title",
    [
        "24 Préludes, Op. 28",
        "Études, Op. 10",
        "Nocturnes",
        "Lieder eines fahrenden Gesellen",
        "Fantasiestücke, Op. 12",
        "6 Moments musicaux, D. 780",
        "Two-Part Inventions",
    ],
)
def test_collections(title):
    assert is_collection(title)


@pytest.mark.parametrize(
    "title",
    [
        "Symphony No. 5 in C minor",
        "String Quartet, Op. 76 No. 3",
        "Piano Sonata No. 14",
        "Prelude in C-sharp minor",
        "Sonatas and Partitas",
    ],
)
def test_works_that_are_not(title):
    assert not is_collection(title)
