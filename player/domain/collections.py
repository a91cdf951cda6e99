"""Collections: works whose movements are pieces of their own (24 Preludes, Lieder, Nocturnes).

A listener fills a time budget with one prelude as readily as with a whole symphony, so each
piece of a collection counts as a unit for time budgets, where a symphony's movement never does.
"""

from __future__ import annotations

from player.domain.text import fold_words

COLLECTION_WORDS = frozenset(
    {
        *("preludes", "etudes", "studies", "nocturnes", "impromptus", "mazurkas", "waltzes"),
        *("valses", "polonaises", "ballades", "scherzi", "intermezzi", "bagatelles", "caprices"),
        *("capricci", "songs", "lieder", "melodies", "pieces", "stucke", "klavierstucke"),
        *("fantasiestucke", "moments", "inventions", "sinfonias", "canzonettas", "madrigals"),
        "motets",
    }
)
"""Plural genre names that make a work title a collection ("24 Preludes, Op. 28")."""


def is_collection(title: str) -> bool:
    """Whether a work's title names a collection of separate pieces."""
    return any(word in COLLECTION_WORDS for word in fold_words(title).split())
