"""Listening histories other players export, read into one shape: :class:`Listen`.

Last.fm scrobble CSV (the plain ``artist,album,track,date`` export and the headed
``uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid`` one), a ListenBrainz JSON
export (a JSON array of listens, one listen per line, or the zip of monthly ``.jsonl`` files)
and Continuo's own ``history --json``.
A line that cannot be read is reported as ``FILE:LINE: why`` and the rest is still read.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LASTFM, LISTENBRAINZ, CONTINUO = "lastfm", "listenbrainz", "continuo"
LASTFM_DATES = ("%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


class NotAHistory(ValueError):
    """The file is none of the formats read here (the message says what it looked like)."""


@dataclass(frozen=True)
class Listen:
    """One listen as its source recorded it."""

    source: str
    line: int
    played_at: datetime  # UTC
    artist: str
    title: str
    album: str = ""
    composer: str = ""
    work: str = ""
    recording_mbid: str = ""
    path: str = ""  # Continuo's own history names the file
    ms_heard: int | None = None  # None: the source says only that it was heard
    ended_how: str = "finished"
    started_by: str = "user"

    @property
    def key(self) -> str:
        """The listen's identity in its source: when, and what."""
        what = self.path or f"{self.artist}\x1f{self.title}"
        return f"{self.played_at.isoformat(timespec='seconds')}\x1f{what}"


def read_history(path: Path) -> tuple[str, list[Listen], list[str]]:
    """``(source, listens, problems)``; raises :class:`NotAHistory` for a foreign file and
    ``OSError`` when it cannot be read."""
    if zipfile.is_zipfile(path):
        return LISTENBRAINZ, *_read_zip(path)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return _read_json(path, text)
    if not text.strip():
        raise NotAHistory(f"{path} is empty")
    return LASTFM, *_read_lastfm(path, text)


def _read_json(path: Path, text: str) -> tuple[str, list[Listen], list[str]]:
    try:
        data = json.loads(text)
        items = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:  # JSON lines: one listen a line
        return LISTENBRAINZ, *_read_json_lines(path, text)
    if items and all(isinstance(i, dict) and "plays" in i for i in items):
        return CONTINUO, *_read_continuo(path, text, items)
    if isinstance(data, dict) and isinstance(data.get("payload"), dict):  # the API's answer
        items = data["payload"].get("listens", [])
    if all(isinstance(i, dict) and ("listened_at" in i or "track_metadata" in i) for i in items):
        starts = _item_lines(text) if isinstance(data, list) else [1] * len(items)
        listens: list[Listen] = []
        problems: list[str] = []
        for item, line in zip(items, starts, strict=True):
            _add(listens, problems, path, line, lambda i=item, n=line: _listenbrainz(i, n))
        return LISTENBRAINZ, listens, problems
    raise NotAHistory(
        f"{path} is JSON but neither a ListenBrainz export nor Continuo's history --json"
    )


def _read_zip(path: Path) -> tuple[list[Listen], list[str]]:
    """ListenBrainz's newer export: a zip of ``listens/YEAR/MONTH.jsonl`` files."""
    listens: list[Listen] = []
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".jsonl"))
        if not names:
            raise NotAHistory(f"{path} is a zip without ListenBrainz listens (*.jsonl)")
        for name in names:
            text = archive.read(name).decode("utf-8", errors="replace")
            found, bad = _read_json_lines(path / name, text)
            listens += found
            problems += bad
    return listens, problems


def _read_json_lines(path: Path, text: str) -> tuple[list[Listen], list[str]]:
    listens: list[Listen] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue

        def parse(raw=raw, number=number) -> Listen:
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not JSON ({exc.msg})") from None
            if not isinstance(item, dict):
                raise ValueError("not a listen")
            return _listenbrainz(item, number)

        _add(listens, problems, path, number, parse)
    if not listens and problems and len(problems) == sum(1 for r in text.splitlines() if r.strip()):
        raise NotAHistory(f"{path} is not JSON ({problems[0]})")
    return listens, problems


