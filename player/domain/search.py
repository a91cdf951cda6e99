"""Library search as a classical listener types it: accents, case, punctuation and word order
do not matter ("dvorak" finds "Dvořák", "op 18" finds "Op.18", "bach johann" finds "Johann
Sebastian Bach"), and a row is found by any name it goes by (the tag's spelling and the
composer's canonical name, performers and conductor included)."""

from __future__ import annotations

from player.domain.text import fold_words


def search_text(*parts: str) -> str:
    """The text a query is matched against: every part folded, joined by spaces."""
    return " " + " ".join(fold_words(p) for p in parts if p) + " "


def query_terms(query: str) -> list[str]:
    """The words of a query, folded like :func:`search_text`; each must occur for a match."""
    return fold_words(query).split()


def matches(terms: list[str], text: str) -> bool:
    """Whether every term occurs in ``text`` (made by :func:`search_text`)."""
    return all(term in text for term in terms)
