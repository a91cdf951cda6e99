"""The key a title names: "Symphony No. 40 in G minor", "Messe in h-Moll", "Sonate en ré majeur".

What a key is (:class:`Key`) and a pure function over tag text (works, titles, albums): the
player's key estimate reports the notated key when the tags give one
(:func:`player.analysis.key.estimate_key`).

English ("in F sharp minor", "in Bb", "in E-flat major"; a key without a mode is major, as in
"Concerto in D"), German ("in fis-Moll", "Es-Dur", "h-moll"; H is B natural and B is B flat) and
French/Italian solfège ("en ré mineur", "in si bemolle maggiore").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")


@dataclass(frozen=True)
class Key:
    """A tonic pitch class (0 = C) and a mode."""

    tonic: int
    mode: str  # "major" or "minor"

    def __post_init__(self) -> None:
        if not 0 <= self.tonic < 12 or self.mode not in ("major", "minor"):
            raise ValueError(f"not a key: tonic {self.tonic!r}, mode {self.mode!r}")

    @property
    def name(self) -> str:
        """E.g. "F# minor", "Bb major" (the spelling most scores use for that key)."""
        names = _MAJOR_NAMES if self.mode == "major" else _MINOR_NAMES
        return f"{names[self.tonic]} {self.mode}"

    def shifted(self, semitones: int) -> Key:
        return Key((self.tonic + semitones) % 12, self.mode)


_LETTER = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTAL = {"sharp": 1, "#": 1, "♯": 1, "flat": -1, "b": -1, "♭": -1}
_ENGLISH = re.compile(
    r"\bin\s+([A-G])(?:\s*-?\s*(sharp|flat|#|♯|♭|b)(?![a-z]))?"
    r"(?:\s*-?\s*(major|minor|maj\.?|min\.?)(?![a-z]))?",
)
_GERMAN = re.compile(r"\b([A-Ha-h])(is|es|s)?\s*-\s*(dur|moll)\b", re.IGNORECASE)
_SOLFEGE = re.compile(
    r"\b(?:en|in)\s+(do|ut|re|mi|fa|sol|la|si)"
    r"(?:\s+(diese|bemol|diesis|bemolle))?\s+(majeur|mineur|maggiore|minore)\b",
    re.IGNORECASE,
)
_SOLFEGE_PC = {"do": 0, "ut": 0, "re": 2, "mi": 4, "fa": 5, "sol": 7, "la": 9, "si": 11}


def _plain(text: str) -> str:
    """Accents off (ré → re, bémol → bemol), so one pattern covers both spellings."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _english(text: str) -> Key | None:
    for m in _ENGLISH.finditer(text):
        letter, accidental, mode = m.group(1), m.group(2), m.group(3)
        after = text[m.end() : m.end() + 1]
        if mode is None and after.isalpha():
            continue  # "in Amsterdam", "in Bach's time"
        tonic = _LETTER[letter] + (_ACCIDENTAL[accidental.lower()] if accidental else 0)
        minor = mode is not None and mode.lower().startswith("min")
        return Key(tonic % 12, "minor" if minor else "major")
    return None


def _german(text: str) -> Key | None:
    for m in _GERMAN.finditer(text):
        letter, suffix, mode = m.group(1), (m.group(2) or "").lower(), m.group(3).lower()
        upper = letter.upper()
        if upper == "H":
            tonic = 11
        elif upper == "B":
            tonic = 10
        else:
            tonic = _LETTER[upper]
        if suffix == "is":
            tonic += 1
        elif suffix in ("es", "s"):
            tonic -= 1
        return Key(tonic % 12, "major" if mode == "dur" else "minor")
    return None


def _solfege(text: str) -> Key | None:
    m = _SOLFEGE.search(_plain(text))
    if m is None:
        return None
    tonic = _SOLFEGE_PC[m.group(1).lower()]
    accidental = (m.group(2) or "").lower()
    tonic += 1 if accidental.startswith("dies") else -1 if accidental.startswith("bemol") else 0
    minor = m.group(3).lower() in ("mineur", "minore")
    return Key(tonic % 12, "minor" if minor else "major")


def notated_key(*texts: str) -> Key | None:
    """The key the first text naming one names (e.g. a work's title, then the track's title,
    then the album), or None."""
    for text in texts:
        if not text:
            continue
        for parse in (_english, _german, _solfege):
            key = parse(text)
            if key is not None:
                return key
    return None


def shown_key(name: str) -> str:
    """A stored key name as people read it: "F# minor" → "F♯ minor", "Bb major" → "B♭ major"."""
    tonic, _, mode = name.strip().partition(" ")
    if len(tonic) == 2 and tonic[1] in "#b":
        tonic = tonic[0] + ("♯" if tonic[1] == "#" else "♭")
    return f"{tonic} {mode}".strip()


def recording_pitch(movements: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """A recording's key and concert pitch from its movements' ``(key, A4 Hz)`` in playing
    order (``''``/0 where unknown): the key of the first movement that has one (a work is "in"
    its first movement's key), the median A4 of those measured (one movement in a strange
    tuning does not move it)."""
    key = next((k for k, _ in movements if k), "")
    tunings = sorted(hz for _, hz in movements if hz > 0)
    middle = len(tunings) // 2
    if not tunings:
        return key, 0.0
    median = tunings[middle] if len(tunings) % 2 else (tunings[middle - 1] + tunings[middle]) / 2
    return key, median


def pitch_label(key: str, tuning_hz: float) -> str:
    """ "F♯ minor · A = 415 Hz": a recording's key and concert pitch as the window shows them
    (either alone when the other is unknown; '' when neither is)."""
    parts = [shown_key(key)] if key else []
    if tuning_hz > 0:
        parts.append(f"A = {tuning_hz:.0f} Hz")
    return " · ".join(parts)