def _listenbrainz(item: dict, line: int) -> Listen:
    meta = item.get("track_metadata")
    if not isinstance(meta, dict):
        raise ValueError("no track_metadata")
    artist, title = str(meta.get("artist_name") or ""), str(meta.get("track_name") or "")
    if not title:
        raise ValueError("no track_name")
    when = item.get("listened_at")
    if not isinstance(when, int | float) or isinstance(when, bool):
        raise ValueError(f"listened_at is not a time ({when!r})")
    info = _mapping(meta.get("additional_info"))
    mapping = _mapping(meta.get("mbid_mapping"))
    mbid = str(info.get("recording_mbid") or mapping.get("recording_mbid") or "")
    composer = info.get("composer")
    work = info.get("work")
    return Listen(
        source=LISTENBRAINZ,
        line=line,
        played_at=datetime.fromtimestamp(float(when), UTC),
        artist=artist,
        title=title,
        album=str(meta.get("release_name") or ""),
        composer=str(composer) if isinstance(composer, str) else "",
        work=str(work) if isinstance(work, str) else "",
        recording_mbid=mbid,
    )


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _read_continuo(path: Path, text: str, sessions: list[dict]) -> tuple[list[Listen], list[str]]:
    lines = _LineFinder(text)
    listens: list[Listen] = []
    problems: list[str] = []
    for session in sessions:
        plays = session.get("plays")
        for play in plays if isinstance(plays, list) else []:
            started = play.get("started_at") if isinstance(play, dict) else None
            line = lines.find("started_at", started)
            _add(listens, problems, path, line, lambda p=play, n=line: _continuo(p, n))
    return listens, problems


def _continuo(play: object, line: int) -> Listen:
    if not isinstance(play, dict):
        raise ValueError("not a play")
    when = _iso(play.get("started_at"))
    ms = play.get("ms_heard")
    if not isinstance(ms, int) or ms < 0:
        raise ValueError(f"ms_heard is not a number of milliseconds ({ms!r})")
    ended = play.get("ended_how") or "interrupted"
    return Listen(
        source=CONTINUO,
        line=line,
        played_at=when,
        artist=str(play.get("composer") or ""),
        title=str(play.get("title") or ""),
        composer=str(play.get("composer") or ""),
        work=str(play.get("work") or ""),
        path=str(play.get("track") or ""),
        ms_heard=ms,
        ended_how=str(ended),
        started_by=str(play.get("started_by") or "user"),
    )


def _read_lastfm(path: Path, text: str) -> tuple[list[Listen], list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    named = "artist" in header and "track" in header
    listens: list[Listen] = []
    problems: list[str] = []
    start = 1 if named else 0
    for number, row in enumerate(rows[start:], start + 1):
        if not any(c.strip() for c in row):
            continue
        fields = dict(zip(header, row, strict=False)) if named else None
        _add(listens, problems, path, number, lambda r=row, f=fields, n=number: _lastfm(r, f, n))
    if not listens and len(problems) == len(rows) - start and problems:
        raise NotAHistory(f"{path} is not a Last.fm scrobble CSV ({problems[0]})")
    return listens, problems


def _lastfm(row: list[str], fields: dict[str, str] | None, line: int) -> Listen:
    if fields is not None:
        artist, album, title = (fields.get(k, "").strip() for k in ("artist", "album", "track"))
        when = fields.get("uts", "").strip() or fields.get("utc_time", "").strip()
        when = when or fields.get("date", "").strip()
        mbid = fields.get("track_mbid", "").strip()
    else:
        if len(row) < 4:
            raise ValueError(f"expected artist,album,track,date; found {len(row)} fields")
        artist, album, title, when = (c.strip() for c in row[:4])
        mbid = ""
    if not title:
        raise ValueError("no track name")
    return Listen(LASTFM, line, _lastfm_time(when), artist, title, album, recording_mbid=mbid)


def _lastfm_time(text: str) -> datetime:
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    for pattern in LASTFM_DATES:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return _iso(text)


def _iso(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"no time ({value!r})")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {value!r}") from None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _add(listens: list[Listen], problems: list[str], path: Path, line: int, parse) -> None:
    try:
        listens.append(parse())
    except ValueError as exc:
        problems.append(f"{path}:{line}: {exc}")


def _item_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder()
    at = text.index("[") + 1
    lines: list[int] = []
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text) or text[at] == "]":
            return lines
        lines.append(text.count("\n", 0, at) + 1)
        _, at = decoder.raw_decode(text, at)


class _LineFinder:
    """The line where each record of a JSON document starts, found by its time value in order."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def find(self, key: str, value: object) -> int:
        if value is not None:
            needle = f'"{key}": {json.dumps(value)}'
            found = self.text.find(needle, self.at)
            if found < 0:
                found = self.text.find(json.dumps(value), self.at)
            if found >= 0:
                self.at = found + 1
        return self.text.count("\n", 0, self.at) + 1
