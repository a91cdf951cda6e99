"""Composer identity: one key for every spelling of one composer's name.

"Bach, Johann Sebastian", "Johann Sebastian Bach", "J.S. Bach" and "BACH" are one composer;
"C.P.E. Bach" is another. Names are split into given names and family name (either order, with
particles such as "van" and "von"), folded (case, diacritics) and looked up in a table of
composers whose names are spelled in many ways (transliterations: Tchaikovsky, Tschaikowsky,
Čajkovskij; Rachmaninoff, Rachmaninov). A name the table does not know is its own key, in
"given family" order so that both orders agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from player.domain.text import fold_words

UNKNOWN_COMPOSER = "Unknown composer"
"""What the listener sees for a track with no composer anywhere in its tags or folders."""

PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "der",
        "den",
        "ten",
        "ter",
        "le",
        "la",
        "d",
    }
)
"""Words that belong to the family name when they precede it ("Ludwig van Beethoven")."""


@dataclass(frozen=True)
class KnownComposer:
    """A table row: the name as shown, the family name's spellings and the accepted initials."""

    given: str
    family: str
    spellings: tuple[str, ...] = ()  # other family-name spellings (any case, any accents)
    initials: tuple[str, ...] = ()  # initials of given names that mean this composer
    default: bool = True  # the composer a bare family name means when several share it

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


def _k(given: str, family: str, *spellings: str, initials: tuple[str, ...] = (), default=True):
    first = "".join(w[0] for w in fold_words(given).split() if w not in PARTICLES)
    return KnownComposer(given, family, spellings, initials or (first[:1], first), default)


