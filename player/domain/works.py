"""Work identity: which tracks, in whatever spelling, belong to one work of one composer.

A work is identified, in this order, by its MusicBrainz work id (when the tag names the whole
work), by its first catalogue number ("Op. 18 No. 1", "BWV 1007"), else by its title's words
with the key, nicknames in quotes, numbering words and language of the genre folded away
("Sinfonie Nr. 5 c-moll" and "Symphony No. 5 in C minor" are one work). The key is scoped by
the composer (:func:`work_key`), so "Op. 18" of two composers are two works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from player.domain.catalogue import catalogue_numbers, musical_key, strip_catalogue, strip_key
from player.domain.text import fold_words

_NICKNAME = re.compile(
    r"[\"“”„«»‹›]([^\"“”„«»‹›]{1,60})[\"“”„«»‹›]|(?<![\w])['‘’]([^'‘’]{1,60})['‘’](?!\w)"
)
_GENRES = {
    "sinfonie": "symphony",
    "symphonie": "symphony",
    "sinfonia": "symphony",
    "sinfonia concertante": "sinfonia concertante",
    "konzert": "concerto",
    "concert": "concerto",
    "konzerte": "concertos",
    "klavierkonzert": "piano concerto",
    "violinkonzert": "violin concerto",
    "cellokonzert": "cello concerto",
    "klaviersonate": "piano sonata",
    "klavier": "piano",
    "pianoforte": "piano",
    "violoncello": "cello",
    "violine": "violin",
    "violon": "violin",
    "sonate": "sonata",
    "streichquartett": "string quartet",
    "quartett": "quartet",
    "quatuor": "quartet",
    "quartetto": "quartet",
    "messe": "mass",
    "missa": "mass",
    "suiten": "suites",
}
_GENRE_WORDS = re.compile(r"\b(" + "|".join(sorted(_GENRES, key=len, reverse=True)) + r")\b")
_FILLER = frozenset({"in", "en", "no", "nr", "n", "num", "number", "nummer", "op", "opus", "the"})


@dataclass(frozen=True)
class WorkId:
    """A work: ``key`` compares (within one composer), the rest is shown."""

    key: str
    title: str  # as tagged, nickname included
    catalogue: str  # the first catalogue number, normalised ("Op. 18 No. 1"), or ""
    nickname: str  # the quoted nickname ("Eroica"), or ""


def nickname(title: str) -> str:
    """The nickname in quotes in ``title`` ("Symphony No. 3 “Eroica”" → "Eroica"), or ""."""
    match = _NICKNAME.search(title)
    return (match.group(1) or match.group(2)).strip() if match else ""


def title_words(title: str) -> str:
    """A title reduced to the words that identify it (see the module's docstring)."""
    text = _NICKNAME.sub(" ", title)
    key = musical_key(text)
    words = fold_words(strip_key(text))
    words = _GENRE_WORDS.sub(lambda match: _GENRES[match.group(1)], words)
    kept = [w for w in words.split() if w not in _FILLER]
    if key is not None and not any(w.isdigit() for w in kept):
        kept.append(
            key.key
        )  # "Mass in B minor": the key names it; "No. 5 in C minor": the number does
    return " ".join(kept)


@lru_cache(maxsize=16384)
def work_id(title: str, *, mbid: str = "") -> WorkId:
    """The identity of the work titled ``title``; ``mbid`` is its MusicBrainz work id, when the
    tag names the whole work (not a movement). Cached: every movement repeats its work's title."""
    title = " ".join(title.split())
    bare = _NICKNAME.sub(" ", title)
    numbers = catalogue_numbers(bare)
    catalogue = numbers[0].display if numbers else ""
    if mbid.strip():
        key = f"mb:{mbid.strip().lower()}"
    elif numbers:
        key = f"cat:{numbers[0].key}"
    else:
        key = f"title:{title_words(title)}"
    return WorkId(key, title, catalogue, nickname(title))


def work_key(composer_key: str, work: WorkId) -> str:
    """One work per (composer, work identity): the key stored with each track."""
    return f"{composer_key} / {work.key}"


def work_aliases(works: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Which title-identified works are a catalogue-identified work of the same composer.

    ``works`` holds ``(composer key, work key, title)``. "Symphony No. 5 in C minor" (no
    catalogue number) is "Symphony No. 5 in C minor, Op. 67" when that is the composer's only
    work whose title, without its catalogue number, has the same words; titles without a number
    ("Sonata") are never merged, they name too little. Returns ``{work key: work key it is}``.
    """
    by_words: dict[tuple[str, str], set[str]] = {}
    titled: list[tuple[str, str, str]] = []
    for composer, key, title in works:
        if key.startswith(f"{composer} / title:"):
            titled.append((composer, key, key.partition(" / title:")[2]))
        elif key.startswith(f"{composer} / cat:"):
            words = title_words(strip_catalogue(title))
            by_words.setdefault((composer, words), set()).add(key)
    aliases = {}
    for composer, key, words in titled:
        targets = by_words.get((composer, words), set())
        if len(targets) == 1 and any(w.isdigit() for w in words.split()):
            aliases[key] = next(iter(targets))
    return aliases
