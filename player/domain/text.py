"""Folding names for comparison: case, diacritics, punctuation and spacing noise.

Two spellings are the same name when their folded forms are equal: "Dvořák" and "DVORAK",
"Händel" and "Handel", "Saint-Saëns" and "Saint Saens". Folding is for identity and search only;
what the listener sees keeps the tag's own spelling. Both folds are cached: tags repeat (one
composer, album and ensemble per dozen files), and a scan folds each several times.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
    }
)
_NOT_WORD = re.compile(r"[\W_]+")  # letters of any script stay


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-free text with spacing collapsed: ``"  Dvořák "`` → ``"dvorak"``.

    Punctuation is kept (``fold_words`` drops it), so "Op. 18" and "Op 18" still differ here.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=65536)
def fold_words(text: str) -> str:
    """``fold`` with every run of non-alphanumerics as one space: ``"Saint-Saëns"`` → ``"saint saens"``."""
    return " ".join(_NOT_WORD.split(fold(text))).strip()


def key_part(text: str) -> str:
    """Lower-cased, whitespace-collapsed: how the model's item and artist keys are spelled.

    Deliberately weaker than :func:`fold`: trained models' vocabularies use this spelling
    (docs/architecture.md, "Item keys"), so changing it would orphan every trained model.
    """
    return " ".join(text.lower().split())
