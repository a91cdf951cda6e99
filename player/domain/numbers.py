"""Roman numerals, as movements, acts and catalogue volumes are numbered."""

from __future__ import annotations

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_to_int(text: str) -> int | None:
    """``"IV"`` → 4 for numerals up to C; None when ``text`` is not one."""
    text = text.upper()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for c, following in zip(text, text[1:] + " ", strict=True):
        value = _ROMAN[c]
        total += -value if following != " " and _ROMAN[following] > value else value
    return total if 0 < total <= 100 else None
