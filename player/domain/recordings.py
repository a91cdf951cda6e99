"""Recording identity: which tracks are one performance of one work.

Two recordings of one symphony share a work but not a recording: the recording is the work
plus the release (MusicBrainz release id, else the album title without its "CD 2" suffix, so a
disc set stays one recording) plus the performers (soloists, ensemble, orchestra, conductor, in
any order). Untagged folders named ``Work (Performers, Year)`` give performers and year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from player.domain.text import fold_words

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_FOLDER = re.compile(r"^(?P<title>.*?\S)\s*[(\[](?P<inside>[^()\[\]]*)[)\]]\s*$")
_DISC_SUFFIX = re.compile(
    r"[\s,:;\-–]*[(\[]?\s*(?:cd|disc|disk|dis[ck]o|cd-?rom)\s*\.?\s*\d+"
    r"(?:\s*(?:of|/|von|de)\s*\d+)?\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_NAME_SEPARATORS = re.compile(r"\s*(?:;|/|,|·|&|\band\b|\bund\b|\bet\b)\s*")


@dataclass(frozen=True)
class RecordingId:
    """One recording of one work: ``key`` compares, the rest is shown ("Kleiber · VPO, 1975")."""

    key: str
    performers: str
    year: int | None
    album: str

    @property
    def label(self) -> str:
        """Performers and year as one line, for every place two recordings could be confused."""
        return recording_label(self.performers, self.year)


def recording_label(performers: str, year: int | None) -> str:
    """How every view names a recording: "Kleiber · Wiener Philharmoniker, 1975"."""
    return ", ".join(p for p in (performers, str(year) if year else "") if p)


def year_of(date: str) -> int | None:
    """The year in a date tag ("1975", "1975-03-02", "p1975"), or None."""
    match = _YEAR.search(date)
    return int(match.group(1)) if match else None


def split_folder_recording(title: str) -> tuple[str, str, int | None]:
    """``"Symphony No. 5 (Kleiber, VPO, 1975)"`` → ``("Symphony No. 5", "Kleiber, VPO", 1975)``.

    Only a trailing bracket that holds a year is read as performers and year: "(Eroica)" or
    "(arr. Liszt)" stay in the title.
    """
    match = _FOLDER.match(title)
    if not match or not (year := _YEAR.search(match.group("inside"))):
        return title, "", None
    inside = match.group("inside")
    performers = (inside[: year.start()] + inside[year.end() :]).strip(" ,;-–")
    return match.group("title").strip(" ,-–"), " ".join(performers.split()), int(year.group(1))


def album_set(album: str) -> str:
    """The album title without a disc suffix: "Mahler 9 (CD 2)" → "Mahler 9"."""
    return _DISC_SUFFIX.sub("", album).strip() or album.strip()


@lru_cache(maxsize=16384)
def performer_names(line: str) -> tuple[str, ...]:
    """The names in a performer line, split at ";", "/", ",", "·", "&", "and". Cached: a scan
    splits each track's lines three times, and a library names the same ensembles on thousands
    of tracks."""
    return tuple(n for n in _NAME_SEPARATORS.split(line) if n.strip())


def performer_line(parts: Iterable[str], *, drop: Callable[[str], bool] = lambda _: False) -> str:
    """Performers, orchestra and conductor as one line, each name once, without ``drop``-ped
    names (the composer when a CD rip put it in ARTIST)."""
    seen: set[str] = set()
    kept: list[str] = []
    for part in parts:
        split = performer_names(part)
        names = [n for n in split if not drop(n)]
        if len(names) != len(split):
            part = ", ".join(names)  # only rebuilt when a name was dropped
        folded = fold_words(part)
        if part and folded not in seen:
            seen.add(folded)
            kept.append(part)
    return " · ".join(kept)


def recording_id(
    work_key: str,
    *,
    performers: str,
    album: str,
    year: int | None,
    release_mbid: str = "",
    folder: str = "",
) -> RecordingId:
    """The recording of the work ``work_key`` by ``performers`` on ``album``.

    With no album and no release id, the folder holding the file stands for the release.
    """
    names = sorted({fold_words(n) for n in performer_names(performers)})
    if release_mbid.strip():
        release = f"mb:{release_mbid.strip().lower()}"
    elif album.strip():
        release = f"album:{fold_words(album_set(album))}"
    else:
        release = f"folder:{folder}"
    key = f"{work_key} | {release} | {'+'.join(names)}"
    return RecordingId(key, performers, year, album_set(album) if album else "")