KNOWN_COMPOSERS: tuple[KnownComposer, ...] = (
    _k("Johann Sebastian", "Bach", initials=("js",)),
    _k("Carl Philipp Emanuel", "Bach", initials=("cpe", "c"), default=False),
    _k("Johann Christian", "Bach", initials=("jc",), default=False),
    _k("Wilhelm Friedemann", "Bach", initials=("wf", "w"), default=False),
    _k("Ludwig van", "Beethoven"),
    _k("Wolfgang Amadeus", "Mozart", "Mozzart", initials=("wa", "w", "jcwa")),
    _k("Leopold", "Mozart", initials=("l",), default=False),
    _k("Joseph", "Haydn", initials=("j", "fj")),
    _k("Michael", "Haydn", initials=("m", "jm"), default=False),
    _k("Franz", "Schubert"),
    _k("Robert", "Schumann", initials=("r",)),
    _k("Clara", "Schumann", initials=("c",), default=False),
    _k("Johannes", "Brahms"),
    _k("George Frideric", "Handel", "Händel", "Haendel", "Hendel", initials=("g", "gf")),
    _k("Antonín", "Dvořák", "Dvorak", "Dvoržak", "Dworschak", initials=("a",)),
    _k(
        "Pyotr Ilyich",
        "Tchaikovsky",
        "Tschaikowsky",
        "Tschaikowski",
        "Čajkovskij",
        "Chaikovsky",
        "Chaikovskiy",
        "Chaykovsky",
        "Tchaikowsky",
        "Tchaikovski",
        "Tchaïkovski",
        "Tchaikovskij",
        "Czajkowski",
        "Ciajkovskij",
        "Tsjaikovski",
        "Tjajkovskij",
        initials=("p", "pi"),
    ),
    _k(
        "Sergei",
        "Rachmaninoff",
        "Rachmaninov",
        "Rachmaninow",
        "Rakhmaninov",
        "Rachmaninof",
        "Rachmaninoff",
        "Rahmaninov",
        initials=("s",),
    ),
    _k(
        "Sergei",
        "Prokofiev",
        "Prokofieff",
        "Prokofjew",
        "Prokofiew",
        "Prokofjev",
        "Prokofyev",
        "Prokofiev",
        "Prokofjeff",
        initials=("s",),
    ),
    _k("Igor", "Stravinsky", "Strawinsky", "Stravinskij", "Stravinski", "Strawinski"),
    _k(
        "Modest",
        "Mussorgsky",
        "Musorgsky",
        "Moussorgsky",
        "Mussorgski",
        "Musorgskij",
        "Mussorgskij",
        "Moussorgski",
        "Musorgski",
    ),
    _k("Arnold", "Schoenberg", "Schönberg", "Schonberg"),
    _k(
        "Dmitri",
        "Shostakovich",
        "Schostakowitsch",
        "Chostakovitch",
        "Šostakovič",
        "Sjostakovitsj",
        "Szostakowicz",
        "Shostakovitch",
    ),
    _k(
        "Nikolai",
        "Rimsky-Korsakov",
        "Rimski-Korsakow",
        "Rimskij-Korsakov",
        "Rimsky-Korsakoff",
        "Rimski-Korsakov",
    ),
    _k("Alexander", "Scriabin", "Skrjabin", "Skriabin", "Scriabine", "Skryabin"),
    _k("Alexander", "Borodin", "Borodine"),
    _k("Mikhail", "Glinka"),
    _k("Alexander", "Glazunov", "Glasunow", "Glazounov"),
    _k("Aram", "Khachaturian", "Chatschaturjan", "Khatchaturian", "Chačaturjan", "Khachaturyan"),
    _k("Frédéric", "Chopin", initials=("f",)),
    _k("Franz", "Liszt", initials=("f",)),
    _k("Béla", "Bartók"),
    _k("Leoš", "Janáček"),
    _k("Bedřich", "Smetana", initials=("b", "f")),
    _k("Bohuslav", "Martinů"),
    _k("Jean", "Sibelius", initials=("j",)),
    _k("Edvard", "Grieg", initials=("e",)),
    _k("Gustav", "Mahler"),
    _k("Anton", "Bruckner"),
    _k(
        "Felix",
        "Mendelssohn",
        "Mendelssohn Bartholdy",
        "Mendelssohn-Bartholdy",
        initials=("f", "jlf"),
    ),
    _k("Fanny", "Mendelssohn", "Hensel", "Mendelssohn Hensel", initials=("f",), default=False),
    _k("Antonio", "Vivaldi"),
    _k("Georg Philipp", "Telemann", initials=("g", "gp")),
    _k("Dieterich", "Buxtehude", initials=("d",)),
    _k("Henry", "Purcell", initials=("h",)),
    _k("Claudio", "Monteverdi"),
    _k("Claude", "Debussy", initials=("c", "ca")),
    _k("Maurice", "Ravel"),
    _k("Gabriel", "Fauré"),
    _k("Camille", "Saint-Saëns"),
    _k("Hector", "Berlioz"),
    _k("Edward", "Elgar"),
    _k("Giuseppe", "Verdi"),
    _k("Giacomo", "Puccini"),
    _k("Richard", "Wagner", initials=("r",)),
    _k("Richard", "Strauss", initials=("r",), default=False),
    _k("Johann", "Strauss", initials=("j",), default=False),
    _k("Domenico", "Scarlatti", initials=("d",)),
    _k("Alessandro", "Scarlatti", initials=("a",), default=False),
    _k("François", "Couperin", initials=("f",)),
    _k("Jean-Philippe", "Rameau", initials=("j", "jp")),
    _k("Giovanni Pierluigi da", "Palestrina", initials=("g", "gp")),
    _k("Heinrich", "Schütz", "Schuetz", "Schutz"),
    _k("Anton", "Webern", "von Webern"),
    _k("Alban", "Berg"),
    _k("Arvo", "Pärt", "Paert", "Part"),
    _k("Karol", "Szymanowski"),
    _k("Erik", "Satie"),
    _k("César", "Franck"),
    _k("Carl Maria von", "Weber", initials=("c", "cm")),
    _k("Paul", "Hindemith"),
    _k("Benjamin", "Britten"),
    _k("Ralph", "Vaughan Williams"),
    _k("Gioachino", "Rossini", "Rossini", initials=("g",)),
    _k("Arcangelo", "Corelli"),
    _k("Jean-Baptiste", "Lully", "Lulli", initials=("j", "jb", "g", "gb")),
    _k("Niccolò", "Paganini"),
    _k("Luigi", "Boccherini"),
    _k("Christoph Willibald", "Gluck", initials=("c", "cw")),
    _k("Jan Dismas", "Zelenka", initials=("j", "jd")),
    _k("Hildegard von", "Bingen"),
    _k("Josquin", "des Prez", "Desprez", "des Prés", "Després"),
)
"""Composers whose names are spelled many ways; grow it from real libraries' spellings."""

_INITIALS = re.compile(r"^[A-Z]{1,3}$")
_LIFE_DATES = re.compile(r"\s*\([^()]*\d{4}[^()]*\)$")  # "Bach (1685-1750)"


@dataclass(frozen=True)
class ComposerId:
    """Who wrote a work: ``key`` compares, ``name`` is shown, ``sort_key`` orders by family name."""

    key: str
    name: str
    sort_key: str

    @property
    def known(self) -> bool:
        return bool(self.key)


def _table() -> dict[str, list[KnownComposer]]:
    by_family: dict[str, list[KnownComposer]] = {}
    for entry in KNOWN_COMPOSERS:
        for spelling in (entry.family, *entry.spellings):
            family = fold_words(spelling)
            if entry not in by_family.setdefault(family, []):
                by_family[family].append(entry)
    return by_family


_BY_FAMILY = _table()
_LONGEST_FAMILY = max(len(f.split()) for f in _BY_FAMILY)


