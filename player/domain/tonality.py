"""Keys and how they relate: what makes a transition from one work to the next sound smooth.

Related keys, as a radio producer hears them: the same key, the relative major or minor
(C major ↔ A minor), and the dominant and subdominant (a fifth up or down, in either mode, so
E major → A minor, the dominant resolving, counts).
"""

from __future__ import annotations

from player.domain.catalogue import MusicalKey, musical_key

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHIFT = {"-flat": -1, "-sharp": 1}
UNKNOWN = -1


def key_code(key: MusicalKey | None) -> int:
    """``pitch class * 2 + (1 if minor)``, or :data:`UNKNOWN`: keys compared as small ints."""
    if key is None or key.tonic[:1] not in _LETTERS:
        return UNKNOWN
    pitch = _LETTERS[key.tonic[:1]] + _SHIFT.get(key.tonic[1:], 0)
    return (pitch % 12) * 2 + (key.mode == "minor")


def parse_key(text: str | None) -> MusicalKey | None:
    """A key as written in a title or by the analysis ("A minor", "E-flat major", "Es-Dur")."""
    if not text:
        return None
    return musical_key(text if " in " in f" {text}" else f"in {text}") or musical_key(text)


def relation(before: int, after: int) -> str | None:
    """How key ``after`` follows key ``before`` (codes from :func:`key_code`), if related."""
    if UNKNOWN in (before, after):
        return None
    pitch_a, minor_a = divmod(before, 2)
    pitch_b, minor_b = divmod(after, 2)
    if before == after:
        return "same key"
    relative = (pitch_a + 9) % 12 if not minor_a else (pitch_a + 3) % 12
    if minor_a != minor_b and pitch_b == relative:
        return "relative key"
    step = (pitch_b - pitch_a) % 12
    return {7: "dominant", 5: "subdominant"}.get(step)


def key_name(code: int) -> str:
    """ "A minor", "E-flat major" for a code (flats spelled as most titles do)."""
    pitch, minor = divmod(code, 2)
    names = ["C", "D-flat", "D", "E-flat", "E", "F", "F-sharp", "G", "A-flat", "A", "B-flat", "B"]
    return f"{names[pitch]} {'minor' if minor else 'major'}"
