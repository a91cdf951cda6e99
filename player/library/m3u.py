"""M3U playlists in and out of the profile's playlists.

Reading understands plain and extended M3U (``#EXTM3U``, ``#EXTINF:seconds,title``), paths
relative to the list's own folder, absolute paths, ``file://`` URLs and Windows separators; a
``.m3u8`` file is UTF-8, a ``.m3u`` file UTF-8 or else Latin-1. Entries that are not tracks of the
library are reported by line, never dropped silently; the M3U file itself is never changed.
Writing produces extended M3U in UTF-8 with paths relative to the list's folder (or absolute).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from player.store.db import Database
from player.store.playlists import (
    PlaylistError,
    create_playlist,
    playlist_by_name,
    playlist_tracks,
)
from player.store.tracks import Track, all_tracks


@dataclass(frozen=True)
class M3UEntry:
    line: int
    """1-based line number of the location in the file."""
    location: str
    """The location as written."""
    path: Path
    """The location as an absolute, normalised path."""
    seconds: int | None = None
    title: str = ""


@dataclass
class ImportReport:
    playlist_id: int
    name: str
    added: int
    not_found: list[M3UEntry] = field(default_factory=list)
    """Entries that are not (present) tracks of the library, in file order."""


def parse_m3u(text: str, base: Path) -> list[M3UEntry]:
    """The entries of M3U ``text``; relative locations are taken from ``base`` (the list's folder)."""
    entries = []
    seconds: int | None = None
    title = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if line.startswith("#"):
            if line.upper().startswith("#EXTINF:"):
                seconds, title = _extinf(line[len("#EXTINF:") :])
            continue
        entries.append(M3UEntry(number, line, _resolve(line, base), seconds, title))
        seconds, title = None, ""
    return entries


def read_m3u(path: Path) -> list[M3UEntry]:
    """The entries of the M3U file at ``path``; raises :class:`PlaylistError` when unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlaylistError(
            f"Cannot read the playlist file {path.name}", f"{path}: {exc.strerror or exc}"
        ) from exc
    if b"\0" in data[:4096]:
        raise PlaylistError(
            f"{path.name} is not an M3U playlist", f"{path}: the file holds binary data."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if path.suffix.lower() == ".m3u8":
            raise PlaylistError(
                f"{path.name} is not valid UTF-8", f"{path}: an .m3u8 file must be UTF-8."
            ) from None
        text = data.decode("latin-1")
    return parse_m3u(text, path.parent)


def format_m3u(tracks: Iterable[Track], target: Path, *, relative: bool = True) -> str:
    """Extended M3U text for ``tracks``, paths relative to ``target``'s folder when ``relative``."""
    folder = os.path.abspath(target.parent)
    lines = ["#EXTM3U"]
    for track in tracks:
        location = track.path
        if relative:
            try:
                location = os.path.relpath(track.path, folder)
            except ValueError:  # another drive (Windows): only an absolute path can reach it
                location = track.path
        title = " ".join(_display(track).split())  # no line breaks inside an #EXTINF line
        lines.append(f"#EXTINF:{round(track.duration_s)},{title}")
        lines.append(location)
    return "\n".join(lines) + "\n"


def export_playlist(db: Database, playlist_id: int, target: Path, *, relative: bool = True) -> int:
    """Write the playlist to ``target`` as extended M3U (UTF-8); returns how many entries."""
    tracks = playlist_tracks(db, playlist_id)
    text = format_m3u(tracks, target, relative=relative)
    try:
        target.write_text(text, "utf-8")
    except OSError as exc:
        raise PlaylistError(
            f"Cannot write {target.name}", f"{target}: {exc.strerror or exc}"
        ) from exc
    return len(tracks)


def import_m3u(db: Database, source: Path, name: str | None = None) -> ImportReport:
    """A new playlist from the M3U file ``source`` holding its entries that are library tracks.

    The playlist is named ``name`` or after the file (with " (2)", " (3)"… when taken).
    Raises :class:`PlaylistError` when the file cannot be read or holds no library track.
    """
    entries = read_m3u(source)
    by_path = {os.path.normpath(t.path): t.id for t in all_tracks(db)}
    found: list[int] = []
    not_found: list[M3UEntry] = []
    for entry in entries:
        track_id = by_path.get(str(entry.path))
        if track_id is None:
            not_found.append(entry)
        else:
            found.append(track_id)
    if not found:
        raise PlaylistError(
            f"None of the {len(entries)} entries of {source.name} is in your library",
            f"{source}: add their folders to the library first (Library → Add folder), then "
            "import the playlist again."
            if entries
            else f"{source}: the file lists no tracks.",
        )
    title = name or _free_name(db, source.stem)
    playlist_id = create_playlist(db, title, found)
    return ImportReport(playlist_id, title, len(found), not_found)


def _free_name(db: Database, stem: str) -> str:
    stem = " ".join(stem.split()) or "Imported playlist"
    name, number = stem, 1
    while playlist_by_name(db, name) is not None:
        number += 1
        name = f"{stem} ({number})"
    return name


def _extinf(rest: str) -> tuple[int | None, str]:
    duration, _, title = rest.partition(",")
    try:
        seconds: int | None = round(float(duration.split()[0])) if duration.split() else None
    except ValueError:
        seconds = None
    if seconds is not None and seconds < 0:  # -1 means "unknown" in extended M3U
        seconds = None
    return seconds, title.strip()


def _resolve(location: str, base: Path) -> Path:
    if location.lower().startswith("file:"):
        location = unquote(urlparse(location).path)
    elif "\\" in location and "/" not in location:
        location = location.replace("\\", "/")
    path = os.path.join(os.path.abspath(base), os.path.expanduser(location))
    return Path(os.path.normpath(path))


def _display(track: Track) -> str:
    who = track.composer or track.artist
    what = f"{track.work}: {track.display_title}" if track.work else track.display_title
    return f"{who} - {what}" if who else what