def split_name(name: str) -> tuple[str, str]:
    """``(given, family)`` of a name in either order.

    "Bach, Johann Sebastian" and "Johann Sebastian Bach" both give ``("Johann Sebastian",
    "Bach")``; "Ludwig van Beethoven" gives ``("Ludwig", "van Beethoven")``; a family name the
    table knows to span words ("Vaughan Williams") stays whole.
    """
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(" ,"), family.strip()
    words = name.split(" ")
    folded = [fold_words(w) for w in words]
    for size in range(min(_LONGEST_FAMILY, len(words)), 1, -1):
        if " ".join(folded[-size:]) in _BY_FAMILY:
            return " ".join(words[:-size]), " ".join(words[-size:])
    cut = len(words) - 1
    while cut > 1 and folded[cut - 1] in PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _initials(given: str) -> str:
    letters: list[str] = []
    for word in re.split(r"[\s.\-]+", given):
        if _INITIALS.match(word) and len(word) > 1:
            letters.extend(word.lower())
        elif (folded := fold_words(word)) and folded not in PARTICLES:
            letters.append(folded[0])
    return "".join(letters)


def _known(given: str, family: str) -> KnownComposer | None:
    family_words = [w for w in fold_words(family).split() if w not in PARTICLES]
    candidates = _BY_FAMILY.get(fold_words(family)) or _BY_FAMILY.get(" ".join(family_words))
    if not candidates:
        return None
    first = fold_words(given).split()[:1]
    if len(candidates) > 1 and first and len(first[0]) > 1:  # "Fanny" tells two F. apart
        named = [c for c in candidates if fold_words(c.given).split()[:1] == first]
        candidates = named or candidates
    initials = _initials(given)
    if not initials:
        defaults = [c for c in candidates if c.default]
        return defaults[0] if len(defaults) == 1 else None
    exact = [c for c in candidates if initials in c.initials]
    if exact:
        return exact[0]
    loose = [c for c in candidates if any(i.startswith(initials) for i in c.initials)]
    if len(loose) == 1 or any(c.default for c in loose):
        return next(c for c in loose if c.default) if len(loose) > 1 else loose[0]
    return None


@lru_cache(maxsize=8192)
def composer_id(name: str) -> ComposerId:
    """The identity of the composer named ``name`` (any order, case, accents, transliteration).

    An empty name gives ``ComposerId("", UNKNOWN_COMPOSER, …)``, sorted after every other.
    Cached: a library names few composers many times, and a first scan asks for each file.
    """
    name = _LIFE_DATES.sub("", " ".join(name.split()))
    if not name:
        return ComposerId("", UNKNOWN_COMPOSER, "\uffff")
    given, family = split_name(name)
    entry = _known(given, family)
    if entry is not None:
        given, family = entry.given, entry.family
        shown = entry.name
    else:
        shown = f"{given} {family}".strip()
    family_sort = " ".join(w for w in fold_words(family).split() if w not in PARTICLES)
    return ComposerId(
        key=fold_words(f"{given} {family}"),
        name=shown,
        sort_key=f"{family_sort or fold_words(family)}, {fold_words(given)}".rstrip(", "),
    )


@lru_cache(maxsize=4096)
def family_name(name: str) -> str:
    """The family name as shown, without particles: "Ludwig van Beethoven" → "Beethoven".

    Cached: it is asked once per track, of a few hundred names."""
    _, family = split_name(" ".join(name.split()))
    words = family.split()
    while len(words) > 1 and fold_words(words[0]) in PARTICLES:
        words = words[1:]
    return " ".join(words)


def same_composer(a: str, b: str) -> bool:
    """Whether two names mean one composer (both non-empty)."""
    first, second = composer_id(a), composer_id(b)
    return first.known and first.key == second.key


def is_known_composer(name: str) -> bool:
    """Whether ``name`` is a composer in the table (so an ARTIST tag holding it names the composer)."""
    given, family = split_name(" ".join(name.split()))
    return bool(name.strip()) and _known(given, family) is not None


def composer_aliases(tagged: Iterable[tuple[str, str, str, int]]) -> dict[str, str]:
    """Composer keys that a MusicBrainz composer id says are one composer.

    ``tagged`` holds ``(MusicBrainz composer id, composer key, composer name, tracks)`` for
    tracks that carry an id. Names the table cannot join (the same composer in another script)
    become the key of a name the table knows, else the key most of the id's tracks have.
    Returns ``{key: key it is}``.
    """
    by_id: dict[str, dict[str, tuple[bool, int]]] = {}
    for mbid, key, name, count in tagged:
        if mbid and key:
            keys = by_id.setdefault(mbid.lower(), {})
            known, before = keys.get(key, (False, 0))
            keys[key] = (known or is_known_composer(name), before + count)
    aliases = {}
    for keys in by_id.values():
        main = max(keys, key=lambda k: (keys[k], k))
        aliases.update({k: main for k in keys if k != main})
    return aliases
