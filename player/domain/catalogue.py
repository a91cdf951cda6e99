"""Catalogue numbers and keys in work titles, spelled one way.

"Op.18 No.1", "op. 18, no. 1" and "Op. 18/1" are one number; so are "K. 550", "KV 550" and
"K.550"; "c-moll", "C minor" and "ut mineur" are one key. Works are identified by these
(``player.domain.works``); the listener sees the normalised catalogue beside the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from player.domain.text import fold


@dataclass(frozen=True)
class CatalogueNumber:
    """One catalogue number: ``key`` compares ("op18.1"), ``display`` is shown ("Op. 18 No. 1")."""

    key: str
    display: str


# (pattern of the prefix as written, prefix as shown, separator between prefix and number)
_CATALOGUES: tuple[tuple[str, str, str], ...] = (
    (r"op(?:us)?\.?", "Op.", " "),
    (r"k(?:\.\s*)?v\.?|k\.|k(?=\s*\d)|kk\.?|k[öo]chel", "K.", " "),
    (r"bwv", "BWV", " "),
    (r"hob\.?", "Hob.", " "),
    (r"d\.|d(?=\s*\d)|deutsch", "D", " "),
    (r"rv", "RV", " "),
    (r"hwv", "HWV", " "),
    (r"s\.|s(?=\s*\d)|searle", "S.", " "),
    (r"lw", "LW", " "),
    (r"woo", "WoO", " "),
    (r"buxwv", "BuxWV", " "),
    (r"sz\.?", "Sz.", " "),
    (r"bb(?=\s*\d)", "BB", " "),
    (r"twv", "TWV", " "),
    (r"wq\.?", "Wq.", " "),
    (r"fp(?=\s*\d)", "FP", " "),
    (r"l\.(?=\s*\d)", "L.", " "),
    (r"b\.(?=\s*\d)", "B.", " "),
    (r"th(?=\s*\d)", "TH", " "),
)
_NUMBER = r"(?P<number>[ivxlc]+\s*[:/]\s*\d+[a-z]?|\d+\s*:\s*[a-z]*\d+|[a-z]?\d+[a-z]?)"
_SUB = r"(?:\s*(?:,\s*|/\s*|\s)\s*(?:no\.?|nr\.?|n[º°o]\.?|#)?\s*(?P<sub>\d+)\b)?"
_POSTHUMOUS = r"(?:\s*posth\.?)?"


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """The catalogues' patterns, compiled on first use: the window's start reads work keys the
    scan stored and compiles none of them."""
    return tuple(
        (
            re.compile(
                rf"(?<![\w'])(?:{prefix})\s*{_POSTHUMOUS}\s*{_NUMBER}{_SUB if shown == 'Op.' else ''}"
            ),
            shown,
            sep,
        )
        for prefix, shown, sep in _CATALOGUES
    )


def catalogue_numbers(title: str) -> list[CatalogueNumber]:
    """Every catalogue number in ``title``, in order of appearance."""
    return [c for _, _, c in _catalogue_spans(fold(title))]


def strip_catalogue(title: str) -> str:
    """``title`` folded, without its catalogue numbers ("symphony no. 5, op. 67" → "symphony no. 5, ")."""
    text = fold(title)
    for start, end, _ in reversed(_catalogue_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


def _catalogue_spans(text: str) -> list[tuple[int, int, CatalogueNumber]]:
    found: list[tuple[int, int, CatalogueNumber]] = []
    for pattern, shown, sep in _patterns():
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end, _ in found):
                continue
            number = re.sub(r"\s+", "", match.group("number"))
            if shown == "Hob.":
                number = number.upper().replace("/", ":")
            elif shown == "LW":
                number = number[0].upper() + number[1:]
            sub = match.groupdict().get("sub")  # only an opus is followed by "No. n"
            key = f"{shown.rstrip('.').lower()}{number.lower()}" + (f".{sub}" if sub else "")
            display = f"{shown}{sep}{number}" + (f" No. {sub}" if sub else "")
            found.append((match.start(), match.end(), CatalogueNumber(key, display)))
    return sorted(found, key=lambda f: f[0])


@dataclass(frozen=True)
class MusicalKey:
    """A key such as "E-flat major": ``key`` compares ("e flat major"), ``display`` is shown."""

    tonic: str  # "C", "E-flat", "F-sharp"
    mode: str  # "major" or "minor"

    @property
    def display(self) -> str:
        return f"{self.tonic} {self.mode}"

    @property
    def key(self) -> str:
        return fold(self.display).replace("-", " ")


_ACCIDENTALS = {
    "flat": "-flat",
    "b": "-flat",
    "♭": "-flat",
    "sharp": "-sharp",
    "#": "-sharp",
    "♯": "-sharp",
    "bemol": "-flat",
    "bemolle": "-flat",
    "diese": "-sharp",
    "diesis": "-sharp",
    "sostenido": "-sharp",
}
_SOLFEGE = {"ut": "C", "do": "C", "re": "D", "mi": "E", "fa": "F", "sol": "G", "la": "A", "si": "B"}
_MODES = {
    "major": "major",
    "minor": "minor",
    "dur": "major",
    "moll": "minor",
    "majeur": "major",
    "mineur": "minor",
    "maggiore": "major",
    "minore": "minor",
    "mayor": "major",
    "menor": "minor",
}
_ENGLISH = r"\b([a-g])(?:[\s-]?(flat|sharp|b|#|♭|♯))?[\s-]+(major|minor)\b"
_GERMAN = r"\b([a-h])(is|es|s)?[\s-]*(dur|moll)\b"
_ROMANCE = (
    r"\b(ut|do|re|mi|fa|sol|la|si)(?:[\s-]+(bemolle|bemol|diesis|diese|sostenido))?"
    r"[\s-]+(majeur|mineur|maggiore|minore|mayor|menor)\b"
)
_BARE = r"\bin ([a-g])(?:[\s-]?(flat|sharp|♭|♯))?(?=\s*(?:$|[,;:(\"'“]|op\b))"


@cache
def _key_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """English, German, Romance and bare ("in C") keys, compiled on first use (as ``_patterns``)."""
    return (re.compile(_ENGLISH), re.compile(_GERMAN), re.compile(_ROMANCE), re.compile(_BARE))


def musical_key(title: str) -> MusicalKey | None:
    """The key named in ``title`` in English, German, French, Italian or Spanish, if any.

    "in C" with no mode is C major, as titles such as "Symphony in C" mean.
    """
    text = fold(title)
    english, german, romance, bare = _key_patterns()
    if match := english.search(text):
        letter, accidental, mode = match.groups()
        return MusicalKey(letter.upper() + _ACCIDENTALS.get(accidental or "", ""), mode)
    if match := german.search(text):
        letter, suffix, mode = match.groups()
        return MusicalKey(_german_tonic(letter, suffix), _MODES[mode])
    if match := romance.search(text):
        syllable, accidental, mode = match.groups()
        return MusicalKey(_SOLFEGE[syllable] + _ACCIDENTALS.get(accidental or "", ""), _MODES[mode])
    if match := bare.search(text):
        letter, accidental = match.groups()
        return MusicalKey(letter.upper() + _ACCIDENTALS.get(accidental or "", ""), "major")
    return None


def strip_key(title: str) -> str:
    """``title`` folded, without the key it names ("symphony no. 5 in c minor" → "symphony no. 5 in")."""
    text = fold(title)
    for pattern in _key_patterns():
        if pattern.search(text):
            return pattern.sub(" ", text, count=1)
    return text


def _german_tonic(letter: str, suffix: str | None) -> str:
    """German names: "B" is B-flat, "H" is B; "Es"/"As" (and "Eses"…) carry their flat in "s"."""
    if letter == "h":
        return "B-sharp" if suffix == "is" else "B"
    if letter == "b":
        return "B-flat"
    if suffix == "is":
        return f"{letter.upper()}-sharp"
    if suffix in ("es", "s"):
        return f"{letter.upper()}-flat"
    return letter.upper()
